// The admin token file (see admin_token.hpp). Created the way the secrets file is
// (store/secrets_file.cpp): private from its first byte, durable before it is shown.
#include "admin_token.hpp"
#include "data_dir.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/random.hpp"

namespace pingyi::app {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t token_bytes = 32;
constexpr std::size_t max_file_bytes = 1024;

std::string errno_text(int e) { return std::strerror(e); }

// Closes a descriptor on every path out.
class descriptor {
 public:
  explicit descriptor(int fd) noexcept : fd_(fd) {}
  ~descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

bool is_token_character(char c) noexcept { return c > ' ' && c < 0x7f; }

std::optional<admin_token> read_token(const fs::path& file, std::string& error) {
  descriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    error = "cannot open the admin token file " + file.string() + ": " + errno_text(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    error = "cannot stat the admin token file " + file.string() + ": " + errno_text(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "the admin token file " + file.string() + " is not a regular file";
    return std::nullopt;
  }
  if (st.st_uid != ::geteuid()) {
    error = "the admin token file " + file.string() + " is owned by another user";
    return std::nullopt;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    error = "the admin token file " + file.string() + " has mode " + mode +
            ": others could read it; make it 0600 (chmod 600) or delete it to make a new token";
    return std::nullopt;
  }
  std::string content(max_file_bytes + 1, '\0');
  std::size_t size = 0;
  while (size < content.size()) {
    const ssize_t n = ::read(fd.get(), content.data() + size, content.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = "cannot read the admin token file " + file.string() + ": " + errno_text(errno);
      return std::nullopt;
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  content.resize(size);
  if (!content.empty() && content.back() == '\n') content.pop_back();
  bool valid = content.size() >= 16 && content.size() <= max_file_bytes;
  for (const char c : content) valid = valid && is_token_character(c);
  if (!valid) {
    sodium_memzero(content.data(), content.size());
    error = "the admin token file " + file.string() +
            " does not hold a token (one line of 16 to 1024 printable characters); delete it to make a new one";
    return std::nullopt;
  }
  return admin_token{std::move(content), false};
}

// O_EXCL: two servers starting at once on one data directory cannot both make a token; the
// loser reads the winner's. The file and its directory are fsync'ed before the token is shown,
// so a token that was printed survives a crash.
std::optional<admin_token> create_token(const fs::path& file, std::string& error) {
  descriptor fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return read_token(file, error);
    error = "cannot create the admin token file " + file.string() + ": " + errno_text(errno);
    return std::nullopt;
  }
  crypto::byte_array<token_bytes> random{};
  crypto::os_random().fill(random);
  std::string token = crypto::to_hex(random);
  sodium_memzero(random.data(), random.size());
  std::string line = token + "\n";
  const bool written = write_all(fd.get(), line) && ::fsync(fd.get()) == 0;
  const int write_errno = errno;
  sodium_memzero(line.data(), line.size());
  if (!written || ::close(fd.release()) != 0) {
    error = "cannot write the admin token file " + file.string() + ": " + errno_text(write_errno);
    ::unlink(file.c_str());
    sodium_memzero(token.data(), token.size());
    return std::nullopt;
  }
  const fs::path parent = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  descriptor dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
    error = "cannot sync the directory of the admin token file " + file.string() + ": " + errno_text(errno);
    sodium_memzero(token.data(), token.size());
    return std::nullopt;
  }
  return admin_token{std::move(token), true};
}

}  // namespace

std::optional<admin_token> load_or_create_admin_token(const fs::path& file, std::string& error) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) == 0) return read_token(file, error);
  if (errno != ENOENT) {
    error = "cannot stat the admin token file " + file.string() + ": " + errno_text(errno);
    return std::nullopt;
  }
  return create_token(file, error);
}

}  // namespace pingyi::app
