// Tests of the server address an observer types for pingyi-verify --url: the forms a venue uses
// are read as meant, and every mistake is refused with a sentence saying what is wrong.
#include "server_url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pingyi::verify {
namespace {

TEST(ServerUrl, ReadsTheFormsAVenueUses) {
  struct good_case {
    std::string text;
    bool tls;
    std::string host;
    std::string port;
    std::string base;
  };
  const std::vector<good_case> cases = {
      {"http://127.0.0.1:8080", false, "127.0.0.1", "8080", ""},
      {"http://192.168.1.10:8080/", false, "192.168.1.10", "8080", ""},
      {"https://pingyi.example.org", true, "pingyi.example.org", "443", ""},
      {"http://pingyi.local", false, "pingyi.local", "80", ""},
      {"https://example.org:8443/pingyi/", true, "example.org", "8443", "/pingyi"},
      {"http://[::1]:9000", false, "::1", "9000", ""},
      {"https://[2001:db8::7]", true, "2001:db8::7", "443", ""},
  };
  for (const auto& c : cases) {
    const auto url = parse_server_url(c.text);
    ASSERT_TRUE(url.ok()) << c.text << ": " << url.error();
    EXPECT_EQ(url->tls, c.tls) << c.text;
    EXPECT_EQ(url->host, c.host) << c.text;
    EXPECT_EQ(url->port, c.port) << c.text;
    EXPECT_EQ(url->base, c.base) << c.text;
  }
  EXPECT_EQ(parse_server_url("http://[::1]:9000/x/")->text(), "http://[::1]:9000/x");
  EXPECT_EQ(parse_server_url("https://example.org")->authority(), "example.org:443");
}

TEST(ServerUrl, RefusesMistakesSayingWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"127.0.0.1:8080", "must begin with http:// or https://"},
      {"ftp://example.org", "must begin with http:// or https://"},
      {"http://", "has no host"},
      {"http://:8080", "has no host"},
      {"http://example.org:80a", "has a port that is not a number"},
      {"http://example.org:0", "has a port outside 1 … 65535"},
      {"http://example.org:70000", "has a port outside 1 … 65535"},
      {"http://user:pw@example.org", "must not hold a user name or password"},
      {"http://example.org/?session=1", "must not hold a query or a fragment"},
      {"http://[::1:8080", "has an IPv6 address without its closing ]"},
      {"http://[::1]8080", "has something other than :port after the IPv6 address"},
      {"http://::1", "has an IPv6 address without [ ] around it"},
      {"http://2001:db8::7:8080", "has an IPv6 address without [ ] around it"},
      {"http://exa mple.org", "has a malformed host"},
  };
  for (const auto& [text, why] : cases) {
    const auto url = parse_server_url(text);
    ASSERT_FALSE(url.ok()) << text;
    EXPECT_EQ(url.error(), why) << text;
  }
}

}  // namespace
}  // namespace pingyi::verify
