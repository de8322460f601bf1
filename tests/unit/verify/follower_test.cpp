// Tests of the follower's decisions (pingyi-verify --follow) on a session the engine played:
// records received one at a time or in batches verify as the file does; a resumed feed must
// repeat the mirror's last record exactly; a record the server signed that contradicts a head it
// signed before is a fork whose evidence checks; a bad signature, a gap, a bad record or another
// session's genesis is a failure naming the record.
#include "follower.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_session.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::verify {
namespace {

using verdict = follower::verdict;

class Follower : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }

  // A follower whose mirror holds the session's first `k` records, with their signed heads.
  follower resumed(std::size_t k) {
    const std::vector<std::string> mirror(s_.lines().begin(), s_.lines().begin() + static_cast<std::ptrdiff_t>(k));
    follower f(check_chain(mirror, 2), mirror, s_.id());
    for (std::size_t i = 0; i < k; ++i) EXPECT_EQ(f.add_stored_head(s_.sign(i, mirror[i])).what, verdict::kind::ok);
    return f;
  }

  verdict push(follower& f, std::size_t seq) { return f.receive(seq, s_.lines()[seq], s_.sig_hex(seq, s_.lines()[seq])); }

  test::engine_session s_;
};

TEST_F(Follower, VerifiesRecordsOneByOneAndInBatchesAsTheFileCheckDoes) {
  for (std::size_t batch : {std::size_t{1}, std::size_t{4}, s_.lines().size()}) {
    follower f(chain_result{}, {}, s_.id());
    for (std::size_t seq = 0; seq < s_.lines().size(); ++seq) {
      ASSERT_EQ(push(f, seq).what, verdict::kind::ok) << seq;
      if ((seq + 1) % batch == 0) {
        ASSERT_EQ(f.flush(2).what, verdict::kind::ok) << seq;
      }
    }
    ASSERT_EQ(f.flush(2).what, verdict::kind::ok);
    EXPECT_TRUE(f.adjourned());
    EXPECT_EQ(f.lines(), s_.lines());
    EXPECT_EQ(f.take_new_lines(), s_.lines());
    const auto heads = f.take_new_heads();
    ASSERT_EQ(heads.size(), s_.lines().size());
    for (std::size_t i = 0; i < heads.size(); ++i) EXPECT_EQ(heads[i], s_.sign(i, s_.lines()[i]));
    EXPECT_TRUE(f.take_new_lines().empty()) << "taken once";
    EXPECT_EQ(f.chain().state.head, check_chain(s_.lines(), 1).state.head);
  }
}

TEST_F(Follower, ResumesFromTheMirrorWhoseLastRecordIsSentAgain) {
  const std::size_t k = s_.first("ballot") + 1;
  follower f = resumed(k);
  EXPECT_FALSE(f.first_line_without_head().has_value());
  EXPECT_EQ(f.resume_from(), k - 1);
  EXPECT_EQ(push(f, k - 1).what, verdict::kind::ok);
  EXPECT_EQ(f.pending(), 0u) << "the record sent again is not kept twice";
  EXPECT_TRUE(f.take_new_heads().empty()) << "nor its head";
  for (std::size_t seq = k; seq < s_.lines().size(); ++seq) ASSERT_EQ(push(f, seq).what, verdict::kind::ok);
  ASSERT_EQ(f.flush(2).what, verdict::kind::ok);
  EXPECT_TRUE(f.adjourned());
  EXPECT_EQ(f.take_new_lines(), std::vector<std::string>(s_.lines().begin() + static_cast<std::ptrdiff_t>(k), s_.lines().end()));
}

TEST_F(Follower, AMirrorLineWithoutItsSignedHeadIsFound) {
  const std::vector<std::string> mirror(s_.lines().begin(), s_.lines().begin() + 6);
  follower f(check_chain(mirror, 2), mirror, s_.id());
  for (std::size_t i = 0; i < 6; ++i) {
    if (i != 3) {
      ASSERT_EQ(f.add_stored_head(s_.sign(i, mirror[i])).what, verdict::kind::ok);
    }
  }
  EXPECT_EQ(f.first_line_without_head(), 3u);
}

