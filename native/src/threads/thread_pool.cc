#include "threads/thread_pool.h"

#include "threads/contention.h"
#include "threads/thread_config.h"

#ifdef __linux__
#include <sched.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fastfill {
namespace {

struct ScratchBuffer {
  float* data = nullptr;
  size_t capacity = 0;
};

// Grows `buffer` to at least `floats` floats (64-byte aligned, contents not kept); aborts when memory is out.
float* growScratch(ScratchBuffer& buffer, size_t floats) {
  if (buffer.capacity < floats) {
    std::free(buffer.data);
    const size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
    buffer.data = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (buffer.data == nullptr) {
      std::fprintf(stderr, "fastfill: out of memory for %zu bytes of kernel scratch\n", bytes);
      std::abort();
    }
    buffer.capacity = floats;
  }
  return buffer.data;
}

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#endif
}

// FASTFILL_SPIN_US: how long an idle worker (and the caller waiting for the workers) spins before
// sleeping; 0 sleeps at once. Default kDefaultSpinMicroseconds.
int64_t spinMicroseconds() {
  const char* value = std::getenv("FASTFILL_SPIN_US");
  if (value == nullptr || *value == '\0') return kDefaultSpinMicroseconds;
  char* end = nullptr;
  const long long parsed = std::strtoll(value, &end, 10);
  if (*end != '\0' || parsed < 0 || parsed > 1000000) {
    std::fprintf(stderr, "fastfill: FASTFILL_SPIN_US=%s is not an integer in 0..1000000; using %d\n", value,
                 static_cast<int>(kDefaultSpinMicroseconds));
    return kDefaultSpinMicroseconds;
  }
  return parsed;
}

