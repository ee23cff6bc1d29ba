// File memory mapping, private and writable (copy-on-write): a stray write changes this
// process's pages only, never the file, and does not fault.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace fastfill {

struct MappedFile {
  void* base;           // what mmap returned (page-aligned), nullptr when nothing is mapped
  size_t mappedLength;  // bytes mapped from base
  uint8_t* data;        // the requested range: base + (offset - page-aligned offset)
  size_t length;        // bytes in the requested range
};

// Maps bytes [offset, offset + length) of the file; length < 0 means "to the end". False with a
// message naming the path and the reason when the file cannot be opened, the range lies outside
// it, or the range is longer than maxLength.
bool mapFileCopyOnWrite(const std::string& path, int64_t offset, int64_t length, int64_t maxLength,
                        MappedFile* mapped, std::string* error);

void unmapFile(const MappedFile& mapped);

// Drops this process's pages of [data, data + length) when the range lies inside one live mapping
// of mapFileCopyOnWrite (anything else is left alone: releasing anonymous memory would zero it).
// Only whole pages inside the range go; the bytes stay readable, and pages that are read again come
// back from the file (writes made through the mapping are lost). Returns the bytes released.
size_t releaseMappedPages(const uint8_t* data, size_t length);

}  // namespace fastfill
