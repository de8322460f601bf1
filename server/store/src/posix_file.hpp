// The few POSIX file operations the store builds its durability on: a descriptor closed by its
// owner, errno as text, and fsync of a directory (so that a rename or a new file survives a
// power cut).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>

#include "pingyi/store/error.hpp"

namespace pingyi::store::detail {

inline std::string errno_text(int e) { return std::strerror(e); }

// A file descriptor closed when its owner goes.
class file_descriptor {
 public:
  file_descriptor() = default;
  explicit file_descriptor(int fd) noexcept : fd_(fd) {}
  file_descriptor(file_descriptor&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  file_descriptor& operator=(file_descriptor&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  file_descriptor(const file_descriptor&) = delete;
  file_descriptor& operator=(const file_descriptor&) = delete;
  ~file_descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }
  // Closes now and reports the error: on some file systems a failed write surfaces only here.
  [[nodiscard]] int close() noexcept {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_ = -1;
};

inline status sync_directory(const std::filesystem::path& dir) {
  file_descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return fail(error_code::io, "open directory " + dir.string() + ": " + errno_text(errno));
  if (::fsync(fd.get()) != 0) return fail(error_code::io, "fsync directory " + dir.string() + ": " + errno_text(errno));
  return {};
}

}  // namespace pingyi::store::detail
