// Tests of the credentials (server/net/src/credentials.hpp): printed codes, keyed hashes, derived
// device secrets, the admin token check, and session keys in the secrets file.
#include "credentials.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "../store/temp_directory.hpp"
#include "pingyi/crypto/crockford.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::net {
namespace {

class Credentials : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }

  credentials creds_{store::secret::generate(32)};
  crypto::session_id sid_ = [] {
    crypto::session_id s{};
    s.fill(3);
    return s;
  }();
};

TEST_F(Credentials, CodesAreTwelveCrockfordCharactersShownInGroupsOfFour) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string code = generate_code(crypto::os_random());
    ASSERT_EQ(code.size(), code_length);
    // Already canonical: what a person types back normalises to it.
    const std::string shown = format_code(code);
    EXPECT_EQ(shown.size(), 14u);
    EXPECT_EQ(crypto::normalize_crockford(shown, code_length).value(), code);
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST_F(Credentials, HashesDependOnKindSessionCodeAndKey) {
  using store::credential_kind;
  const auto h = creds_.hash(credential_kind::checkin_code, sid_, "ABCDEFGHJKMN");
  EXPECT_EQ(h, creds_.hash(credential_kind::checkin_code, sid_, "ABCDEFGHJKMN"));
  EXPECT_NE(h, creds_.hash(credential_kind::chair_code, sid_, "ABCDEFGHJKMN"));
  EXPECT_NE(h, creds_.hash(credential_kind::checkin_code, sid_, "ABCDEFGHJKMP"));
  crypto::session_id other = sid_;
  other[31] ^= 1;
  EXPECT_NE(h, creds_.hash(credential_kind::checkin_code, other, "ABCDEFGHJKMN"));
  const credentials another_key{store::secret::generate(32)};
  EXPECT_NE(h, another_key.hash(credential_kind::checkin_code, sid_, "ABCDEFGHJKMN"));
}

TEST_F(Credentials, DeviceSecretsAreDerivedFromMemberDeviceAndCheckIn) {
  const auto device = crypto::signing_key::generate(crypto::os_random()).public_key();
  const auto s = creds_.derive_device_secret(sid_, "m01", device, 7);
  EXPECT_EQ(s, creds_.derive_device_secret(sid_, "m01", device, 7));  // a repeated hello: the same
  EXPECT_NE(s, creds_.derive_device_secret(sid_, "m01", device, 8));  // a later check_in: rotated
  EXPECT_NE(s, creds_.derive_device_secret(sid_, "m02", device, 7));
  EXPECT_NE(
      s, creds_.derive_device_secret(sid_, "m01", crypto::signing_key::generate(crypto::os_random()).public_key(), 7));
}

TEST_F(Credentials, AdminTokenMatchesOnlyItself) {
  EXPECT_TRUE(admin_token_matches("secret-token", "secret-token"));
  EXPECT_FALSE(admin_token_matches("secret-token", "secret-tokeN"));
  EXPECT_FALSE(admin_token_matches("secret-token", "secret-token "));
  EXPECT_FALSE(admin_token_matches("secret-token", ""));
  EXPECT_FALSE(admin_token_matches("", ""));  // no token configured: nothing matches
}

TEST_F(Credentials, SessionKeysRoundTripThroughTheSecretsFileAndMissingOnesAreNamed) {
  store::test::temp_directory dir;
  const auto path = dir / "secrets";
  auto key = load_credential_key(path, crypto::os_random());
  ASSERT_TRUE(key.ok()) << store::describe(key.error());
  // The second start reads the same key.
  auto again = load_credential_key(path, crypto::os_random());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(std::equal(key->bytes().begin(), key->bytes().end(), again->bytes().begin(), again->bytes().end()));

  const auto keys = core::server_keys::generate(crypto::os_random());
  ASSERT_TRUE(write_session_keys(path, sid_, keys));
  const auto file = store::read_secrets_file(path).value();
  const auto read = read_session_keys(file, sid_);
  ASSERT_TRUE(read.ok()) << store::describe(read.error());
  EXPECT_EQ(read->signing.public_key(), keys.signing.public_key());
  EXPECT_EQ(read->token.pk, keys.token.pk);
  EXPECT_EQ(read->trustee.key, keys.trustee.key);

  crypto::session_id other = sid_;
  other[0] ^= 1;
  const auto missing = read_session_keys(file, other);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(session_secret_name(other, "signing_key")), std::string::npos);
}

}  // namespace
}  // namespace pingyi::net
