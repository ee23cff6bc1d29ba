#include "threads/contention.h"

#include <atomic>
#include <cstdio>

#ifdef __linux__
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace fastfill {
namespace {

std::atomic<int64_t> noSpinUntilNs{0};  // steadyNs()

struct ContentionSampler {
  int fd = -2;                  // /proc/thread-self/schedstat; -2 not opened yet, -1 unavailable
  int64_t lastNs = 0;
  int64_t lastWaitNs = -1;      // schedstat's second field: ns runnable but not running
  long lastPreemptions = -1;    // the fallback: involuntary context switches
  ~ContentionSampler() {
#ifdef __linux__
    if (fd >= 0) close(fd);
#endif
  }
};

// The calling thread's total time waiting for a CPU, -1 where unknown.
int64_t waitForCpuNs(ContentionSampler& s) {
#ifdef __linux__
  if (s.fd == -2) s.fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  if (s.fd < 0) return -1;
  char text[128];
  const ssize_t n = pread(s.fd, text, sizeof(text) - 1, 0);
  if (n <= 0) return -1;
  text[n] = '\0';
  unsigned long long onCpu = 0, waiting = 0;
  if (std::sscanf(text, "%llu %llu", &onCpu, &waiting) != 2) return -1;
  return static_cast<int64_t>(waiting);
#else
  (void)s;
  return -1;
#endif
}

long involuntarySwitches() {
#if defined(__linux__) && defined(RUSAGE_THREAD)
  struct rusage usage;
  if (getrusage(RUSAGE_THREAD, &usage) == 0) return usage.ru_nivcsw;
#endif
  return -1;
}

}  // namespace

void noteContention() {
  thread_local ContentionSampler s;
  const int64_t now = steadyNs();
  if (now - s.lastNs < kContentionSampleNs) return;
  bool contended = false;
  const int64_t waited = waitForCpuNs(s);
  if (waited >= 0) {
    contended = s.lastWaitNs >= 0 && static_cast<double>(waited - s.lastWaitNs) > kContendedShare * static_cast<double>(now - s.lastNs);
    s.lastWaitNs = waited;
  } else {
    const long switches = involuntarySwitches();
    contended = s.lastPreemptions >= 0 && switches != s.lastPreemptions;
    s.lastPreemptions = switches;
  }
  s.lastNs = now;
  if (contended) noSpinUntilNs.store(now + kNoSpinAfterContentionNs, std::memory_order_relaxed);
}

bool spinningPays() { return steadyNs() >= noSpinUntilNs.load(std::memory_order_relaxed); }

}  // namespace fastfill
