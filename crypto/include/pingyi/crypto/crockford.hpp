// Crockford base32 (alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ), for the codes people read and
// type: receipt short codes, the round_closed comparison code, scrutineer recovery codes.
#pragma once

#include <string>
#include <string_view>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/result.hpp"

namespace pingyi::crypto {

// The bytes as a big-endian bit stream, five bits per character (a final partial group is
// padded with zero bits). 5 bytes give 8 characters, 10 give 16.
[[nodiscard]] std::string crockford_encode(byte_view b);

// Groups of four joined by dashes: "ABCDEFGH" → "ABCD-EFGH".
[[nodiscard]] std::string group_by_four(std::string_view code);

// What a person typed, made canonical: lower case upper-cased, dashes and spaces dropped, I and
// L read as 1, O as 0. Fails (invalid_encoding) on any other character (U included) or when
// the result is not `length` characters long.
[[nodiscard]] result<std::string> normalize_crockford(std::string_view entry, std::size_t length);

}  // namespace pingyi::crypto
