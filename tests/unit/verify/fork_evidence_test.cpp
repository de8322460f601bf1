// Tests of fork evidence: what a follower writes checks anywhere, and evidence that proves no
// contradiction, or whose signatures are not the server's, is refused naming what fails.
#include "fork_evidence.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "engine_session.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::verify {
namespace {

class ForkEvidence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }

  // Record `seq` as the mirror holds it, and another line signed at the same seq.
  fork_evidence same_seq(std::size_t seq) {
    std::string other = s_.lines()[seq];
    other.replace(other.find("\"time\":\"") + 8, 4, "2030");
    return fork_evidence{fork_kind::same_seq, s_.lines()[0], signed_record{s_.sign(seq, s_.lines()[seq]), s_.lines()[seq]},
                         signed_record{s_.sign(seq, other), other}};
  }
  // Record `seq`, then a record seq + 1 linked to something else.
  fork_evidence broken_link(std::size_t seq) {
    auto rec = core::decode(s_.lines()[seq + 1]).value();
    rec.prev[31] ^= 1;
    const std::string relinked = core::encode(rec);
    return fork_evidence{fork_kind::broken_link, s_.lines()[0],
                         signed_record{s_.sign(seq, s_.lines()[seq]), s_.lines()[seq]},
                         signed_record{s_.sign(seq + 1, relinked), relinked}};
  }

  static std::string field_of(const fork_evidence& e) {
    const auto st = check_fork_evidence(e);
    return st ? std::string("(holds)") : st.error().field;
  }

  test::engine_session s_;
};

TEST_F(ForkEvidence, BothKindsCheckAndSurviveTheirFile) {
  for (const auto& e : {same_seq(4), broken_link(6)}) {
    EXPECT_TRUE(check_fork_evidence(e).ok()) << core::describe(check_fork_evidence(e).error());
    const auto text = to_json(e).dump(2);
    const auto back = parse_fork_evidence(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(back->kind, e.kind);
    EXPECT_EQ(back->first.head, e.first.head);
    EXPECT_EQ(back->second.line, e.second.line);
    EXPECT_TRUE(check_fork_evidence(*back).ok());
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["session"], crypto::to_hex(s_.id()));
    EXPECT_NE(j["explanation"]["zh"].get<std::string>().find("服务器"), std::string::npos);
  }
}

// Each way evidence can fail to prove anything, and the field named.
TEST_F(ForkEvidence, RefusesEvidenceThatProvesNothing) {
  struct bad_case {
    const char* name;
    std::function<fork_evidence()> make;
    std::string field;
  };
  const auto flip_sig = [](signed_record& r) {
    auto b = r.head.sig.bytes();
    b[3] ^= 1;
    r.head.sig = crypto::signature(b);
  };
  const std::vector<bad_case> cases = {
      {"the same head twice",
       [&] {
         auto e = same_seq(4);
         e.second = e.first;
         return e;
       },
       "second.hash"},
      {"heads of two seqs called the same seq",
       [&] {
         auto e = same_seq(4);
         e.second = signed_record{s_.sign(5, s_.lines()[5]), s_.lines()[5]};
         return e;
       },
       "second.seq"},
      {"a first signature that is not the server's",
       [&] {
         auto e = same_seq(4);
         flip_sig(e.first);
         return e;
       },
       "first.sig"},
      {"a second signature that is not the server's",
       [&] {
         auto e = broken_link(6);
         flip_sig(e.second);
         return e;
       },
       "second.sig"},
      {"a line that is not the one signed",
       [&] {
         auto e = same_seq(4);
         e.first.line = s_.lines()[3];
         return e;
       },
       "first.line"},
      {"another genesis (another session: the signatures no longer verify)",
       [&] {
         auto e = same_seq(4);
         e.genesis = test::engine_session(9).lines()[0];
         return e;
       },
       "first.sig"},
      {"a genesis that is not one",
       [&] {
         auto e = same_seq(4);
         e.genesis = s_.lines()[1];
         return e;
       },
       "genesis"},
      {"a link that is in fact unbroken",
       [&] {
         auto e = broken_link(6);
         e.second = signed_record{s_.sign(7, s_.lines()[7]), s_.lines()[7]};
         return e;
       },
       "second.line"},
      {"a broken link without the second line",
       [&] {
         auto e = broken_link(6);
         e.second.line.reset();
         return e;
       },
       "second.line"},
      {"a broken link between records that do not follow each other",
       [&] {
         auto e = broken_link(6);
         e.first = signed_record{s_.sign(5, s_.lines()[5]), s_.lines()[5]};
         return e;
       },
       "second.seq"},
  };
  for (const auto& c : cases) EXPECT_EQ(field_of(c.make()), c.field) << c.name;
}

TEST_F(ForkEvidence, RefusesFilesThatAreNotEvidence) {
  EXPECT_FALSE(parse_fork_evidence("not json").ok());
  auto j = to_json(same_seq(4));
  j["format"] = "something else";
  EXPECT_EQ(parse_fork_evidence(j.dump()).error().field, "format");
  j = to_json(same_seq(4));
  j["kind"] = "maybe";
  EXPECT_EQ(parse_fork_evidence(j.dump()).error().field, "kind");
  j = to_json(same_seq(4));
  j["second"]["sig"] = "00";
  EXPECT_EQ(parse_fork_evidence(j.dump()).error().field, "second.sig");
  j = to_json(same_seq(4));
  j.erase("first");
  EXPECT_EQ(parse_fork_evidence(j.dump()).error().field, "first");
}

}  // namespace
}  // namespace pingyi::verify
