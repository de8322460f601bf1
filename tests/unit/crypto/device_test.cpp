// The tablet's device-key signatures (DESIGN.md §2, §3.2, §3.6): the exact bytes of each signed
// message, and that each signature holds only for its own member, round, session, key and
// blinded element.
#include "pingyi/crypto/device.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

// RFC 8032 §7.1, TEST 1: a device key whose public half is published, so the hex below is
// checkable by anyone.
constexpr const char* rfc8032_seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr const char* rfc8032_public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
// The ristretto255 generator (RFC 9496 §4.4), standing in for a blinded element B.
constexpr const char* generator_hex = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76";
constexpr const char* session_hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
// Round 258 = 0x00000102: a little-endian or two-byte encoding would not give 00000102.
constexpr std::uint32_t test_round = 258;
// In UTF-8 (the source file's and the execution character set): 委 U+59D4 = e5 a7 94,
// 员 U+5458 = e5 91 98, then '0' '1' = 30 31; 8 bytes.
constexpr const char* chinese_member = "委员01";

class DeviceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }

  signing_key device_ = signing_key::from_seed(from_hex_fixed<32>(rfc8032_seed).value());
  session_id sid_ = from_hex_fixed<32>(session_hex).value();
  point blinded_ = point::from_hex(generator_hex).value();
  deterministic_random rng_{sha256(as_bytes("pingyi device tests"))};
  signing_key other_device_ = signing_key::generate(rng_);

  session_id other_session() const {
    session_id s = sid_;
    s[0] ^= 0x01;
    return s;
  }
};

TEST_F(DeviceTest, FixedKeyIsTheRfc8032Key) { EXPECT_EQ(device_.public_key().hex(), rfc8032_public); }

TEST_F(DeviceTest, CheckinMessageHasTheLayoutOfDesign) {
  // "pingyi-v1-checkin" ‖ session_id ‖ lp(member) ‖ device_key
  const std::string expected =
      std::string("70696e6779692d76312d636865636b696e") + session_hex + "0008" + "e5a794e591983031" + rfc8032_public;
  EXPECT_EQ(to_hex(checkin_message(sid_, chinese_member, device_.public_key())), expected);
}

TEST_F(DeviceTest, TokenRequestMessageHasTheLayoutOfDesign) {
  // "pingyi-v1-token-request" ‖ session_id ‖ I2OSP(round, 4) ‖ B
  ASSERT_EQ(blinded_, point::generator());
  const std::string expected =
      std::string("70696e6779692d76312d746f6b656e2d72657175657374") + session_hex + "00000102" + generator_hex;
  EXPECT_EQ(to_hex(token_request_message(sid_, test_round, blinded_)), expected);
}

TEST_F(DeviceTest, VotedMessageHasTheLayoutOfDesign) {
  // "pingyi-v1-voted" ‖ session_id ‖ I2OSP(round, 4)
  const std::string expected = std::string("70696e6779692d76312d766f746564") + session_hex + "00000102";
  EXPECT_EQ(to_hex(voted_message(sid_, test_round)), expected);
}

TEST_F(DeviceTest, CheckinVerifies) {
  const signature sig = sign_checkin(device_, sid_, chinese_member);
  EXPECT_TRUE(verify_checkin(device_.public_key(), sid_, chinese_member, sig).ok());
  // The signature is over the message with the signer's own public key in it.
  EXPECT_TRUE(verify(device_.public_key(), checkin_message(sid_, chinese_member, device_.public_key()), sig).ok());
}

TEST_F(DeviceTest, CheckinFailsForAnotherMemberSessionOrKey) {
  const signature sig = sign_checkin(device_, sid_, chinese_member);
  const struct {
    const char* name;
    verify_key key;
    session_id sid;
    std::string member;
  } cases[] = {
      {"another member", device_.public_key(), sid_, "委员02"},
      {"member id with a trailing byte", device_.public_key(), sid_, std::string(chinese_member) + " "},
      {"member id one byte short", device_.public_key(), sid_, "委员0"},
      {"another session", device_.public_key(), other_session(), chinese_member},
      {"another key", other_device_.public_key(), sid_, chinese_member},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const status s = verify_checkin(c.key, c.sid, c.member, sig);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, error::invalid_signature);
  }
}

