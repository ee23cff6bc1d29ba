// Crash and hang reporting for the check program: a SIGILL (an instruction the CPU or the OS does
// not allow, e.g. an AMX tile op without the tile permission), SIGSEGV, SIGBUS or SIGFPE inside a
// guarded call on the calling thread returns to the caller with the signal number (sigsetjmp /
// siglongjmp); the same signal on any other thread (a thread-pool worker) prints the case name and
// ends the process (exit 3); the watchdog alarm prints the case name and ends it (exit 4).
//
// After a caught crash the thread pool must not be used again: the crashed call still holds the
// pool's submit lock (threads/thread_pool.cc), so the next kernel call would deadlock.
#pragma once

namespace amxcheck {

void installCrashHandlers(unsigned watchdogSeconds);

// The case named in crash and timeout reports (copied; truncated to 200 characters).
void setCurrentCase(const char* name);

// Runs fn(context) and returns 0, or the signal that interrupted it on this thread.
int runGuardedRaw(void (*fn)(void*), void* context);

template <class F>
int runGuarded(const F& body) {
  return runGuardedRaw([](void* context) { (*static_cast<const F*>(context))(); },
                       const_cast<void*>(static_cast<const void*>(&body)));
}

const char* signalName(int signal);

}  // namespace amxcheck
