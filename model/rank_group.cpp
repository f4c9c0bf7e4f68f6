#include "model/rank_group.h"

#include <fmt/format.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <dlfcn.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "nav/base/user_error.h"

namespace dw::model {

namespace {

using Milliseconds = std::chrono::milliseconds;
using StorePtr = c10::intrusive_ptr<c10d::Store>;

// How often a rank beats, and how long a survivor watches the beats before naming the rank that
// stopped: several beats, so a rank that is merely busy (validation, a slow step) still counts.
constexpr Milliseconds kBeatInterval{200};
constexpr Milliseconds kBeatWatch{1500};

Milliseconds timeout_of(const DistributedOptions& options) {
  return Milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000.0));
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string master_of(const DistributedOptions& options) {
  return fmt::format("{}:{}", options.master_addr, options.master_port);
}

std::string beat_key(int rank) { return fmt::format("beat/{}", rank); }

// c10d logs every failed bind or connect attempt to stderr (through glog in Debian's LibTorch,
// c10's own logger elsewhere); the faults it logs reach the user as one line of ours instead.
// The flags are LibTorch's dependencies', not ours: reached through the dynamic linker.
void quiet_c10d_logging() {
  for (const char* flag : {"_ZN3fLI17FLAGS_minloglevelE", "_ZN3fLI22FLAGS_caffe2_log_levelE"}) {
    if (auto* level = static_cast<int*>(dlsym(RTLD_DEFAULT, flag))) *level = 3;  // fatal only
  }
}

// Rank 0 hosts the store (unless torchrun's agent does); every rank talks to it as a client. Our
// keys live under the options' prefix.
StorePtr connect_store(const DistributedOptions& options, bool host, Milliseconds timeout) {
  c10d::TCPStoreOptions store;
  store.port = static_cast<std::uint16_t>(options.master_port);
  store.isServer = host;
  store.waitWorkers = false;  // the handshake waits for the ranks, with messages that name them
  store.timeout = timeout;
  try {
    return c10::make_intrusive<c10d::PrefixStore>(options.store_prefix,
                                                  c10::make_intrusive<c10d::TCPStore>(options.master_addr, store));
  } catch (const std::exception& e) {
    if (host) {
      const std::string why = std::string(e.what()).find("in use") != std::string::npos ? "the port is already in use"
                                                                                        : first_line(e.what());
      throw UserError(fmt::format("MASTER_PORT {}: rank 0 cannot listen on it ({})", options.master_port, why));
    }
    throw UserError(fmt::format("MASTER_ADDR:MASTER_PORT {}: cannot reach the master (rank 0) within --dist-timeout {} s",
                                master_of(options), options.timeout_s));
  }
}

std::string text_of(const std::vector<std::uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }
std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

// A thread that adds 1 to this rank's beat counter in the store every kBeatInterval, on its own
// connection (a store client is not shared between threads). It stops quietly when the store
// goes away: reporting that is the main thread's business.
class Heartbeat {
 public:
  Heartbeat(StorePtr store, int rank)
      : store_(std::move(store)), key_(beat_key(rank)), thread_([this] { run(); }) {}
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      try {
        store_->add(key_, 1);
      } catch (const std::exception&) {
        return;
      }
      wake_.wait_for(lock, kBeatInterval, [this] { return stopping_; });
    }
  }
  StorePtr store_;
  std::string key_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// The first place where two handshakes differ, as "/config/train/batch (4 vs 2)".
std::string first_difference(const nlohmann::json& mine, const nlohmann::json& theirs) {
  const nlohmann::json patch = nlohmann::json::diff(mine, theirs);
  if (patch.empty()) return "";
  const nlohmann::json::json_pointer where(patch.front().at("path").get<std::string>());
  const auto value = [&](const nlohmann::json& side) { return side.contains(where) ? side.at(where).dump() : "nothing"; };
  return fmt::format("{} ({} vs {})", where.to_string(), value(theirs), value(mine));
}

// Rank 0 collects every rank's handshake and posts one verdict; the others read it. Everyone
// throws the same UserError on a disagreement, so each process prints the same line.
void shake_hands(c10d::Store& store, const DistributedOptions& options, const std::string& handshake) {
  store.set(fmt::format("hello/{}", options.rank), bytes_of(handshake));
  const Milliseconds timeout = timeout_of(options);
  if (options.rank != 0) {
    std::string verdict;
    try {
      store.wait({"verdict"}, timeout);
      verdict = text_of(store.get("verdict"));
    } catch (const std::exception&) {
      throw RankFailure(fmt::format("rank 0 did not answer the handshake within --dist-timeout {} s", options.timeout_s));
    }
    store.add("verdicts_read", 1);  // rank 0 keeps the store up until every rank has read it
    if (verdict != "ok") throw UserError(verdict);
    return;
  }
  const nlohmann::json mine = nlohmann::json::parse(handshake);
  std::string verdict = "ok";
  for (int rank = 1; rank < options.world_size && verdict == "ok"; ++rank) {
    const std::string key = fmt::format("hello/{}", rank);
    try {
      store.wait({key}, timeout);
    } catch (const std::exception&) {
      throw RankFailure(fmt::format("rank {} did not join within --dist-timeout {} s (WORLD_SIZE {}, master {})", rank,
                                    options.timeout_s, options.world_size, master_of(options)));
    }
    const std::string difference = first_difference(mine, nlohmann::json::parse(text_of(store.get(key))));
    if (!difference.empty()) {
      verdict = fmt::format("rank {} and rank 0 disagree on {}: every rank needs the same WORLD_SIZE, flags, config "
                            "and run folder", rank, difference);
    }
  }
  store.set("verdict", bytes_of(verdict));
  if (verdict != "ok") {
    // Exiting now would take the store down before the others read why: wait for them (bounded).
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (store.add("verdicts_read", 0) < options.world_size - 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(kBeatInterval / 4);
    }
    throw UserError(verdict);
  }
}

