// ristretto255 points: canonical decoding, and every libsodium pitfall of DESIGN.md §3 with a
// test of its own.
#include "pingyi/crypto/point.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

class PointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }
};

byte_array<32> zeros() { return {}; }

TEST_F(PointTest, ZeroScalarBaseMultIsIdentityNotAnError) {
  // libsodium returns −1 for a zero scalar; the wrapper yields the identity.
  byte_array<32> out{};
  EXPECT_EQ(crypto_scalarmult_ristretto255_base(out.data(), zeros().data()), -1);
  EXPECT_TRUE(point::mul_base(scalar::zero()).is_identity());
}

TEST_F(PointTest, ZeroScalarTimesPointIsIdentity) {
  const point p = point::mul_base(scalar::from_u64(7));
  byte_array<32> out{};
  EXPECT_EQ(crypto_scalarmult_ristretto255(out.data(), zeros().data(), p.bytes().data()), -1);
  EXPECT_TRUE((scalar::zero() * p).is_identity());
}

TEST_F(PointTest, ScalarTimesIdentityIsIdentity) {
  // libsodium returns −1 because the result is the identity.
  byte_array<32> out{};
  EXPECT_EQ(crypto_scalarmult_ristretto255(out.data(), scalar::from_u64(5).bytes().data(), zeros().data()), -1);
  EXPECT_TRUE((scalar::from_u64(5) * point::identity()).is_identity());
}

TEST_F(PointTest, IdentityResultOfScalarMultIsIdentity) {
  // ℓ − 1 ≡ −1: (−1)·P + P is the identity, and (ℓ·P computed as (ℓ−1)·P + P) too.
  const point p = point::mul_base(scalar::from_u64(11));
  const point minus_p = (-scalar::one()) * p;
  EXPECT_TRUE((minus_p + p).is_identity());
  EXPECT_TRUE((p - p).is_identity());
}

TEST_F(PointTest, IdentityDecodesExplicitlyWhateverLibsodiumSays) {
  // is_valid_point accepts the identity in 1.0.18 and rejects it later: decode never asks it.
  auto id = point::decode(zeros());
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(id->is_identity());
  EXPECT_EQ(*id, point::identity());
  auto strict = point::decode_non_identity(zeros());
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, error::invalid_point);
}

TEST_F(PointTest, IdentityIsNeutralForAdditionAndSubtraction) {
  const point p = point::mul_base(scalar::from_u64(3));
  EXPECT_EQ(p + point::identity(), p);
  EXPECT_EQ(point::identity() + p, p);
  EXPECT_EQ(p - point::identity(), p);
  EXPECT_EQ(point::identity() - p, (-scalar::one()) * p);
  EXPECT_TRUE((point::identity() + point::identity()).is_identity());
}

TEST_F(PointTest, RejectsNonCanonicalAndInvalidEncodings) {
  // Encodings from the ristretto255 specification's list of bad encodings (RFC 9496 A.2).
  const char* bad[] = {
      // non-canonical field encodings
      "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "f3ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // negative field elements
      "0100000000000000000000000000000000000000000000000000000000000000",
      "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "ed57ffd8c914fb201471d1c3d245ce3c746fcbe63a3679d51b6a516ebebe0e20",
      "c34c4e1826e5d403b78e246e88aa051c36ccf0aafebffe137d148a2bf9104562",
      // non-square x²
      "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
      "4eac077a713c57b4f4397629a4145982c661f48044dd3f96427d40b147d9742f",
      // negative xy value
      "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
      // s = -1, which causes y = 0
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  for (const char* hex : bad) {
    auto p = point::from_hex(hex);
    ASSERT_FALSE(p.ok()) << hex;
    EXPECT_EQ(p.error().code, error::invalid_point) << hex;
  }
}

TEST_F(PointTest, RejectsBit255WhateverLibsodiumSays) {
  // libsodium 1.0.18 ignores bit 255 when decoding; RFC 9496 never sets it. G with the bit set
  // must not decode as G, nor 00…80 as the identity (it is not the identity's encoding).
  auto g = point::generator().bytes();
  g[31] |= 0x80;
  EXPECT_EQ(point::decode(g).error().code, error::invalid_point);
  byte_array<32> disguised_identity{};
  disguised_identity[31] = 0x80;
  EXPECT_EQ(point::decode(disguised_identity).error().code, error::invalid_point);
  EXPECT_EQ(point::decode_non_identity(disguised_identity).error().code, error::invalid_point);
}

TEST_F(PointTest, RejectsWrongLengthAndNonHex) {
  EXPECT_EQ(point::from_hex("00").error().code, error::invalid_encoding);
  EXPECT_EQ(point::from_hex(std::string(64, 'g')).error().code, error::invalid_encoding);
  const bytes long_input(33, 0);
  EXPECT_EQ(point::decode(long_input).error().code, error::invalid_encoding);
}

TEST_F(PointTest, GeneratorMatchesTheStandardEncoding) {
  // RFC 9496 A.1: multiples of the generator.
  EXPECT_EQ(point::generator().hex(), "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76");
  EXPECT_EQ(point::mul_base(scalar::from_u64(2)).hex(),
            "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919");
  EXPECT_EQ((point::generator() + point::generator()).hex(),
            "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919");
}

TEST_F(PointTest, ScalarMultiplicationDistributes) {
  const scalar a = scalar::from_u64(123456789);
  const scalar b = scalar::from_u64(987654321);
  const point g = point::generator();
  EXPECT_EQ(point::mul_base(a + b), a * g + b * g);
  EXPECT_EQ(point::mul_base(a * b), a * (b * g));
  EXPECT_EQ(point::mul_base(a - b), a * g - b * g);
}

}  // namespace
}  // namespace pingyi::crypto
