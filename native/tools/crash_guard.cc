#include "crash_guard.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace amxcheck {
namespace {

sigjmp_buf gReturnPoint;
volatile sig_atomic_t gGuardActive = 0;
volatile long gGuardThread = 0;
char gCase[208] = "startup";

long threadId() { return syscall(SYS_gettid); }

// Only async-signal-safe calls from here on (write, _exit).
void writeText(const char* text) {
  ssize_t ignored = write(STDOUT_FILENO, text, std::strlen(text));
  (void)ignored;
}

void onCrash(int signal) {
  if (gGuardActive && threadId() == gGuardThread) {
    gGuardActive = 0;
    siglongjmp(gReturnPoint, signal);
  }
  writeText("\nFATAL ");
  writeText(signalName(signal));
  writeText(" on a worker thread during: ");
  writeText(gCase);
  writeText("\n");
  _exit(3);
}

void onAlarm(int) {
  writeText("\nFATAL watchdog timeout (--timeout) during: ");
  writeText(gCase);
  writeText("\n");
  _exit(4);
}

}  // namespace

const char* signalName(int signal) {
  switch (signal) {
    case SIGILL: return "SIGILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    default: return "signal";
  }
}

void installCrashHandlers(unsigned watchdogSeconds) {
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  sigemptyset(&action.sa_mask);
  action.sa_handler = onCrash;
  const int crashSignals[] = {SIGILL, SIGSEGV, SIGBUS, SIGFPE};
  for (int signal : crashSignals) sigaction(signal, &action, nullptr);
  action.sa_handler = onAlarm;
  sigaction(SIGALRM, &action, nullptr);
  if (watchdogSeconds > 0) alarm(watchdogSeconds);
}

void setCurrentCase(const char* name) {
  std::strncpy(gCase, name, 200);
  gCase[200] = '\0';
}

int runGuardedRaw(void (*fn)(void*), void* context) {
  gGuardThread = threadId();
  const int signal = sigsetjmp(gReturnPoint, 1);  // 1: siglongjmp restores the signal mask
  if (signal != 0) return signal;
  gGuardActive = 1;
  fn(context);
  gGuardActive = 0;
  return 0;
}

}  // namespace amxcheck
