// Tests of pingyi-verify's chain check (issue #6's tamper catalogue): starting from valid chains,
// every class of defect is refused at the record it is in (or, for bytes no proof covers, at the
// next record, whose prev no longer links), with the reason, through the tool's own path (ballots
// verified in parallel, then the fold). The report renders the verdict a person reads.
#include "chain_check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <span>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit_report.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/decryption.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"

namespace pingyi::verify {
namespace {

using json = nlohmann::json;
using core::error_code;

std::vector<std::string> vector_chain() {
  static const std::vector<std::string> lines = [] {
    std::ifstream in(std::string(PINGYI_TEST_DATA_DIR).append("/vectors/pingyi-v1.json"));
    const auto doc = json::parse(in);
    std::vector<std::string> out;
    for (const auto& e : doc["chain"]) out.push_back(e["line"].get<std::string>());
    return out;
  }();
  return lines;
}

template <class T, class E>
T must(crypto::basic_result<T, E> r) {
  if (!r) throw std::runtime_error("a step of the fixture failed");
  return std::move(r).value();
}

class ChainCheck : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::init()); }
};

TEST_F(ChainCheck, VerifiesTheVectorChainWithOneThreadAndWithFour) {
  for (unsigned threads : {1u, 4u}) {
    const auto r = check_chain(vector_chain(), threads);
    EXPECT_FALSE(r.failure.has_value()) << core::describe(r.failure->error);
    EXPECT_EQ(r.state.length, vector_chain().size());
    EXPECT_TRUE(r.state.adjourned);
  }
}

// A flipped hex digit in every string of every record: refused at that record or, when no
// signature or proof covers the string (a title), at the next one, whose prev no longer links.
// Never accepted, never refused later than that.
TEST_F(ChainCheck, RefusesAFlippedDigitInEveryFieldOfEveryRecord) {
  const auto lines = vector_chain();
  int cases = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // Every position that starts a JSON string value holding hex (or text): flip one character
    // inside each string value.
    for (std::size_t pos = lines[i].find(":\""); pos != std::string::npos; pos = lines[i].find(":\"", pos + 1)) {
      std::string bad = lines[i];
      const std::size_t at = pos + 2;
      if (at >= bad.size() || bad[at] == '"') continue;
      char& c = bad[at];
      c = c == '0' ? '1' : (c == '1' ? '0' : (std::isxdigit(static_cast<unsigned char>(c)) ? '0' : c));
      if (bad == lines[i]) continue;
      auto tampered = lines;
      tampered[i] = bad;
      const auto r = check_chain(tampered, 2);
      ++cases;
      ASSERT_TRUE(r.failure.has_value()) << "record " << i << " accepted with a flipped digit at " << at;
      EXPECT_TRUE(r.failure->seq == i || r.failure->seq == i + 1)
          << "record " << i << " flipped at " << at << ": refused only at " << r.failure->seq;
    }
  }
  EXPECT_GT(cases, 300);
}

TEST_F(ChainCheck, RefusesADroppedADuplicatedAndTwoSwappedRecords) {
  const auto lines = vector_chain();
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    auto dropped = lines;
    dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(i));
    auto r = check_chain(dropped, 2);
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->seq, i);
    EXPECT_EQ(r.failure->error.field, "seq");

    auto duplicated = lines;
    duplicated.insert(duplicated.begin() + static_cast<std::ptrdiff_t>(i), lines[i]);
    r = check_chain(duplicated, 2);
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->seq, i + 1);

    auto swapped = lines;
    std::swap(swapped[i], swapped[i + 1]);
    r = check_chain(swapped, 2);
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->seq, i);
  }
}

