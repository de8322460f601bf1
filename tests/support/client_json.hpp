// What a test client sends, as JSON (DESIGN.md §4): the ballot and proof encoders of
// pingyi/net/client_json.hpp (which pingyi-loadgen uses too), and the contests of a session
// request. Shared by the in-process service tests and the tests of the real server over sockets,
// so that both speak exactly the same requests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "pingyi/crypto/ballot.hpp"
#include "pingyi/net/client_json.hpp"
#include "pingyi/crypto/proof.hpp"
#include "pingyi/crypto/scalar.hpp"

namespace pingyi::test {

using client_json = net::client_json;

using net::ballot_json;
using net::proof_json;
using net::range_proof_json;
using net::scalars_json;

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
