// The window sampler and enumerator: shapes, seeded determinism independent of prefetch threads,
// resuming with skip_to, epochs that visit every window once, and windows that never cross an
// episode boundary (frames encode episode id and frame index, so each window can be traced back).
#include <catch2/catch.hpp>

#include <set>

#include "datasets/window_sampler.h"
#include "nav/base/user_error.h"
#include "tests/datasets/test_episodes.h"

namespace fs = std::filesystem;
using namespace dw::data;
using dw::data::testing::encoded_action;
using dw::data::testing::scratch_dir;
using dw::data::testing::write_encoded_dataset;

namespace {

constexpr int kSize = 8;
constexpr std::size_t kFrameBytes = kSize * kSize * 3;

// Train episodes of lengths 5, 9, 13 and 4 (too short for a window of 5): 1 + 5 + 9 windows.
fs::path sampler_dataset(const std::string& name) {
  const auto dir = scratch_dir(name);
  write_encoded_dataset(dir, {5, 9, 13, 4}, 1, kSize);
  return dir;
}

SamplerOptions options_for(std::uint64_t seed, int threads, int batch = 4) {
  SamplerOptions options;
  options.window = 5;
  options.batch_size = batch;
  options.seed = seed;
  options.prefetch_threads = threads;
  options.prefetch_depth = 3;
  return options;
}

std::vector<WindowBatch> draw(WindowSampler& sampler, int count) {
  std::vector<WindowBatch> batches;
  for (int i = 0; i < count; ++i) batches.push_back(sampler.next_batch());
  return batches;
}

bool same(const WindowBatch& a, const WindowBatch& b) { return a.frames == b.frames && a.actions == b.actions; }

struct WindowOrigin {
  int episode;
  int start;
  bool operator<(const WindowOrigin& other) const {
    return episode != other.episode ? episode < other.episode : start < other.start;
  }
};

// Checks that window `slot` is consecutive frames of one episode with that episode's actions, and
// returns where it came from.
WindowOrigin check_window(const WindowBatch& batch, int slot) {
  const std::uint8_t* frames = batch.frames.data() + kFrameBytes * static_cast<std::size_t>(batch.time * slot);
  const int id = frames[0];
  const int start = frames[1] + 256 * frames[2];
  for (int t = 0; t < batch.time; ++t) {
    const std::uint8_t* frame = frames + kFrameBytes * static_cast<std::size_t>(t);
    REQUIRE(frame[0] == id);
    REQUIRE(frame[1] + 256 * frame[2] == start + t);
  }
  for (int t = 0; t + 1 < batch.time; ++t)
    for (int d = 0; d < batch.action_dim; ++d)
      REQUIRE(batch.actions[static_cast<std::size_t>((slot * (batch.time - 1) + t) * batch.action_dim + d)] ==
              encoded_action(id, start + t, d));
  return {id, start};
}

}  // namespace

TEST_CASE("sampler batches have the documented shape", "[datasets][sampler]") {
  const auto dir = sampler_dataset("sampler_shape");
  WindowSampler sampler(dir, options_for(1, 0, 6));
  CHECK(sampler.window_count() == 1 + 5 + 9);
  CHECK(sampler.width() == kSize);
  CHECK(sampler.action_dim() == 3);
  const WindowBatch batch = sampler.next_batch();
  CHECK(batch.batch == 6);
  CHECK(batch.time == 5);
  CHECK(batch.height == kSize);
  CHECK(batch.width == kSize);
  CHECK(batch.action_dim == 3);
  CHECK(batch.frames.size() == 6 * 5 * kFrameBytes);
  CHECK(batch.actions.size() == 6u * 4u * 3u);
}

TEST_CASE("windows never cross episode boundaries and carry their own actions", "[datasets][sampler]") {
  const auto dir = sampler_dataset("sampler_boundaries");
  WindowSampler sampler(dir, options_for(7, 2, 5));
  for (const auto& batch : draw(sampler, 12)) {
    for (int slot = 0; slot < batch.batch; ++slot) {
      const WindowOrigin origin = check_window(batch, slot);
      CHECK(origin.episode != 3);  // the 4-frame episode is shorter than the window
      const int length = std::vector<int>{5, 9, 13}[static_cast<std::size_t>(origin.episode)];
      CHECK(origin.start + 5 <= length);
    }
  }
}

TEST_CASE("one epoch visits every window exactly once", "[datasets][sampler]") {
  const auto dir = sampler_dataset("sampler_epoch");
  WindowSampler sampler(dir, options_for(3, 1, 1));
  std::set<WindowOrigin> seen;
  for (std::int64_t i = 0; i < sampler.window_count(); ++i) seen.insert(check_window(sampler.next_batch(), 0));
  CHECK(static_cast<std::int64_t>(seen.size()) == sampler.window_count());
}

TEST_CASE("shuffling is deterministic for a seed, whatever the prefetch threads", "[datasets][sampler]") {
  const auto dir = sampler_dataset("sampler_determinism");
  WindowSampler inline_sampler(dir, options_for(42, 0));
  WindowSampler threaded(dir, options_for(42, 2));
  WindowSampler again(dir, options_for(42, 1));
  WindowSampler other_seed(dir, options_for(43, 0));
  const auto expected = draw(inline_sampler, 10);
  const auto from_threads = draw(threaded, 10);
  const auto repeated = draw(again, 10);
  const auto other = draw(other_seed, 10);
  int differing = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(same(expected[i], from_threads[i]));
    CHECK(same(expected[i], repeated[i]));
    differing += same(expected[i], other[i]) ? 0 : 1;
  }
  CHECK(differing > 0);
  CHECK(threaded.batches_drawn() == 10);
}

