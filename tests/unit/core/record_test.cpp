// Tests of the chain record codec (DESIGN.md §3.6): every line of the vector chain decodes and
// re-encodes to the same bytes, and hostile lines are refused with the right code and field.
#include "pingyi/core/record.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace pingyi::core {
namespace {

using json = nlohmann::ordered_json;

const json& vectors() {
  static const json v = [] {
    std::ifstream in(std::string(PINGYI_TEST_DATA_DIR).append("/vectors/pingyi-v1.json"));
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
  }();
  return v;
}

std::vector<std::string> chain_lines() {
  std::vector<std::string> out;
  for (const auto& e : vectors()["chain"]) out.push_back(e["line"].get<std::string>());
  return out;
}

// The first vector line of the given type.
std::string line_of(const std::string& type) {
  for (const auto& l : chain_lines()) {
    if (json::parse(l)["type"] == type) return l;
  }
  ADD_FAILURE() << "no " << type << " line in the vectors";
  return {};
}

std::string mutate(const std::string& type, const std::function<void(json&)>& change) {
  json j = json::parse(line_of(type));
  change(j);
  return j.dump(-1, ' ', false);
}

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

const std::string ff32(64, 'f');
const std::string zero32(64, '0');

TEST(RecordCodec, EveryVectorLineDecodesAndReencodesByteIdentically) {
  const auto lines = chain_lines();
  ASSERT_EQ(lines.size(), 40u);
  for (std::size_t seq = 0; seq < lines.size(); ++seq) {
    const auto r = decode(lines[seq]);
    ASSERT_TRUE(r.ok()) << seq << ": " << describe(r.error());
    EXPECT_EQ(r->seq, seq);
    EXPECT_EQ(record_type_name(r->body), json::parse(lines[seq])["type"].get<std::string>());
    EXPECT_EQ(encode(*r), lines[seq]) << seq;
  }
}

TEST(RecordCodec, DecodedBallotHoldsItsFields) {
  const auto r = decode(line_of("ballot"));
  ASSERT_TRUE(r.ok());
  const auto& b = std::get<ballot_body>(r->body);
  const json j = json::parse(line_of("ballot"));
  EXPECT_EQ(b.round, 1u);
  ASSERT_EQ(b.contests.size(), j["contests"].size());
  EXPECT_EQ(b.contests[1].selections[0].ct.alpha.hex(), j["contests"][1]["selections"][0]["alpha"].get<std::string>());
  EXPECT_EQ(b.vk.hex(), j["vk"].get<std::string>());
}

TEST(RecordCodec, CheckOutRoundTrips) {
  record r;
  r.seq = 41;
  r.time = "2028-02-29T23:59:59.999Z";
  r.body = check_out_body{"m03"};
  const std::string line = encode(r);
  EXPECT_EQ(line, std::string(R"({"seq":41,"prev":")").append(zero32).append(
                      R"(","time":"2028-02-29T23:59:59.999Z","type":"check_out","member":"m03"})"));
  const auto back = decode(line);
  ASSERT_TRUE(back.ok()) << describe(back.error());
  EXPECT_EQ(*back, r);
}

TEST(RecordCodec, IdentitySumsAndSharesAreAccepted) {
  const auto closed = mutate("round_closed", [](json& j) {
    j["sums"][0]["options"][0]["alpha"] = zero32;
    j["sums"][0]["options"][0]["beta"] = zero32;
  });
  const auto r = decode(closed);
  ASSERT_TRUE(r.ok()) << describe(r.error());
  EXPECT_TRUE(std::get<round_closed_body>(r->body).sums[0].options[0].alpha.is_identity());
  EXPECT_EQ(encode(*r), closed);

  const auto dec = mutate("decryption", [](json& j) { j["shares"][1]["options"][2]["share"] = zero32; });
  const auto d = decode(dec);
  ASSERT_TRUE(d.ok()) << describe(d.error());
  EXPECT_TRUE(std::get<decryption_body>(d->body).shares[1].options[2].share.is_identity());
}

