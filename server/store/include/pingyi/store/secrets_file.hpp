// The server's secrets (token key, server signing key, server trustee key, and any further named
// entries) in their own file, never in the database, never exported, never logged (DESIGN.md
// §2, §5). The file is created 0600 from its first byte, replaced atomically, and refused when
// anyone but its owner could read it.
//
// Format, version 1: UTF-8 text, LF line endings, a header line and one line per entry sorted by
// name, each `name SP lowercase-hex LF`:
//
//   pingyi-secrets 1
//   server_signing_key 9c1e…(64 hex digits)
//   server_trustee_key 07aa…
//   token_key 51d0…
//
// Names are 1 to 128 characters of [A-Za-z0-9_.:-]; values are 1 to 1,024 bytes. Nothing else
// may appear: no blank lines, comments or trailing spaces. A new format means a new version.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/store/error.hpp"

namespace pingyi::store {

// The well-known entries; each holds 32 bytes (a seed or a key, as its user defines).
namespace secret_name {
inline constexpr std::string_view token_key = "token_key";
inline constexpr std::string_view server_signing_key = "server_signing_key";
inline constexpr std::string_view server_trustee_key = "server_trustee_key";
}  // namespace secret_name

// Secret bytes: wiped (sodium_memzero) when destroyed, not copyable (a copy is one more place to
// wipe), and not printable: operator<< is deleted, and there is no hex accessor.
class secret {
 public:
  explicit secret(crypto::byte_view bytes);
  // n bytes from the operating system's CSPRNG.
  [[nodiscard]] static secret generate(std::size_t n, crypto::random_source& rng = crypto::os_random());

  secret(secret&& other) noexcept;
  secret& operator=(secret&& other) noexcept;
  secret(const secret&) = delete;
  secret& operator=(const secret&) = delete;
  ~secret();

  [[nodiscard]] crypto::byte_view bytes() const noexcept { return {data_.data(), data_.size()}; }
  [[nodiscard]] std::size_t size() const noexcept { return data_.size(); }

  friend std::ostream& operator<<(std::ostream&, const secret&) = delete;

 private:
  explicit secret(std::size_t n);
  void wipe() noexcept;
  std::vector<crypto::byte> data_;  // sized once; never reallocated, so no unwiped copy is left behind
};

// The named secrets of one file.
class secrets {
 public:
  // Adds or replaces an entry; invalid_argument for a name outside the format's alphabet or a
  // value outside 1 to 1,024 bytes.
  [[nodiscard]] status set(std::string_view name, secret value);
  // The entry, or nullptr.
  [[nodiscard]] const secret* find(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

 private:
  std::map<std::string, secret, std::less<>> entries_;
};

// Reads and checks a secrets file: not_found when it does not exist; insecure_permissions when
// it is not a regular file owned by this process's user with no permission beyond 0600;
// corrupt, naming the line (never its content), when it is malformed; unsupported_version for a
// later version.
[[nodiscard]] result<secrets> read_secrets_file(const std::filesystem::path& path);

// Writes the secrets to `path`, replacing any file there atomically: a fresh temporary file in
// the same directory, created with O_CREAT|O_EXCL and mode 0600, written, fsync'ed, renamed over
// `path`, and the directory fsync'ed. After a crash the path holds either the old file or the
// new one, never a mixture, and never a file others could read.
[[nodiscard]] status write_secrets_file(const std::filesystem::path& path, const secrets& values);

}  // namespace pingyi::store
