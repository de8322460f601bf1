// The secrets file; see secrets_file.hpp for its format and guarantees. Every buffer that holds
// secret bytes, raw or as hex, is sized once and wiped before it is freed, and no message names
// a line's content: a damaged file may have a key where a name should be.
#include "pingyi/store/secrets_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "posix_file.hpp"

namespace pingyi::store {
namespace {

using detail::errno_text;
using detail::file_descriptor;
using detail::sync_directory;

constexpr std::string_view header = "pingyi-secrets 1";
constexpr std::string_view header_prefix = "pingyi-secrets ";
constexpr std::size_t max_name = 128;
constexpr std::size_t max_value = 1024;
constexpr std::size_t max_file = std::size_t{1} << 20;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A byte buffer for secret material: one allocation of a fixed capacity, wiped when freed.
class wiped_buffer {
 public:
  explicit wiped_buffer(std::size_t capacity) : buf_(new char[capacity]()), capacity_(capacity) {}
  wiped_buffer(const wiped_buffer&) = delete;
  wiped_buffer& operator=(const wiped_buffer&) = delete;
  ~wiped_buffer() { sodium_memzero(buf_.get(), capacity_); }

  [[nodiscard]] char* data() noexcept { return buf_.get(); }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::string_view view() const noexcept { return {buf_.get(), size_}; }
  void set_size(std::size_t n) noexcept { size_ = n; }
  // Appends within the capacity fixed at construction; the caller computed it exactly.
  void append(std::string_view s) noexcept {
    s.copy(buf_.get() + size_, s.size());
    size_ += s.size();
  }

 private:
  std::unique_ptr<char[]> buf_;
  std::size_t capacity_;
  std::size_t size_ = 0;
};

error corrupt(const std::filesystem::path& path, std::size_t line, std::string_view problem) {
  return fail(error_code::corrupt,
              "secrets file " + path.string() + ", line " + std::to_string(line) + ": " + std::string(problem));
}

}  // namespace

// --- secret -------------------------------------------------------------------------------------

secret::secret(crypto::byte_view bytes) : data_(bytes.begin(), bytes.end()) {}
secret::secret(std::size_t n) : data_(n) {}

secret secret::generate(std::size_t n, crypto::random_source& rng) {
  secret s(n);
  rng.fill(std::span<crypto::byte>(s.data_.data(), s.data_.size()));
  return s;
}

// A moved vector hands over its buffer: the moved-from secret is left empty, not holding a copy.
secret::secret(secret&& other) noexcept : data_(std::move(other.data_)) { other.data_.clear(); }

secret& secret::operator=(secret&& other) noexcept {
  if (this != &other) {
    wipe();
    data_ = std::move(other.data_);
    other.data_.clear();
  }
  return *this;
}

secret::~secret() { wipe(); }

void secret::wipe() noexcept {
  if (!data_.empty()) sodium_memzero(data_.data(), data_.size());
}

// --- secrets ------------------------------------------------------------------------------------

status secrets::set(std::string_view name, secret value) {
  if (!valid_name(name)) {
    return fail(error_code::invalid_argument, "a secret's name must be 1 to 128 characters of [A-Za-z0-9_.:-]");
  }
  if (value.size() == 0 || value.size() > max_value) {
    return fail(error_code::invalid_argument, "a secret must hold 1 to 1024 bytes");
  }
  if (auto it = entries_.find(name); it != entries_.end()) {
    it->second = std::move(value);
  } else {
    entries_.emplace(std::string(name), std::move(value));
  }
  return {};
}

const secret* secrets::find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> secrets::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [name, value] : entries_) out.push_back(name);
  return out;
}

// --- the file -----------------------------------------------------------------------------------

