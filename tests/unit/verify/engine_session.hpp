// A small session played through core's engine for the follower's tests: five members checked
// in, round 1 opened, three ballots cast and declared, the round closed, counted and revealed,
// the session adjourned. The engine holds the server's keys, so a test can sign any line it
// likes as the server would: a rewritten record is then validly signed, as a dishonest server's
// would be.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pingyi/core/record.hpp"
#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/token.hpp"

namespace pingyi::verify::test {

class engine_session {
 public:
  explicit engine_session(std::uint8_t seed = 7) : rng_(crypto::byte_array<32>{seed}), keys_(core::server_keys::generate(rng_)) {
    core::session_setup setup;
    setup.title = "跟踪测试";
    setup.committee = "测试委员会";
    setup.date = "2026-11-23";
    for (const char* id : {"m01", "m02", "m03", "m04", "m05"}) setup.members.push_back(core::member{id, id, id});
    core::round_setup r;
    r.title = "测评";
    r.kind = core::round_kind::evaluation;
    r.contests = {core::round_contest{"d1", "县教育局", {"满意", "基本满意", "不满意"}, 1, 1}};
    r.rule = core::default_rule(core::round_kind::evaluation, 3);
    auto created = must(core::session_engine::create(setup, {r}, keys_, [this] { return now_ += 1000; }, rng_));
    engine_.emplace(std::move(created.first));
    for (auto& a : created.second) lines_.push_back(a.line);
    keep(must(engine_->seal_election_key()));
    std::map<std::string, crypto::signing_key> devices;
    for (const char* id : {"m01", "m02", "m03", "m04", "m05"}) {
      devices.emplace(id, crypto::signing_key::generate(rng_));
      keep(*must(engine_->check_in(id, devices.at(id).public_key(), crypto::sign_checkin(devices.at(id), id_(), id))));
    }
    keep(must(engine_->open_round(1)));
    for (const char* id : {"m01", "m02", "m03"}) {
      auto ske = crypto::signing_key::generate(rng_);
      auto request = must(crypto::blind_token(id_(), 1, ske.public_key(), rng_));
      auto reply = must(engine_->issue_token(id, 1, request.element,
                                             crypto::sign_token_request(devices.at(id), id_(), 1, request.element)));
      keep(*reply.added);
      const auto n = must(crypto::unblind_token(keys_.token.pk, request, reply.evaluated, reply.proof));
      crypto::ballot_choices choices{{0, 0, 0}};
      choices[0][static_cast<std::size_t>(id[2] - '1')] = 1;
      const auto cast = must(crypto::build_ballot(id_(), 1, ske, n, *engine_->state().election_key,
                                                  engine_->state().rounds[0].specs, choices, rng_));
      keep(*must(engine_->accept_ballot(cast)).added);
      (void)must(engine_->accept_declaration(id, 1, crypto::sign_voted(devices.at(id), id_(), 1)));
    }
    keep(must(engine_->close_round(1)));
    keep(must(engine_->decrypt_round(1)));
    keep(must(engine_->publish_result(1)));
    keep(must(engine_->reveal(1)));
    keep(must(engine_->adjourn()));
  }

  [[nodiscard]] const std::vector<std::string>& lines() const noexcept { return lines_; }
  [[nodiscard]] crypto::session_id id() const { return crypto::line_hash(lines_.front()); }

  // The server's signed head of `line` at `seq`, whatever the line is.
  [[nodiscard]] crypto::signed_head sign(std::uint64_t seq, const std::string& line) const {
    return engine_->sign_head(seq, crypto::line_hash(line));
  }
  [[nodiscard]] std::string sig_hex(std::uint64_t seq, const std::string& line) const { return sign(seq, line).sig.hex(); }

  // The first line of the given type.
  [[nodiscard]] std::size_t first(const std::string& type) const {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (lines_[i].find("\"type\":\"" + type + "\"") != std::string::npos) return i;
    }
    throw std::runtime_error("no " + type + " record");
  }

 private:
  template <class T, class E>
  static T must(crypto::basic_result<T, E> r) {
    if (!r) throw std::runtime_error("a step of the engine session failed");
    return std::move(r).value();
  }
  const crypto::session_id& id_() const { return engine_->id(); }
  void keep(const core::appended& a) { lines_.push_back(a.line); }

  crypto::deterministic_random rng_;
  std::int64_t now_ = 1'795'424'400'000;
  core::server_keys keys_;
  std::optional<core::session_engine> engine_;
  std::vector<std::string> lines_;
};

}  // namespace pingyi::verify::test
