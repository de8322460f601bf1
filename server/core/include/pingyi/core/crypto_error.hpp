// Maps a crypto library failure onto DESIGN.md §4's catalogue, keeping the field it names, so the
// engine and the state machine report a bad proof or point the same way.
#pragma once

#include <string>
#include <string_view>

#include "pingyi/core/error.hpp"
#include "pingyi/crypto/result.hpp"

namespace pingyi::core {

// `outer` places the crypto field inside the request ("ballot" + "contests[0].proof"); an empty
// outer keeps the field as the crypto library gave it.
[[nodiscard]] inline error from_crypto(const crypto::failure& f, std::string_view outer = {}) {
  error_code code = error_code::bad_request;
  std::string message;
  switch (f.code) {
    case crypto::error::invalid_point:
      code = error_code::invalid_point;
      message = "is not a valid group element";
      break;
    case crypto::error::invalid_proof:
      code = error_code::invalid_proof;
      message = "proof does not verify";
      break;
    case crypto::error::invalid_signature:
      code = error_code::invalid_signature;
      message = "signature does not verify";
      break;
    case crypto::error::invalid_encoding:
      message = "is not a valid encoding";
      break;
    case crypto::error::invalid_scalar:
      message = "is not a valid scalar";
      break;
    case crypto::error::out_of_range:
      message = "is out of range";
      break;
    case crypto::error::not_found:
      // Only searches (e.g. a discrete log) fail this way; for a request it means the input
      // asked for something impossible, which is the client's fault.
      message = "has no valid value";
      break;
  }
  return nest(outer, fail(code, f.field, std::move(message)));
}

}  // namespace pingyi::core
