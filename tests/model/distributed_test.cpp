// The torch-free parts of data parallel: how a global batch is split into shards, the group read
// from torchrun-style variables (and one line for a bad one), and the ring all-reduce on paper.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "model/distributed.h"
#include "nav/base/user_error.h"

using namespace dw::model;

namespace {

// Sets the group variables for one test and clears them after.
struct GroupVariables {
  GroupVariables(const char* rank, const char* world_size, const char* port) {
    setenv("RANK", rank, 1);
    setenv("WORLD_SIZE", world_size, 1);
    setenv("MASTER_PORT", port, 1);
    setenv("MASTER_ADDR", "10.0.0.7", 1);
  }
  ~GroupVariables() {
    for (const char* name : {"RANK", "WORLD_SIZE", "MASTER_PORT", "MASTER_ADDR"}) unsetenv(name);
  }
};

}  // namespace

TEST_CASE("the shards of a global batch are contiguous, in rank order and differ by at most one row", "[model][dist]") {
  const auto [batch, ranks] = GENERATE(table<std::int64_t, int>({{16, 2}, {16, 3}, {3, 2}, {5, 5}, {7, 4}}));
  std::int64_t next = 0, smallest = batch, largest = 0;
  for (int rank = 0; rank < ranks; ++rank) {
    const BatchShard shard = shard_of(batch, rank, ranks);
    CHECK(shard.begin == next);
    CHECK(shard.global == batch);
    next = shard.end;
    smallest = std::min(smallest, shard.rows());
    largest = std::max(largest, shard.rows());
  }
  CHECK(next == batch);
  CHECK(smallest >= 1);
  CHECK(largest - smallest <= 1);
}

TEST_CASE("the group comes from RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT", "[model][dist]") {
  CHECK_FALSE(distributed_from_environment().is_distributed());
  {
    const GroupVariables group("1", "4", "29511");
    const DistributedOptions options = distributed_from_environment();
    CHECK(options.is_distributed());
    CHECK(options.rank == 1);
    CHECK(options.world_size == 4);
    CHECK(options.master_addr == "10.0.0.7");
    CHECK(options.master_port == 29511);
  }
  {
    const GroupVariables group("4", "4", "29511");  // ranks are 0..3
    CHECK_THROWS_WITH(distributed_from_environment(), Catch::Contains("RANK=4"));
  }
  {
    const GroupVariables group("0", "2", "port");
    CHECK_THROWS_WITH(distributed_from_environment(), Catch::Contains("MASTER_PORT=port"));
  }
}

TEST_CASE("a ring all-reduce moves 2(N-1)/N of the bytes per rank", "[model][dist]") {
  CHECK(ring_all_reduce_seconds(1, 1e6, 1e6) == 0.0);
  CHECK(ring_all_reduce_seconds(2, 1e6, 1e6) == Approx(1.0));
  CHECK(ring_all_reduce_seconds(8, 1e6, 1e6) == Approx(1.75));
  CHECK(data_parallel_efficiency(3.0, 1.0) == Approx(0.75));
}
