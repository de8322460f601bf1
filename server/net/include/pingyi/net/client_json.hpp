// What a client sends, as JSON (DESIGN.md §4, PROTOCOL.md §4): a cast ballot for POST …/ballots
// and the proofs inside requests. One encoder for every client written in C++ — pingyi-loadgen
// and the tests — so that all of them speak exactly the same requests. The server reads them with
// its own decoders (server/net/src/wire.cpp), which the tests check against this encoder.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/range_proof.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::net {

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

}  // namespace pingyi::net
