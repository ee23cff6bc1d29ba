#include "io/anonymous_memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace fastfill {

bool mapAnonymous(size_t bytes, AnonymousMemory* memory) {
  constexpr size_t kHuge = 2u << 20;
  *memory = AnonymousMemory{nullptr, 0, nullptr};
  if (bytes == 0) return true;
#ifdef __SANITIZE_ADDRESS__
  // AddressSanitizer builds (native/tools/asan_tests.sh) take it from the heap, exactly `bytes` long, so a
  // kernel reading past the panels or KV pages it was given is caught (mmap'd pages have no redzones).
  void* heap = nullptr;
  if (posix_memalign(&heap, 64, bytes) != 0) return false;
  std::memset(heap, 0, bytes);
  *memory = AnonymousMemory{heap, 0, heap};
  return true;
#else
  const bool huge = bytes >= kHuge;
  const size_t mapped = bytes + (huge ? kHuge : 0);  // room to start on a huge-page boundary
  void* base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return false;
  uintptr_t start = reinterpret_cast<uintptr_t>(base);
  if (huge) {
    start = (start + kHuge - 1) / kHuge * kHuge;
    madvise(reinterpret_cast<void*>(start), bytes / kHuge * kHuge, MADV_HUGEPAGE);  // advice only
  }
  *memory = AnonymousMemory{base, mapped, reinterpret_cast<void*>(start)};
  return true;
#endif
}

void unmapAnonymous(const AnonymousMemory& memory) {
#ifdef __SANITIZE_ADDRESS__
  std::free(memory.base);
#else
  if (memory.base != nullptr) munmap(memory.base, memory.mappedBytes);
#endif
}

}  // namespace fastfill