TEST_F(DeviceTest, CheckinRefusesMemberIdTooLongToLengthPrefix) {
  // lp() holds lengths below 65,536: a longer id would alias a shorter one, so it never verifies.
  const std::string huge(0x10000, 'm');
  const signature sig = sign_checkin(device_, sid_, huge);
  const status s = verify_checkin(device_.public_key(), sid_, huge, sig);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, error::out_of_range);
  EXPECT_EQ(s.error().field, "member");
  // The longest encodable id still works.
  const std::string longest(0xFFFF, 'm');
  EXPECT_TRUE(verify_checkin(device_.public_key(), sid_, longest, sign_checkin(device_, sid_, longest)).ok());
}

TEST_F(DeviceTest, TokenRequestVerifies) {
  const signature sig = sign_token_request(device_, sid_, test_round, blinded_);
  EXPECT_TRUE(verify_token_request(device_.public_key(), sid_, test_round, blinded_, sig).ok());
}

TEST_F(DeviceTest, TokenRequestFailsForAnotherRoundSessionKeyOrBlindedElement) {
  const signature sig = sign_token_request(device_, sid_, test_round, blinded_);
  const point other_blinded = point::mul_base(scalar::from_u64(2));
  const struct {
    const char* name;
    verify_key key;
    session_id sid;
    std::uint32_t round;
    point blinded;
  } cases[] = {
      {"another round", device_.public_key(), sid_, test_round + 1, blinded_},
      {"round with swapped bytes", device_.public_key(), sid_, 0x02010000, blinded_},
      {"another session", device_.public_key(), other_session(), test_round, blinded_},
      {"another key", other_device_.public_key(), sid_, test_round, blinded_},
      {"another blinded element", device_.public_key(), sid_, test_round, other_blinded},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const status s = verify_token_request(c.key, c.sid, c.round, c.blinded, sig);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, error::invalid_signature);
  }
}

TEST_F(DeviceTest, VotedVerifies) {
  const signature sig = sign_voted(device_, sid_, test_round);
  EXPECT_TRUE(verify_voted(device_.public_key(), sid_, test_round, sig).ok());
}

TEST_F(DeviceTest, VotedFailsForAnotherRoundSessionOrKey) {
  const signature sig = sign_voted(device_, sid_, test_round);
  const struct {
    const char* name;
    verify_key key;
    session_id sid;
    std::uint32_t round;
  } cases[] = {
      {"another round", device_.public_key(), sid_, test_round - 1},
      {"another session", device_.public_key(), other_session(), test_round},
      {"another key", other_device_.public_key(), sid_, test_round},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const status s = verify_voted(c.key, c.sid, c.round, sig);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, error::invalid_signature);
  }
}

TEST_F(DeviceTest, SignatureForOnePurposeIsUselessForAnother) {
  // The domain tags keep the three messages apart: the server cannot turn a declaration into a
  // token request or a check-in, nor the reverse.
  const signature voted = sign_voted(device_, sid_, test_round);
  const signature request = sign_token_request(device_, sid_, test_round, blinded_);
  const signature checkin = sign_checkin(device_, sid_, chinese_member);
  EXPECT_FALSE(verify_token_request(device_.public_key(), sid_, test_round, blinded_, voted).ok());
  EXPECT_FALSE(verify_checkin(device_.public_key(), sid_, chinese_member, voted).ok());
  EXPECT_FALSE(verify_voted(device_.public_key(), sid_, test_round, request).ok());
  EXPECT_FALSE(verify_voted(device_.public_key(), sid_, test_round, checkin).ok());
}

}  // namespace
}  // namespace pingyi::crypto