TEST_F(Follower, ARecordRewrittenAtASignedSeqIsAForkWithEvidence) {
  const std::size_t k = s_.first("token") + 1;
  follower f = resumed(k);
  std::string rewritten = s_.lines()[k - 1];
  rewritten.replace(rewritten.find("\"time\":\"") + 8, 4, "2030");  // another line at the same seq
  const verdict v = f.receive(k - 1, rewritten, s_.sig_hex(k - 1, rewritten));
  ASSERT_EQ(v.what, verdict::kind::fork);
  ASSERT_TRUE(v.fork.has_value());
  EXPECT_EQ(v.fork->kind, fork_kind::same_seq);
  EXPECT_EQ(v.fork->first.head, s_.sign(k - 1, s_.lines()[k - 1]));
  EXPECT_EQ(v.fork->first.line, s_.lines()[k - 1]);
  EXPECT_EQ(v.fork->second.line, rewritten);
  EXPECT_EQ(v.fork->genesis, s_.lines().front());
  EXPECT_TRUE(check_fork_evidence(*v.fork).ok()) << core::describe(check_fork_evidence(*v.fork).error());
  // The evidence survives its file.
  const auto reread = parse_fork_evidence(to_json(*v.fork).dump(2));
  ASSERT_TRUE(reread.ok());
  EXPECT_TRUE(check_fork_evidence(*reread).ok());
}

TEST_F(Follower, ARecordNotLinkedToTheLastSignedOneIsAForkWithEvidence) {
  const std::size_t k = s_.first("ballot");
  follower f = resumed(k);
  // The real record k, re-linked to another history: the server skipped sending k − 1 again.
  auto rec = core::decode(s_.lines()[k]).value();
  rec.prev[0] ^= 1;
  const std::string relinked = core::encode(rec);
  const verdict v = f.receive(k, relinked, s_.sig_hex(k, relinked));
  ASSERT_EQ(v.what, verdict::kind::fork);
  EXPECT_EQ(v.fork->kind, fork_kind::broken_link);
  EXPECT_EQ(v.fork->first.head.seq, k - 1);
  EXPECT_EQ(v.fork->second.head.seq, k);
  EXPECT_TRUE(check_fork_evidence(*v.fork).ok()) << core::describe(check_fork_evidence(*v.fork).error());
}

TEST_F(Follower, AHeadGivenWithoutItsLineAlsoCountsAsSigned) {
  const std::size_t k = 5;
  follower f = resumed(k);
  std::string other = s_.lines()[k];
  other.replace(other.find("\"time\":\"") + 8, 4, "2031");
  ASSERT_EQ(f.add_head(s_.sign(k, other)).what, verdict::kind::ok);  // GET …/head, ahead of the feed
  const verdict v = push(f, k);
  ASSERT_EQ(v.what, verdict::kind::fork);
  EXPECT_EQ(v.fork->kind, fork_kind::same_seq);
  EXPECT_FALSE(v.fork->first.line.has_value());
  EXPECT_EQ(v.fork->second.line, s_.lines()[k]);
  EXPECT_TRUE(check_fork_evidence(*v.fork).ok());
}

TEST_F(Follower, AStoredHeadThatContradictsTheMirrorIsAFork) {
  const std::size_t k = 6;
  follower f = resumed(k);
  std::string other = s_.lines()[2];
  other.replace(other.find("\"time\":\"") + 8, 4, "2032");
  const verdict v = f.add_stored_head(s_.sign(2, other));
  ASSERT_EQ(v.what, verdict::kind::fork);
  EXPECT_EQ(v.fork->first.line, s_.lines()[2]);
  EXPECT_TRUE(check_fork_evidence(*v.fork).ok());
}

TEST_F(Follower, AStoredHeadTheServerNeverSignedIsAnAlteredMirror) {
  follower f = resumed(4);
  auto forged = s_.sign(2, s_.lines()[2]);
  auto sig = forged.sig.bytes();
  sig[7] ^= 1;
  forged.sig = crypto::signature(sig);
  const verdict v = f.add_stored_head(forged);
  EXPECT_EQ(v.what, verdict::kind::failed);
  EXPECT_NE(v.problem.find("did not sign"), std::string::npos) << v.problem;
}