// A follower verifies a chain in pieces as they arrive: any split, and pieces of one line,
// give the fold, hashes and verdict of the whole.
TEST_F(ChainCheck, ExtendingInPiecesAgreesWithTheWholeChain) {
  const auto lines = vector_chain();
  const auto whole = check_chain(lines, 2);
  ASSERT_FALSE(whole.failure.has_value());
  for (std::size_t k = 0; k <= lines.size(); ++k) {
    auto r = check_chain({lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(k)}, 2);
    extend_chain(r, std::span(lines).subspan(k), 2);
    EXPECT_FALSE(r.failure.has_value()) << "split at " << k << ": " << core::describe(r.failure->error);
    EXPECT_EQ(r.lines, lines.size());
    EXPECT_EQ(r.hashes, whole.hashes);
    EXPECT_EQ(r.state.length, whole.state.length);
    EXPECT_EQ(r.state.head, whole.state.head);
    EXPECT_TRUE(r.state.adjourned);
  }
  chain_result one_by_one;
  for (const auto& l : lines) extend_chain(one_by_one, std::span(&l, 1), 1);
  EXPECT_FALSE(one_by_one.failure.has_value());
  EXPECT_EQ(one_by_one.state.head, whole.state.head);
  EXPECT_EQ(one_by_one.state.rounds.size(), whole.state.rounds.size());
}

// After a failure nothing more is trusted, however the lines arrive.
TEST_F(ChainCheck, ExtendingAFailedChainTrustsNothingMore) {
  auto lines = vector_chain();
  std::size_t ballot = 0;
  for (std::size_t i = 0; i < lines.size() && ballot == 0; ++i) {
    if (lines[i].find("\"type\":\"ballot\"") != std::string::npos) ballot = i;
  }
  ASSERT_GT(ballot, 0u);
  const auto at = lines[ballot].rfind("\"sig\":\"") + 7;
  lines[ballot][at] = lines[ballot][at] == '0' ? '1' : '0';
  const auto whole = check_chain(lines, 2);
  ASSERT_TRUE(whole.failure.has_value());
  EXPECT_EQ(whole.failure->seq, ballot);
  for (std::size_t k : {ballot - 1, ballot, ballot + 1}) {
    auto r = check_chain({lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(k)}, 2);
    extend_chain(r, std::span(lines).subspan(k), 2);
    ASSERT_TRUE(r.failure.has_value()) << "split at " << k;
    EXPECT_EQ(r.failure->seq, ballot);
    EXPECT_EQ(r.failure->error, whole.failure->error);
    EXPECT_EQ(r.state.length, ballot);
    EXPECT_EQ(r.lines, lines.size());
    EXPECT_EQ(r.hashes, whole.hashes);
  }
}

TEST_F(ChainCheck, RefusesAnEmptyLineAndAcceptsCrlfAndNoFinalNewline) {
  auto r = split_lines("a\r\nb\nc");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"a", "b", "c"}));
  auto bad = split_lines("a\n\nb\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "line 2");
}

// A session built through the engine, with the keys at hand, so that each semantic defect can be
// made as a record that is valid in every other respect and appended as the chain's last line.
class Tamper : public ChainCheck {
 protected:
  Tamper() : keys_(core::server_keys::generate(rng_)) {
    core::session_setup setup;
    setup.title = "篡改测试";
    setup.committee = "测试委员会";
    setup.date = "2026-11-23";
    for (const char* id : {"m01", "m02", "m03", "m04", "m05"}) setup.members.push_back(core::member{id, id, id});
    setup.quorum = core::quorum{1, 2};
    core::round_setup r;
    r.title = "测评";
    r.kind = core::round_kind::evaluation;
    r.contests = {core::round_contest{"d1", "县教育局", {"满意", "基本满意", "不满意"}, 1, 1}};
    r.rule = core::default_rule(core::round_kind::evaluation, 3);
    auto created = must(core::session_engine::create(setup, {r, r}, keys_, [this] { return now_ += 1000; }, rng_));
    engine_.emplace(std::move(created.first));
    for (auto& a : created.second) lines_.push_back(a.line);
    keep(must(engine_->seal_election_key()));
    for (const char* id : {"m01", "m02", "m03", "m04"}) {
      devices_.emplace(id, crypto::signing_key::generate(rng_));
      keep(*must(engine_->check_in(id, devices_.at(id).public_key(), crypto::sign_checkin(devices_.at(id), sid(), id))));
    }
    devices_.emplace("m05", crypto::signing_key::generate(rng_));  // never checks in
  }

