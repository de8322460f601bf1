// Errors of the store: a code a caller can act on plus a message for the operator's log. A
// failure is a value in the return type, never an exception (STYLE.md). Messages name the
// session, seq or file concerned and never contain a line's content, a credential or a secret.
#pragma once

#include "pingyi/crypto/result.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pingyi::store {

enum class error_code {
  invalid_argument,      // a line that is not one line of UTF-8, an empty holder, a bad name
  not_found,             // no such session (or file)
  already_exists,        // a session whose genesis is already stored
  wrong_seq,             // an append whose seq is not exactly the chain's next
  queue_full,            // back-pressure: the bounded write queue is full; retry later
  too_large,             // a batch larger than the write queue could ever hold
  stopped,               // fail-stop: an earlier commit failed; nothing more is written until reopened
  closed,                // the store was closed
  io,                    // SQLite or the OS failed: disk full, read-only, I/O error
  busy,                  // another store (this or another process) has the database open
  corrupt,               // not a pingyi store, or damaged: a stored hash that does not match its line
  unsupported_version,   // a schema or file format newer than this build knows
  insecure_permissions,  // a secrets file readable by others, or owned by another user
};

[[nodiscard]] constexpr std::string_view to_string(error_code c) noexcept {
  switch (c) {
    case error_code::invalid_argument:
      return "invalid_argument";
    case error_code::not_found:
      return "not_found";
    case error_code::already_exists:
      return "already_exists";
    case error_code::wrong_seq:
      return "wrong_seq";
    case error_code::queue_full:
      return "queue_full";
    case error_code::too_large:
      return "too_large";
    case error_code::stopped:
      return "stopped";
    case error_code::closed:
      return "closed";
    case error_code::io:
      return "io";
    case error_code::busy:
      return "busy";
    case error_code::corrupt:
      return "corrupt";
    case error_code::unsupported_version:
      return "unsupported_version";
    case error_code::insecure_permissions:
      return "insecure_permissions";
  }
  return "unknown";
}

struct error {
  error_code code = error_code::io;
  std::string message;  // e.g. "session 3fa1…: seq 7 is not the next (expected 5)"

  friend bool operator==(const error&, const error&) = default;
};

[[nodiscard]] inline error fail(error_code code, std::string message) { return error{code, std::move(message)}; }

// "wrong_seq: session 3fa1…: seq 7 is not the next (expected 5)", for logs.
[[nodiscard]] inline std::string describe(const error& e) {
  return std::string(to_string(e.code)).append(": ").append(e.message);
}

// A value or an error, and the outcome of a check: the one result template of
// pingyi/crypto/result.hpp with this layer's error type.
template <class T>
using result = crypto::basic_result<T, store::error>;
using status = crypto::basic_status<store::error>;

}  // namespace pingyi::store
