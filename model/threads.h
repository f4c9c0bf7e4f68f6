// CPU thread counts, set deliberately: LibTorch's intra-op (OpenMP) threads and OpenBLAS's own
// pool both default to "all cores" somewhere, and together they oversubscribe a small machine.
#pragma once

namespace dw::model {

// Cores this process may use (sched affinity), at least 1.
int available_cores();
// Sets LibTorch intra-op threads to `torch_threads` and OpenBLAS to `blas_threads` (0 = leave).
// Call before the first tensor op for the OpenBLAS part to matter.
void configure_threads(int torch_threads, int blas_threads);
// `requested` threads (0 = the measured best default, 1; see README) and one OpenBLAS thread.
void configure_default_threads(int requested);

}  // namespace dw::model