TEST(RecordCodec, NegativeUndeclaredIsAccepted) {
  const auto line = mutate("result", [](json& j) { j["undeclared"] = -1; });
  const auto r = decode(line);
  ASSERT_TRUE(r.ok()) << describe(r.error());
  EXPECT_EQ(std::get<result_body>(r->body).undeclared, -1);
  EXPECT_EQ(encode(*r), line);
}

TEST(RecordTime, AcceptsRealInstantsOnly) {
  EXPECT_TRUE(is_record_time("2026-11-23T09:00:00.000Z"));
  EXPECT_TRUE(is_record_time("2024-02-29T00:00:00.000Z"));
  EXPECT_FALSE(is_record_time("2025-02-29T00:00:00.000Z"));
  EXPECT_FALSE(is_record_time("2100-02-29T00:00:00.000Z"));
  EXPECT_FALSE(is_record_time("2026-04-31T00:00:00.000Z"));
  EXPECT_FALSE(is_record_time("2026-11-23T24:00:00.000Z"));
  EXPECT_FALSE(is_record_time("2026-11-23T09:60:00.000Z"));
  EXPECT_FALSE(is_record_time("2026-11-23T09:00:60.000Z"));
  EXPECT_FALSE(is_record_time("2026-11-23T09:00:00Z"));
  EXPECT_FALSE(is_record_time("2026-11-23T09:00:00.000+00:00"));
  EXPECT_FALSE(is_record_time("2026-11-23t09:00:00.000z"));
}

struct hostile_case {
  const char* name;
  std::function<std::string()> line;
  error_code code;
  std::string field;
};

