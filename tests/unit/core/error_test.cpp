// Tests of core's error values (DESIGN.md §4's catalogue): wire codes, field paths, messages.
#include "pingyi/core/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pingyi::core {
namespace {

TEST(CoreError, ToStringGivesTheCatalogueWireCode) {
  EXPECT_EQ(to_string(error_code::bad_request), "BAD_REQUEST");
  EXPECT_EQ(to_string(error_code::quorum_not_met), "QUORUM_NOT_MET");
  EXPECT_EQ(to_string(error_code::duplicate_ciphertext), "DUPLICATE_CIPHERTEXT");
  EXPECT_EQ(to_string(error_code::payload_too_large), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(to_string(error_code::internal), "INTERNAL");
}

TEST(CoreError, NestPrefixesTheFieldWithWhereItWasFound) {
  const error e = fail(error_code::bad_request, "rule.num", "must not exceed den");
  EXPECT_EQ(nest("rounds[3]", e).field, "rounds[3].rule.num");
  EXPECT_EQ(nest("counts", fail(error_code::internal, "[2]", "m")).field, "counts[2]");
  EXPECT_EQ(nest("rule", fail(error_code::bad_request, "", "m")).field, "rule");
  EXPECT_EQ(nest("", e).field, "rule.num");
  EXPECT_EQ(nest("rounds[3]", e).message, "must not exceed den");
}

TEST(CoreError, DescribeNamesTheFieldInTheMessage) {
  EXPECT_EQ(describe(fail(error_code::bad_request, "rule.num", "must not exceed den")),
            "rule.num: must not exceed den");
  EXPECT_EQ(describe(fail(error_code::rate_limited, "", "too many requests")), "too many requests");
}

TEST(CoreError, ResultHoldsEitherAValueOrAnError) {
  const result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  const result<int> bad = fail(error_code::not_found, "session", "no such session");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, error_code::not_found);
  const status fine;
  EXPECT_TRUE(fine.ok());
  const status refused = fail(error_code::forbidden, "", "chair only");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "chair only");
}

}  // namespace
}  // namespace pingyi::core
