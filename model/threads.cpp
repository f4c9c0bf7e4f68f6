#include "model/threads.h"

#include <dlfcn.h>
#include <sched.h>

#include <algorithm>
#include <torch/torch.h>

namespace dw::model {

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

void configure_threads(int torch_threads, int blas_threads) {
  if (torch_threads > 0) torch::set_num_threads(torch_threads);
  if (blas_threads > 0) {
    // OpenBLAS is a dependency of LibTorch, not ours: reach it through the dynamic linker so we
    // neither link it directly nor fail where a different BLAS is in use.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
      set(blas_threads);
    }
  }
}

void configure_default_threads(int requested) {
  // One intra-op thread by default: on the shared 2-core machine, 2 OpenMP threads made training
  // 4x and stepping 17x slower (libgomp spin-waits whenever another process holds a core). A
  // quiet machine may gain from --threads 2; see the README table.
  const int threads = requested > 0 ? std::min(requested, 256) : 1;
  // Convolutions go through oneDNN on LibTorch's OpenMP threads; the few BLAS calls left are
  // small, so a single OpenBLAS thread avoids two pools fighting over the same cores.
  configure_threads(threads, 1);
}

}  // namespace dw::model
