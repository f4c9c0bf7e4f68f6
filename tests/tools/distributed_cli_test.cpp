// Data-parallel `dreamwalk train` (issue 13) with the real binary, over 127.0.0.1 on ports the
// kernel hands out: 2 ranks give one process's weights (up to the all-reduce's summation order),
// a 2-rank run resumes in one process on the same batch sequence, a killed or hung rank is named
// by the survivor (exit 1, the checkpoint still resumes), and start-up faults are one line, exit 2.
// LibTorch first: its glog defines a CHECK of its own (which aborts and counts nothing), and
// Catch's, defined after it, must be the one this file uses.
#include "model/safetensors.h"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "../model/model_test_util.h"
#include "cli_run.h"

using dw::testing::check_one_line_error;
using dw::testing::run_dreamwalk;
namespace fs = std::filesystem;
namespace testing = dw::model::testing;

namespace {

// The summation order of the all-reduce differs from one process's batch sum; measured on the
// tiny config: at most 2e-7 relative (per tensor, in the L2 norm) after 5 steps.
constexpr double kTolerance = 1e-5;

// A socket bound to a port the kernel picked on 127.0.0.1; listening when asked (a "busy" port).
class LoopbackPort {
 public:
  explicit LoopbackPort(bool listening) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    if (listening) REQUIRE(listen(fd_, 4) == 0);
  }
  ~LoopbackPort() { close(fd_); }
  // A free port for rank 0: the socket is closed so the rank can listen there.
  static int free_port() { return LoopbackPort(false).port(); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

std::string group_env(int port, int world_size, int rank) {
  return "MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) + " WORLD_SIZE=" + std::to_string(world_size) +
         " RANK=" + std::to_string(rank) + " ";
}

// One rank started in the background, its stderr kept in a file.
struct RankProcess {
  pid_t pid = -1;
  fs::path err;
};

RankProcess start_rank(const std::string& env, const std::string& args, const fs::path& err) {
  const std::string command = "exec env " + env + DREAMWALK_BINARY + " " + args + " >/dev/null 2>" + err.string();
  RankProcess rank{fork(), err};
  if (rank.pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return rank;
}

// Waits for the rank's exit (bounded, so a broken build fails instead of hanging the suite).
int wait_exit(const RankProcess& rank) {
  int status = 0;
  for (int i = 0; i < 1200 && waitpid(rank.pid, &status, WNOHANG) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (waitpid(rank.pid, &status, WNOHANG) == 0) {
    kill(rank.pid, SIGKILL);
    waitpid(rank.pid, &status, 0);
    FAIL("rank did not exit within 120 s");
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The lines of ours on stderr (the progress line is also there when the run got going).
std::vector<std::string> error_lines(const std::string& err) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("dreamwalk: ", 0) == 0 && line.rfind("dreamwalk: warning: ", 0) != 0) lines.push_back(line);
  }
  return lines;
}

fs::path prepare(const std::string& name) {
  const fs::path dir = testing::scratch_dir(name);
  testing::write_tiny_dataset(dir / "data");
  testing::write_text(dir / "tiny.yaml", testing::tiny_yaml());
  return dir;
}

// --batch 3: the ranks' shards are uneven (1 and 2 rows), the harder case for the averaging.
std::string train_args(const fs::path& dir, const std::string& run, int steps) {
  return "train --data " + (dir / "data").string() + " --config " + (dir / "tiny.yaml").string() + " --out " +
         (dir / run).string() + " --steps " + std::to_string(steps) + " --seed 5 --batch 3 --threads 1";
}

// Largest per-tensor ||a - b|| / ||a|| over the checkpoint's weights.
double weights_difference(const fs::path& a, const fs::path& b) {
  const dw::model::TensorMap left = dw::model::load_safetensors(a / "model.safetensors");
  const dw::model::TensorMap right = dw::model::load_safetensors(b / "model.safetensors");
  REQUIRE(left.size() == right.size());
  double worst = 0.0;
  for (const auto& [name, tensor] : left) {
    const double norm = std::max(tensor.norm().item<double>(), 1e-12);
    worst = std::max(worst, (tensor - right.at(name)).norm().item<double>() / norm);
  }
  return worst;
}

nlohmann::json model_json(const fs::path& run) { return nlohmann::json::parse(read_text(run / "model.json")); }

}  // namespace

TEST_CASE("2 ranks over 127.0.0.1 train the weights of one process with the same seed and batch", "[cli][dist]") {
  const fs::path dir = prepare("dist_same_weights");
  REQUIRE(run_dreamwalk(train_args(dir, "one", 5)).exit_code == 0);
  const auto two = run_dreamwalk("train --nproc 2 " + train_args(dir, "two", 5).substr(6));
  INFO(two.err);
  REQUIRE(two.exit_code == 0);
  const double difference = weights_difference(dir / "one", dir / "two");
  INFO("largest relative difference " << difference);
  CHECK(difference < kTolerance);
  CHECK(difference > 0.0);  // a real all-reduce ran: its summation order is not one process's
  CHECK(model_json(dir / "two")["step"] == 5);
  CHECK(model_json(dir / "two")["sampler_batches"] == model_json(dir / "one")["sampler_batches"]);
  // Rank 0 alone validated: one metrics line per checkpoint (eval_every 5), not one per rank.
  const std::string metrics = read_text(dir / "two" / "metrics.jsonl");
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 1);
}

TEST_CASE("a 2-rank run resumed in one process continues the same batch sequence", "[cli][dist]") {
  const fs::path dir = prepare("dist_resume");
  REQUIRE(run_dreamwalk(train_args(dir, "straight", 5)).exit_code == 0);
  const auto first = run_dreamwalk("train --nproc 2 " + train_args(dir, "split", 3).substr(6));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto resumed = run_dreamwalk("train --data " + (dir / "data").string() + " --out " + (dir / "split").string() +
                                     " --resume --steps 2 --batch 3 --threads 1");
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(model_json(dir / "split")["step"] == 5);
  CHECK(model_json(dir / "split")["sampler_batches"] == model_json(dir / "straight")["sampler_batches"]);
  CHECK(weights_difference(dir / "straight", dir / "split") < kTolerance);
}

TEST_CASE("a killed or stopped rank: the other exits 1 within --dist-timeout naming it", "[cli][dist]") {
  const fs::path dir = prepare("dist_fault");
  // SIGKILL closes the rank's connections; SIGSTOP leaves them open, so only the timeout tells.
  // Rank 0 hosts the store: when it dies, rank 1 can tell from the store being gone.
  struct Fault {
    int victim;
    int signal;
    const char* named;
  };
  const Fault fault = GENERATE(Fault{1, SIGKILL, "rank 1 stopped responding"}, Fault{1, SIGSTOP, "rank 1 stopped responding"},
                               Fault{0, SIGKILL, "rank 0 (the master at 127.0.0.1:"});
  const int port = LoopbackPort::free_port();
  const std::string args = train_args(dir, "run", 100000) + " --dist-timeout 3 --eval-every 2";
  const RankProcess ranks[2] = {start_rank(group_env(port, 2, 0), args, dir / "rank0.err"),
                                start_rank(group_env(port, 2, 1), args, dir / "rank1.err")};
  // The group is training once rank 0 has checkpointed a step (model.json is written atomically).
  for (int i = 0; i < 600 && !(fs::exists(dir / "run" / "model.json") && model_json(dir / "run")["step"] >= 2); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const RankProcess& victim = ranks[fault.victim];
  const RankProcess& survivor = ranks[1 - fault.victim];
  kill(victim.pid, fault.signal);
  const int code = wait_exit(survivor);
  kill(victim.pid, SIGKILL);
  waitpid(victim.pid, nullptr, 0);
  const std::string err = read_text(survivor.err);
  INFO(err);
  CHECK(code == 1);
  const auto lines = error_lines(err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find(fault.named) != std::string::npos);
  CHECK(lines[0].find("--resume continues") != std::string::npos);
  // The last checkpoint is good and resumes in one process.
  const auto resumed = run_dreamwalk("train --data " + (dir / "data").string() + " --out " + (dir / "run").string() +
                                     " --resume --steps 1 --threads 1");
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
}

TEST_CASE("start-up faults of a group are one line, exit 2", "[cli][dist]") {
  const fs::path dir = prepare("dist_startup");
  SECTION("the master port is in use") {
    const LoopbackPort busy(true);
    check_one_line_error(run_dreamwalk(train_args(dir, "run", 2) + " --dist-timeout 5", group_env(busy.port(), 2, 0)),
                         "already in use");
  }
  SECTION("no master answers") {
    check_one_line_error(run_dreamwalk(train_args(dir, "run", 2) + " --dist-timeout 1",
                                       group_env(LoopbackPort::free_port(), 2, 1)),
                         "cannot reach the master");
  }
  SECTION("the ranks disagree on the run") {
    const int port = LoopbackPort::free_port();
    const RankProcess rank0 = start_rank(group_env(port, 2, 0), train_args(dir, "run", 2), dir / "rank0.err");
    const RankProcess rank1 = start_rank(group_env(port, 2, 1), train_args(dir, "run", 3), dir / "rank1.err");
    for (const RankProcess* rank : {&rank0, &rank1}) {
      dw::testing::Result result;
      result.exit_code = wait_exit(*rank);
      result.err = read_text(rank->err);
      check_one_line_error(result, "rank 1 and rank 0 disagree on /steps (3 vs 2)");
    }
  }
  SECTION("--nproc under a launcher, a bad --dist-timeout, NCCL on the CPU") {
    check_one_line_error(run_dreamwalk(train_args(dir, "run", 2) + " --nproc 2", group_env(LoopbackPort::free_port(), 2, 0)),
                         "already rank 0 of 2");
    check_one_line_error(run_dreamwalk(train_args(dir, "run", 2) + " --dist-timeout 0"), "--dist-timeout");
    check_one_line_error(run_dreamwalk(train_args(dir, "run", 2) + " --backend nccl"), "--backend nccl");
  }
}
