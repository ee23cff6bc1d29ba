// Whole-file memory mapping, private and writable (copy-on-write): a stray write changes this
// process's pages only, never the file, and does not fault.
#pragma once
#include <cstddef>
#include <string>

namespace fastfill {

struct MappedFile {
  void* data;     // nullptr for an empty file
  size_t length;  // bytes
};

// False with a message naming the path and the reason when the file cannot be mapped.
bool mapFileCopyOnWrite(const std::string& path, MappedFile* mapped, std::string* error);

void unmapFile(const MappedFile& mapped);

}  // namespace fastfill
