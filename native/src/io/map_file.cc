#include "io/map_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace fastfill {

bool mapFileCopyOnWrite(const std::string& path, MappedFile* mapped, std::string* error) {
  const auto fail = [&](const char* what, int code) {
    *error = "cannot map " + path + ": " + what + (code != 0 ? std::string(": ") + std::strerror(code) : "");
    return false;
  };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("open failed", errno);
  struct stat info;
  if (fstat(fd, &info) != 0) {
    const int code = errno;
    close(fd);
    return fail("stat failed", code);
  }
  if (!S_ISREG(info.st_mode)) {
    close(fd);
    return fail("not a regular file", 0);
  }
  mapped->length = static_cast<size_t>(info.st_size);
  mapped->data = nullptr;
  if (mapped->length > 0) {
    void* data = mmap(nullptr, mapped->length, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
      const int code = errno;
      close(fd);
      return fail("mmap failed", code);
    }
    mapped->data = data;
  }
  close(fd);  // the mapping keeps the file alive
  return true;
}

void unmapFile(const MappedFile& mapped) {
  if (mapped.data != nullptr) munmap(mapped.data, mapped.length);
}

}  // namespace fastfill
