// Randomness sources (see random.hpp).
#include "pingyi/crypto/random.hpp"

#include <sodium.h>

#include "pingyi/crypto/hash.hpp"

namespace pingyi::crypto {

void system_random::fill(std::span<byte> out) { randombytes_buf(out.data(), out.size()); }

random_source& os_random() noexcept {
  static system_random source;
  return source;
}

void deterministic_random::fill(std::span<byte> out) {
  const auto digest = sha512(transcript{}.raw(seed_).u64(counter_++).view());
  static_assert(randombytes_SEEDBYTES == 32);
  randombytes_buf_deterministic(out.data(), out.size(), digest.data());
}

}  // namespace pingyi::crypto
