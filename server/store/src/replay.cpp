// Start-up replay (DESIGN.md §5): folds each stored chain through core's apply_line, as a
// verifier folds a published one, and stops at the first record that does not replay.
//
// The invariant it keeps: a session whose replay returns a state is exactly what its stored
// lines say, record by record; a stored line that does not hash to its stored hash, a gap in
// the stored seqs, a broken link or a record apply refuses is reported with its session and seq,
// never skipped. Messages name the session, the seq, the catalogue code and the field, never a
// line's content: they go to the operator's log (DESIGN.md §5: no vote content in a log line).
#include "pingyi/store/replay.hpp"

#include <cstddef>
#include <string_view>
#include <utility>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"

namespace pingyi::store {
namespace {

replay_failure corrupt(const crypto::session_id& session, std::optional<std::uint64_t> seq, std::string message) {
  return replay_failure{session, seq, std::nullopt, fail(error_code::corrupt, std::move(message))};
}

replay_failure refused(const crypto::session_id& session, std::optional<std::uint64_t> seq, core::error e,
                       std::string message) {
  return replay_failure{session, seq, std::move(e), fail(error_code::corrupt, std::move(message))};
}

// A field path as core writes them ("contests[0].selections[1].proof"). Anything else came from
// the line itself (an unknown key is named by the key), so it is not repeated in a log line.
bool is_field_path(std::string_view field) {
  if (field.size() > 128) return false;
  for (const char c : field) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

// "INVALID_SIGNATURE sig: does not verify". core's text is left out when the error is about the
// line as a whole (empty field): that is a line that did not parse, and the JSON parser's
// message quotes the bytes it stopped at.
std::string describe_record_error(const core::error& e) {
  std::string out(core::to_string(e.code));
  if (e.field.empty()) return out.append(": the line is not a well-formed record");
  out.append(" ").append(is_field_path(e.field) ? std::string_view(e.field)
                                                : std::string_view("(a field not of pingyi/1)"));
  if (!e.message.empty()) out.append(": ").append(e.message);
  return out;
}

}  // namespace

std::string replay_failure::message() const {
  std::string out = std::string("session ").append(crypto::to_hex(session));
  if (seq) out.append(": record ").append(std::to_string(*seq));
  out.append(": ");
  if (record_error) return out.append(describe_record_error(*record_error));
  return out.append(describe(store_error));
}

replay_result<core::session_state> replay_session(const chain_store& store, const crypto::session_id& session) {
  // Every line's hash is recomputed here, while reading, rather than by check_chain first:
  // check_chain names the bad seq only in its message text, and a replay failure must carry it
  // as a value. One read also means one snapshot for the hashes and the records applied.
  core::session_state state;
  std::optional<replay_failure> failure;
  const status read = store.read_chain(session, 0, [&](const chain_line_view& v) {
    const std::uint64_t expected = state.length;
    if (v.seq != expected) {
      failure = corrupt(session, expected,
                        std::string("record ")
                            .append(std::to_string(expected))
                            .append(" is missing (the next stored is ")
                            .append(std::to_string(v.seq))
                            .append(")"));
      return false;
    }
    if (crypto::line_hash(v.line) != v.hash) {
      failure = corrupt(session, v.seq, "the line does not match its stored hash");
      return false;
    }
    if (v.seq == 0 && v.hash != session) {
      failure = corrupt(session, v.seq, "the genesis line does not hash to the session id");
      return false;
    }
    if (auto applied = core::apply_line(state, v.line); !applied) {
      failure = refused(session, v.seq, applied.error(), "apply refuses the record");
      return false;
    }
    return true;
  });
  if (!read) return replay_failure{session, std::nullopt, std::nullopt, read.error()};
  if (failure) return std::move(*failure);
  if (state.length == 0) return corrupt(session, 0, "the chain has no genesis record");

  // The open round's declarations were kept off the chain (DESIGN.md §3.2); the store kept only
  // what core had accepted, so one the state now refuses means the store or the chain changed.
  if (state.open_round) {
    const std::uint32_t round = *state.open_round;
    auto stored = store.list_declarations(session, round);
    if (!stored) return replay_failure{session, std::nullopt, std::nullopt, stored.error()};
    for (std::size_t k = 0; k < stored->size(); ++k) {
      const declaration& d = (*stored)[k];
      if (auto accepted = core::accept_declaration(state, round, d.member, d.sig); !accepted) {
        core::error e =
            core::nest(std::string("declarations[").append(std::to_string(k)).append("]"), accepted.error());
        e.message =
            std::string("stored declaration of round ").append(std::to_string(round)).append(": ").append(e.message);
        return refused(session, std::nullopt, std::move(e), "a stored declaration does not replay");
      }
    }
  }
  return state;
}

replay_result<std::vector<core::session_state>> replay_all(const chain_store& store) {
  auto sessions = store.list_sessions();
  if (!sessions) return replay_failure{crypto::session_id{}, std::nullopt, std::nullopt, sessions.error()};
  std::vector<core::session_state> states;
  states.reserve(sessions->size());
  for (const session_summary& s : *sessions) {
    auto state = replay_session(store, s.id);
    if (!state) return state.error();
    states.push_back(std::move(state).value());
  }
  return states;
}

}  // namespace pingyi::store
