// Scalars mod ℓ: canonical decoding (scalar_reduce is not a validity check) and arithmetic.
#include "pingyi/crypto/scalar.hpp"

#include <gtest/gtest.h>

#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

class ScalarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }
};

constexpr const char* order_hex = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
constexpr const char* order_minus_one_hex = "ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

TEST_F(ScalarTest, AcceptsValuesBelowTheGroupOrder) {
  EXPECT_TRUE(scalar::from_hex(std::string(64, '0')).ok());
  auto top = scalar::from_hex(order_minus_one_hex);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(*top + scalar::one(), scalar::zero());
}

TEST_F(ScalarTest, RejectsTheGroupOrderAndAbove) {
  const char* bad[] = {
      order_hex,
      "eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",  // ℓ + 1
      "0000000000000000000000000000000000000000000000000000000000000011",  // > ℓ in the top byte
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      "0000000000000000000000000000000000000000000000000000000000000080",
  };
  for (const char* hex : bad) {
    auto s = scalar::from_hex(hex);
    ASSERT_FALSE(s.ok()) << hex;
    EXPECT_EQ(s.error().code, error::invalid_scalar) << hex;
  }
}

TEST_F(ScalarTest, ReduceIsNotAValidityCheck) {
  // A 64-byte value ≥ ℓ reduces silently; decode of its 32-byte form must refuse it.
  byte_array<64> wide{};
  auto l = from_hex_fixed<32>(order_hex);
  std::copy(l->begin(), l->end(), wide.begin());
  EXPECT_TRUE(scalar::reduce(wide).is_zero());
  EXPECT_FALSE(scalar::decode(*l).ok());
}

TEST_F(ScalarTest, RejectsWrongLength) {
  EXPECT_EQ(scalar::from_hex("00").error().code, error::invalid_encoding);
  const bytes short_input(31, 0);
  EXPECT_EQ(scalar::decode(short_input).error().code, error::invalid_encoding);
}

TEST_F(ScalarTest, NonZeroDecodingRejectsZero) {
  const bytes z(32, 0);
  EXPECT_EQ(scalar::decode_non_zero(z).error().code, error::invalid_scalar);
  EXPECT_FALSE(scalar::zero().invert().ok());
}

TEST_F(ScalarTest, ArithmeticIsThatOfTheField) {
  const scalar a = scalar::from_u64(1234567);
  const scalar b = scalar::from_u64(7654321);
  EXPECT_EQ(a + b, scalar::from_u64(1234567 + 7654321));
  EXPECT_EQ(b - a, scalar::from_u64(7654321 - 1234567));
  EXPECT_EQ(a * b, scalar::from_u64(1234567ull * 7654321ull));
  EXPECT_EQ(a + (-a), scalar::zero());
  EXPECT_EQ(a * *a.invert(), scalar::one());
}

TEST_F(ScalarTest, DeterministicRandomIsReproducibleAndSeedDependent) {
  byte_array<32> seed{};
  seed[0] = 1;
  deterministic_random r1(seed), r2(seed);
  seed[0] = 2;
  deterministic_random r3(seed);
  const scalar a = scalar::random(r1);
  EXPECT_EQ(a, scalar::random(r2));
  EXPECT_NE(a, scalar::random(r3));
  EXPECT_NE(a, scalar::random(r1));  // the next draw differs
  EXPECT_EQ(r1.draws(), 2u);
}

}  // namespace
}  // namespace pingyi::crypto