  const crypto::session_id& sid() { return engine_->id(); }
  void keep(const core::appended& a) { lines_.push_back(a.line); }

  // A record body as the chain's next line, without the engine's checks.
  std::string next_line(core::record_body body) {
    const auto& s = engine_->state();
    return core::encode(core::record{s.length, s.head, s.last_time, std::move(body)});
  }

  struct voter {
    crypto::signing_key ske;
    crypto::point token;
  };
  voter token_for(std::uint32_t round, const std::string& member) {
    auto ske = crypto::signing_key::generate(rng_);
    auto request = must(crypto::blind_token(sid(), round, ske.public_key(), rng_));
    auto reply = must(engine_->issue_token(member, round, request.element,
                                           crypto::sign_token_request(devices_.at(member), sid(), round, request.element)));
    keep(*reply.added);
    return voter{ske, must(crypto::unblind_token(keys_.token.pk, request, reply.evaluated, reply.proof))};
  }
  crypto::ballot cast(std::uint32_t round, const voter& v, std::size_t grade) {
    crypto::ballot_choices choices{{0, 0, 0}};
    choices[0][grade] = 1;
    return must(crypto::build_ballot(sid(), round, v.ske, v.token, *engine_->state().election_key,
                                     engine_->state().rounds[round - 1].specs, choices, rng_));
  }
  void vote(std::uint32_t round, const voter& v, std::size_t grade) {
    keep(*must(engine_->accept_ballot(cast(round, v, grade))).added);
  }
  // Round 1 opened with three ballots cast.
  std::vector<voter> open_and_vote() {
    keep(must(engine_->open_round(1)));
    std::vector<voter> voters;
    for (const char* id : {"m01", "m02", "m03"}) voters.push_back(token_for(1, id));
    for (std::size_t i = 0; i < voters.size(); ++i) vote(1, voters[i], i % 2);
    return voters;
  }

  // The chain with `last` appended must be refused at that line with this code and field, read
  // whole and also as a follower reads it: any prefix checked first, then the rest as an
  // extension (whose keys then come from the fold of the prefix, not from its lines).
  void expect_refused_last(const std::string& last, error_code code, const std::string& field) {
    auto lines = lines_;
    lines.push_back(last);
    const auto r = check_chain(lines, 2);
    ASSERT_TRUE(r.failure.has_value()) << "the defect was accepted";
    EXPECT_EQ(r.failure->seq, lines.size() - 1);
    EXPECT_EQ(core::to_string(r.failure->error.code), core::to_string(code)) << core::describe(r.failure->error);
    EXPECT_EQ(r.failure->error.field, field) << core::describe(r.failure->error);
    // Every split of a small chain; about a dozen, the last lines among them, of a large one.
    const std::size_t stride = std::max<std::size_t>(1, lines.size() / 12);
    for (std::size_t k = lines.size() - 1;; k = k >= stride ? k - stride : 0) {
      auto pieces = check_chain({lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(k)}, 2);
      extend_chain(pieces, std::span(lines).subspan(k), 2);
      ASSERT_TRUE(pieces.failure.has_value()) << "the defect was accepted after a prefix of " << k;
      EXPECT_EQ(pieces.failure->seq, lines.size() - 1) << "prefix of " << k;
      EXPECT_EQ(pieces.failure->error, r.failure->error) << "prefix of " << k;
      if (k == 0) break;
    }
    // …and the chain without it verifies: the fixture itself is sound.
    EXPECT_FALSE(check_chain(lines_, 2).failure.has_value());
  }

  crypto::deterministic_random rng_{crypto::byte_array<32>{42}};
  std::int64_t now_ = 1'795'424'400'000;
  core::server_keys keys_;
  std::optional<core::session_engine> engine_;
  std::map<std::string, crypto::signing_key> devices_;
  std::vector<std::string> lines_;
};

