// Stress for the thread pool (threads/thread_pool.cc): many small jobs of 1-17 chunks, the pool resized
// every few thousand jobs, each chunk checked to run exactly once and on a valid worker index. Built
// with -fsanitize=thread by test/kernels/threadPool.test.ts, which runs it with FASTFILL_SPIN_US set so
// that the workers spin, sleep at once, or do both (the sleep and wake paths then run on most jobs).
//   pool_stress [JOBS]   prints "ok ..." and exits 0, or names the first wrong job and exits 1
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "threads/thread_pool.h"

namespace {

constexpr int kMaxChunks = 17;

struct Job {
  std::atomic<int> runs[kMaxChunks];
  std::atomic<int> badWorker{0};
  int threads = 1;
  int64_t sink = 0;  // plain writes by whichever thread runs chunk 0: a race here is TSan's to find
};

void runChunk(void* context, int64_t chunk, int worker) {
  Job* job = static_cast<Job*>(context);
  job->runs[chunk].fetch_add(1, std::memory_order_relaxed);
  if (worker < 0 || worker >= job->threads) job->badWorker.store(1);
  if (chunk == 0) job->sink += worker + 1;
}

}  // namespace

int main(int argc, char** argv) {
  const long jobs = argc > 1 ? std::atol(argv[1]) : 100000;
  int64_t sinks = 0;
  for (long j = 0; j < jobs; ++j) {
    if (j % 5000 == 0) fastfill::setThreadCount(1 + static_cast<int>((j / 5000) % 4));
    const int chunks = 1 + static_cast<int>(j % kMaxChunks);
    Job job;
    for (auto& r : job.runs) r.store(0);
    job.threads = fastfill::threadCount();
    fastfill::parallelFor(chunks, runChunk, &job);
    for (int c = 0; c < kMaxChunks; ++c) {
      const int expected = c < chunks ? 1 : 0;
      if (job.runs[c].load() != expected) {
        std::printf("job %ld (%d chunks, %d threads): chunk %d ran %d times\n", j, chunks, job.threads, c, job.runs[c].load());
        return 1;
      }
    }
    if (job.badWorker.load() != 0) {
      std::printf("job %ld: a chunk ran with a worker index outside 0..%d\n", j, job.threads - 1);
      return 1;
    }
    sinks += job.sink;  // read after parallelFor returned: must see the chunk's write
  }
  std::printf("ok %ld jobs (sink %lld)\n", jobs, static_cast<long long>(sinks));
  return 0;
}