// The fast path takes no lock: a job is published by storing its description and then open_ (release),
// a worker joins it by raising active_ and then reading open_, and the caller closes it by clearing
// open_ and then waiting for active_ to fall to 0. All four are sequentially consistent, so a worker
// either sees the job closed (and leaves without touching its description) or is counted before the
// caller stops waiting; the description is rewritten only after that (a worker that comes late may so
// join the next job, whose description it reads only after seeing its open_). Locks are taken only to sleep
// and to wake sleepers: on a VM a thread that blocks on a contended mutex takes 10-20 us to wake,
// more than most decode jobs.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) { start(threads); }

  int size() {
    std::lock_guard<std::mutex> submit(submitMutex_);
    return static_cast<int>(workers_.size()) + 1;
  }

  void resize(int threads) {
    std::lock_guard<std::mutex> submit(submitMutex_);
    stop();
    start(threads);
  }

  void run(int64_t chunks, ChunkFn fn, void* context) {
    if (chunks <= 0) return;
    std::lock_guard<std::mutex> submit(submitMutex_);
    if (workers_.empty() || chunks == 1) {
      for (int64_t c = 0; c < chunks; ++c) fn(context, c, 0);
      return;
    }
    noteContention();
    fn_ = fn;
    context_ = context;
    chunks_ = chunks;
    next_.store(0, std::memory_order_relaxed);
    open_.store(true);
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(mutex_);
      wake_.notify_all();
    }
    takeChunks(fn, context, chunks, 0);
    open_.store(false);  // workers that join from now on leave at once
    if (spinUntil([this] { return active_.load() == 0; })) return;
    std::unique_lock<std::mutex> lock(mutex_);
    callerWaiting_.store(true);
    done_.wait(lock, [this] { return active_.load() == 0; });
    callerWaiting_.store(false);
  }

  float* scratch(int worker, size_t floats) {
    ScratchBuffer& buffer = scratch_[static_cast<size_t>(worker)];
    return growScratch(buffer, floats);
  }

 private:
  void takeChunks(ChunkFn fn, void* context, int64_t chunks, int worker) {
    for (int64_t c = next_.fetch_add(1); c < chunks; c = next_.fetch_add(1)) fn(context, c, worker);
  }

  // Spins (a pause per try) until done() or spinNs_ has passed; true when done() became true. No
  // spinning while the machine is contended (threads/contention.h).
  template <class Done>
  bool spinUntil(const Done& done) const {
    if (done()) return true;
    if (spinNs_ <= 0 || !spinningPays()) return false;
    const int64_t until = steadyNs() + spinNs_;
    for (int i = 1;; ++i) {
      cpuRelax();
      if (done()) return true;
      if (i % 64 == 0 && (steadyNs() >= until || !spinningPays())) return done();
    }
  }

  bool woken(uint64_t seen) const { return stopping_.load() || generation_.load() != seen; }

  // A worker first spins for the next job (decode submits hundreds of small jobs per token, a
  // few microseconds apart: waking a sleeping vCPU costs more than the job), then sleeps.
  void workerLoop(int index) {
    uint64_t seen = generation_.load();
    for (;;) {
      if (!spinUntil([&] { return woken(seen); })) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleepers_.fetch_add(1);  // before the check below: run() reads it after publishing
        wake_.wait(lock, [&] { return woken(seen); });
        sleepers_.fetch_sub(1);
      }
      if (stopping_.load()) return;
      seen = generation_.load();
      active_.fetch_add(1);
      if (open_.load()) takeChunks(fn_, context_, chunks_, index);
      if (active_.fetch_sub(1) == 1 && callerWaiting_.load()) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  // Both called with submitMutex_ held.
  void start(int threads) {
    if (threads < 1) threads = 1;
    if (threads > kMaxThreads) threads = kMaxThreads;
    if (scratch_.size() < static_cast<size_t>(threads)) scratch_.resize(static_cast<size_t>(threads));
    stopping_.store(false);
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { workerLoop(i); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_.store(true);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex submitMutex_;  // one job (or resize) at a time
  std::mutex mutex_;        // only for sleeping and waking: wake_, done_
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  std::vector<ScratchBuffer> scratch_;  // per worker index, never shrinks
  const int64_t spinNs_ = spinMicroseconds() * 1000;
  std::atomic<uint64_t> generation_{0};   // raised once per job
  std::atomic<bool> stopping_{false};
  std::atomic<bool> open_{false};         // the job's chunks may still be taken
  std::atomic<int> active_{0};            // workers inside the job (or just checking open_)
  std::atomic<int> sleepers_{0};          // workers asleep on wake_ (or about to be)
  std::atomic<bool> callerWaiting_{false};  // run() asleep on done_ (or about to be)
  // the job: written by run() while no worker can read it (open_ false, active_ 0)
  ChunkFn fn_ = nullptr;
  void* context_ = nullptr;
  int64_t chunks_ = 0;
  std::atomic<int64_t> next_{0};
};

int cpusAvailable() {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
#endif
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

// Never destroyed: at process exit sleeping workers simply end with the process (destroying a
// condition variable that threads wait on would be undefined).
ThreadPool& pool() {
  static ThreadPool* instance = [] {
    int threads = 1;
    std::string ignored;
    if (!defaultThreadCount(&threads, &ignored)) threads = cpusAvailable();
    return new ThreadPool(threads);
  }();
  return *instance;
}

}  // namespace

void parallelFor(int64_t chunks, ChunkFn fn, void* context) { pool().run(chunks, fn, context); }

int threadCount() { return pool().size(); }

void setThreadCount(int n) { pool().resize(n); }

float* workerScratch(int worker, size_t floats) { return pool().scratch(worker, floats); }

namespace {
struct CallerScratch {
  ScratchBuffer buffer;
  ~CallerScratch() { std::free(buffer.data); }
};
}  // namespace

float* callerScratch(size_t floats) {
  thread_local CallerScratch scratch;
  if (floats == 0) floats = 16;
  return growScratch(scratch.buffer, floats);
}

float* callerInputScratch(size_t floats) {
  thread_local CallerScratch scratch;
  if (floats == 0) floats = 16;
  return growScratch(scratch.buffer, floats);
}

bool defaultThreadCount(int* threads, std::string* error) {
  const char* value = std::getenv("FASTFILL_THREADS");
  if (value == nullptr || *value == '\0') {
    *threads = cpusAvailable();
    return true;
  }
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  if (*end != '\0' || parsed < 1 || parsed > kMaxThreads) {
    *error = std::string("FASTFILL_THREADS=") + value + " is not an integer in 1.." + std::to_string(kMaxThreads);
    return false;
  }
  *threads = static_cast<int>(parsed);
  return true;
}

}  // namespace fastfill