result<secrets> read_secrets_file(const std::filesystem::path& path) {
  // O_NOFOLLOW: a symbolic link could point the server at a file someone else controls.
  file_descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    const int e = errno;
    if (e == ENOENT) return fail(error_code::not_found, "secrets file " + path.string() + " does not exist");
    if (e == ELOOP) {
      return fail(error_code::insecure_permissions, "secrets file " + path.string() + " is a symbolic link");
    }
    return fail(error_code::io, "open secrets file " + path.string() + ": " + errno_text(e));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(error_code::io, "stat " + path.string() + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) {
    return fail(error_code::insecure_permissions, "secrets file " + path.string() + " is not a regular file");
  }
  if (st.st_uid != ::geteuid()) {
    return fail(error_code::insecure_permissions, "secrets file " + path.string() + " is owned by uid " +
                                                      std::to_string(st.st_uid) + ", not by this user (uid " +
                                                      std::to_string(::geteuid()) + ")");
  }
  // Anything beyond owner read and write (group, others, even owner execute) is refused: keys
  // that others could have read are keys to replace, not to use.
  if ((st.st_mode & (S_IRWXG | S_IRWXO | S_IXUSR)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(error_code::insecure_permissions, "secrets file " + path.string() + " has mode " + mode +
                                                      ", wider than 0600 (chmod 600 it, and replace the "
                                                      "secrets if others may have read them)");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_file) {
    return fail(error_code::corrupt, "secrets file " + path.string() + " is larger than 1 MiB");
  }

  wiped_buffer text(static_cast<std::size_t>(st.st_size) + 1);  // +1 notices a file that grew
  std::size_t got = 0;
  for (;;) {
    const ssize_t n = ::read(fd.get(), text.data() + got, text.capacity() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(error_code::io, "read " + path.string() + ": " + errno_text(errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
    if (got == text.capacity())
      return fail(error_code::corrupt, "secrets file " + path.string() + " changed while read");
  }
  text.set_size(got);

  const std::string_view all = text.view();
  if (all.empty() || all.back() != '\n') return corrupt(path, 1, "the file does not end with a line feed");

  secrets out;
  std::size_t line_no = 0;
  std::string previous;
  for (std::size_t pos = 0; pos < all.size();) {
    const std::size_t end = all.find('\n', pos);
    const std::string_view line = all.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line_no == 1) {
      if (line == header) continue;
      const std::string_view version =
          line.substr(0, header_prefix.size()) == header_prefix ? line.substr(header_prefix.size()) : "";
      if (!version.empty() && version.find_first_not_of("0123456789") == std::string_view::npos) {
        return fail(error_code::unsupported_version,
                    "secrets file " + path.string() + " has a format version this build does not know");
      }
      return corrupt(path, 1, "not a pingyi secrets file");
    }
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) return corrupt(path, line_no, "expected a name, a space and a value");
    const std::string_view name = line.substr(0, space);
    const std::string_view hex = line.substr(space + 1);
    if (!valid_name(name)) return corrupt(path, line_no, "the name is not valid");
    if (!previous.empty() && name <= previous) return corrupt(path, line_no, "names are not sorted and unique");
    if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 2 * max_value) {
      return corrupt(path, line_no, "the value is not 1 to 1024 bytes of hex");
    }
    for (const char c : hex) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return corrupt(path, line_no, "the value is not lower-case hex");
      }
    }
    // Decoded on the stack, copied into the secret, and the stack copy wiped.
    crypto::byte_array<max_value> raw{};
    std::size_t raw_len = 0;
    const int rc = sodium_hex2bin(raw.data(), raw.size(), hex.data(), hex.size(), nullptr, &raw_len, nullptr);
    secret value(crypto::byte_view{raw.data(), raw_len});
    sodium_memzero(raw.data(), raw.size());
    if (rc != 0 || raw_len * 2 != hex.size()) return corrupt(path, line_no, "the value is not hex");
    if (auto s = out.set(name, std::move(value)); !s) return corrupt(path, line_no, s.error().message);
    previous.assign(name);
  }
  return out;
}

status write_secrets_file(const std::filesystem::path& path, const secrets& values) {
  // The whole file, built in one wiped buffer of exactly its size.
  const std::vector<std::string> names = values.names();
  std::size_t size = header.size() + 1;
  for (const std::string& name : names) size += name.size() + 1 + 2 * values.find(name)->size() + 1;
  wiped_buffer text(size + 1);  // + sodium_bin2hex's terminating NUL
  text.append(header);
  text.append("\n");
  for (const std::string& name : names) {
    const secret& value = *values.find(name);
    text.append(name);
    text.append(" ");
    sodium_bin2hex(text.data() + text.size(), text.capacity() - text.size(), value.bytes().data(), value.size());
    text.set_size(text.size() + 2 * value.size());
    text.append("\n");
  }

  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";

  // A temporary name no one else can have made: O_CREAT|O_EXCL with mode 0600 means the file
  // is never, for any instant, readable by others, and never an existing file or link.
  std::filesystem::path tmp;
  int raw_fd = -1;
  for (int attempt = 0; attempt < 8 && raw_fd < 0; ++attempt) {
    crypto::byte_array<8> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    tmp = dir / (path.filename().string() + ".tmp-" + crypto::to_hex(nonce));
    raw_fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (raw_fd < 0 && errno != EEXIST) break;
  }
  if (raw_fd < 0) return fail(error_code::io, "create a temporary file in " + dir.string() + ": " + errno_text(errno));
  file_descriptor fd(raw_fd);

  auto abandon = [&](std::string what, int e) -> status {
    ::unlink(tmp.c_str());
    return fail(error_code::io, what + ": " + errno_text(e));
  };
  // The umask can only narrow 0600; fchmod makes it exactly 0600 so that the owner can read it.
  if (::fchmod(fd.get(), 0600) != 0) return abandon("chmod " + tmp.string(), errno);
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return abandon("write " + tmp.string(), errno);
    done += static_cast<std::size_t>(n);
  }
  // The content is on disk before the name points at it: a crash after the rename must not
  // leave an empty or partial secrets file in place of the old one.
  if (::fsync(fd.get()) != 0) return abandon("fsync " + tmp.string(), errno);
  if (fd.close() != 0) return abandon("close " + tmp.string(), errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return abandon("rename to " + path.string(), errno);
  // The rename itself is durable only once the directory is.
  return sync_directory(dir);
}

}  // namespace pingyi::store
