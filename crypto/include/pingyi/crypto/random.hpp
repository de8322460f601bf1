// Where randomness comes from. Production code draws from the operating system; tests and the
// cross-implementation vector generator draw from a seeded, documented deterministic stream so
// that another implementation (the browser client) can reproduce every byte.
#pragma once

#include <cstdint>
#include <span>

#include "pingyi/crypto/bytes.hpp"

namespace pingyi::crypto {

class random_source {
 public:
  virtual ~random_source() = default;
  virtual void fill(std::span<byte> out) = 0;
};

// libsodium's randombytes (the OS CSPRNG).
class system_random final : public random_source {
 public:
  void fill(std::span<byte> out) override;
};

// The shared system source; stateless, safe from any thread.
[[nodiscard]] random_source& os_random() noexcept;

// Deterministic stream for tests and vectors. Draw number i (0, 1, 2 …) of n bytes is
// randombytes_buf_deterministic(n, SHA-512(seed ‖ I2OSP(i, 8))[0..32]): each call to fill is
// one draw, whatever its size. Never use it for real keys.
class deterministic_random final : public random_source {
 public:
  explicit deterministic_random(const byte_array<32>& seed) noexcept : seed_(seed) {}
  void fill(std::span<byte> out) override;
  [[nodiscard]] std::uint64_t draws() const noexcept { return counter_; }

 private:
  byte_array<32> seed_;
  std::uint64_t counter_ = 0;
};

}  // namespace pingyi::crypto
