#include "tools/launch.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "model/distributed.h"
#include "model/threads.h"
#include "nav/base/user_error.h"

namespace dw::tools {

namespace {

std::vector<std::string> g_command_line;
volatile sig_atomic_t g_forward_signal = 0;

extern "C" void remember_signal(int signal) { g_forward_signal = signal; }

// The command line again without --nproc (as "--nproc N" or "--nproc=N").
std::vector<std::string> rank_command_line() {
  std::vector<std::string> args;
  for (std::size_t i = 0; i < g_command_line.size(); ++i) {
    if (g_command_line[i] == "--nproc") {
      ++i;
      continue;
    }
    if (g_command_line[i].rfind("--nproc=", 0) == 0) continue;
    args.push_back(g_command_line[i]);
  }
  return args;
}

// A port the kernel just handed out on 127.0.0.1, free for rank 0 to listen on.
int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw UserError("--nproc: cannot find a free port on 127.0.0.1 (set MASTER_PORT)");
  }
  close(fd);
  return ntohs(address.sin_port);
}

pid_t start_rank(const std::vector<std::string>& args, int rank, int nproc, int port) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  setenv("RANK", std::to_string(rank).c_str(), 1);
  setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
  setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
  setenv("MASTER_ADDR", "127.0.0.1", 1);
  setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  std::fprintf(stderr, "dreamwalk: --nproc: cannot start rank %d (%s)\n", rank, std::strerror(errno));
  _exit(1);
}

struct RankProcess {
  pid_t pid = -1;
  bool running = true;
  int status = 0;
};

void signal_running(std::vector<RankProcess>& ranks, int signal) {
  for (const RankProcess& rank : ranks) {
    if (rank.running) kill(rank.pid, signal);
  }
}

}  // namespace

void remember_command_line(int argc, char** argv) { g_command_line.assign(argv, argv + argc); }

bool should_launch(int nproc, int threads_per_rank) {
  if (nproc < 1) throw UserError(fmt::format("--nproc {}: must be at least 1", nproc));
  if (nproc == 1) return false;
  const model::DistributedOptions environment = model::distributed_from_environment();
  if (environment.is_distributed()) {
    throw UserError(fmt::format("--nproc: this process is already rank {} of {} (RANK and WORLD_SIZE are set); "
                                "drop --nproc under a launcher", environment.rank, environment.world_size));
  }
  const int threads = std::max(threads_per_rank, 1);
  if (nproc * threads > model::available_cores()) {
    std::fprintf(stderr, "dreamwalk: warning: %d ranks x %d threads exceed this machine's %d cores (see --threads)\n",
                 nproc, threads, model::available_cores());
  }
  return true;
}

int launch_local_ranks(int nproc, double timeout_s) {
  const char* fixed_port = std::getenv("MASTER_PORT");
  const int port = fixed_port != nullptr && *fixed_port != '\0' ? model::distributed_from_environment().master_port
                                                                : free_loopback_port();
  struct sigaction action{};
  action.sa_handler = remember_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction previous_int{}, previous_term{};
  sigaction(SIGINT, &action, &previous_int);
  sigaction(SIGTERM, &action, &previous_term);
  std::fflush(stdout);
  std::fflush(stderr);
  const std::vector<std::string> args = rank_command_line();
  std::vector<RankProcess> ranks(static_cast<std::size_t>(nproc));
  for (int rank = 0; rank < nproc; ++rank) ranks[static_cast<std::size_t>(rank)].pid = start_rank(args, rank, nproc, port);

  using Clock = std::chrono::steady_clock;
  int running = nproc, exit_code = 0;
  bool deadline_set = false;
  Clock::time_point deadline;
  while (running > 0) {
    if (g_forward_signal != 0) {  // Ctrl-C: each rank finishes its step, rank 0 saves
      signal_running(ranks, g_forward_signal);
      g_forward_signal = 0;
    }
    for (RankProcess& rank : ranks) {
      if (!rank.running || waitpid(rank.pid, &rank.status, WNOHANG) != rank.pid) continue;
      rank.running = false;
      --running;
      const bool ok = WIFEXITED(rank.status) && WEXITSTATUS(rank.status) == 0;
      if (ok) continue;
      if (WIFEXITED(rank.status) && WEXITSTATUS(rank.status) == 2) {
        exit_code = 2;
        signal_running(ranks, SIGTERM);  // bad input: the others would only wait for it
      } else if (exit_code == 0) {
        exit_code = 1;
      }
      if (!deadline_set) {  // the survivors notice within --dist-timeout and report the rank
        deadline = Clock::now() + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000.0) + 10000);
        deadline_set = true;
      }
    }
    if (deadline_set && Clock::now() > deadline) signal_running(ranks, SIGKILL);
    if (running > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sigaction(SIGINT, &previous_int, nullptr);
  sigaction(SIGTERM, &previous_term, nullptr);
  return exit_code;
}

}  // namespace dw::tools
