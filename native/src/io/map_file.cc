#include "io/map_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fastfill {

bool mapFileCopyOnWrite(const std::string& path, int64_t offset, int64_t length, int64_t maxLength,
                        MappedFile* mapped, std::string* error) {
  *mapped = MappedFile{nullptr, 0, nullptr, 0};
  int fd = -1;
  const auto fail = [&](const std::string& what, int code) {
    if (fd >= 0) close(fd);
    *error = "cannot map " + path + ": " + what + (code != 0 ? std::string(": ") + std::strerror(code) : "");
    return false;
  };
  fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("open failed", errno);
  struct stat info;
  if (fstat(fd, &info) != 0) return fail("stat failed", errno);
  if (!S_ISREG(info.st_mode)) return fail("not a regular file", 0);
  const int64_t size = static_cast<int64_t>(info.st_size);
  if (length < 0) length = size - offset;
  if (offset < 0 || offset > size || length < 0 || length > size - offset) {
    return fail("range of " + std::to_string(length) + " bytes at offset " + std::to_string(offset) +
                    " is outside the file (" + std::to_string(size) + " bytes)", 0);
  }
  if (length > maxLength) {
    return fail(std::to_string(length) + " bytes is more than the largest ArrayBuffer (" + std::to_string(maxLength) +
                    " bytes): map it in ranges", 0);
  }
  if (length > 0) {
    const int64_t page = sysconf(_SC_PAGESIZE);
    const int64_t alignedOffset = offset - offset % page;
    const size_t mappedLength = static_cast<size_t>(length + (offset - alignedOffset));
    void* base = mmap(nullptr, mappedLength, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, alignedOffset);
    if (base == MAP_FAILED) return fail("mmap failed", errno);
    *mapped = MappedFile{base, mappedLength, static_cast<uint8_t*>(base) + (offset - alignedOffset),
                         static_cast<size_t>(length)};
  }
  close(fd);  // the mapping keeps the file alive
  return true;
}

void unmapFile(const MappedFile& mapped) {
  if (mapped.base != nullptr) munmap(mapped.base, mapped.mappedLength);
}

}  // namespace fastfill
