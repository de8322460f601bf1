// Count recovery (DESIGN.md §3.4): M = count·G is found for every count in [0, max] and for
// nothing else.
#include "pingyi/crypto/tally.hpp"

#include <gtest/gtest.h>

#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::crypto {
namespace {

class TallyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(init()); }
};

TEST_F(TallyTest, FindsEveryCountUpToMax) {
  const count_table table(300);
  EXPECT_EQ(table.max(), 300u);
  for (std::uint32_t j = 0; j <= 300; ++j) {
    // j·G by scalar multiplication, independently of the table's repeated additions.
    const auto found = table.find(point::mul_base(scalar::from_u64(j)));
    ASSERT_TRUE(found.ok()) << j;
    EXPECT_EQ(*found, j);
  }
}

TEST_F(TallyTest, CountAboveMaxIsNotFound) {
  const count_table table(300);
  const auto found = table.find(point::mul_base(scalar::from_u64(301)));
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, error::not_found);
}

TEST_F(TallyTest, IdentityIsZero) {
  EXPECT_EQ(count_table(300).find(point::identity()).value(), 0u);
  EXPECT_EQ(count_table(0).find(point::identity()).value(), 0u);
}

TEST_F(TallyTest, TableOfZeroHoldsOnlyTheIdentity) {
  const count_table table(0);
  EXPECT_FALSE(table.find(point::generator()).ok());
}

TEST_F(TallyTest, NegativeCountIsNotFound) {
  // −1·G is what a wrong share set can produce; it is not a count.
  const count_table table(300);
  EXPECT_FALSE(table.find(point::identity() - point::generator()).ok());
}

TEST_F(TallyTest, RandomPointIsNotFound) {
  const count_table table(300);
  for (const char* label : {"a", "b", "c", "d"}) {
    const point p = hash_to_group(as_bytes(label), as_bytes("pingyi-v1-test"));
    const auto found = table.find(p);
    ASSERT_FALSE(found.ok()) << label;
    EXPECT_EQ(found.error().code, error::not_found);
  }
}

}  // namespace
}  // namespace pingyi::crypto
