// An "I have voted" declaration as the store keeps it while its round is open (DESIGN.md §3.2):
// durably, but off the chain, because its timing would pair a member with a ballot. Core checks
// the signature before the declaration reaches the store; here it is only kept.
#pragma once

#include <string>

#include "pingyi/crypto/ed25519.hpp"

namespace pingyi::store {

struct declaration {
  std::string member;     // the member id, UTF-8
  crypto::signature sig;  // Ed25519(device key, "pingyi-v1-voted" ‖ session_id ‖ I2OSP(round, 4))

  friend bool operator==(const declaration&, const declaration&) = default;
};

}  // namespace pingyi::store
