// Fuzz target: chain replay (DESIGN.md §5) — a whole chain, one record a line, folded from
// genesis with core::apply_line exactly as start-up replay and pingyi-verify fold a stored or
// published chain, stopping at the first line refused.
//   - nothing crashes, whatever the lines;
//   - a refused line leaves the state as it was (apply checks everything before it changes
//     anything), and nothing is accepted after `adjourned`;
//   - every accepted line re-encodes to its compact form (record_codec_fuzz.cpp says why not to
//     itself), has the next seq, and becomes the head;
//   - after every accepted line the fold is consistent: present is the count of members present,
//     no round has more ballots than tokens, every ballot's vk is spent once, at most one round
//     is open and it is the one open_round names.
// The seeds are real chains (tests/vectors/pingyi-v1.json); their signatures and proofs make a
// mutated record almost always refused, which is the point: the refusal paths are what hostile
// chains reach.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fuzz_property.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/core/session_state.hpp"
#include "pingyi/core/strict_json.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"

namespace {

using namespace pingyi;
using fuzz::must;

std::vector<std::string_view> lines_of(std::string_view chain) {
  std::vector<std::string_view> lines;
  while (!chain.empty()) {
    const auto end = chain.find('\n');
    lines.push_back(chain.substr(0, end));
    if (end == std::string_view::npos) break;
    chain.remove_prefix(end + 1);
  }
  return lines;
}

// What a refused record must not change, and what the invariants below read.
struct summary {
  std::uint64_t length = 0;
  crypto::chain_hash head{};
  crypto::session_id id{};
  std::string last_time;
  std::uint32_t present = 0;
  std::size_t trustees = 0;
  std::optional<crypto::point> election_key;
  std::optional<std::uint32_t> open_round;
  std::size_t spent = 0;
  bool adjourned = false;
  // Per round: phase, tokens, ballots, declarations, decryptions.
  std::vector<std::uint64_t> rounds;
  friend bool operator==(const summary&, const summary&) = default;
};

summary summarise(const core::session_state& s) {
  summary out{s.length, s.head, s.id, s.last_time, s.present, s.trustees.size(), s.election_key,
              s.open_round, s.spent_vks.size(), s.adjourned, {}};
  for (const auto& r : s.rounds) {
    out.rounds.insert(out.rounds.end(), {static_cast<std::uint64_t>(r.phase), r.tokens.size(), r.ballots,
                                         r.declarations.size(), r.decryptions.size()});
  }
  return out;
}

void check_consistent(const core::session_state& s) {
  std::uint32_t present = 0;
  for (const auto& m : s.members) present += m.present ? 1 : 0;
  must(present == s.present && present <= s.members.size(), "present counts the members present");
  std::size_t ballots = 0;
  std::size_t open = 0;
  for (std::size_t k = 0; k < s.rounds.size(); ++k) {
    const auto& r = s.rounds[k];
    must(r.ballots <= r.tokens.size(), "no round has more ballots than tokens");
    ballots += r.ballots;
    if (r.phase == core::round_phase::open) {
      ++open;
      must(s.open_round == k + 1, "the open round is the one open_round names");
    }
  }
  must(open == (s.open_round ? 1u : 0u), "at most one round is open, and open_round says which");
  must(ballots == s.spent_vks.size(), "every ballot spent one vk, and only ballots spend them");
  must(!s.adjourned || !s.open_round, "no round is open after adjourned");
}

// The fold after an accepted prefix, keyed by a running hash of its lines: a mutation late in a
// chain then costs the records after the shared prefix, not the whole chain again (each ballot
// is a dozen proofs). apply is a pure function of the state and the line, so a state found here
// is exactly the one the prefix would fold to; an input behaves the same whatever ran before it.
class prefix_cache {
 public:
  static constexpr std::size_t capacity = 2048;
  [[nodiscard]] const core::session_state* find(const crypto::chain_hash& key) const {
    const auto it = states_.find(key);
    return it == states_.end() ? nullptr : &it->second;
  }
  void keep(const crypto::chain_hash& key, const core::session_state& s) {
    if (states_.size() >= capacity) states_.clear();
    states_.try_emplace(key, s);
  }

 private:
  std::unordered_map<crypto::chain_hash, core::session_state, core::byte32_hash> states_;
};

crypto::chain_hash running_key(const crypto::chain_hash& before, std::string_view line) {
  const auto h = crypto::line_hash(line);
  crypto::bytes both(before.begin(), before.end());
  both.insert(both.end(), h.begin(), h.end());
  return crypto::sha256(both);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = crypto::init();
  must(ready, "libsodium initialises");
  static prefix_cache cache;

  const auto lines = lines_of(std::string_view(reinterpret_cast<const char*>(data), size));
  std::vector<crypto::chain_hash> keys(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) keys[i] = running_key(i == 0 ? crypto::chain_hash{} : keys[i - 1], lines[i]);

  // Start after the longest prefix already folded.
  core::session_state s;
  std::size_t start = 0;
  for (std::size_t i = lines.size(); i > 0; --i) {
    if (const auto* known = cache.find(keys[i - 1])) {
      s = *known;
      start = i;
      break;
    }
  }

  for (std::size_t i = start; i < lines.size(); ++i) {
    const summary before = summarise(s);
    const auto applied = core::apply_line(s, lines[i]);
    if (!applied) {
      must(summarise(s) == before, "a refused record leaves the state as it was", applied.error());
      return 0;
    }
    must(!before.adjourned, "nothing is accepted after adjourned");
    const auto decoded = core::decode(lines[i]);
    const auto document = core::parse_strict_json(lines[i], core::max_json_depth);
    must(decoded.ok() && document.ok() && core::encode(*decoded) == document->dump(-1, ' ', false),
         "an accepted line re-encodes to its compact form");
    must(decoded->seq == i && s.length == i + 1, "an accepted record has the next seq");
    must(s.head == crypto::line_hash(lines[i]), "an accepted record becomes the head");
    if (i == 0) must(s.id == crypto::line_hash(lines[0]), "the session id is the hash of the genesis line");
    check_consistent(s);
    cache.keep(keys[i], s);
  }
  return 0;
}
