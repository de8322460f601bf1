// The session the crash test's child plays: roster, agenda, and every key, blind and ballot
// choice derived from a fixed seed and what it is for, so that a child started after a kill
// makes the very same requests again (see session_crash_child.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/ed25519.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/random.hpp"

namespace pingyi::store::test::session_plan {

inline constexpr int members = 8;
// Rounds before the child stops adding records (it then only waits to be killed): enough for
// 20+ kills in the middle of every phase even when every run goes on for a while after its
// target (25 rounds, ~560 records, were once used up before the last kill), small enough to
// replay quickly after each one.
inline constexpr std::uint32_t max_rounds = 40;

inline crypto::deterministic_random rng(std::string_view label) {
  return crypto::deterministic_random(
      crypto::sha256(crypto::as_bytes(std::string("pingyi session crash test ").append(label))));
}

inline core::session_setup setup() {
  core::session_setup s;
  s.title = "崩溃测试会议";
  s.committee = "测试委员会";
  s.date = "2026-11-23";
  for (int i = 0; i < members; ++i) {
    const std::string id = std::string("m").append(std::to_string(i + 1));
    s.members.push_back(core::member{id, std::string("委员").append(std::to_string(i + 1)), std::to_string(i + 1)});
  }
  s.quorum = core::quorum{1, 2};
  return s;
}

// Odd rounds rate three departments, even rounds are a motion.
inline core::round_setup round(std::uint32_t n) {
  core::round_setup r;
  r.title = std::string("第").append(std::to_string(n)).append("项");
  if (n % 2 == 1) {
    r.kind = core::round_kind::evaluation;
    for (const char* id : {"d1", "d2", "d3"}) {
      r.contests.push_back(core::round_contest{id, id, {"满意", "基本满意", "不满意"}, 1, 1});
    }
    r.rule = core::default_rule(core::round_kind::evaluation, 3);
  } else {
    r.kind = core::round_kind::motion;
    r.contests.push_back(core::round_contest{"m", "议案", {"赞成", "反对", "弃权"}, 1, 1});
    r.rule = core::default_rule(core::round_kind::motion, 3);
  }
  return r;
}

inline crypto::signing_key device(std::string_view member) {
  auto r = rng(std::string("device ").append(member));
  return crypto::signing_key::generate(r);
}

inline crypto::ballot_choices choices(std::uint32_t round, std::string_view member) {
  const std::size_t contests = round % 2 == 1 ? 3 : 1;
  crypto::ballot_choices c(contests, std::vector<std::uint8_t>(3, 0));
  for (std::size_t k = 0; k < contests; ++k) c[k][(round + k + member.back()) % 3] = 1;
  return c;
}

}  // namespace pingyi::store::test::session_plan