TEST_CASE("skip_to resumes exactly where drawing would be", "[datasets][sampler]") {
  const auto dir = sampler_dataset("sampler_skip");
  WindowSampler reference(dir, options_for(5, 0));
  const auto expected = draw(reference, 9);
  for (int threads : {0, 2}) {
    WindowSampler resumed(dir, options_for(5, threads));
    draw(resumed, 2);  // work already prefetched must not leak past a skip
    resumed.skip_to(6);
    CHECK(resumed.batches_drawn() == 6);
    CHECK(same(resumed.next_batch(), expected[6]));
    CHECK(same(resumed.next_batch(), expected[7]));
    resumed.skip_to(1);
    CHECK(same(resumed.next_batch(), expected[1]));
  }
}

TEST_CASE("a sampler with busy prefetch threads shuts down cleanly", "[datasets][sampler]") {
  const auto dir = sampler_dataset("sampler_shutdown");
  for (int i = 0; i < 5; ++i) {
    WindowSampler sampler(dir, options_for(static_cast<std::uint64_t>(i), 3));
    if (i % 2) sampler.next_batch();
    // Destroyed with prefetch threads busy: a hang or crash here fails the test run.
    CHECK(sampler.batches_drawn() == static_cast<std::uint64_t>(i % 2));
  }
}

TEST_CASE("bad sampler requests are user errors", "[datasets][sampler]") {
  const auto dir = sampler_dataset("sampler_bad");
  SamplerOptions too_long = options_for(0, 0);
  too_long.window = 14;
  REQUIRE_THROWS_WITH(WindowSampler(dir, too_long), Catch::Contains("no episode with 14 frames") &&
                                                        Catch::Contains("longest has 13"));
  SamplerOptions unknown = options_for(0, 0);
  unknown.split = "validation";
  REQUIRE_THROWS_WITH(WindowSampler(dir, unknown), Catch::Contains("unknown split \"validation\""));
  SamplerOptions unlisted = options_for(0, 0);
  unlisted.split = "test";
  REQUIRE_THROWS_WITH(WindowSampler(dir, unlisted), Catch::Contains("no split \"test\""));
}

TEST_CASE("action-free datasets give windows with no actions", "[datasets][sampler]") {
  const auto dir = scratch_dir("sampler_action_free");
  Manifest manifest;
  manifest.width = kSize;
  manifest.height = kSize;
  write_episode(dw::data::testing::encoded_episode(0, 7, kSize, 0), dir / "clip");
  manifest.splits["train"] = {"clip"};
  write_manifest(manifest, dir);
  WindowSampler sampler(dir, options_for(0, 1, 2));
  const WindowBatch batch = sampler.next_batch();
  CHECK(batch.action_dim == 0);
  CHECK(batch.actions.empty());
  check_window(batch, 1);
}

TEST_CASE("the enumerator covers every window once, in order", "[datasets][sampler]") {
  const auto dir = sampler_dataset("enumerator");
  WindowEnumerator enumerator(dir, "train", 5, 2);
  // lengths 5, 9, 13 with stride 2: starts {0}, {0,2,4}, {0,2,4,6,8}
  REQUIRE(enumerator.size() == 1 + 3 + 5);
  const WindowBatch all = enumerator.batch(0, 100);
  REQUIRE(all.batch == 9);
  std::vector<WindowOrigin> origins;
  for (int slot = 0; slot < all.batch; ++slot) origins.push_back(check_window(all, slot));
  const std::vector<std::pair<int, int>> expected{{0, 0}, {1, 0}, {1, 2}, {1, 4}, {2, 0},
                                                  {2, 2}, {2, 4}, {2, 6}, {2, 8}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(origins[i].episode == expected[i].first);
    CHECK(origins[i].start == expected[i].second);
  }
  const WindowBatch tail = enumerator.batch(7, 5);
  CHECK(tail.batch == 2);
  CHECK(check_window(tail, 1).start == 8);
  // Each window names the walk it was cut from (what eval's standard errors group by).
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(enumerator.episode_of(static_cast<std::int64_t>(i)) == expected[i].first);
  }
  CHECK_THROWS_AS(enumerator.episode_of(9), dw::UserError);
  CHECK_THROWS_AS(enumerator.episode_of(-1), dw::UserError);
}

TEST_CASE("batch_of picks the given windows in the given order, with frame and action accessors", "[datasets][sampler]") {
  const auto dir = sampler_dataset("enumerator_pick");
  WindowEnumerator enumerator(dir, "train", 5, 2);
  const WindowBatch picked = enumerator.batch_of({6, 0, 3});
  REQUIRE(picked.batch == 3);
  const WindowBatch all = enumerator.batch(0, 100);
  const int slots[] = {6, 0, 3};
  for (int b = 0; b < 3; ++b) {
    CHECK(check_window(picked, b).episode == check_window(all, slots[b]).episode);
    CHECK(check_window(picked, b).start == check_window(all, slots[b]).start);
    for (int t = 0; t < picked.time; ++t) CHECK(picked.frame(b, t).pixels == all.frame(slots[b], t).pixels);
    for (int t = 0; t + 1 < picked.time; ++t) CHECK(picked.action(b, t) == all.action(slots[b], t));
  }
  CHECK(picked.frame(0, 0).pixels != picked.frame(1, 0).pixels);
  CHECK(picked.action(0, 0).size() == static_cast<size_t>(picked.action_dim));
}
