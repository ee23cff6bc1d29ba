#include "io/anonymous_memory.h"

#include <sys/mman.h>

#include <cstdint>

namespace fastfill {

bool mapAnonymous(size_t bytes, AnonymousMemory* memory) {
  constexpr size_t kHuge = 2u << 20;
  *memory = AnonymousMemory{nullptr, 0, nullptr};
  if (bytes == 0) return true;
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
}

void unmapAnonymous(const AnonymousMemory& memory) {
  if (memory.base != nullptr) munmap(memory.base, memory.mappedBytes);
}

}  // namespace fastfill
