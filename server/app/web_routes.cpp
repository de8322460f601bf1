// The web client's hash routes (see web_routes.hpp).
#include "web_routes.hpp"

namespace pingyi::app {

namespace {

std::string page(std::string_view base, std::string_view route) {
  std::string url(base);
  url.append("/#/").append(route);
  return url;
}

std::string session_page(std::string_view base, std::string_view route, std::string_view session) {
  std::string url = page(base, route);
  url.append("?session=").append(session);
  return url;
}

// A query value: RFC 3986 unreserved characters as they are, every other byte (UTF-8 of a
// Chinese member id, say) as %XX, so that URLSearchParams reads back the same id.
std::string query_value(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0x0f]);
    }
  }
  return out;
}

}  // namespace

std::string base_url(bool tls, std::string_view host, std::uint16_t port) {
  std::string shown(host);
  if (shown == "0.0.0.0") shown = "127.0.0.1";
  if (shown == "::") shown = "::1";
  std::string url = tls ? "https://" : "http://";
  if (shown.find(':') != std::string::npos) {
    url.append("[").append(shown).append("]");
  } else {
    url.append(shown);
  }
  url.append(":").append(std::to_string(port));
  return url;
}

std::string chair_url(std::string_view base, std::string_view session) { return session_page(base, "chair", session); }

std::string projector_url(std::string_view base, std::string_view session) {
  return session_page(base, "projector", session);
}

std::string observer_url(std::string_view base, std::string_view session) {
  return session_page(base, "observer", session);
}

std::string secretariat_url(std::string_view base) { return page(base, "secretariat"); }

std::string tablet_url(std::string_view base, std::string_view session, std::string_view member,
                       std::string_view code) {
  std::string url = session_page(base, "tablet", session);
  url.append("&member=").append(query_value(member)).append("&code=").append(code);
  return url;
}

}  // namespace pingyi::app