// Gloo's transport binds to the master's loopback address for a one-machine group, else to this
// host's address (GLOO_SOCKET_IFNAME chooses the interface, as in PyTorch).
std::shared_ptr<::gloo::transport::Device> gloo_device(const DistributedOptions& options) {
  const bool loopback = options.master_addr == "localhost" || options.master_addr.rfind("127.", 0) == 0;
  return loopback ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                  : c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<c10d::ProcessGroup> make_backend(const StorePtr& store, const DistributedOptions& options,
                                                    const torch::Device& device) {
  const std::string backend = !options.backend.empty() ? options.backend
                              : (device.is_cuda() && has_backend("nccl")) ? "nccl" : "gloo";
  if (backend == "nccl") {
#ifdef USE_C10D_NCCL
    auto nccl = c10d::ProcessGroupNCCL::Options::create();
    nccl->timeout = timeout_of(options);
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, options.rank, options.world_size, nccl);
#else
    throw UserError("--backend nccl: this LibTorch was built without NCCL; use --backend gloo");
#endif
  }
  auto gloo = c10d::ProcessGroupGloo::Options::create(timeout_of(options));
  gloo->devices.push_back(gloo_device(options));
  gloo->threads = 1;  // the collectives are issued one at a time; the cores belong to training
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, options.rank, options.world_size, gloo);
}

}  // namespace

struct RankGroup::Impl {
  StorePtr store;
  std::unique_ptr<Heartbeat> heartbeat;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
};

RankGroup::RankGroup(const DistributedOptions& options, const torch::Device& device, const std::string& handshake)
    : options_(options), impl_(std::make_unique<Impl>()) {
  const Milliseconds timeout = timeout_of(options);
  quiet_c10d_logging();
  impl_->store = connect_store(options, options.rank == 0 && !options.launcher_hosts_store, timeout);
  impl_->heartbeat = std::make_unique<Heartbeat>(connect_store(options, false, timeout), options.rank);
  shake_hands(*impl_->store, options, handshake);
  try {
    impl_->group = make_backend(c10::make_intrusive<c10d::PrefixStore>("group", impl_->store), options, device);
  } catch (const UserError&) {
    throw;
  } catch (const std::exception& e) {
    report_failure("the group's rendezvous", e.what());
  }
}

RankGroup::~RankGroup() = default;

void RankGroup::all_reduce_sum(std::vector<torch::Tensor>& tensors) {
  for (auto& tensor : tensors) {
    std::vector<torch::Tensor> one{tensor};
    try {
      impl_->group->allreduce(one)->wait();
    } catch (const std::exception& e) {
      report_failure("an all-reduce", e.what());
    }
  }
}

void RankGroup::broadcast_from_rank0(std::vector<torch::Tensor>& tensors) {
  for (auto& tensor : tensors) {
    std::vector<torch::Tensor> one{tensor};
    try {
      impl_->group->broadcast(one)->wait();
    } catch (const std::exception& e) {
      report_failure("a broadcast", e.what());
    }
  }
}

void RankGroup::rank0_done(const std::string& key) { impl_->store->set("done/" + key, bytes_of("1")); }

void RankGroup::wait_for_rank0(const std::string& key, const std::string& during) {
  using Clock = std::chrono::steady_clock;
  std::int64_t beats = -1;
  auto last_beat = Clock::now();
  try {
    while (!impl_->store->check({"done/" + key})) {
      const std::int64_t now = impl_->store->add(beat_key(0), 0);
      if (now != beats) {
        beats = now;
        last_beat = Clock::now();
      } else if (Clock::now() - last_beat > timeout_of(options_)) {
        throw RankFailure(fmt::format("rank 0 stopped responding (killed, crashed or hung) during {} at step {}", during,
                                      step_));
      }
      std::this_thread::sleep_for(kBeatInterval / 4);
    }
  } catch (const RankFailure&) {
    throw;
  } catch (const std::exception&) {
    throw RankFailure(fmt::format("rank 0 (the master at {}) is gone during {} at step {}", master_of(options_), during,
                                  step_));
  }
}

// Watches every rank's beat counter for a while on a fresh connection: a rank whose counter did
// not move stopped (killed, crashed, hung or stopped by a signal). When the store itself cannot be
// reached, rank 0, which hosts it, is the one gone.
void RankGroup::report_failure(const std::string& during, const std::string& detail) {
  const std::string where = fmt::format("during {} at step {}", during, step_);
  std::vector<int> stopped;
  try {
    DistributedOptions quick = options_;
    quick.timeout_s = 2.0;
    auto store = connect_store(quick, false, timeout_of(quick));
    std::vector<std::int64_t> before;
    for (int rank = 0; rank < options_.world_size; ++rank) before.push_back(store->add(beat_key(rank), 0));
    std::this_thread::sleep_for(kBeatWatch);
    for (int rank = 0; rank < options_.world_size; ++rank) {
      if (rank != options_.rank && store->add(beat_key(rank), 0) == before[static_cast<std::size_t>(rank)]) {
        stopped.push_back(rank);
      }
    }
  } catch (const std::exception&) {
    throw RankFailure(fmt::format("rank 0 (the master at {}) is gone {}", master_of(options_), where));
  }
  if (stopped.empty()) {
    throw RankFailure(fmt::format("a collective failed {} with every rank still beating ({})", where, first_line(detail)));
  }
  std::string names;
  for (int rank : stopped) names += (names.empty() ? "" : ", ") + std::to_string(rank);
  throw RankFailure(fmt::format("rank {} stopped responding (killed, crashed or hung) {}", names, where));
}

}  // namespace dw::model