std::vector<hostile_case> hostile_cases() {
  using ec = error_code;
  std::vector<hostile_case> v;
  v.push_back({"empty line", [] { return std::string(); }, ec::bad_request, ""});
  v.push_back({"truncated JSON", [] { return line_of("genesis").substr(0, 120); }, ec::bad_request, ""});
  v.push_back({"trailing garbage", [] { return line_of("revealed") + "x"; }, ec::bad_request, ""});
  v.push_back({"not an object", [] { return std::string("[1,2,3]"); }, ec::bad_request, ""});
  v.push_back({"invalid UTF-8", [] { return replace_once(line_of("genesis"), "\"pingyi/1\"", "\"pingyi\xff\""); },
               ec::bad_request, ""});
  v.push_back({"deeply nested junk",
               [] { return std::string(R"({"seq":)").append(100'000, '[').append(100'000, ']').append("}"); },
               ec::bad_request, ""});
  v.push_back({"duplicate top-level key", [] { return replace_once(line_of("revealed"), "\"round\":1}", "\"round\":1,\"round\":2}"); },
               ec::bad_request, "round"});
  v.push_back({"duplicate nested key", [] { return replace_once(line_of("genesis"), "{\"num\":1,", "{\"num\":1,\"num\":1,"); },
               ec::bad_request, "num"});
  v.push_back({"unknown top-level field", [] { return mutate("revealed", [](json& j) { j["extra"] = 1; }); },
               ec::bad_request, "extra"});
  v.push_back({"unknown nested field", [] { return mutate("token", [](json& j) { j["proof"]["x"] = "1"; }); },
               ec::bad_request, "proof.x"});
  v.push_back({"missing body field", [] { return mutate("round_opened", [](json& j) { j.erase("present"); }); },
               ec::bad_request, "present"});
  v.push_back({"missing nested field",
               [] { return mutate("ballot", [](json& j) { j["contests"][1]["selections"][2].erase("beta"); }); },
               ec::bad_request, "contests[1].selections[2].beta"});
  v.push_back({"missing envelope field", [] { return mutate("revealed", [](json& j) { j.erase("time"); }); },
               ec::bad_request, "time"});
  v.push_back({"envelope out of order", [] {
                 json j = json::parse(line_of("revealed"));
                 json k = json::object();
                 k["prev"] = j["prev"];
                 k["seq"] = j["seq"];
                 k["time"] = j["time"];
                 k["type"] = j["type"];
                 k["round"] = j["round"];
                 return k.dump();
               },
               ec::bad_request, "seq"});
  v.push_back({"wrong type: seq as string", [] { return mutate("revealed", [](json& j) { j["seq"] = "25"; }); },
               ec::bad_request, "seq"});
  v.push_back({"wrong type: null round", [] { return mutate("revealed", [](json& j) { j["round"] = nullptr; }); },
               ec::bad_request, "round"});
  v.push_back({"wrong type: members not an array", [] { return mutate("genesis", [](json& j) { j["members"] = "m01"; }); },
               ec::bad_request, "members"});
  v.push_back({"float", [] { return replace_once(line_of("round_opened"), "\"present\":5", "\"present\":5.0"); },
               ec::bad_request, "present"});
  v.push_back({"exponent", [] { return replace_once(line_of("round_opened"), "\"present\":5", "\"present\":5e0"); },
               ec::bad_request, "present"});
  v.push_back({"negative seq", [] { return mutate("revealed", [](json& j) { j["seq"] = -1; }); },
               ec::bad_request, "seq"});
  v.push_back({"huge number", [] { return replace_once(line_of("revealed"), "\"round\":1", "\"round\":123456789012345678901234567890"); },
               ec::bad_request, "round"});
  v.push_back({"round above 32 bits", [] { return mutate("revealed", [](json& j) { j["round"] = 4294967296ull; }); },
               ec::bad_request, "round"});
  v.push_back({"seq above 2^53 - 1", [] { return mutate("revealed", [](json& j) { j["seq"] = 9007199254740992ull; }); },
               ec::bad_request, "seq"});
  v.push_back({"non-canonical point",
               [] { return mutate("ballot", [](json& j) { j["contests"][1]["selections"][0]["alpha"] = ff32; }); },
               ec::invalid_point, "contests[1].selections[0].alpha"});
  v.push_back({"identity alpha",
               [] { return mutate("ballot", [](json& j) { j["contests"][0]["selections"][1]["alpha"] = zero32; }); },
               ec::invalid_point, "contests[0].selections[1].alpha"});
  v.push_back({"identity token N", [] { return mutate("ballot", [](json& j) { j["token"] = zero32; }); },
               ec::invalid_point, "token"});
  v.push_back({"identity blinded", [] { return mutate("token", [](json& j) { j["blinded"] = zero32; }); },
               ec::invalid_point, "blinded"});
  v.push_back({"identity token key", [] { return mutate("genesis", [](json& j) { j["token_key"] = zero32; }); },
               ec::invalid_point, "token_key"});
  v.push_back({"identity election key", [] { return mutate("election_key", [](json& j) { j["key"] = zero32; }); },
               ec::invalid_point, "key"});
  v.push_back({"all-zero device key", [] { return mutate("check_in", [](json& j) { j["device_key"] = zero32; }); },
               ec::invalid_point, "device_key"});
  v.push_back({"non-canonical sum", [] { return mutate("round_closed", [](json& j) { j["sums"][1]["options"][2]["beta"] = ff32; }); },
               ec::invalid_point, "sums[1].options[2].beta"});
  v.push_back({"scalar at least l", [] { return mutate("token", [](json& j) { j["proof"]["c"] = ff32; }); },
               ec::bad_request, "proof.c"});
  v.push_back({"range proof scalar at least l",
               [] { return mutate("ballot", [](json& j) { j["contests"][0]["limit_proof"]["s"][0] = ff32; }); },
               ec::bad_request, "contests[0].limit_proof.s[0]"});
  v.push_back({"range proof lengths differ",
               [] { return mutate("ballot", [](json& j) { j["contests"][0]["selections"][0]["proof"]["s"].erase(0); }); },
               ec::bad_request, "contests[0].selections[0].proof.s"});
  v.push_back({"upper-case hex", [] {
                 return mutate("revealed", [](json& j) {
                   auto p = j["prev"].get<std::string>();
                   for (auto& ch : p) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                   j["prev"] = p;
                 });
               },
               ec::bad_request, "prev"});
  v.push_back({"short hex", [] { return mutate("ballot", [](json& j) { j["vk"] = std::string(62, 'a'); }); },
               ec::bad_request, "vk"});
  v.push_back({"signature of wrong length", [] { return mutate("check_in", [](json& j) { j["sig"] = ff32; }); },
               ec::bad_request, "sig"});
  v.push_back({"bad time format", [] { return mutate("revealed", [](json& j) { j["time"] = "2026-11-23 09:00:37.500Z"; }); },
               ec::bad_request, "time"});
  v.push_back({"impossible date", [] { return mutate("revealed", [](json& j) { j["time"] = "2026-02-30T09:00:37.500Z"; }); },
               ec::bad_request, "time"});
  v.push_back({"unknown type", [] { return mutate("revealed", [](json& j) { j["type"] = "vote"; }); },
               ec::bad_request, "type"});
  v.push_back({"body of another type", [] { return mutate("revealed", [](json& j) { j["type"] = "check_out"; }); },
               ec::bad_request, "member"});
  v.push_back({"empty id", [] { return mutate("check_in", [](json& j) { j["member"] = ""; }); },
               ec::bad_request, "member"});
  v.push_back({"id of 65 bytes", [] { return mutate("token", [](json& j) { j["member"] = std::string(65, 'm'); }); },
               ec::bad_request, "member"});
  v.push_back({"too many contests", [] {
                 return mutate("ballot", [](json& j) {
                   const json c = j["contests"][0];
                   while (j["contests"].size() <= max_contests) j["contests"].push_back(c);
                 });
               },
               ec::bad_request, "contests"});
  v.push_back({"wrong protocol", [] { return mutate("genesis", [](json& j) { j["protocol"] = "pingyi/2"; }); },
               ec::bad_request, "protocol"});
  v.push_back({"unknown round kind", [] { return mutate("round", [](json& j) { j["kind"] = "poll"; }); },
               ec::bad_request, "kind"});
  v.push_back({"contest max above options", [] { return mutate("round", [](json& j) { j["contests"][1]["max"] = 4; }); },
               ec::bad_request, "contests[1].max"});
  v.push_back({"rule field out of range", [] { return mutate("round", [](json& j) { j["rule"]["pass_grades"] = 9; }); },
               ec::bad_request, "rule.pass_grades"});
  v.push_back({"negative grade in result", [] { return mutate("result", [](json& j) { j["contests"][0]["grade"] = -1; }); },
               ec::bad_request, "contests[0].grade"});
  v.push_back({"unknown key in result contest", [] { return mutate("result", [](json& j) { j["contests"][1]["note"] = "x"; }); },
               ec::bad_request, "contests[1].note"});
  v.push_back({"body fields out of order",
               [] { return replace_once(line_of("round_opened"), "\"round\":1,\"present\":5", "\"present\":5,\"round\":1"); },
               ec::bad_request, "present"});
  v.push_back({"nested fields out of order", [] {
                 const std::string line = line_of("token");
                 const std::string key = "\"proof\":{\"c\":\"";
                 const std::string mid = "\",\"s\":\"";
                 const auto at = line.find(key);
                 const std::string c = line.substr(at + key.size(), 64);
                 const std::string s = line.substr(at + key.size() + 64 + mid.size(), 64);
                 return replace_once(line, key + c + mid + s + "\"}", "\"proof\":{\"s\":\"" + s + "\",\"c\":\"" + c + "\"}");
               },
               ec::bad_request, "proof.s"});
  v.push_back({"rule keys out of order",
               [] {
                 return replace_once(line_of("round"), "\"rule\":{\"pass_grades\":2,\"weights\":[100,60,0]}",
                                     "\"rule\":{\"weights\":[100,60,0],\"pass_grades\":2}");
               },
               ec::bad_request, "rule.pass_grades"});
  v.push_back({"adjourned with a body", [] { return mutate("adjourned", [](json& j) { j["round"] = 1; }); },
               ec::bad_request, "round"});
  return v;
}

TEST(RecordCodec, RejectsHostileLinesWithCodeAndField) {
  const auto cases = hostile_cases();
  ASSERT_GE(cases.size(), 25u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string line = c.line();
    result<record> r = record{};
    ASSERT_NO_THROW(r = decode(line));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, c.code) << describe(r.error());
    EXPECT_EQ(r.error().field, c.field) << describe(r.error());
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(RecordCodec, RefusesOversizedLine) {
  const std::string line(max_line_bytes + 1, ' ');
  const auto r = decode(line);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, error_code::payload_too_large);
}

}  // namespace
}  // namespace pingyi::core
