// UTF-8 validation (RFC 3629): chain lines are UTF-8 (DESIGN.md §3.6), so the engine refuses a
// request whose text is not, and the store refuses to keep bytes no client could decode.
#pragma once

#include <string_view>

namespace pingyi::core {

// True for well-formed UTF-8: no overlong forms, no surrogates (U+D800…U+DFFF), nothing above
// U+10FFFF, no truncated sequence.
[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace pingyi::core
