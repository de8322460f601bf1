// Error handling for pingyi's crypto library: a failure is a value in the return type, never
// an exception, and [[nodiscard]] so that it cannot be ignored (libsodium's discipline).
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pingyi::crypto {

// What went wrong, in the terms of DESIGN.md §4's catalogue (INVALID_POINT, INVALID_PROOF,
// INVALID_SIGNATURE, BAD_REQUEST …); the server maps these onto its wire codes.
enum class error {
  invalid_encoding,   // wrong length, not hex, not Crockford base32, malformed structure
  invalid_point,      // not a canonical ristretto255 encoding, or the identity where §3 forbids it
  invalid_scalar,     // not canonical (≥ ℓ), or zero where a non-zero scalar is required
  invalid_proof,      // a proof that does not verify
  invalid_signature,  // an Ed25519 signature that does not verify
  out_of_range,       // a value outside what the statement allows (e.g. proving v ∉ [lo, hi])
  not_found,          // a search that has no answer (e.g. a count outside [0, max])
};

[[nodiscard]] constexpr const char* to_string(error e) noexcept {
  switch (e) {
    case error::invalid_encoding: return "invalid_encoding";
    case error::invalid_point: return "invalid_point";
    case error::invalid_scalar: return "invalid_scalar";
    case error::invalid_proof: return "invalid_proof";
    case error::invalid_signature: return "invalid_signature";
    case error::out_of_range: return "out_of_range";
    case error::not_found: return "not_found";
  }
  return "unknown";
}

// An error with the field it concerns ("contests[2].selections[0].proof"), so that a rejection
// can name exactly what was wrong.
struct failure {
  error code;
  std::string field;

  friend bool operator==(const failure&, const failure&) = default;
};

[[nodiscard]] inline failure fail(error code, std::string field = {}) {
  return failure{code, std::move(field)};
}

// A value or an error of type E. Reading the value of a failed result aborts: it is a
// programming error, caught by tests, never a path taken on hostile input. The same template
// serves every layer (crypto's `failure`, core's catalogue errors, the store's errors) so that
// there is one implementation of it.
template <class T, class E>
class [[nodiscard]] basic_result {
 public:
  basic_result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  basic_result(E e) : v_(std::move(e)) {}          // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  [[nodiscard]] const T& value() const& { check(); return std::get<0>(v_); }
  [[nodiscard]] T& value() & { check(); return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { check(); return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  [[nodiscard]] const E& error() const {
    if (ok()) std::abort();
    return std::get<1>(v_);
  }

 private:
  void check() const {
    if (!ok()) std::abort();
  }
  std::variant<T, E> v_;
};

// The outcome of a check that produces no value.
template <class E>
class [[nodiscard]] basic_status {
 public:
  basic_status() = default;                          // success
  basic_status(E e) : e_(std::move(e)) {}            // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return !e_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const E& error() const {
    if (ok()) std::abort();
    return *e_;
  }

 private:
  std::optional<E> e_;
};

template <class T>
using result = basic_result<T, failure>;
using status = basic_status<failure>;

// Prefixes the field of a failure with where it was found: nest("contests[0]", f) gives
// "contests[0].proof" for a failure in "proof".
[[nodiscard]] inline failure nest(const std::string& outer, failure f) {
  f.field = f.field.empty() ? outer : outer + "." + f.field;
  return f;
}

}  // namespace pingyi::crypto
