// Library start-up: the only global state pingyi's crypto library has is libsodium's own.
#pragma once

namespace pingyi::crypto {

// Calls sodium_init(); true when libsodium is ready (also when it already was). Every program
// calls it once before any other function of this library.
[[nodiscard]] bool init() noexcept;

}  // namespace pingyi::crypto
