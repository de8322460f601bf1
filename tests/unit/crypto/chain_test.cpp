// Chain hashing, signed heads and short codes (DESIGN.md §3.6, §3.4): a line's hash is SHA-256 of
// exactly its bytes, a head's signature holds for nothing but its own session, seq, hash and
// key, and the codes people compare are the leading bytes of a hash in Crockford base32.
#include "pingyi/crypto/chain.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

template <std::size_t N>
byte_array<N> hex_n(std::string_view h) {
  return from_hex_fixed<N>(h).value();
}

session_id test_session() {
  session_id sid{};
  for (std::size_t i = 0; i < sid.size(); ++i) sid[i] = static_cast<byte>(i);  // 00 01 … 1f
  return sid;
}

class ChainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }

  deterministic_random rng_{sha256(as_bytes("pingyi chain tests"))};
  signing_key server_ = signing_key::generate(rng_);
  session_id sid_ = test_session();
};

TEST_F(ChainTest, LineHashIsSha256OfTheLineBytes) {
  // FIPS 180-2, appendix B.1, and the SHA-256 of the empty string.
  EXPECT_EQ(to_hex(line_hash("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(line_hash("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(ChainTest, LineHashExcludesTheTerminatingNewline) {
  // The chain's line "abc" is stored and sent as "abc\n"; its hash is that of "abc". Hashing the
  // newline too gives SHA-256("abc\n"), a different value — the mistake this test would catch.
  const std::string stored = "abc\n";
  const std::string_view line = std::string_view(stored).substr(0, stored.size() - 1);
  EXPECT_EQ(to_hex(line_hash(line)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(line_hash(stored)), "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb");
  EXPECT_NE(line_hash(line), line_hash(stored));
}

TEST_F(ChainTest, LineHashCoversUtf8Bytes) {
  // "评议" is e8 af 84 e8 ae ae in UTF-8: the hash is of those bytes, not of any escaped form.
  const std::string utf8 = "{\"title\":\"\xe8\xaf\x84\xe8\xae\xae\"}";
  const std::string escaped = "{\"title\":\"\\u8bc4\\u8bae\"}";
  EXPECT_EQ(line_hash(utf8), sha256(as_bytes(utf8)));
  EXPECT_NE(line_hash(utf8), line_hash(escaped));
}

TEST_F(ChainTest, GenesisPrevIsThirtyTwoZeroBytes) { EXPECT_EQ(to_hex(genesis_prev), std::string(64, '0')); }

TEST_F(ChainTest, HeadMessageHasTheLayoutOfDesign) {
  // "pingyi-v1-head" ‖ session_id ‖ I2OSP(seq, 8) ‖ hash, with a seq whose bytes all differ so
  // that a little-endian or short encoding would show.
  chain_hash h{};
  h.fill(0xaa);
  const std::string expected = std::string("70696e6779692d76312d68656164") +  // "pingyi-v1-head"
                               "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" + "0102030405060708" +
                               std::string(64, 'a');
  EXPECT_EQ(to_hex(head_message(sid_, 0x0102030405060708ull, h)), expected);
}

TEST_F(ChainTest, SignedHeadVerifies) {
  const chain_hash h = line_hash("{\"seq\":7}");
  const signature sig = sign_head(server_, sid_, 7, h);
  EXPECT_TRUE(verify_head(server_.public_key(), sid_, 7, h, sig).ok());
  // It is an Ed25519 signature of the head message, nothing else.
  EXPECT_TRUE(verify(server_.public_key(), head_message(sid_, 7, h), sig).ok());
}

TEST_F(ChainTest, SignedHeadFailsForAnythingElse) {
  const chain_hash h = line_hash("{\"seq\":7}");
  const signature sig = sign_head(server_, sid_, 7, h);

  struct head_input {
    verify_key key;
    session_id sid;
    std::uint64_t seq;
    chain_hash hash;
    signature sig;
  };
  session_id other_sid = sid_;
  other_sid[31] ^= 1;
  chain_hash other_hash = h;
  other_hash[0] ^= 0x80;
  byte_array<64> flipped = sig.bytes();
  flipped[10] ^= 1;
  const signing_key other_key = signing_key::generate(rng_);

  const struct {
    const char* name;
    head_input input;
  } cases[] = {
      {"another seq", {server_.public_key(), sid_, 8, h, sig}},
      {"seq 2^32 + 7", {server_.public_key(), sid_, (1ull << 32) + 7, h, sig}},
      {"another hash", {server_.public_key(), sid_, 7, other_hash, sig}},
      {"another session", {server_.public_key(), other_sid, 7, h, sig}},
      {"another key", {other_key.public_key(), sid_, 7, h, sig}},
      {"altered signature", {server_.public_key(), sid_, 7, h, signature{flipped}}},
      {"another key's signature", {server_.public_key(), sid_, 7, h, sign_head(other_key, sid_, 7, h)}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const status s = verify_head(c.input.key, c.input.sid, c.input.seq, c.input.hash, c.input.sig);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, error::invalid_signature);
  }
}

TEST_F(ChainTest, ReceiptCodeIsFirstFiveBytesInCrockford) {
  // 01 02 03 04 05 → 04106105 (worked out in crockford_test.cpp), grouped by four.
  auto h = hex_n<32>("0102030405ffffffffffffffffffffffffffffffffffffffffffffffffffffff");
  EXPECT_EQ(receipt_code(h), "0410-6105");
  h[5] = 0x00;  // beyond the first five bytes: no change
  EXPECT_EQ(receipt_code(h), "0410-6105");
  h[4] = 0x04;  // the last bits of byte 4 are the last character
  EXPECT_EQ(receipt_code(h), "0410-6104");
}

TEST_F(ChainTest, ComparisonCodeIsFirstTenBytesInCrockford) {
  // 00 44 32 14 c7 42 54 b6 35 cf encode the first sixteen characters of the alphabet.
  auto h = hex_n<32>("00443214c74254b635cf0000000000000000000000000000000000000000ffff");
  EXPECT_EQ(comparison_code(h), "0123-4567-89AB-CDEF");
  h[10] = 0xff;  // beyond the first ten bytes: no change
  EXPECT_EQ(comparison_code(h), "0123-4567-89AB-CDEF");
  h[9] ^= 0x01;  // 80 bits, the last one included
  EXPECT_EQ(comparison_code(h), "0123-4567-89AB-CDEE");
}

}  // namespace
}  // namespace pingyi::crypto
