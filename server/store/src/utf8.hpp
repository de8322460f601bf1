// UTF-8 validation (RFC 3629): the store keeps chain lines, member ids and holders as text, and
// refuses bytes that are not UTF-8 rather than store something no client could decode.
#pragma once

#include <string_view>

namespace pingyi::store::detail {

// True for well-formed UTF-8: no overlong forms, no surrogates (U+D800…U+DFFF), nothing above
// U+10FFFF, no truncated sequence.
[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace pingyi::store::detail
