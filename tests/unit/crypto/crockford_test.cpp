// Crockford base32 (crockford.hpp): the encoding against values worked out by hand, grouping,
// and the normalisation of what a person types — and what it refuses.
#include "pingyi/crypto/crockford.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pingyi::crypto {
namespace {

bytes hex(std::string_view h) { return from_hex(h).value(); }

struct encoding_case {
  const char* bytes_hex;
  const char* expected;
};

// Each value worked out by hand from the big-endian bit stream, five bits per character, with
// the alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ (values 0–9, then A=10 … H=17, J=18, K=19,
// M=20, N=21, P=22 … T=26, V=27 … Z=31).
const encoding_case encoding_cases[] = {
    // 40 zero bits: eight groups of 00000.
    {"0000000000", "00000000"},
    // 40 one bits: eight groups of 11111 = 31 = Z.
    {"ffffffffff", "ZZZZZZZZ"},
    // 00000001 00000010 00000011 00000100 00000101 regrouped by five:
    // 00000 00100 00001 00000 00110 00001 00000 00101 = 0 4 1 0 6 1 0 5.
    {"0102030405", "04106105"},
    // 10000100 00100001 00001000 01000010 00010000 is 10000 eight times: 16 = G.
    {"8421084210", "GGGGGGGG"},
    // 00000000 01000100 00110010 00010100 11000111 is 00000 00001 00010 … 00111 = 0 … 7; the next
    // three quintets of bytes continue 01000 … 01111, 10000 … 10111, 11000 … 11111: every value
    // 0 … 31 once, in order, so the output is the whole alphabet (no I, L, O or U).
    {"00443214c7"
     "4254b635cf"
     "84653a56d7"
     "c675be77df",
     "0123456789ABCDEFGHJKMNPQRSTVWXYZ"},
    // A partial last group is padded with zero bits: 11111111 → 11111 111(00) = 31 28 = Z W.
    {"ff", "ZW"},
    // 00000001 → 00000 001(00) = 0 4.
    {"01", "04"},
    {"", ""},
};

TEST(CrockfordEncode, MatchesHandComputedValues) {
  for (const auto& c : encoding_cases) {
    SCOPED_TRACE(c.bytes_hex);
    EXPECT_EQ(crockford_encode(hex(c.bytes_hex)), c.expected);
  }
}

TEST(CrockfordEncode, GivesEightCharactersForFiveBytesAndSixteenForTen) {
  EXPECT_EQ(crockford_encode(bytes(5, 0x5a)).size(), 8u);
  EXPECT_EQ(crockford_encode(bytes(10, 0x5a)).size(), 16u);
  EXPECT_EQ(crockford_encode(bytes(20, 0x5a)).size(), 32u);
}

TEST(CrockfordGroups, JoinsGroupsOfFourWithDashes) {
  EXPECT_EQ(group_by_four("ABCDEFGH"), "ABCD-EFGH");
  EXPECT_EQ(group_by_four("0123456789ABCDEFGHJK"), "0123-4567-89AB-CDEF-GHJK");
  EXPECT_EQ(group_by_four("ABCD"), "ABCD");
  EXPECT_EQ(group_by_four("ABCDE"), "ABCD-E");
  EXPECT_EQ(group_by_four(""), "");
}

struct entry_case {
  const char* typed;
  std::size_t length;
  const char* normalized;  // nullptr: refused
};

const entry_case entry_cases[] = {
    {"ABCD-EFGH", 8, "ABCDEFGH"},
    {"abcd-efgh", 8, "ABCDEFGH"},          // lower case upper-cased
    {"AbCd eFgH", 8, "ABCDEFGH"},          // spaces dropped
    {" -AB--CD  EF-GH- ", 8, "ABCDEFGH"},  // any number of separators, anywhere
    {"IiLl-OoO0", 8, "11110000"},          // I and L read as 1, O as 0, in either case
    {"0123-4567-89ab-cdef-ghjk", 20, "0123456789ABCDEFGHJK"},
    {"mnpq-rstv-wxyz", 12, "MNPQRSTVWXYZ"},
    {"ABCD-EFGU", 8, nullptr},  // U is not in the alphabet
    {"abcd-efgu", 8, nullptr},
    {"ABCD-EFG", 8, nullptr},     // too short
    {"ABCD-EFGH-J", 8, nullptr},  // too long
    {"", 8, nullptr},
    {"----", 8, nullptr},
    {"ABCD_EFGH", 8, nullptr},  // only '-' and ' ' are separators
    {"ABCD\tEFGH", 8, nullptr},
    {"ABCD.EFGH", 8, nullptr},
    {"ABCD-EFG\xc3\x89", 8, nullptr},      // É: no letters outside ASCII
    {"ABCD-EFG\xef\xbc\xa1", 8, nullptr},  // a full-width Ａ from a Chinese keyboard
    {"ABCD-EFG*", 8, nullptr},
};

TEST(CrockfordNormalize, AcceptsWhatPeopleTypeAndRefusesEverythingElse) {
  for (const auto& c : entry_cases) {
    SCOPED_TRACE(std::string("\"") + c.typed + "\"");
    const auto n = normalize_crockford(c.typed, c.length);
    if (c.normalized == nullptr) {
      ASSERT_FALSE(n.ok());
      EXPECT_EQ(n.error().code, error::invalid_encoding);
    } else {
      ASSERT_TRUE(n.ok());
      EXPECT_EQ(*n, c.normalized);
    }
  }
}

TEST(CrockfordNormalize, RoundTripsWhatEncodeWrote) {
  const bytes b = hex("00443214c74254b635cf");
  const std::string code = crockford_encode(b);
  const auto back = normalize_crockford(group_by_four(code), code.size());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, code);
}

}  // namespace
}  // namespace pingyi::crypto
