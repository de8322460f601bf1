// Credentials as the store keeps them: only their hashes (DESIGN.md §2: "codes and device
// secrets are stored only as hashes"). The store never sees a raw code; the caller hashes it
// first, preferably keyed with a secret from the secrets file, so that a copy of the database
// alone does not allow guessing printed codes offline.
#pragma once

#include <optional>
#include <string_view>

#include "pingyi/crypto/bytes.hpp"

namespace pingyi::store {

// Which credential: the chair's per-session code, a member's printed one-time check-in code, or
// the device secret a tablet receives at check-in for reconnects.
enum class credential_kind { chair_code, checkin_code, device_secret };

[[nodiscard]] constexpr std::string_view to_string(credential_kind k) noexcept {
  switch (k) {
    case credential_kind::chair_code:
      return "chair_code";
    case credential_kind::checkin_code:
      return "checkin_code";
    case credential_kind::device_secret:
      return "device_secret";
  }
  return "unknown";
}

[[nodiscard]] constexpr std::optional<credential_kind> credential_kind_from(std::string_view s) noexcept {
  if (s == "chair_code") return credential_kind::chair_code;
  if (s == "checkin_code") return credential_kind::checkin_code;
  if (s == "device_secret") return credential_kind::device_secret;
  return std::nullopt;
}

// A 32-byte hash of a credential. A distinct type, constructed explicitly, so that neither a
// session id nor a raw code can be stored in its place by accident.
class credential_hash {
 public:
  explicit constexpr credential_hash(const crypto::byte_array<32>& b) noexcept : b_(b) {}
  [[nodiscard]] constexpr const crypto::byte_array<32>& bytes() const noexcept { return b_; }
  friend bool operator==(const credential_hash&, const credential_hash&) = default;

 private:
  crypto::byte_array<32> b_;
};

}  // namespace pingyi::store
