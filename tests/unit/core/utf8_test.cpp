// Tests of UTF-8 validation (RFC 3629 §4): what the chain may hold as text.
#include "pingyi/core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pingyi::core {
namespace {

TEST(Utf8, AcceptsAsciiChineseAndTheLargestCodePoint) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("pingyi/1"));
  EXPECT_TRUE(is_valid_utf8("满意 / 基本满意 / 不满意"));
  EXPECT_TRUE(is_valid_utf8("\xC2\x80"));           // U+0080, the smallest two-byte form
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));       // U+D7FF, just below the surrogates
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));   // U+1F600
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));   // U+10FFFF
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));  // NUL is UTF-8; the store refuses it separately
}

TEST(Utf8, RefusesEachMalformedSequence) {
  for (const char* bad : {
           "\x80",                  // a lone continuation byte
           "\xC0\xAF",              // overlong '/'
           "\xC1\xBF",              // overlong
           "\xE0\x80\xAF",          // overlong three-byte
           "\xF0\x80\x80\xAF",      // overlong four-byte
           "\xED\xA0\x80",          // U+D800, a surrogate
           "\xED\xBF\xBF",          // U+DFFF
           "\xF4\x90\x80\x80",      // U+110000, above the last code point
           "\xF5\x80\x80\x80",      // F5 never starts a sequence
           "\xFF",                  //
           "\xE6\xBB",              // 满 cut short
           "\xE6\xBB\xA1\xE6",      // 满 then a truncated start
           "\xE6\x41\xA1",          // a non-continuation inside a sequence
       }) {
    EXPECT_FALSE(is_valid_utf8(bad)) << "accepted: " << ::testing::PrintToString(std::string(bad));
  }
}

}  // namespace
}  // namespace pingyi::core
