// A two-scalar Fiat–Shamir proof {c, s}: the RFC 9497 DLEQ proof of a token, a trustee's proof
// of possession, and a decryption share's Chaum–Pedersen proof all have this shape.
#pragma once

#include "pingyi/crypto/scalar.hpp"

namespace pingyi::crypto {

struct proof {
  scalar c;
  scalar s;
  friend bool operator==(const proof&, const proof&) = default;
};

}  // namespace pingyi::crypto