TEST_F(Follower, ABadSignatureFailsAtItsRecordAfterVerifyingWhatCameBefore) {
  const std::size_t k = s_.first("round_opened");
  follower f = resumed(k);
  ASSERT_EQ(push(f, k).what, verdict::kind::ok);
  std::string sig = s_.sig_hex(k + 1, s_.lines()[k + 1]);
  sig[0] = sig[0] == '0' ? '1' : '0';
  const verdict v = f.receive(k + 1, s_.lines()[k + 1], sig);
  ASSERT_EQ(v.what, verdict::kind::failed);
  ASSERT_TRUE(f.chain().failure.has_value());
  EXPECT_EQ(f.chain().failure->seq, k + 1);
  EXPECT_EQ(f.chain().failure->error.code, core::error_code::invalid_signature);
  EXPECT_EQ(f.chain().failure->error.field, "sig");
  EXPECT_EQ(f.take_new_lines(), std::vector<std::string>{s_.lines()[k]}) << "the record before it verified and is kept";
}

TEST_F(Follower, AGapInTheFeedIsAFailure) {
  follower f = resumed(5);
  const verdict v = push(f, 7);
  ASSERT_EQ(v.what, verdict::kind::failed);
  EXPECT_EQ(f.chain().failure->seq, 5u);
  EXPECT_EQ(f.chain().failure->error.field, "feed");
  EXPECT_NE(f.chain().failure->error.message.find("skipped records 5 … 6"), std::string::npos)
      << f.chain().failure->error.message;
}

TEST_F(Follower, ABadRecordSignedByTheServerFailsWithTheReasonAndKeepsWhatVerified) {
  const std::size_t ballot = s_.first("ballot");
  follower f = resumed(ballot - 1);
  std::string bad = s_.lines()[ballot];
  const auto at = bad.rfind("\"sig\":\"") + 7;
  bad[at] = bad[at] == '0' ? '1' : '0';  // the ballot's own signature
  ASSERT_EQ(push(f, ballot - 1).what, verdict::kind::ok);
  ASSERT_EQ(f.receive(ballot, bad, s_.sig_hex(ballot, bad)).what, verdict::kind::ok) << "signed: it waits for its batch";
  const verdict v = f.flush(2);
  ASSERT_EQ(v.what, verdict::kind::failed);
  EXPECT_EQ(f.chain().failure->seq, ballot);
  EXPECT_EQ(f.chain().failure->type, "ballot");
  EXPECT_EQ(f.chain().failure->error.code, core::error_code::invalid_signature);
  EXPECT_EQ(f.verified(), ballot);
  EXPECT_EQ(f.take_new_heads().size(), 2u) << "both heads are kept, the bad record's too: the server signed it";
  EXPECT_EQ(f.take_new_lines(), std::vector<std::string>{s_.lines()[ballot - 1]}) << "only what verified";
}

TEST_F(Follower, AnotherSessionsGenesisIsRefused) {
  test::engine_session other(8);
  follower f(chain_result{}, {}, s_.id());
  const verdict v = f.receive(0, other.lines()[0], other.sig_hex(0, other.lines()[0]));
  ASSERT_EQ(v.what, verdict::kind::failed);
  EXPECT_EQ(f.chain().failure->seq, 0u);
  EXPECT_NE(f.chain().failure->error.message.find("another session"), std::string::npos);
  EXPECT_EQ(f.verified(), 0u);
}

TEST_F(Follower, AFeedThatDoesNotStartWithTheGenesisIsRefused) {
  follower f(chain_result{}, {}, s_.id());
  const verdict v = push(f, 3);
  ASSERT_EQ(v.what, verdict::kind::failed);
  EXPECT_NE(f.chain().failure->error.message.find("must start with the genesis"), std::string::npos);
}

TEST(Envelope, ReadsSeqAndPrevFromTheFirstFieldsOnly) {
  const std::string prev(64, 'a');
  auto e = envelope_of(R"({"seq":12,"prev":")" + prev + R"(","time":"x"})");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->first, 12u);
  EXPECT_EQ(crypto::to_hex(e->second), prev);
  EXPECT_FALSE(envelope_of(R"({"prev":")" + prev + R"(","seq":12})").has_value());
  EXPECT_FALSE(envelope_of(R"({"seq":,"prev":")" + prev + R"("})").has_value());
  EXPECT_FALSE(envelope_of(R"({"seq":1,"prev":")" + prev.substr(1) + R"("})").has_value());
  EXPECT_FALSE(envelope_of(R"({"seq":1,"prev":")" + std::string(64, 'g') + R"("})").has_value());
  EXPECT_FALSE(envelope_of("").has_value());
}

}  // namespace
}  // namespace pingyi::verify
