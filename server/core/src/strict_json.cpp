// Strict JSON parsing: the parser's callback tracks depth and the keys of each open object.
#include "pingyi/core/strict_json.hpp"

#include <functional>
#include <new>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace pingyi::core {
namespace {

using json = nlohmann::ordered_json;

// Unwinds the parser from inside its callback; caught below, never escapes.
struct refused {
  error e;
};

struct parse_guard {
  explicit parse_guard(std::size_t max) : max_depth(max) {}
  std::size_t max_depth;
  std::size_t depth = 0;
  std::vector<std::unordered_set<std::string>> keys;

  bool operator()(int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (++depth > max_depth) throw refused{fail(error_code::bad_request, "", "is nested too deeply")};
        if (event == json::parse_event_t::object_start) keys.emplace_back();
        break;
      case json::parse_event_t::object_end:
        --depth;
        keys.pop_back();
        break;
      case json::parse_event_t::array_end:
        --depth;
        break;
      case json::parse_event_t::key: {
        const auto& k = parsed.get_ref<const std::string&>();
        if (!keys.back().insert(k).second) throw refused{fail(error_code::bad_request, k, "appears twice in one object")};
        break;
      }
      case json::parse_event_t::value:
        break;
    }
    return true;
  }
};

// The parser's message quotes the bytes it last read, which may be anything (a lone surrogate's
// bytes, binary junk): keep printable ASCII and show every other byte as \xNN, so that the error
// is valid UTF-8 wherever it is written (a JSON reply, a report) and never echoes raw input.
std::string printable(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(ch);
    } else {
      out.append("\\x").push_back(hex[c >> 4]);
      out.push_back(hex[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace

result<json> parse_strict_json(std::string_view text, std::size_t max_depth) {
  try {
    parse_guard guard(max_depth);
    return json::parse(text.begin(), text.end(), std::ref(guard));
  } catch (const refused& r) {
    return r.e;
  } catch (const json::exception& e) {
    return fail(error_code::bad_request, "", std::string("not valid JSON: ").append(printable(e.what())));
  } catch (const std::bad_alloc&) {
    return fail(error_code::payload_too_large, "", "too large to parse");
  }
}

}  // namespace pingyi::core
