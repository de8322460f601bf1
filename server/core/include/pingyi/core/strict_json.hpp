// JSON as pingyi reads every input, chain lines and requests alike: nlohmann's parser, with
// duplicate keys refused (nlohmann would silently keep the last) and nesting bounded while
// parsing, so hostile input can neither say one thing twice nor exhaust the stack.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "pingyi/core/error.hpp"

namespace pingyi::core {

// Never throws. Not JSON, or nested deeper than max_depth: BAD_REQUEST with no field; a key twice
// in one object: BAD_REQUEST naming the key; too large to hold: PAYLOAD_TOO_LARGE.
[[nodiscard]] result<nlohmann::ordered_json> parse_strict_json(std::string_view text, std::size_t max_depth);

}  // namespace pingyi::core
