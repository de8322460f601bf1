// Library start-up (see init.hpp).
#include "pingyi/crypto/init.hpp"

#include <sodium.h>

namespace pingyi::crypto {

bool init() noexcept { return sodium_init() >= 0; }

}  // namespace pingyi::crypto
