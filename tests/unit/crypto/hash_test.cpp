// Hashing (DESIGN.md §3.1): expand_message_xmd with SHA-512 against RFC 9380 Appendix K.3, the
// oversize-DST rule of RFC 9380 §5.3.3, and the ristretto255 map against RFC 9496 Appendix A.3.
#include "pingyi/crypto/hash.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

class Hash : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }
};

std::string hex_of(const result<bytes>& r) { return r.ok() ? to_hex(*r) : std::string("failed"); }

byte_array<64> wide(const std::string& hex) { return from_hex_fixed<64>(hex).value(); }

// ---- SHA-2 -----------------------------------------------------------------------------------

TEST_F(Hash, ShaTwoKnownAnswers) {
  // FIPS 180-2 Appendix B/C: SHA-256("abc") and SHA-512("abc").
  EXPECT_EQ(to_hex(sha256(as_bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha512(as_bytes("abc"))),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

// ---- RFC 9380 Appendix K.3: expand_message_xmd(SHA-512) -----------------------------------------

struct xmd_vector {
  std::string msg;
  std::size_t len_in_bytes;
  std::string uniform_bytes;
};

std::string repeated(const std::string& prefix, char c, std::size_t n) { return prefix + std::string(n, c); }

std::vector<xmd_vector> rfc9380_k3() {
  const std::string q128 = repeated("q128_", 'q', 128);
  const std::string a512 = repeated("a512_", 'a', 512);
  return {
      {"", 0x20, "6b9a7312411d92f921c6f68ca0b6380730a1a4d982c507211a90964c394179ba"},
      {"abc", 0x20, "0da749f12fbe5483eb066a5f595055679b976e93abe9be6f0f6318bce7aca8dc"},
      {"abcdef0123456789", 0x20, "087e45a86e2939ee8b91100af1583c4938e0f5fc6c9db4b107b83346bc967f58"},
      {q128, 0x20, "7336234ee9983902440f6bc35b348352013becd88938d2afec44311caf8356b3"},
      {a512, 0x20, "57b5f7e766d5be68a6bfe1768e3c2b7f1228b3e4b3134956dd73a59b954c66f4"},
      {"", 0x80,
       "41b037d1734a5f8df225dd8c7de38f851efdb45c372887be655212d07251b921"
       "b052b62eaed99b46f72f2ef4cc96bfaf254ebbbec091e1a3b9e4fb5e5b619d2e"
       "0c5414800a1d882b62bb5cd1778f098b8eb6cb399d5d9d18f5d5842cf5d13d7e"
       "b00a7cff859b605da678b318bd0e65ebff70bec88c753b159a805d2c89c55961"},
      {"abc", 0x80,
       "7f1dddd13c08b543f2e2037b14cefb255b44c83cc397c1786d975653e36a6b11"
       "bdd7732d8b38adb4a0edc26a0cef4bb45217135456e58fbca1703cd6032cb134"
       "7ee720b87972d63fbf232587043ed2901bce7f22610c0419751c065922b48843"
       "1851041310ad659e4b23520e1772ab29dcdeb2002222a363f0c2b1c972b3efe1"},
      {"abcdef0123456789", 0x80,
       "3f721f208e6199fe903545abc26c837ce59ac6fa45733f1baaf0222f8b7acb04"
       "24814fcb5eecf6c1d38f06e9d0a6ccfbf85ae612ab8735dfdf9ce84c372a77c8"
       "f9e1c1e952c3a61b7567dd0693016af51d2745822663d0c2367e3f4f0bed827f"
       "eecc2aaf98c949b5ed0d35c3f1023d64ad1407924288d366ea159f46287e61ac"},
      {q128, 0x80,
       "b799b045a58c8d2b4334cf54b78260b45eec544f9f2fb5bd12fb603eaee70db7"
       "317bf807c406e26373922b7b8920fa29142703dd52bdf280084fb7ef69da78af"
       "df80b3586395b433dc66cde048a258e476a561e9deba7060af40adf30c64249c"
       "a7ddea79806ee5beb9a1422949471d267b21bc88e688e4014087a0b592b695ed"},
      {a512, 0x80,
       "05b0bfef265dcee87654372777b7c44177e2ae4c13a27f103340d9cd11c86cb2"
       "426ffcad5bd964080c2aee97f03be1ca18e30a1f14e27bc11ebbd650f305269c"
       "c9fb1db08bf90bfc79b42a952b46daf810359e7bc36452684784a64952c343c5"
       "2e5124cd1f71d474d5197fefc571a92929c9084ffe1112cf5eea5192ebff330b"},
  };
}

// RFC 4231 §4.2, §4.3 and §4.7 (a key longer than the block size is hashed first).
TEST_F(Hash, HmacSha256MatchesRfc4231) {
  const auto key1 = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b").value();
  EXPECT_EQ(to_hex(hmac_sha256(key1, as_bytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const bytes long_key(131, 0xaa);
  EXPECT_EQ(to_hex(hmac_sha256(long_key, as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_F(Hash, ExpandMessageXmdMatchesRfc9380VectorsForSha512) {
  const std::string dst = "QUUX-V01-CS02-with-expander-SHA512-256";
  const auto vectors = rfc9380_k3();
  ASSERT_EQ(vectors.size(), 10u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.msg.substr(0, 16) + " / " + std::to_string(v.len_in_bytes));
    EXPECT_EQ(hex_of(expand_message_xmd_sha512(as_bytes(v.msg), as_bytes(dst), v.len_in_bytes)), v.uniform_bytes);
  }
}

TEST_F(Hash, ExpandMessageXmdOutputIsNotAPrefixOfALongerOne) {
  // len_in_bytes is hashed into b_0, so 32 bytes are not the first 32 of 128 (K.3 shows it too).
  const std::string dst = "QUUX-V01-CS02-with-expander-SHA512-256";
  const bytes short_out = expand_message_xmd_sha512(as_bytes("abc"), as_bytes(dst), 32).value();
  const bytes long_out = expand_message_xmd_sha512(as_bytes("abc"), as_bytes(dst), 128).value();
  EXPECT_FALSE(std::equal(short_out.begin(), short_out.end(), long_out.begin()));
}

TEST_F(Hash, ExpandMessageXmdRefusesLengthsOutsideOneToTwoFiftyFiveBlocks) {
  const auto dst = as_bytes("QUUX-V01-CS02-with-expander-SHA512-256");
  EXPECT_EQ(expand_message_xmd_sha512(as_bytes("msg"), dst, 0).error().code, error::out_of_range);
  EXPECT_EQ(expand_message_xmd_sha512(as_bytes("msg"), dst, 255 * 64 + 1).error().code, error::out_of_range);
  EXPECT_EQ(expand_message_xmd_sha512(as_bytes("msg"), dst, 65536).error().code, error::out_of_range);
  EXPECT_EQ(expand_message_xmd_sha512(as_bytes("msg"), dst, 255 * 64).value().size(), 255u * 64u);
  EXPECT_EQ(expand_message_xmd_sha512(as_bytes("msg"), dst, 1).value().size(), 1u);
}

// ---- RFC 9380 §5.3.3: a DST longer than 255 bytes ---------------------------------------------
// RFC 9380 publishes long-DST vectors only for SHA-256 (K.2) and SHAKE128 (K.5), none for
// SHA-512, so the rule is checked as the section states it:
// DST = H("H2C-OVERSIZE-DST-" ‖ a_very_long_DST), used in place of the long one.

bytes oversize_dst_of(const std::string& long_dst) {
  const std::string prefixed = "H2C-OVERSIZE-DST-" + long_dst;
  const auto h = sha512(as_bytes(prefixed));
  return bytes(h.begin(), h.end());
}

TEST_F(Hash, LongDstIsReplacedByItsOversizeHash) {
  // The shape of RFC 9380's own long DSTs ("QUUX-V01-CS02-with-expander-SHA256-128-long-DST-111…").
  const std::string long_dst = "QUUX-V01-CS02-with-expander-SHA512-256-long-DST-" + std::string(208, '1');
  ASSERT_GT(long_dst.size(), 255u);
  for (const auto& v : rfc9380_k3()) {
    SCOPED_TRACE(v.msg.substr(0, 16) + " / " + std::to_string(v.len_in_bytes));
    const auto direct = expand_message_xmd_sha512(as_bytes(v.msg), as_bytes(long_dst), v.len_in_bytes);
    const auto hashed = expand_message_xmd_sha512(as_bytes(v.msg), oversize_dst_of(long_dst), v.len_in_bytes);
    EXPECT_EQ(hex_of(direct), hex_of(hashed));
  }
}

TEST_F(Hash, DstOfTwoFiftyFiveBytesIsUsedAsItIsAndTwoFiftySixIsHashed) {
  const std::string at_limit(255, 'd');
  const std::string over_limit(256, 'd');
  const auto msg = as_bytes("abc");
  EXPECT_NE(hex_of(expand_message_xmd_sha512(msg, as_bytes(at_limit), 64)),
            hex_of(expand_message_xmd_sha512(msg, oversize_dst_of(at_limit), 64)));
  EXPECT_EQ(hex_of(expand_message_xmd_sha512(msg, as_bytes(over_limit), 64)),
            hex_of(expand_message_xmd_sha512(msg, oversize_dst_of(over_limit), 64)));
  // Two long DSTs that differ only past byte 255 still give different outputs.
  std::string other = over_limit;
  other.back() = 'e';
  EXPECT_NE(hex_of(expand_message_xmd_sha512(msg, as_bytes(over_limit), 64)),
            hex_of(expand_message_xmd_sha512(msg, as_bytes(other), 64)));
}

// ---- RFC 9496 Appendix A.3: group elements from uniform byte strings -----------------------------

struct map_vector {
  std::string label;  // the input is SHA-512 of this UTF-8 text
  std::string input;
  std::string output;
};

TEST_F(Hash, FromHashMatchesRfc9496Vectors) {
  const std::vector<map_vector> vectors = {
      {"Ristretto is traditionally a short shot of espresso coffee",
       "5d1be09e3d0c82fc538112490e35701979d99e06ca3e2b5b54bffe8b4dc772c1"
       "4d98b696a1bbfb5ca32c436cc61c16563790306c79eaca7705668b47dffe5bb6",
       "3066f82a1a747d45120d1740f14358531a8f04bbffe6a819f86dfe50f44a0a46"},
      {"made with the normal amount of ground coffee but extracted with",
       "f116b34b8f17ceb56e8732a60d913dd10cce47a6d53bee9204be8b44f6678b27"
       "0102a56902e2488c46120e9276cfe54638286b9e4b3cdb470b542d46c2068d38",
       "f26e5b6f7d362d2d2a94c5d0e7602cb4773c95a2e5c31a64f133189fa76ed61b"},
      {"about half the amount of water in the same amount of time",
       "8422e1bbdaab52938b81fd602effb6f89110e1e57208ad12d9ad767e2e25510c"
       "27140775f9337088b982d83d7fcf0b2fa1edffe51952cbe7365e95c86eaf325c",
       "006ccd2a9e6867e6a2c5cea83d3302cc9de128dd2a9a57dd8ee7b9d7ffe02826"},
      {"by using a finer grind.",
       "ac22415129b61427bf464e17baee8db65940c233b98afce8d17c57beeb7876c2"
       "150d15af1cb1fb824bbd14955f2b57d08d388aab431a391cfc33d5bafb5dbbaf",
       "f8f0c87cf237953c5890aec3998169005dae3eca1fbb04548c635953c817f92a"},
      {"This produces a concentrated shot of coffee per volume.",
       "165d697a1ef3d5cf3c38565beefcf88c0f282b8e7dbd28544c483432f1cec767"
       "5debea8ebb4e5fe7d6f6e5db15f15587ac4d4d4a1de7191e0c1ca6664abcc413",
       "ae81e7dedf20a497e10c304a765c1767a42d6e06029758d2d7e8ef7cc4c41179"},
      {"Just pulling a normal shot short will produce a weaker shot",
       "a836e6c9a9ca9f1e8d486273ad56a78c70cf18f0ce10abb1c7172ddd605d7fd2"
       "979854f47ae1ccf204a33102095b4200e5befc0465accc263175485f0e17ea5c",
       "e2705652ff9f5e44d3e841bf1c251cf7dddb77d140870d1ab2ed64f1a9ce8628"},
      {"and is not a Ristretto as some believe.",
       "2cdc11eaeb95daf01189417cdddbf95952993aa9cb9c640eb5058d09702c7462"
       "2c9965a697a3b345ec24ee56335b556e677b30e6f90ac77d781064f866a3c982",
       "80bd07262511cdde4863f8a7434cef696750681cb9510eea557088f76d9e5065"},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.label);
    EXPECT_EQ(to_hex(sha512(as_bytes(v.label))), v.input);
    const point p = point::from_uniform(wide(v.input));
    EXPECT_EQ(p.hex(), v.output);
    EXPECT_TRUE(point::decode_non_identity(p.bytes()).ok());
  }
}

TEST_F(Hash, FromHashMapsRfc9496EdgeInputsToOneElement) {
  // The last four inputs of RFC 9496 A.3 all map to one element: the map clears the top bit of
  // each 32-byte half and reduces it modulo p, and every input here gives the halves 0 and 18.
  const std::vector<std::string> inputs = {
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
      "1200000000000000000000000000000000000000000000000000000000000000",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      "0000000000000000000000000000000000000000000000000000000000000080"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "0000000000000000000000000000000000000000000000000000000000000000"
      "1200000000000000000000000000000000000000000000000000000000000080",
  };
  for (const auto& in : inputs) {
    SCOPED_TRACE(in);
    EXPECT_EQ(point::from_uniform(wide(in)).hex(), "304282791023b73128d277bdcb5c7746ef2eac08dde9f2983379cb8e5ef0517f");
  }
}

// ---- DESIGN.md §3.1 on top of the two ------------------------------------------------------------

TEST_F(Hash, HashToGroupAndScalarUseSixtyFourExpandedBytes) {
  const auto msg = as_bytes("pingyi");
  const auto dst = as_bytes("QUUX-V01-CS02-with-expander-SHA512-256");
  byte_array<64> uniform{};
  const bytes expanded = expand_message_xmd_sha512(msg, dst, 64).value();
  std::copy(expanded.begin(), expanded.end(), uniform.begin());
  EXPECT_EQ(hash_to_group(msg, dst), point::from_uniform(uniform));
  EXPECT_EQ(hash_to_scalar(msg, dst), scalar::reduce(uniform));
  // 64 bytes reduced, not 32: the upper half changes the scalar.
  byte_array<64> low_half = uniform;
  std::fill(low_half.begin() + 32, low_half.end(), 0);
  EXPECT_NE(hash_to_scalar(msg, dst), scalar::reduce(low_half));
}

TEST_F(Hash, ChallengeIsHashToScalarWithPingyiDst) {
  const bytes t = {1, 2, 3};
  EXPECT_EQ(challenge("range", t), hash_to_scalar(t, as_bytes("pingyi-v1-range")));
  EXPECT_NE(challenge("range", t), challenge("decrypt", t));
}

}  // namespace
}  // namespace pingyi::crypto
