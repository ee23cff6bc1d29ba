#include "io/map_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

namespace fastfill {
namespace {

struct LiveMapping {
  uintptr_t begin, end;
};
std::mutex liveMutex;
std::vector<LiveMapping> liveMappings;  // every mapping not yet unmapped

}  // namespace

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
    const std::lock_guard<std::mutex> lock(liveMutex);
    liveMappings.push_back(LiveMapping{reinterpret_cast<uintptr_t>(base), reinterpret_cast<uintptr_t>(base) + mappedLength});
  }
  close(fd);  // the mapping keeps the file alive
  return true;
}

void unmapFile(const MappedFile& mapped) {
  if (mapped.base == nullptr) return;
  {
    const std::lock_guard<std::mutex> lock(liveMutex);
    const uintptr_t begin = reinterpret_cast<uintptr_t>(mapped.base);
    for (size_t i = 0; i < liveMappings.size(); ++i) {
      if (liveMappings[i].begin == begin) {
        liveMappings.erase(liveMappings.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }
  munmap(mapped.base, mapped.mappedLength);
}

size_t releaseMappedPages(const uint8_t* data, size_t length) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data), end = begin + length;
  const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;
  if (last <= first) return 0;
  const std::lock_guard<std::mutex> lock(liveMutex);  // held so the mapping cannot go meanwhile
  for (const LiveMapping& live : liveMappings) {
    if (begin >= live.begin && end <= live.end) {
      if (madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0) return 0;
      return last - first;
    }
  }
  return 0;
}

}  // namespace fastfill
