// Fuzz target: the ballot decoder and verifier (DESIGN.md §3.3, §4) — a POST …/ballots body
// taken the whole way the server takes it: parsed and decoded (server/net's wire codec), then
// accepted by the session engine of the cross-implementation vectors' session with its real
// keys (tests/vectors/pingyi-v1.json), whose round 1 or round 2 is open with one ballot
// already cast: find_receipt, prepare_ballot (crypto's verify_ballot, the token check against
// skT, the token proof) and append (apply: nullifier, α across ballots, ballots ≤ tokens).
//   - a body is accepted, answered with the receipt of the identical ballot, or refused with a
//     code of the ballot catalogue, and a refused ballot changes nothing;
//   - crypto's verify_ballot, against the round's contests and the election key, agrees: it
//     passes for an accepted ballot and fails for one refused for a proof or signature;
//   - an accepted ballot's record is one the verifier accepts (apply_line with every check,
//     on the state before it), its receipt names that record, and sending the same ballot
//     again returns the same receipt and appends nothing.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_property.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/session_engine.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/random.hpp"
#include "pingyi/crypto/trustee.hpp"
#include "wire.hpp"

namespace {

using namespace pingyi;
using core::error_code;
using fuzz::must;
using vectors_json = nlohmann::json;

template <std::size_t N>
crypto::byte_array<N> hex_array(const vectors_json& j) {
  auto b = crypto::from_hex_fixed<N>(j.get<std::string>());
  if (!b) fuzz::violated("the vectors' hex decodes", j.get<std::string>());
  return *b;
}

// The vectors' session at two moments: round 1 open after its first ballot (chain lines 0 … 17),
// and round 2 open after its first ballot (lines 0 … 30).
struct vectors_session {
  crypto::deterministic_random rng{crypto::byte_array<32>{7}};
  std::optional<core::session_engine> round_1;
  std::optional<core::session_engine> round_2;
  crypto::point election_key;

  vectors_session() {
    std::ifstream in(std::string(PINGYI_TEST_DATA_DIR).append("/vectors/pingyi-v1.json"));
    const auto doc = vectors_json::parse(in, nullptr, false);
    if (doc.is_discarded()) fuzz::violated("tests/vectors/pingyi-v1.json can be read");
    const auto& session = doc["session"];
    auto token_sk = crypto::scalar::from_hex(session["token_key"]["sk"].get<std::string>());
    auto token_pk = crypto::point::from_hex(session["token_key"]["pk"].get<std::string>());
    auto server_x = crypto::scalar::from_hex(doc["trustees"]["server_x"].get<std::string>());
    auto server_key = crypto::point::from_hex(doc["trustees"]["server_key"].get<std::string>());
    auto x = crypto::point::from_hex(doc["trustees"]["election_key"].get<std::string>());
    must(token_sk && token_pk && server_x && server_key && x, "the vectors' keys decode");
    election_key = *x;
    const core::server_keys keys{crypto::signing_key::from_seed(hex_array<32>(session["server_key_seed"])),
                                 crypto::voprf::key_pair{*token_sk, *token_pk},
                                 crypto::trustee_key{*server_x, *server_key}};

    core::session_state state;
    const auto& chain = doc["chain"];
    for (std::size_t seq = 0; seq <= 30; ++seq) {
      const auto applied = core::apply_line(state, chain[seq]["line"].get<std::string>());
      if (!applied) fuzz::violated("the vectors' chain folds", core::describe(applied.error()));
      if (seq == 17) round_1 = resume(state, keys);
      if (seq == 30) round_2 = resume(state, keys);
    }
  }

  core::session_engine resume(const core::session_state& state, const core::server_keys& keys) {
    // After the vectors' last record, so that every ballot appended here is in time order.
    auto clock = [] { return std::int64_t{1'795'428'000'000}; };  // 2026-11-23T10:00:00.000Z
    auto engine = core::session_engine::resume(state, keys, clock, rng);
    if (!engine) fuzz::violated("the vectors' session resumes", core::describe(engine.error()));
    return std::move(*engine);
  }
};

bool is_ballot_code(error_code c) {
  switch (c) {
    case error_code::bad_request:
    case error_code::not_found:
    case error_code::round_not_open:
    case error_code::token_spent:
    case error_code::invalid_token:
    case error_code::invalid_point:
    case error_code::invalid_proof:
    case error_code::invalid_signature:
    case error_code::duplicate_ciphertext:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = crypto::init();
  must(ready, "libsodium initialises");
  static vectors_session vectors;

  const auto body = net::wire::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!body) return 0;
  const auto cast = net::wire::decode_ballot(*body);
  if (!cast) {
    must(is_ballot_code(cast.error().code), "a ballot body is refused with a code of the ballot catalogue",
         cast.error());
    return 0;
  }

  core::session_engine engine = cast->round == 2 ? *vectors.round_2 : *vectors.round_1;
  const core::session_state before = engine.state();
  const auto* round = before.find_round(cast->round);
  const auto verified = [&] {
    return round != nullptr && crypto::verify_ballot(before.id, vectors.election_key, round->specs, *cast).ok();
  };

  const auto accepted = engine.accept_ballot(*cast);
  if (!accepted) {
    const auto& e = accepted.error();
    must(is_ballot_code(e.code), "a ballot is refused with a code of the ballot catalogue", e);
    must(engine.state().length == before.length && engine.state().head == before.head &&
             engine.state().spent_vks.size() == before.spent_vks.size(),
         "a refused ballot changes nothing", e);
    if (e.code == error_code::invalid_proof || e.code == error_code::invalid_signature) {
      must(!verified(), "verify_ballot fails for a ballot refused for a proof or signature", e);
    }
    return 0;
  }

  must(verified(), "verify_ballot passes for an accepted ballot");
  if (!accepted->added) {
    // The identical ballot of a spent vk: answered with the receipt of its record.
    const auto spent = before.spent_vks.find(cast->vk.bytes());
    must(spent != before.spent_vks.end() && accepted->receipt.seq == spent->second.seq &&
             accepted->receipt.hash == spent->second.hash,
         "a repeated ballot gets the receipt of its record");
    return 0;
  }

  const auto& added = *accepted->added;
  must(accepted->receipt.seq == before.length && accepted->receipt.hash == added.hash &&
           added.hash == crypto::line_hash(added.line),
       "an accepted ballot's receipt names its record");
  core::session_state verifier = before;
  const auto replayed = core::apply_line(verifier, added.line);
  if (!replayed) fuzz::violated("the verifier accepts the record of an accepted ballot", core::describe(replayed.error()));
  must(verifier.head == engine.state().head, "the verifier's fold and the engine's agree");

  const auto again = engine.accept_ballot(*cast);
  must(again.ok() && !again->added && again->receipt.seq == accepted->receipt.seq &&
           again->receipt.hash == accepted->receipt.hash,
       "the same ballot again gets the same receipt and appends nothing");
  return 0;
}
