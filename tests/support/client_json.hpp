// What a client sends, as JSON (DESIGN.md §4): a cast ballot for POST …/ballots, proofs, and the
// contests of a session request. Shared by the in-process service tests and the tests of the
// real server over sockets, so that both speak exactly the same requests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::test {

using client_json = nlohmann::ordered_json;

inline client_json scalars_json(const std::vector<crypto::scalar>& v) {
  client_json a = client_json::array();
  for (const auto& s : v) a.push_back(s.hex());
  return a;
}

inline client_json proof_json(const crypto::proof& p) {
  client_json j = client_json::object();
  j["c"] = p.c.hex();
  j["s"] = p.s.hex();
  return j;
}

inline client_json range_proof_json(const crypto::range_proof& p) {
  client_json j = client_json::object();
  j["c"] = scalars_json(p.c);
  j["s"] = scalars_json(p.s);
  return j;
}

// {round, vk, token, contests [{id, selections [{alpha, beta, proof}], limit_proof}], sig}
inline client_json ballot_json(const crypto::ballot& b) {
  client_json j = client_json::object();
  j["round"] = b.round;
  j["vk"] = b.vk.hex();
  j["token"] = b.token.hex();
  client_json contests = client_json::array();
  for (const auto& c : b.contests) {
    client_json contest = client_json::object();
    contest["id"] = c.id;
    client_json selections = client_json::array();
    for (const auto& s : c.selections) {
      client_json sel = client_json::object();
      sel["alpha"] = s.ct.alpha.hex();
      sel["beta"] = s.ct.beta.hex();
      sel["proof"] = range_proof_json(s.proof);
      selections.push_back(std::move(sel));
    }
    contest["selections"] = std::move(selections);
    contest["limit_proof"] = range_proof_json(c.limit_proof);
    contests.push_back(std::move(contest));
  }
  j["contests"] = std::move(contests);
  j["sig"] = b.sig.hex();
  return j;
}

// A round's contest in a session request: {id, title, options, min, max}.
inline client_json contest_json(const char* id, const char* title, std::vector<std::string> options, int min,
                                int max) {
  client_json c = client_json::object();
  c["id"] = id;
  c["title"] = title;
  c["options"] = std::move(options);
  c["min"] = min;
  c["max"] = max;
  return c;
}

}  // namespace pingyi::test