TEST_F(Tamper, TokenForAMemberWhoIsNotPresent) {
  keep(must(engine_->open_round(1)));
  const auto ske = crypto::signing_key::generate(rng_);
  const auto request = must(crypto::blind_token(sid(), 1, ske.public_key(), rng_));
  const auto evaluation = crypto::issue_token(keys_.token, request.element, rng_);
  expect_refused_last(next_line(core::token_body{1, "m05", request.element,
                                                 crypto::sign_token_request(devices_.at("m05"), sid(), 1, request.element),
                                                 evaluation.elements[0], evaluation.dleq}),
                      error_code::forbidden, "member");
}

TEST_F(Tamper, SecondTokenForOneMember) {
  keep(must(engine_->open_round(1)));
  (void)token_for(1, "m01");
  const auto ske = crypto::signing_key::generate(rng_);
  const auto request = must(crypto::blind_token(sid(), 1, ske.public_key(), rng_));
  const auto evaluation = crypto::issue_token(keys_.token, request.element, rng_);
  expect_refused_last(next_line(core::token_body{1, "m01", request.element,
                                                 crypto::sign_token_request(devices_.at("m01"), sid(), 1, request.element),
                                                 evaluation.elements[0], evaluation.dleq}),
                      error_code::already_issued, "member");
}

// The server holds skT and could mint tokens without token records: ballots ≤ tokens stops it.
// The parallel pre-check must use the key apply uses: after a device reset, the new one for a
// token request; for a declaration, the one that signed the member's token request.
TEST_F(Tamper, TokenRequestSignedWithTheKeyADeviceResetReplaced) {
  const auto old_device = devices_.at("m01");
  const auto new_device = crypto::signing_key::generate(rng_);
  keep(*must(engine_->check_in("m01", new_device.public_key(), crypto::sign_checkin(new_device, sid(), "m01"))));
  keep(must(engine_->open_round(1)));
  const auto ske = crypto::signing_key::generate(rng_);
  const auto request = must(crypto::blind_token(sid(), 1, ske.public_key(), rng_));
  const auto evaluation = crypto::issue_token(keys_.token, request.element, rng_);
  expect_refused_last(next_line(core::token_body{1, "m01", request.element,
                                                 crypto::sign_token_request(old_device, sid(), 1, request.element),
                                                 evaluation.elements[0], evaluation.dleq}),
                      error_code::invalid_signature, "request_sig");
}

TEST_F(Tamper, DeclarationSignedWithAKeyFromALaterReset) {
  keep(must(engine_->open_round(1)));
  const auto v = token_for(1, "m01");
  vote(1, v, 0);
  const auto token_device = devices_.at("m01");
  const auto new_device = crypto::signing_key::generate(rng_);
  keep(*must(engine_->check_in("m01", new_device.public_key(), crypto::sign_checkin(new_device, sid(), "m01"))));
  const auto& r = engine_->state().rounds[0];
  const core::round_closed_body closed{1,
                                       engine_->state().present,
                                       1,
                                       1,
                                       {core::declaration{"m01", crypto::sign_voted(new_device, sid(), 1)}},
                                       {core::contest_sums{"d1", r.sums[0]}}};
  expect_refused_last(next_line(closed), error_code::invalid_signature, "voted[0].sig");
  // Signed with the key of the token request, the same declaration is accepted.
  ASSERT_TRUE(must(engine_->accept_declaration("m01", 1, crypto::sign_voted(token_device, sid(), 1))));
  keep(must(engine_->close_round(1)));
  EXPECT_FALSE(check_chain(lines_, 2).failure.has_value());
}

