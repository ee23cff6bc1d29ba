// Zero-filled memory for big buffers that are filled piece by piece (the KV cache): an anonymous
// mapping whose pages arrive zeroed on first touch. From 2 MiB on it starts on a 2 MiB boundary and
// asks for transparent huge pages (where THP is "madvise"): a 4 KiB page fault cost about 20 us on
// these VMs, so an 8K-token prefill spent over a second faulting in its KV cache.
#pragma once
#include <cstddef>

namespace fastfill {

struct AnonymousMemory {
  void* base;         // what mmap returned, nullptr when nothing is mapped
  size_t mappedBytes;
  void* data;         // the usable range (64-byte aligned; 2 MiB aligned from 2 MiB on)
};

// False when the mapping fails (out of address space or memory limits).
bool mapAnonymous(size_t bytes, AnonymousMemory* memory);

void unmapAnonymous(const AnonymousMemory& memory);

}  // namespace fastfill
