// A persistent thread pool shared by all kernels of the process. The calling thread takes part;
// between jobs workers spin for a bounded time (FASTFILL_SPIN_US, default kDefaultSpinMicroseconds:
// decode submits hundreds of small jobs per token), then sleep on a condition variable; no spinning
// while the machine is contended (threads/contention.h). Handing a job over takes no lock. A job is
// `chunks` independent pieces of work taken dynamically from an atomic counter, so a worker that
// gets no CPU time (the second vCPU of a busy VM) delays nothing: the caller simply takes its
// chunks.
//
// Kernels split work into chunks that do not depend on the thread count, so results are
// bit-identical for any number of threads. Jobs are serialized; a chunk must not start a job.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastfill {

// worker: 0 for the calling thread, 1..threadCount()-1 for the pool's threads.
using ChunkFn = void (*)(void* context, int64_t chunk, int worker);

void parallelFor(int64_t chunks, ChunkFn fn, void* context);

int threadCount();
// n >= 1 (clamped to kMaxThreads); restarts the workers.
void setThreadCount(int n);
constexpr int kMaxThreads = 256;
constexpr int64_t kDefaultSpinMicroseconds = 200;

// A 64-byte aligned buffer of at least `floats` floats owned by `worker`, kept between jobs
// (grow-only). Only that worker's chunks may use it, and only during the current chunk.
float* workerScratch(int worker, size_t floats);

// A 64-byte aligned buffer of at least `floats` floats owned by the calling thread (the one that
// submits jobs), grow-only, valid until that thread's next call. Kernels use it for data shared by
// all chunks of their jobs (packed activations): workers may read it while the job runs.
float* callerScratch(size_t floats);

// Another buffer like callerScratch, for a kernel's prepared input (a matmul's gated activations) that
// its callerScratch user then reads.
float* callerInputScratch(size_t floats);

}  // namespace fastfill