// The declarations of a large round are verified in slices on every core: a bad signature in a
// later slice is found and named exactly as in the first.
TEST_F(Tamper, DeclarationWithABadSignatureInALaterSliceOfALargeRound) {
  core::session_setup setup;
  setup.title = "大会";
  setup.committee = "测试委员会";
  setup.date = "2026-11-23";
  constexpr std::size_t members = 70;  // more than one slice of declarations
  for (std::size_t i = 0; i < members; ++i) {
    const auto id = std::string("m").append(std::to_string(100 + i));
    setup.members.push_back(core::member{id, id, id});
  }
  core::round_setup round;
  round.title = "测评";
  round.kind = core::round_kind::evaluation;
  round.contests = {core::round_contest{"d1", "县教育局", {"满意", "基本满意", "不满意"}, 1, 1}};
  round.rule = core::default_rule(core::round_kind::evaluation, 3);
  auto created = must(core::session_engine::create(setup, {round}, keys_, [this] { return now_ += 1000; }, rng_));
  engine_.emplace(std::move(created.first));
  lines_.clear();
  devices_.clear();
  for (auto& a : created.second) lines_.push_back(a.line);
  keep(must(engine_->seal_election_key()));
  for (const auto& m : setup.members) {
    devices_.emplace(m.id, crypto::signing_key::generate(rng_));
    keep(*must(engine_->check_in(m.id, devices_.at(m.id).public_key(), crypto::sign_checkin(devices_.at(m.id), sid(), m.id))));
  }
  keep(must(engine_->open_round(1)));
  for (const auto& m : setup.members) {
    const auto v = token_for(1, m.id);
    vote(1, v, m.id.back() % 3);
  }
  const auto& r = engine_->state().rounds[0];
  core::round_closed_body closed{1, engine_->state().present, static_cast<std::uint32_t>(r.tokens.size()), r.ballots,
                                 {}, {core::contest_sums{"d1", r.sums[0]}}};
  for (const auto& m : setup.members) closed.voted.push_back(core::declaration{m.id, crypto::sign_voted(devices_.at(m.id), sid(), 1)});
  auto forged = closed;
  forged.voted[66].sig = crypto::sign_voted(devices_.at(setup.members[65].id), sid(), 1);
  expect_refused_last(next_line(forged), error_code::invalid_signature, "voted[66].sig");
  // The honest declarations verify.
  auto lines = lines_;
  lines.push_back(next_line(closed));
  const auto ok = check_chain(lines, 3);
  EXPECT_FALSE(ok.failure.has_value()) << core::describe(ok.failure->error);
  EXPECT_EQ(ok.state.rounds[0].closed->voted.size(), members);
}

TEST_F(Tamper, CheckInSignedForAnotherMember) {
  const auto device = crypto::signing_key::generate(rng_);
  expect_refused_last(next_line(core::check_in_body{"m05", device.public_key(), crypto::sign_checkin(device, sid(), "m04")}),
                      error_code::invalid_signature, "sig");
}

TEST_F(Tamper, BallotWithAMintedTokenBeyondTheTokensIssued) {
  (void)open_and_vote();
  const auto ske = crypto::signing_key::generate(rng_);
  const auto t = crypto::token_point(sid(), 1, ske.public_key());
  const crypto::point n = keys_.token.sk * t;
  const voter minted{ske, n};
  const auto b = cast(1, minted, 0);
  expect_refused_last(
      next_line(core::ballot_body{1, b.vk, b.token, crypto::prove_token(keys_.token, t, n, rng_), b.contests, b.sig}),
      error_code::invalid_token, "token");
}

TEST_F(Tamper, BallotAfterTheRoundClosed) {
  auto voters = open_and_vote();
  const auto late = token_for(1, "m04");
  keep(must(engine_->close_round(1)));
  const auto b = cast(1, late, 2);
  const auto t = crypto::token_point(sid(), 1, b.vk);
  expect_refused_last(
      next_line(core::ballot_body{1, b.vk, b.token, crypto::prove_token(keys_.token, t, b.token, rng_), b.contests, b.sig}),
      error_code::round_not_open, "round");
}

TEST_F(Tamper, SecondBallotWithAUsedVk) {
  auto voters = open_and_vote();
  (void)token_for(1, "m04");  // tokens > ballots, so only the vk stops it
  const auto b = cast(1, voters[0], 2);
  const auto t = crypto::token_point(sid(), 1, b.vk);
  expect_refused_last(
      next_line(core::ballot_body{1, b.vk, b.token, crypto::prove_token(keys_.token, t, b.token, rng_), b.contests, b.sig}),
      error_code::token_spent, "vk");
}

