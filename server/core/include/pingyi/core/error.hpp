// Errors of the domain layer: a code from DESIGN.md §4's catalogue plus the field it concerns and
// a message for a human. A failure is a value in the return type, never an exception (STYLE.md).
#pragma once

#include "pingyi/crypto/result.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pingyi::core {

// DESIGN.md §4's catalogue; to_string gives the code as it appears on the wire.
enum class error_code {
  bad_request,
  unauthorized,
  forbidden,
  not_found,
  quorum_not_met,
  round_not_open,
  already_issued,
  token_spent,
  invalid_token,
  invalid_point,
  invalid_proof,
  invalid_signature,
  duplicate_ciphertext,
  code_used,
  payload_too_large,
  rate_limited,
  internal,
};

[[nodiscard]] constexpr std::string_view to_string(error_code c) noexcept {
  switch (c) {
    case error_code::bad_request:
      return "BAD_REQUEST";
    case error_code::unauthorized:
      return "UNAUTHORIZED";
    case error_code::forbidden:
      return "FORBIDDEN";
    case error_code::not_found:
      return "NOT_FOUND";
    case error_code::quorum_not_met:
      return "QUORUM_NOT_MET";
    case error_code::round_not_open:
      return "ROUND_NOT_OPEN";
    case error_code::already_issued:
      return "ALREADY_ISSUED";
    case error_code::token_spent:
      return "TOKEN_SPENT";
    case error_code::invalid_token:
      return "INVALID_TOKEN";
    case error_code::invalid_point:
      return "INVALID_POINT";
    case error_code::invalid_proof:
      return "INVALID_PROOF";
    case error_code::invalid_signature:
      return "INVALID_SIGNATURE";
    case error_code::duplicate_ciphertext:
      return "DUPLICATE_CIPHERTEXT";
    case error_code::code_used:
      return "CODE_USED";
    case error_code::payload_too_large:
      return "PAYLOAD_TOO_LARGE";
    case error_code::rate_limited:
      return "RATE_LIMITED";
    case error_code::internal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

// Every rejection names the field it is about (STYLE.md: "the error a user sees is the one the
// code produced"), as a path from the object being decoded: "rule.weights[2]", "contests[1].max".
struct error {
  error_code code = error_code::internal;
  std::string field;    // empty when the error concerns no single field
  std::string message;  // what is wrong with it, e.g. "must not exceed den"

  friend bool operator==(const error&, const error&) = default;
};

[[nodiscard]] inline error fail(error_code code, std::string field, std::string message) {
  return error{code, std::move(field), std::move(message)};
}

// Prefixes the field with where the object was found: nest("rounds[3]", e) turns "rule.num" into
// "rounds[3].rule.num", so a decoder need not know where its input sits.
[[nodiscard]] inline error nest(std::string_view outer, error e) {
  if (e.field.empty()) {
    e.field = std::string(outer);
  } else if (!outer.empty()) {
    // An index ("[2]") attaches without a dot.
    e.field = std::string(outer) + (e.field.front() == '[' ? "" : ".") + e.field;
  }
  return e;
}

// The text of the wire error's "message": "rule.num: must not exceed den".
[[nodiscard]] inline std::string describe(const error& e) {
  return e.field.empty() ? e.message : e.field + ": " + e.message;
}

// A value or an error, and the outcome of a check: the one result template of
// pingyi/crypto/result.hpp with this layer's error type.
template <class T>
using result = crypto::basic_result<T, core::error>;
using status = crypto::basic_status<core::error>;

}  // namespace pingyi::core
