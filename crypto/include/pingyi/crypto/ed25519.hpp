// Ed25519 keys and detached signatures (libsodium crypto_sign_*), used for device keys, the
// ephemeral ballot keys (vk, ske), and the server's signed heads.
#pragma once

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/result.hpp"

namespace pingyi::crypto {

// An Ed25519 public key: 32 bytes. Decoding rejects the all-zero key and encodings that are
// not points (libsodium's verification rejects small-order and non-canonical keys as well).
class verify_key {
 public:
  static constexpr std::size_t size = 32;
  [[nodiscard]] static result<verify_key> decode(byte_view b);
  [[nodiscard]] static result<verify_key> from_hex(std::string_view hex);
  [[nodiscard]] const byte_array<32>& bytes() const noexcept { return b_; }
  [[nodiscard]] std::string hex() const { return to_hex(b_); }
  friend bool operator==(const verify_key&, const verify_key&) = default;

 private:
  friend class signing_key;
  byte_array<32> b_{};
};

class signature {
 public:
  static constexpr std::size_t size = 64;
  signature() = default;
  explicit signature(const byte_array<64>& b) noexcept : b_(b) {}
  [[nodiscard]] static result<signature> decode(byte_view b);
  [[nodiscard]] static result<signature> from_hex(std::string_view hex);
  [[nodiscard]] const byte_array<64>& bytes() const noexcept { return b_; }
  [[nodiscard]] std::string hex() const { return to_hex(b_); }
  friend bool operator==(const signature&, const signature&) = default;

 private:
  byte_array<64> b_{};
};

// An Ed25519 secret key (libsodium's 64-byte form: seed ‖ public key). Wiped on destruction;
// it has no operator<< and no hex accessor, so it cannot end up in a log line.
class signing_key {
 public:
  [[nodiscard]] static signing_key generate(random_source& rng);
  [[nodiscard]] static signing_key from_seed(const byte_array<32>& seed) noexcept;
  signing_key(const signing_key&) noexcept = default;
  signing_key& operator=(const signing_key&) noexcept = default;
  ~signing_key();

  [[nodiscard]] verify_key public_key() const noexcept;
  // The 32-byte seed, for storing the key in the secrets file or the tablet's storage.
  [[nodiscard]] byte_array<32> seed() const noexcept;
  [[nodiscard]] signature sign(byte_view msg) const noexcept;

 private:
  signing_key() = default;
  byte_array<64> sk_{};
};

[[nodiscard]] status verify(const verify_key& key, byte_view msg, const signature& sig);

}  // namespace pingyi::crypto
