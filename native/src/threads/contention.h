// Whether the thread pool's threads may spin while they wait (threads/thread_pool.cc). Spinning only
// pays while the pool's threads have their CPUs to themselves: on a machine shared with other busy
// processes a spinner burns the time slice that the thread it waits for needs (decode measured 20-40 %
// slower with spinning there). The signal is the time the thread that submits jobs spends runnable but
// waiting for a CPU (Linux's /proc/thread-self/schedstat): on the idle 2-CPU VM about 1.4 % of wall time
// during decode, with two busy processes beside it about 50 %. Only the submitting thread counts: a
// worker woken from sleep waits 10-20 us for its vCPU on a VM, which would read as contention and keep
// the workers asleep. (Counting every involuntary context switch of any pool thread would do that too:
// Node's GC threads preempt the caller now and then on an idle 2-CPU machine.)
#pragma once
#include <chrono>
#include <cstdint>

namespace fastfill {

inline int64_t steadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Called by the thread that submits a job: samples its wait for a CPU (at most once per kContentionSampleNs
// per thread); a share above kContendedShare of the time since its last sample stops spinning in every
// thread for kNoSpinAfterContentionNs. Where schedstat cannot be read, any involuntary context switch counts.
void noteContention();

// False while a recent sample found the machine contended.
bool spinningPays();

// 50 ms: in 10 ms samples one 2-4 ms burst of Node's own threads on the idle VM read as contention. 1 s without
// spinning per contended sample: under sustained load the threads then spin in about 1 sample in 20.
constexpr int64_t kContentionSampleNs = 50 * 1000 * 1000;
constexpr double kContendedShare = 0.1;
constexpr int64_t kNoSpinAfterContentionNs = 1000 * 1000 * 1000;

}  // namespace fastfill
