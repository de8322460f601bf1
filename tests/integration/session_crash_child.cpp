// The child process of the session crash test: plays a real session through core's engine and
// the store with group commit — check-ins, rounds opened, tokens, ballots, declarations, close,
// decryption, result, reveal, round after round — and writes "<seq> <hash>\n" to stdout the
// moment a record's commit returns. The parent kills it with SIGKILL at random moments.
//
// The plan is a pure function of the state: every key, blind and ballot is derived from a fixed
// seed and the (round, member) it is for, so a child started after a kill replays the stored
// chain, resumes the engine, and goes on where the chain ends; what the dead child had already
// made durable is answered by the engine's idempotency (same token request, same ballot, same
// declaration) without a new record.
//
// Usage: pingyi-session-crash-child <database>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "pingyi/core/session_engine.hpp"
#include "pingyi/crypto/ballot.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/device.hpp"
#include "pingyi/crypto/hash.hpp"
#include "pingyi/crypto/init.hpp"
#include "pingyi/crypto/token.hpp"
#include "pingyi/store/chain_store.hpp"
#include "pingyi/store/replay.hpp"
#include "session_crash_plan.hpp"

namespace {

using namespace pingyi;
namespace plan = store::test::session_plan;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "session_crash_child: %s\n", what.c_str());
  std::_Exit(2);
}

// One write(2) per report (< PIPE_BUF): the parent never reads half a report, and nothing sits
// in a stdio buffer when the kill comes.
void report(const std::string& text) {
  if (::write(STDOUT_FILENO, text.data(), text.size()) != static_cast<ssize_t>(text.size())) std::_Exit(3);
}

template <class T>
T must(core::result<T> r, const char* what) {
  if (!r) die(std::string(what).append(": ").append(core::describe(r.error())));
  return std::move(r).value();
}

// Queues a batch without waiting for it (group commit: the engine goes on while it commits);
// the callback reports every record of the batch once it is durable.
class writer {
 public:
  explicit writer(store::chain_store& db) : db_(db) {}
  void session(const crypto::session_id& sid) { sid_ = sid; }

  void put(const std::vector<core::appended>& records, store::write_batch batch = {}) {
    std::string done;
    for (const auto& a : records) {
      if (a.rec.seq == 0) {
        (void)batch.create_session(a.line);
      } else {
        batch.append(sid_, a.rec.seq, a.line);
      }
      done.append(std::to_string(a.rec.seq)).append(" ").append(crypto::to_hex(a.hash)).append("\n");
    }
    for (;;) {
      auto copy = batch;
      const store::status s = db_.write(std::move(copy), [done](const store::status& r) {
        if (!r) die("a commit failed: " + store::describe(r.error()));
        if (!done.empty()) report(done);
      });
      if (s) return;
      if (s.error().code != store::error_code::queue_full) die(store::describe(s.error()));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  void put(const core::appended& a, store::write_batch batch = {}) { put(std::vector<core::appended>{a}, std::move(batch)); }

 private:
  store::chain_store& db_;
  crypto::session_id sid_{};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) die("usage: pingyi-session-crash-child <database>");
  ::alarm(60);  // never outlive a parent that failed to kill us
  if (!crypto::init()) die("libsodium failed to initialise");

  auto opened = store::chain_store::open(argv[1]);
  if (!opened) die(store::describe(opened.error()));
  store::chain_store& db = *opened;
  writer out(db);

  auto keys_rng = plan::rng("server keys");
  const auto clock = [] { return core::system_clock_ms(); };
  auto sessions = db.list_sessions();
  if (!sessions) die(store::describe(sessions.error()));

  std::optional<core::session_engine> engine;
  if (sessions->empty()) {
    auto created = must(core::session_engine::create(plan::setup(), {plan::round(1)},
                                                     core::server_keys::generate(keys_rng), clock,
                                                     crypto::os_random()),
                        "create");
    engine.emplace(std::move(created.first));
    out.session(engine->id());
    out.put(created.second);
  } else {
    if (sessions->size() != 1) die("more than one session");
    auto state = store::replay_session(db, sessions->front().id);
    if (!state) die("replay: " + state.error().message());
    engine.emplace(must(core::session_engine::resume(std::move(state).value(), core::server_keys::generate(keys_rng),
                                                     clock, crypto::os_random()),
                        "resume"));
    out.session(engine->id());
  }
  report("ready\n");

  const auto sid = engine->id();
  for (;;) {
    const core::session_state& s = engine->state();
    if (!s.election_key) {
      out.put(must(engine->seal_election_key(), "seal"));
      continue;
    }
    bool checked_in = false;
    for (const auto& m : s.members) {
      if (m.present) continue;
      const auto device = plan::device(m.id);
      if (auto added = must(engine->check_in(m.id, device.public_key(), crypto::sign_checkin(device, sid, m.id)),
                            "check in")) {
        out.put(*added);
      }
      checked_in = true;
    }
    if (checked_in) continue;

    const core::round_state& r = s.rounds.back();
    const std::uint32_t n = r.definition.round;
    switch (r.phase) {
      case core::round_phase::defined:
        out.put(must(engine->open_round(n), "open"));
        break;
      case core::round_phase::open: {
        for (const auto& m : plan::setup().members) {
          auto rng = plan::rng(std::string("round ").append(std::to_string(n)).append(" ").append(m.id));
          const auto ske = crypto::signing_key::generate(rng);
          auto request = crypto::blind_token(sid, n, ske.public_key(), rng);
          if (!request) die("blind");
          const auto device = plan::device(m.id);
          auto token = must(
              engine->issue_token(m.id, n, request->element, crypto::sign_token_request(device, sid, n, request->element)),
              "token");
          if (token.added) out.put(*token.added);
          auto unblinded = crypto::unblind_token(s.genesis->token_key, *request, token.evaluated, token.proof);
          if (!unblinded) die("unblind");
          auto cast = crypto::build_ballot(sid, n, ske, *unblinded, *s.election_key, r.specs, plan::choices(n, m.id), rng);
          if (!cast) die("build ballot");
          auto receipt = must(engine->accept_ballot(*cast), "ballot");
          if (receipt.added) out.put(*receipt.added);
          const auto sig = crypto::sign_voted(device, sid, n);
          if (must(engine->accept_declaration(m.id, n, sig), "declaration")) {
            store::write_batch b;
            b.put_declaration(sid, n, store::declaration{m.id, sig});
            out.put(std::vector<core::appended>{}, std::move(b));
          }
        }
        store::write_batch b;
        b.erase_declarations(sid, n);
        out.put(must(engine->close_round(n), "close"), std::move(b));
        break;
      }
      case core::round_phase::closed:
        if (r.closed->ballots > 0 && !r.decryptions.contains("server")) {
          out.put(must(engine->decrypt_round(n), "decrypt"));
        } else {
          out.put(must(engine->publish_result(n), "result"));
        }
        break;
      case core::round_phase::resulted:
        out.put(must(engine->reveal(n), "reveal"));
        break;
      case core::round_phase::revealed:
        if (n >= plan::max_rounds) {
          // Enough to test with; wait for the kill without growing the database.
          std::this_thread::sleep_for(std::chrono::seconds(1));
        } else {
          out.put(must(engine->define_round(plan::round(n + 1)), "define"));
        }
        break;
    }
  }
}