TEST_F(Tamper, ReplayedCiphertextUnderANewToken) {
  auto voters = open_and_vote();
  const auto fresh = token_for(1, "m04");
  auto b = cast(1, fresh, 1);
  const auto earlier = core::decode(lines_[lines_.size() - 2]);  // the third ballot
  ASSERT_TRUE(earlier.ok());
  b.contests[0].selections[0] = std::get<core::ballot_body>(earlier->body).contests[0].selections[0];
  const auto t = crypto::token_point(sid(), 1, b.vk);
  expect_refused_last(
      next_line(core::ballot_body{1, b.vk, b.token, crypto::prove_token(keys_.token, t, b.token, rng_), b.contests, b.sig}),
      error_code::duplicate_ciphertext, "contests[0].selections[0].alpha");
}

TEST_F(Tamper, RoundClosedWithAWrongSum) {
  (void)open_and_vote();
  const auto& r = engine_->state().rounds[0];
  core::round_closed_body closed{1, engine_->state().present, static_cast<std::uint32_t>(r.tokens.size()), r.ballots,
                                 {}, {core::contest_sums{"d1", r.sums[0]}}};
  closed.sums[0].options[2].beta += crypto::point::generator();  // one more 不满意
  expect_refused_last(next_line(closed), error_code::bad_request, "sums[0].options[2]");
}

TEST_F(Tamper, DecryptionWithABadProof) {
  (void)open_and_vote();
  keep(must(engine_->close_round(1)));
  const auto& r = engine_->state().rounds[0];
  core::decryption_body d{1, "server", {}};
  core::contest_shares shares{"d1", {}};
  for (std::uint16_t i = 0; i < 3; ++i) {
    const crypto::share_context ctx{sid(), r.closed_hash, 1, "d1", i, "server"};
    auto share = crypto::make_share(ctx, keys_.trustee, r.sums[0][i].alpha, rng_);
    if (i == 1) share.dleq.s += crypto::scalar::one();
    shares.options.push_back(core::decryption_share{share.share, share.dleq});
  }
  d.shares.push_back(shares);
  expect_refused_last(next_line(d), error_code::invalid_proof, "shares[0].options[1].proof");
}

TEST_F(Tamper, ResultWithAWrongCountOrAWrongGrade) {
  (void)open_and_vote();
  keep(must(engine_->close_round(1)));
  keep(must(engine_->decrypt_round(1)));
  const auto honest = must(engine_->publish_result(1));  // applied to the engine; its line is not kept
  auto body = std::get<core::result_body>(honest.rec.body);
  const auto& e = std::get<core::evaluation_result>(body.contests[0]);

  auto wrong_count = body;
  std::get<core::evaluation_result>(wrong_count.contests[0]).counts = {e.counts[0] + 1, e.counts[1] - 1, e.counts[2]};
  auto wrong_grade = body;
  std::get<core::evaluation_result>(wrong_grade.contests[0]).grade = e.grade == 0u ? 1u : 0u;
  for (const auto& bad : {wrong_count, wrong_grade}) {
    auto lines = lines_;
    lines.push_back(core::encode(core::record{honest.rec.seq, honest.rec.prev, honest.rec.time, bad}));
    const auto r = check_chain(lines, 2);
    ASSERT_TRUE(r.failure.has_value());
    EXPECT_EQ(r.failure->seq, honest.rec.seq);
    EXPECT_EQ(r.failure->error.field, "contests[0]");
  }
  // The honest line verifies.
  auto lines = lines_;
  lines.push_back(honest.line);
  EXPECT_FALSE(check_chain(lines, 2).failure.has_value());
}

