// Where an observer's pingyi-verify finds the server: the address as a person types it,
// http://host[:port][/base] or https://host[:port][/base], read strictly (no user, query or
// fragment) so that a typing mistake is named instead of guessed at.
#pragma once

#include <string>
#include <string_view>

#include "pingyi/crypto/result.hpp"

namespace pingyi::verify {

struct server_url {
  bool tls = false;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  std::string port;  // "80" / "443" when the URL gives none
  std::string base;  // a path prefix ("" or "/pingyi") for a server behind a reverse proxy

  // host:port as a Host header and messages write it, an IPv6 address in brackets.
  [[nodiscard]] std::string authority() const;
  // The URL again, as the observer would type it.
  [[nodiscard]] std::string text() const;
};

// Fails with a sentence naming what is wrong ("must begin with http:// or https://").
[[nodiscard]] crypto::basic_result<server_url, std::string> parse_server_url(std::string_view text);

}  // namespace pingyi::verify
