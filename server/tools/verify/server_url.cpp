// The server address pingyi-verify is given (server_url.hpp).
#include "server_url.hpp"

namespace pingyi::verify {

std::string server_url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + port;
}

std::string server_url::text() const { return std::string(tls ? "https://" : "http://") + authority() + base; }

crypto::basic_result<server_url, std::string> parse_server_url(std::string_view text) {
  server_url url;
  std::string_view rest;
  if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else if (text.starts_with("https://")) {
    url.tls = true;
    rest = text.substr(8);
  } else {
    return std::string("must begin with http:// or https://");
  }
  const auto slash = rest.find('/');
  std::string_view host_port = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) return std::string("must not hold a query or a fragment");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.base = std::string(path);
  if (host_port.find('@') != std::string_view::npos) return std::string("must not hold a user name or password");

  std::string_view port;
  if (host_port.starts_with("[")) {
    const auto close = host_port.find(']');
    if (close == std::string_view::npos) return std::string("has an IPv6 address without its closing ]");
    url.host = std::string(host_port.substr(1, close - 1));
    const auto after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::string("has something other than :port after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const auto colon = host_port.rfind(':');
    url.host = std::string(host_port.substr(0, colon));
    if (url.host.find(':') != std::string::npos) return std::string("has an IPv6 address without [ ] around it");
    if (colon != std::string_view::npos) port = host_port.substr(colon + 1);
  }
  if (url.host.empty()) return std::string("has no host");
  if (url.host.find_first_of(" \t\r\n/\\") != std::string::npos) return std::string("has a malformed host");
  if (port.empty()) {
    url.port = url.tls ? "443" : "80";
  } else {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return std::string("has a port that is not a number");
    }
    const int n = std::stoi(std::string(port));
    if (n < 1 || n > 65535) return std::string("has a port outside 1 … 65535");
    url.port = std::to_string(n);
  }
  return url;
}

}  // namespace pingyi::verify