TEST_F(Tamper, HeadWithABadSignatureOrOffTheChain) {
  const auto r = check_chain(lines_, 2);
  ASSERT_FALSE(r.failure.has_value());
  const auto good = engine_->head();
  EXPECT_TRUE(check_head(r, good).signature_ok);
  EXPECT_TRUE(check_head(r, good).on_chain);

  auto forged = good;
  auto sig = forged.sig.bytes();
  sig[5] ^= 1;
  forged.sig = crypto::signature(sig);
  EXPECT_FALSE(check_head(r, forged).signature_ok);
  EXPECT_FALSE(all_verified(r, check_head(r, forged), {}));

  // A validly signed head of a record this chain does not have: a fork.
  auto fork = good;
  fork.hash[0] ^= 1;
  fork = engine_->sign_head(fork.seq, fork.hash);
  const auto h = check_head(r, fork);
  EXPECT_TRUE(h.signature_ok);
  EXPECT_FALSE(h.on_chain);
  EXPECT_FALSE(all_verified(r, h, {}));
}

TEST_F(Tamper, ReceiptIsFoundByItsCodeAndByTheFullReceipt) {
  auto voters = open_and_vote();
  const auto r = check_chain(lines_, 2);
  ASSERT_FALSE(r.failure.has_value());
  const std::uint64_t seq = lines_.size() - 1;  // the last ballot
  const auto code = crypto::receipt_code(r.hashes[seq]);
  std::string typed = code;
  for (auto& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto by_code = check_receipt(r, lines_, typed);
  ASSERT_TRUE(by_code.seq.has_value());
  EXPECT_EQ(*by_code.seq, seq);
  EXPECT_EQ(by_code.round, 1u);

  const auto receipt = engine_->sign_head(seq, r.hashes[seq]);
  const json full{{"seq", seq}, {"hash", crypto::to_hex(receipt.hash)}, {"sig", receipt.sig.hex()}};
  EXPECT_TRUE(all_verified(r, std::nullopt, {check_receipt(r, lines_, full.dump())}));
  // A receipt whose signature is not the server's.
  auto bad_sig = receipt.sig.bytes();
  bad_sig[0] ^= 1;
  const json forged{{"seq", seq}, {"hash", crypto::to_hex(receipt.hash)}, {"sig", crypto::to_hex(bad_sig)}};
  EXPECT_FALSE(check_receipt(r, lines_, forged.dump()).signature_ok);
  // The code of a record that is not a ballot, and a code of nothing.
  EXPECT_FALSE(check_receipt(r, lines_, crypto::receipt_code(r.hashes[0])).seq.has_value());
  EXPECT_FALSE(check_receipt(r, lines_, "0000-0000").seq.has_value());
}

TEST_F(Tamper, ReportSaysWhichRecordFailedAndWhy) {
  (void)open_and_vote();
  auto lines = lines_;
  std::string& last = lines.back();  // a ballot: break its signature
  const auto at = last.rfind("\"sig\":\"") + 7;
  last[at] = last[at] == '0' ? '1' : '0';
  const auto r = check_chain(lines, 2);
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->type, "ballot");
  EXPECT_EQ(core::to_string(r.failure->error.code), "INVALID_SIGNATURE");
  const auto zh = render_text(r, std::nullopt, {}, language::zh);
  EXPECT_NE(zh.find("✗ 验证失败：第 " + std::to_string(lines.size() - 1) + " 条记录（ballot）"), std::string::npos) << zh;
  EXPECT_NE(zh.find("INVALID_SIGNATURE"), std::string::npos);
  EXPECT_NE(zh.find("结论：✗"), std::string::npos);
  const auto en = render_text(r, std::nullopt, {}, language::en);
  EXPECT_NE(en.find("verification failed at record"), std::string::npos) << en;
  const auto j = render_json(r, std::nullopt, {});
  EXPECT_FALSE(j["verified"].get<bool>());
  EXPECT_EQ(j["failure"]["code"], "INVALID_SIGNATURE");
  EXPECT_EQ(j["failure"]["seq"], lines.size() - 1);
}

}  // namespace
}  // namespace pingyi::verify
