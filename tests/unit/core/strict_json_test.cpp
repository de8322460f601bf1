// Tests of strict JSON parsing: what every chain line and request is read with.
#include "pingyi/core/strict_json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pingyi/core/utf8.hpp"

namespace pingyi::core {
namespace {

TEST(StrictJson, ParsesAnObjectKeepingItsKeyOrder) {
  auto j = parse_strict_json(R"({"seq":0,"prev":"00","nested":{"a":[1,2,{"b":null}]}})", 8);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->begin().key(), "seq");
  EXPECT_EQ(j->dump(), R"({"seq":0,"prev":"00","nested":{"a":[1,2,{"b":null}]}})");
}

TEST(StrictJson, RefusesAKeyTwiceInOneObjectNamingIt) {
  auto j = parse_strict_json(R"({"round":1,"vk":"a","round":2})", 8);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().code, error_code::bad_request);
  EXPECT_EQ(j.error().field, "round");
  // The same key in two different objects is fine.
  EXPECT_TRUE(parse_strict_json(R"({"a":{"id":1},"b":{"id":2}})", 8).ok());
}

TEST(StrictJson, RefusesNestingDeeperThanTheLimit) {
  const std::string eight = "[[[[[[[[1]]]]]]]]";
  EXPECT_TRUE(parse_strict_json(eight, 8).ok());
  auto deep = parse_strict_json("[" + eight + "]", 8);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().code, error_code::bad_request);
  // A hostile depth that would exhaust a recursive parser's stack is refused the same way.
  auto hostile = parse_strict_json(std::string(100'000, '[') + std::string(100'000, ']'), 8);
  ASSERT_FALSE(hostile.ok());
  EXPECT_EQ(hostile.error().code, error_code::bad_request);
}

TEST(StrictJson, RefusesWhatIsNotJson) {
  for (const char* text : {"", "{", R"({"a":})", R"({"a":1,})", "nul", "{\"a\":\"\x80\"}"}) {
    auto j = parse_strict_json(text, 8);
    ASSERT_FALSE(j.ok()) << text;
    EXPECT_EQ(j.error().code, error_code::bad_request) << text;
    EXPECT_EQ(j.error().field, "") << text;
  }
}

}  // namespace
}  // namespace pingyi::core

namespace pingyi::core {
namespace {

TEST(StrictJson, ErrorMessagesAreValidUtf8WhateverTheInput) {
  // The parser's message quotes what it last read; raw bytes and a lone surrogate must not
  // reach a JSON reply or a report as invalid UTF-8 (nlohmann's dump would throw on them).
  for (const std::string& text : {std::string("{\"a\":\"\xff\xfe\"}"), std::string("{\"a\":\"\\ud800\"}"),
                                 std::string("{\"a\":\"x\xed\xa0\x80y\"}"), std::string("\xc3")}) {
    const auto r = parse_strict_json(text, 8);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, error_code::bad_request);
    EXPECT_TRUE(is_valid_utf8(r.error().message)) << r.error().message;
    EXPECT_NO_THROW((void)nlohmann::json(r.error().message).dump());
  }
}

}  // namespace
}  // namespace pingyi::core
