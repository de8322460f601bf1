// Crockford base32 for the codes people read aloud and type (DESIGN.md §3.4 comparison code,
// §3.5 recovery codes, §3.6 receipt codes; see crockford.hpp).
#include "pingyi/crypto/crockford.hpp"

namespace pingyi::crypto {

namespace {

// No I, L, O or U: the first three are read as 1, 1 and 0 on entry, and U is left out so that
// no accidental obscenity can appear (Crockford's own reason).
constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static_assert(sizeof alphabet == 33);

// The canonical character for what was typed: itself for an alphabet character, the reading
// of a look-alike, '\0' for a separator to drop, and -1 for anything refused.
int canonical(char typed) noexcept {
  char c = typed;
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == '-' || c == ' ') return 0;
  if (c == 'I' || c == 'L') return '1';
  if (c == 'O') return '0';
  if (c >= '0' && c <= '9') return c;
  if (c >= 'A' && c <= 'Z' && c != 'U') return c;
  return -1;
}

}  // namespace

std::string crockford_encode(byte_view b) {
  std::string out;
  out.reserve((b.size() * 8 + 4) / 5);
  // A big-endian bit stream: bits enter at the bottom of `buffer`, characters leave from the top.
  unsigned buffer = 0;
  int bits = 0;
  for (const byte octet : b) {
    buffer = (buffer << 8) | octet;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(alphabet[(buffer >> bits) & 31u]);
    }
    buffer &= (1u << bits) - 1;  // keep only the bits not yet written (at most 4)
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 31u]);  // zero-padded last group
  return out;
}

std::string group_by_four(std::string_view code) {
  std::string out;
  out.reserve(code.size() + code.size() / 4);
  for (std::size_t i = 0; i < code.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    out.push_back(code[i]);
  }
  return out;
}

result<std::string> normalize_crockford(std::string_view entry, std::size_t length) {
  std::string out;
  out.reserve(length);
  for (const char typed : entry) {
    const int c = canonical(typed);
    if (c < 0) return fail(error::invalid_encoding);
    if (c == 0) continue;
    // Stop early on over-long entries: what a person typed is short, hostile input may not be.
    if (out.size() == length) return fail(error::invalid_encoding);
    out.push_back(static_cast<char>(c));
  }
  if (out.size() != length) return fail(error::invalid_encoding);
  return out;
}

}  // namespace pingyi::crypto
