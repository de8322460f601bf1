// A live session: the engine on its strand, writes through the store, replies and pushes once
// durable (see live_session.hpp for the invariant).
//
// Threads: every member below is touched on strand_ only, except the immutable ones and
// durable_length_ (atomic). Store reads (credential lookups, catch-up) and ballot proofs run on
// the context's pool and post back; the store's write callbacks run on its writer thread and
// post back.
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "live_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include "pingyi/core/record.hpp"
#include "pingyi/crypto/random.hpp"

namespace pingyi::net {

namespace {

using json = wire::json;
using core::error_code;

// Catch-up reads: a chunk of at most this many lines or bytes, then a pause, so that a long
// chain does not fill a connection's bounded write queue at once.
constexpr std::size_t catch_up_lines = 500;
constexpr std::size_t catch_up_bytes = std::size_t{4} << 20;
constexpr std::chrono::milliseconds catch_up_pause{10};
// Ballots being checked at once, service-wide; beyond it a cast is refused with RATE_LIMITED.
constexpr std::int64_t max_ballots_checking = 256;

constexpr std::string_view server_trustee = "server";

// A write was refused or failed: the request may not be durable, so it is not acknowledged. When
// the engine had already applied it, the session is broken until a restart (live_session.hpp).
core::error unavailable() {
  return core::fail(error_code::internal, "",
                    "the request could not be made durable; if this persists, the server must be restarted");
}

core::error internal(std::string message) { return core::fail(error_code::internal, "", std::move(message)); }

json seq_fields(std::uint64_t seq) {
  json f = json::object();
  f["seq"] = seq;
  return f;
}

std::string_view role_name(role r) noexcept {
  switch (r) {
    case role::member:
      return "member";
    case role::scrutineer:
      return "scrutineer";
    case role::chair:
      return "chair";
  }
  return "member";
}

// Releases a ballot's place among those being checked when the last holder lets it go.
class checking_slot {
 public:
  explicit checking_slot(std::atomic<std::int64_t>& counter) : counter_(counter) {}
  checking_slot(const checking_slot&) = delete;
  checking_slot& operator=(const checking_slot&) = delete;
  ~checking_slot() { counter_.fetch_sub(1); }

 private:
  std::atomic<std::int64_t>& counter_;
};

}  // namespace

live_session::live_session(std::shared_ptr<service_context> context, core::session_engine engine,
                           const crypto::signing_key& signing, std::uint64_t durable_length,
                           std::map<std::string, crypto::signature, std::less<>> check_in_sigs)
    : context_(std::move(context)),
      strand_(boost::asio::make_strand(context_->io)),
      engine_(std::move(engine)),
      id_(engine_.id()),
      hex_id_(crypto::to_hex(id_)),
      title_(engine_.state().genesis->title),
      committee_(engine_.state().genesis->committee),
      date_(engine_.state().genesis->date),
      signing_(signing),
      durable_length_(durable_length),
      check_in_sigs_(std::move(check_in_sigs)),
      progress_timer_(strand_) {
  if (durable_length > 0) durable_hash_ = engine_.state().head;
  durable_progress_ = snapshot();
  pushed_progress_ = durable_progress_;
}

// ---- durability -------------------------------------------------------------------------------

void live_session::on_strand(reply_fn reply, std::function<void(reply_fn&)> f) {
  boost::asio::post(strand_, [self = shared_from_this(), reply = std::move(reply), f = std::move(f)]() mutable {
    if (self->failed_) return reply(unavailable());
    f(reply);
  });
}

bool live_session::commit(std::vector<core::appended> records, const std::function<void(store::write_batch&)>& extra,
                          bool engine_changed, std::function<void(bool)> done) {
  store::write_batch batch;
  pending_write w;
  w.records.reserve(records.size());
  for (auto& a : records) {
    // The push is serialised once, here, and shared by every subscriber.
    const auto sig = crypto::sign_head(signing_, id_, a.rec.seq, a.hash);
    w.records.push_back(pushed_record{a.rec.seq, core::record_type_name(a.rec.body),
                                      std::make_shared<const std::string>(wire::record_push(a.rec.seq, a.line, sig))});
    if (a.rec.seq == 0) {
      (void)batch.create_session(std::move(a.line));
    } else {
      batch.append(id_, a.rec.seq, std::move(a.line));
    }
  }
  if (extra) extra(batch);

  const std::uint64_t ticket = written_ + 1;
  w.queued = std::chrono::steady_clock::now();
  context_->in_flight.fetch_add(1);
  auto callbacks = context_->store_callbacks;
  callbacks->fetch_add(1);
  // The callback runs on the store's writer thread: it only posts the outcome to the strand. It
  // hands its reference to the session over to the posted handler, so that the store never holds
  // the last one, and it counts itself out only once post() has returned (service::stop waits
  // for that before the io_context may go).
  const store::status accepted = context_->store.write(
      std::move(batch), [self = shared_from_this(), ticket, callbacks](const store::status& outcome) mutable {
        {
          auto session = std::move(self);
          auto strand = session->strand_;
          boost::asio::post(
              strand, [session = std::move(session), ticket, outcome] { session->on_committed(ticket, outcome); });
        }
        callbacks->fetch_sub(1);
      });
  if (!accepted) {
    callbacks->fetch_sub(1);
    context_->in_flight.fetch_sub(1);
    if (engine_changed || !records.empty()) {
      // The engine already holds what the store refused: its state is ahead of the disk.
      break_session(std::string("the store refused a write (").append(store::describe(accepted.error())).append(")"));
    } else {
      spdlog::error("session {}: the store refused a write ({})", short_id(), store::describe(accepted.error()));
    }
    if (done) done(false);
    return false;
  }
  written_ = ticket;
  w.ticket = ticket;
  // Every record the engine has applied is in this write or an earlier one.
  w.end_length = engine_.state().length;
  w.end_hash = engine_.state().head;
  w.progress = snapshot();
  w.done = std::move(done);
  pending_.push_back(std::move(w));
  return true;
}

void live_session::on_committed(std::uint64_t ticket, const store::status& outcome) {
  context_->in_flight.fetch_sub(1);
  // The session broke meanwhile: its pending writes were already answered.
  if (pending_.empty() || pending_.front().ticket != ticket) return;
  pending_write w = std::move(pending_.front());
  pending_.pop_front();
  context_->counters->commit_latency(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - w.queued).count());

  if (!outcome) {
    break_session(std::string("a commit failed (").append(store::describe(outcome.error())).append(")"));
    if (w.done) w.done(false);
    return;
  }

  // Durable: from here on, the records may be reported.
  committed_ = ticket;
  if (!w.records.empty()) {
    durable_length_.store(w.end_length);
    durable_hash_ = w.end_hash;
    for (const auto& r : w.records) {
      context_->counters->record_appended(r.type);
      // Tokens and ballots are never logged one by one (DESIGN.md §7: no timings of casts in
      // logs); the chain itself is the record of them.
      if (r.type != "ballot" && r.type != "token") spdlog::info("session {}: record {} {}", short_id(), r.seq, r.type);
      push_all(r.push, r.seq);
    }
  }
  durable_progress_ = w.progress;
  progress_changed();
  if (w.done) w.done(true);
  while (!settled_waiters_.empty() && settled_waiters_.begin()->first <= committed_) {
    auto waiter = std::move(settled_waiters_.begin()->second);
    settled_waiters_.erase(settled_waiters_.begin());
    waiter(true);
  }
}

void live_session::when_settled(std::function<void(bool)> done) {
  if (failed_) return done(false);
  if (committed_ == written_) return done(true);
  settled_waiters_.emplace(written_, std::move(done));
}

void live_session::break_session(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  spdlog::critical(
      "session {}: {}: refusing every request until the server is restarted (replay rebuilds the "
      "session from what is on disk)",
      short_id(), why);
  auto pending = std::move(pending_);
  pending_.clear();
  auto waiters = std::move(settled_waiters_);
  settled_waiters_.clear();
  for (auto& w : pending) {
    if (w.done) w.done(false);
  }
  for (auto& [ticket, waiter] : waiters) waiter(false);
}

void live_session::reply_appended(core::result<core::appended> added, reply_fn& reply) {
  if (!added) return reply(added.error());
  const std::uint64_t seq = added->rec.seq;
  std::vector<core::appended> records;
  records.push_back(std::move(*added));
  commit(std::move(records), {}, true, [reply, seq](bool ok) {
    if (!ok) return reply(unavailable());
    reply(seq_fields(seq));
  });
}

crypto::signed_head live_session::durable_head() const {
  const std::uint64_t seq = durable_length_.load() - 1;
  return crypto::signed_head{seq, durable_hash_, crypto::sign_head(signing_, id_, seq, durable_hash_)};
}

// ---- creation and the secretariat ---------------------------------------------------------------

void live_session::create(std::vector<core::appended> records, std::function<void(store::write_batch&)> credentials,
                          std::function<void(bool)> done) {
  boost::asio::post(strand_, [self = shared_from_this(), records = std::move(records),
                              credentials = std::move(credentials), done = std::move(done)]() mutable {
    self->commit(std::move(records), credentials, true, std::move(done));
  });
}

void live_session::define_rounds(std::vector<core::round_setup> rounds, reply_fn reply) {
  on_strand(std::move(reply), [this, rounds = std::move(rounds)](reply_fn& reply) {
    std::vector<core::appended> added;
    if (rounds.size() == 1) {
      auto r = engine_.define_round(rounds.front());
      if (!r) return reply(r.error());
      added.push_back(std::move(*r));
    } else {
      // All or nothing: a refused round must leave the earlier ones unapplied, and the engine
      // cannot take a record back, so the rounds are tried on a copy first.
      core::session_engine trial = engine_;
      for (std::size_t k = 0; k < rounds.size(); ++k) {
        auto r = trial.define_round(rounds[k]);
        if (!r) {
          return reply(core::nest(std::string("rounds[").append(std::to_string(k)).append("]"), r.error()));
        }
        added.push_back(std::move(*r));
      }
      engine_ = std::move(trial);
    }
    json numbers = json::array();
    for (const auto& a : added) numbers.push_back(std::get<core::round_body>(a.rec.body).round);
    commit(std::move(added), {}, true, [reply, numbers](bool ok) {
      if (!ok) return reply(unavailable());
      json f = json::object();
      f["rounds"] = numbers;
      reply(std::move(f));
    });
  });
}

void live_session::reset_member(std::string member, reply_fn reply) {
  on_strand(std::move(reply), [this, member = std::move(member)](reply_fn& reply) {
    if (engine_.state().find_member(member) == nullptr) {
      return reply(core::fail(error_code::not_found, "member", "is not on the roster"));
    }
    const std::string code = generate_code(crypto::os_random());
    const auto hash = context_->creds.hash(store::credential_kind::checkin_code, id_, code);
    // The new code and the revoked device secret go together: a crash keeps both or neither.
    const bool accepted = commit(
        {},
        [&](store::write_batch& b) {
          b.put_credential(id_, store::credential_kind::checkin_code, member, hash);
          b.erase_credential(id_, store::credential_kind::device_secret, member);
        },
        false,
        [this, reply, member, code](bool ok) {
          if (!ok) return reply(unavailable());
          // The revoked tablet's open connections end with it.
          for (auto& [id, s] : subscribers_) {
            if (s.target.member == member) s.target.connection->close();
          }
          json f = json::object();
          f["member"] = member;
          f["code"] = format_code(code);
          reply(std::move(f));
        });
    if (accepted) {
      checkin_codes_.insert_or_assign(member, hash);
      device_secrets_.insert_or_assign(member, std::nullopt);
    }
  });
}

void live_session::check_out(std::string member, reply_fn reply) {
  on_strand(std::move(reply),
            [this, member = std::move(member)](reply_fn& reply) { reply_appended(engine_.check_out(member), reply); });
}

// ---- ballots, heads, the chain ----------------------------------------------------------------

void live_session::cast_ballot(crypto::ballot cast, reply_fn reply) {
  if (context_->ballots_checking.fetch_add(1) >= max_ballots_checking) {
    context_->ballots_checking.fetch_sub(1);
    context_->counters->ballot_rejected("RATE_LIMITED");
    return reply(core::fail(error_code::rate_limited, "", "too many ballots are being checked; try again"));
  }
  auto slot = std::make_shared<checking_slot>(context_->ballots_checking);
  on_strand(std::move(reply), [this, cast = std::move(cast), slot](reply_fn& reply) mutable {
    auto receipt = engine_.find_receipt(cast);
    if (!receipt) {
      context_->counters->ballot_rejected(core::to_string(receipt.error().code));
      return reply(receipt.error());
    }
    if (*receipt) {
      // The identical ballot again: the same receipt, once its record is durable.
      const crypto::signed_head head = **receipt;
      return when_settled([reply, head](bool ok) {
        if (!ok) return reply(unavailable());
        json f = json::object();
        f["receipt"] = wire::head_json(head);
        reply(std::move(f));
      });
    }
    auto check = engine_.ballot_check_for(cast.round);
    if (!check) {
      context_->counters->ballot_rejected(core::to_string(check.error().code));
      return reply(check.error());
    }
    // The expensive, stateless half on the pool; the session goes on meanwhile.
    context_->post_to_pool([self = shared_from_this(), check = std::move(*check), cast = std::move(cast),
                            slot = std::move(slot), reply]() mutable {
      auto prepared = core::prepare_ballot(check, cast, crypto::os_random());
      slot.reset();
      boost::asio::post(self->strand_, [self, prepared = std::move(prepared), reply]() mutable {
        if (self->failed_) return reply(unavailable());
        self->append_prepared(std::move(prepared), reply);
      });
    });
  });
}

void live_session::append_prepared(core::result<core::ballot_body> prepared, reply_fn& reply) {
  if (!prepared) {
    context_->counters->ballot_rejected(core::to_string(prepared.error().code));
    return reply(prepared.error());
  }
  auto appended = engine_.append_ballot(std::move(*prepared));
  if (!appended) {
    context_->counters->ballot_rejected(core::to_string(appended.error().code));
    return reply(appended.error());
  }
  const crypto::signed_head head = appended->receipt;
  auto answer = [reply, head, counters = context_->counters, fresh = appended->added.has_value()](bool ok) {
    if (!ok) return reply(unavailable());
    if (fresh) counters->ballot_accepted();
    json f = json::object();
    f["receipt"] = wire::head_json(head);
    reply(std::move(f));
  };
  if (!appended->added) return when_settled(std::move(answer));  // prepared twice concurrently
  std::vector<core::appended> records;
  records.push_back(std::move(*appended->added));
  commit(std::move(records), {}, true, std::move(answer));
}

void live_session::head(reply_fn reply) {
  on_strand(std::move(reply), [this](reply_fn& reply) { reply(wire::head_json(durable_head())); });
}

void live_session::read_chain(std::uint64_t from, std::function<void(core::result<std::string>)> done) {
  const std::uint64_t end = durable_length_.load();
  context_->post_to_pool([self = shared_from_this(), from, end, done = std::move(done)] {
    std::string body;
    const auto read = self->context_->store.read_chain(self->id_, from, [&](const store::chain_line_view& l) {
      if (l.seq >= end) return false;
      body.append(l.line).push_back('\n');
      return true;
    });
    if (!read) {
      spdlog::error("session {}: reading the chain failed: {}", self->short_id(), store::describe(read.error()));
      return done(internal("the chain could not be read"));
    }
    done(std::move(body));
  });
}

// ---- hello ------------------------------------------------------------------------------------

void live_session::hello(wire::hello_member request, push_target target, hello_fn done) {
  context_->post_to_pool([self = shared_from_this(), request = std::move(request), target = std::move(target),
                          done = std::move(done)]() mutable {
    const auto& store = self->context_->store;
    const auto code_hash = self->context_->creds.hash(store::credential_kind::checkin_code, self->id_, request.code);
    auto holder = store.find_credential_holder(self->id_, store::credential_kind::checkin_code, code_hash);
    if (!holder) {
      spdlog::error("session {}: a credential lookup failed: {}", self->short_id(), store::describe(holder.error()));
      return done(internal("the credential could not be checked"));
    }
    if (!*holder) return done(core::fail(error_code::unauthorized, "code", "is not a check-in code of this session"));
    const std::string member = **holder;
    auto device = store.find_credential(self->id_, store::credential_kind::device_secret, member);
    if (!device) {
      spdlog::error("session {}: a credential lookup failed: {}", self->short_id(), store::describe(device.error()));
      return done(internal("the credential could not be checked"));
    }
    const bool spent = device->has_value();
    boost::asio::post(self->strand_, [self, member, request = std::move(request), spent, code_hash,
                                      target = std::move(target), done = std::move(done)]() mutable {
      if (self->failed_) return done(unavailable());
      self->check_in_member(member, request, spent, code_hash, std::move(target), std::move(done));
    });
  });
}

void live_session::check_in_member(const std::string& member, const wire::hello_member& request, bool spent_in_store,
                                   const store::credential_hash& code_hash, push_target target, hello_fn done) {
  // The store was read on the pool; what changed since start is known here, and is newer.
  if (const auto it = checkin_codes_.find(member); it != checkin_codes_.end() && it->second != code_hash) {
    return done(core::fail(error_code::unauthorized, "code", "is not a check-in code of this session"));
  }
  bool spent = spent_in_store;
  if (const auto it = device_secrets_.find(member); it != device_secrets_.end()) spent = it->second.has_value();

  const core::member_state* m = engine_.state().find_member(member);
  if (m == nullptr) return done(core::fail(error_code::not_found, "member", "is not on the roster"));
  // A spent code checks in only the device it was spent on (its hello repeated after a lost
  // reply); any other device needs a reset by the secretariat.
  if (spent && m->device_key != request.device_key) {
    return done(core::fail(error_code::code_used, "code",
                           "has already been used by another device; the secretariat can reset it"));
  }
  auto checked_in = engine_.check_in(member, request.device_key, request.sig);
  if (!checked_in) return done(checked_in.error());

  const auto from = request.from;
  auto greet_when = [this, member, from, target, done](device_secret secret) {
    return [this, member, from, target, done, secret](bool ok) {
      if (!ok) return done(unavailable());
      greet(role::member, member, secret, from, target, done);
    };
  };

  if (*checked_in) {
    // A new check_in record: its seq gives a new device secret, stored in the same batch.
    auto record = std::move(**checked_in);
    const auto secret = context_->creds.derive_device_secret(id_, member, request.device_key, record.rec.seq);
    const auto secret_hash = context_->creds.hash(store::credential_kind::device_secret, id_, secret);
    check_in_sigs_.insert_or_assign(member, request.sig);
    device_secrets_.insert_or_assign(member, secret_hash);
    std::vector<core::appended> records;
    records.push_back(std::move(record));
    commit(
        std::move(records),
        [&](store::write_batch& b) {
          b.put_credential(id_, store::credential_kind::device_secret, member, secret_hash);
        },
        true, greet_when(secret));
    return;
  }

  // Already present with this device key: the chain says so; the secret is re-derived.
  const auto secret = context_->creds.derive_device_secret(id_, member, request.device_key, m->check_in_seq);
  if (spent) return when_settled(greet_when(secret));
  // Present, but its device secret was revoked (a reset) and this device checks in again.
  const auto secret_hash = context_->creds.hash(store::credential_kind::device_secret, id_, secret);
  const bool accepted = commit(
      {},
      [&](store::write_batch& b) { b.put_credential(id_, store::credential_kind::device_secret, member, secret_hash); },
      false, greet_when(secret));
  if (accepted) device_secrets_.insert_or_assign(member, secret_hash);
}

void live_session::hello(wire::hello_device request, push_target target, hello_fn done) {
  context_->post_to_pool([self = shared_from_this(), request = std::move(request), target = std::move(target),
                          done = std::move(done)]() mutable {
    const auto presented =
        self->context_->creds.hash(store::credential_kind::device_secret, self->id_, crypto::byte_view(request.device));
    auto holder =
        self->context_->store.find_credential_holder(self->id_, store::credential_kind::device_secret, presented);
    if (!holder) {
      spdlog::error("session {}: a credential lookup failed: {}", self->short_id(), store::describe(holder.error()));
      return done(internal("the credential could not be checked"));
    }
    if (!*holder) return done(core::fail(error_code::unauthorized, "device", "is not a device of this session"));
    boost::asio::post(self->strand_, [self, member = **holder, presented, request = std::move(request),
                                      target = std::move(target), done = std::move(done)]() mutable {
      if (self->failed_) return done(unavailable());
      self->reconnect_member(member, presented, request.device, request.from, std::move(target), std::move(done));
    });
  });
}

void live_session::reconnect_member(const std::string& member, const store::credential_hash& presented,
                                    const device_secret& secret, std::optional<std::uint64_t> from, push_target target,
                                    hello_fn done) {
  if (const auto it = device_secrets_.find(member); it != device_secrets_.end() && it->second != presented) {
    return done(core::fail(error_code::unauthorized, "device", "is not a device of this session"));
  }
  const core::member_state* m = engine_.state().find_member(member);
  if (m == nullptr || !m->device_key) {
    return done(core::fail(error_code::unauthorized, "device", "is not a device of this session"));
  }
  if (m->present) {
    return when_settled([this, member, secret, from, target, done](bool ok) {
      if (!ok) return done(unavailable());
      greet(role::member, member, secret, from, target, done);
    });
  }

  // The member left (or was checked out): the tablet's return checks it in again, with the
  // device key and signature of its latest check_in (§7: the server can replay that signature).
  const auto sig = check_in_sigs_.find(member);
  if (sig == check_in_sigs_.end()) return done(internal("the member's check-in signature is unknown"));
  const crypto::verify_key device_key = *m->device_key;
  auto checked_in = engine_.check_in(member, device_key, sig->second);
  if (!checked_in) return done(checked_in.error());
  if (!*checked_in) return done(internal("the member is already present"));
  auto record = std::move(**checked_in);
  const auto new_secret = context_->creds.derive_device_secret(id_, member, device_key, record.rec.seq);
  const auto new_hash = context_->creds.hash(store::credential_kind::device_secret, id_, new_secret);
  device_secrets_.insert_or_assign(member, new_hash);
  std::vector<core::appended> records;
  records.push_back(std::move(record));
  commit(
      std::move(records),
      [&](store::write_batch& b) { b.put_credential(id_, store::credential_kind::device_secret, member, new_hash); },
      true,
      [this, member, new_secret, from, target, done](bool ok) {
        if (!ok) return done(unavailable());
        greet(role::member, member, new_secret, from, target, done);
      });
}

void live_session::hello(wire::hello_chair request, push_target target, hello_fn done) {
  context_->post_to_pool([self = shared_from_this(), request = std::move(request), target = std::move(target),
                          done = std::move(done)]() mutable {
    const auto hash = self->context_->creds.hash(store::credential_kind::chair_code, self->id_, request.code);
    auto holder = self->context_->store.find_credential_holder(self->id_, store::credential_kind::chair_code, hash);
    if (!holder) {
      spdlog::error("session {}: a credential lookup failed: {}", self->short_id(), store::describe(holder.error()));
      return done(internal("the credential could not be checked"));
    }
    if (!*holder || **holder != "chair") {
      return done(core::fail(error_code::unauthorized, "code", "is not a code of this session"));
    }
    boost::asio::post(self->strand_,
                      [self, from = request.from, target = std::move(target), done = std::move(done)]() mutable {
                        if (self->failed_) return done(unavailable());
                        self->greet(role::chair, "", std::nullopt, from, std::move(target), done);
                      });
  });
}

void live_session::greet(role who, const std::string& member, std::optional<device_secret> secret,
                         std::optional<std::uint64_t> from, push_target target, const hello_fn& done) {
  if (who == role::member) {
    const auto& scrutineers = engine_.state().genesis->scrutineers;
    if (std::find(scrutineers.begin(), scrutineers.end(), member) != scrutineers.end()) who = role::scrutineer;
  }
  json f = json::object();
  f["role"] = role_name(who);
  if (!member.empty()) f["member"] = member;
  if (secret) f["device"] = crypto::to_hex(*secret);
  f["head"] = wire::head_json(durable_head());
  target.member = member;  // a device reset closes the connection
  // The reply goes out before any push: the subscription starts after it, on this strand.
  done(greeting{who, member, std::move(f)});
  add_subscriber(std::move(target), from.value_or(durable_length_.load()));
}

// ---- members and scrutineers --------------------------------------------------------------------

void live_session::issue_token(std::string member, wire::token_request request, reply_fn reply) {
  on_strand(std::move(reply), [this, member = std::move(member), request](reply_fn& reply) {
    auto issued = engine_.issue_token(member, request.round, request.blinded, request.request_sig);
    if (!issued) return reply(issued.error());
    json f = json::object();
    f["evaluated"] = issued->evaluated.hex();
    f["proof"] = wire::proof_json(issued->proof);
    auto answer = [reply, f](bool ok) {
      if (!ok) return reply(unavailable());
      reply(f);
    };
    // A repeat (its reply was lost) appends nothing; it is answered once the original is durable.
    if (!issued->added) return when_settled(std::move(answer));
    std::vector<core::appended> records;
    records.push_back(std::move(*issued->added));
    commit(std::move(records), {}, true, std::move(answer));
  });
}

void live_session::declare(std::string member, wire::voted_request request, reply_fn reply) {
  on_strand(std::move(reply), [this, member = std::move(member), request](reply_fn& reply) {
    auto accepted = engine_.accept_declaration(member, request.round, request.sig);
    if (!accepted) return reply(accepted.error());
    auto answer = [reply](bool ok) {
      if (!ok) return reply(unavailable());
      reply(json::object());
    };
    // A repeat is acknowledged once the original is durable (at once if nothing is in flight).
    if (!*accepted) return when_settled(std::move(answer));
    // Durable but off the chain until round_closed publishes it (§3.2); never logged.
    commit(
        {},
        [&](store::write_batch& b) {
          b.put_declaration(id_, request.round, store::declaration{member, request.sig});
        },
        true, std::move(answer));
  });
}

void live_session::add_trustee(std::string member, wire::trustee_key_request request, reply_fn reply) {
  on_strand(std::move(reply), [this, member = std::move(member), request](reply_fn& reply) {
    reply_appended(engine_.add_trustee(member, request.key, request.proof), reply);
  });
}

void live_session::add_decryption(std::string member, wire::decryption_request request, reply_fn reply) {
  on_strand(std::move(reply), [this, member = std::move(member), request = std::move(request)](reply_fn& reply) {
    auto added = engine_.add_decryption(core::decryption_body{request.round, member, request.shares});
    const bool ok = added.ok();
    reply_appended(std::move(added), reply);
    if (ok) finish_round(request.round);
  });
}

// ---- the chair ----------------------------------------------------------------------------------

void live_session::seal_key(reply_fn reply) {
  on_strand(std::move(reply), [this](reply_fn& reply) { reply_appended(engine_.seal_election_key(), reply); });
}

void live_session::open_round(std::uint32_t round, reply_fn reply) {
  on_strand(std::move(reply), [this, round](reply_fn& reply) { reply_appended(engine_.open_round(round), reply); });
}

void live_session::close_round(std::uint32_t round, reply_fn reply) {
  on_strand(std::move(reply), [this, round](reply_fn& reply) {
    auto closed = engine_.close_round(round);
    if (!closed) return reply(closed.error());
    const std::uint64_t seq = closed->rec.seq;
    std::vector<core::appended> records;
    records.push_back(std::move(*closed));
    // round_closed publishes the declarations: the store's copies go in the same batch.
    commit(
        std::move(records), [&](store::write_batch& b) { b.erase_declarations(id_, round); }, true,
        [reply, seq](bool ok) {
          if (!ok) return reply(unavailable());
          reply(seq_fields(seq));
        });
    finish_round(round);
  });
}

void live_session::finish_round(std::uint32_t round) {
  if (failed_) return;
  const core::round_state* r = engine_.state().find_round(round);
  if (r == nullptr || r->phase != core::round_phase::closed || !r->closed) return;

  if (r->closed->ballots > 0 && r->decryptions.count(server_trustee) == 0) {
    auto shares = engine_.decrypt_round(round);
    if (!shares) {
      spdlog::error("session {}: round {}: the server's decryption was refused: {}", short_id(), round,
                    core::describe(shares.error()));
      return;
    }
    std::vector<core::appended> records;
    records.push_back(std::move(*shares));
    if (!commit(std::move(records), {}, true, nullptr)) return;
    r = engine_.state().find_round(round);
  }

  // Every trustee has decrypted (at once for a round without ballots): the result.
  if (r->counts && r->phase == core::round_phase::closed) {
    auto result = engine_.publish_result(round);
    if (!result) {
      spdlog::error("session {}: round {}: the result was refused: {}", short_id(), round,
                    core::describe(result.error()));
      return;
    }
    std::vector<core::appended> records;
    records.push_back(std::move(*result));
    (void)commit(std::move(records), {}, true, nullptr);
  }
}

void live_session::resume_rounds() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    const auto& rounds = self->engine_.state().rounds;
    for (std::size_t k = 0; k < rounds.size(); ++k) {
      if (rounds[k].phase == core::round_phase::closed) self->finish_round(static_cast<std::uint32_t>(k + 1));
    }
  });
}

void live_session::reveal(std::uint32_t round, reply_fn reply) {
  on_strand(std::move(reply), [this, round](reply_fn& reply) { reply_appended(engine_.reveal(round), reply); });
}

void live_session::adjourn(reply_fn reply) {
  on_strand(std::move(reply), [this](reply_fn& reply) { reply_appended(engine_.adjourn(), reply); });
}

// ---- pushes -------------------------------------------------------------------------------------

void live_session::subscribe(push_target target, std::uint64_t from) {
  boost::asio::post(strand_, [self = shared_from_this(), target = std::move(target), from]() mutable {
    self->add_subscriber(std::move(target), from);
  });
}

void live_session::unsubscribe(std::uint64_t connection_id) {
  boost::asio::post(strand_, [self = shared_from_this(), connection_id] { self->subscribers_.erase(connection_id); });
}

void live_session::add_subscriber(push_target target, std::uint64_t from) {
  if (target.closed && target.closed->load()) return;
  const std::uint64_t id = target.connection->id();
  const std::uint64_t end = durable_length_.load();
  subscriber s;
  s.target = target;
  if (from < end) {
    // Catch-up without gap or duplicate: [from, end) is read from the store; every live push
    // from here on (seq ≥ end) is buffered until that is sent.
    s.catching_up = true;
    s.next_seq = end;
    subscribers_.insert_or_assign(id, std::move(s));
    context_->post_to_pool([self = shared_from_this(), id, from, end, target = std::move(target)]() mutable {
      self->catch_up(id, from, end, std::move(target));
    });
    return;
  }
  s.next_seq = from;
  subscribers_.insert_or_assign(id, std::move(s));
  target.connection->send(std::make_shared<const std::string>(wire::progress_push(pushed_progress_)));
}

void live_session::push_all(const std::shared_ptr<const std::string>& message, std::optional<std::uint64_t> seq) {
  for (auto it = subscribers_.begin(); it != subscribers_.end();) {
    auto& s = it->second;
    if (s.target.closed && s.target.closed->load()) {
      it = subscribers_.erase(it);
      continue;
    }
    if (!seq || *seq >= s.next_seq) {
      if (s.catching_up) {
        s.buffered.push_back(message);
      } else {
        s.target.connection->send(message);
      }
    }
    ++it;
  }
}

void live_session::catch_up(std::uint64_t id, std::uint64_t from, std::uint64_t end, push_target target) {
  if (context_->stopping.load() || (target.closed && target.closed->load())) return unsubscribe(id);

  struct stored_line {
    std::uint64_t seq;
    std::string line;
    crypto::chain_hash hash;
  };
  std::vector<stored_line> chunk;
  std::size_t bytes = 0;
  std::uint64_t next = from;
  const auto read = context_->store.read_chain(id_, from, [&](const store::chain_line_view& l) {
    if (l.seq >= end || l.seq != next) return false;
    chunk.push_back(stored_line{l.seq, std::string(l.line), l.hash});
    bytes += l.line.size();
    ++next;
    return chunk.size() < catch_up_lines && bytes < catch_up_bytes;
  });
  if (!read || chunk.empty()) {
    spdlog::error("session {}: catch-up read failed at seq {}", short_id(), from);
    target.connection->close();
    return unsubscribe(id);
  }
  // Sent from this thread in order; the strand's live pushes follow them (finish_catch_up is
  // posted after these sends, and the connection keeps the order of sends that happen-before).
  for (const auto& l : chunk) {
    target.connection->send(std::make_shared<const std::string>(
        wire::record_push(l.seq, l.line, crypto::sign_head(signing_, id_, l.seq, l.hash))));
  }
  if (next < end) {
    auto timer = std::make_shared<boost::asio::steady_timer>(context_->pool.get_executor(), catch_up_pause);
    timer->async_wait([self = shared_from_this(), timer, id, next, end,
                       target = std::move(target)](const boost::system::error_code&) mutable {
      self->catch_up(id, next, end, std::move(target));
    });
    return;
  }
  boost::asio::post(strand_, [self = shared_from_this(), id] { self->finish_catch_up(id); });
}

void live_session::finish_catch_up(std::uint64_t id) {
  const auto it = subscribers_.find(id);
  if (it == subscribers_.end()) return;
  auto& s = it->second;
  if (s.target.closed && s.target.closed->load()) {
    subscribers_.erase(it);
    return;
  }
  for (auto& message : s.buffered) s.target.connection->send(std::move(message));
  s.buffered.clear();
  s.buffered.shrink_to_fit();
  s.catching_up = false;
  s.target.connection->send(std::make_shared<const std::string>(wire::progress_push(pushed_progress_)));
}

wire::progress live_session::snapshot() const {
  const auto& state = engine_.state();
  wire::progress p;
  p.present = state.present;
  const core::round_state* latest = nullptr;
  if (state.open_round) {
    latest = state.find_round(*state.open_round);
  } else {
    for (std::size_t k = state.rounds.size(); k-- > 0;) {
      if (state.rounds[k].phase != core::round_phase::defined) {
        latest = &state.rounds[k];
        break;
      }
    }
  }
  if (latest != nullptr) {
    p.round = latest->definition.round;
    p.tokens = static_cast<std::uint32_t>(latest->tokens.size());
    p.ballots = latest->ballots;
    if (latest->phase == core::round_phase::open) {
      p.voted = static_cast<std::uint32_t>(latest->declarations.size());
    } else if (latest->closed) {
      p.voted = static_cast<std::uint32_t>(latest->closed->voted.size());
    }
  }
  return p;
}

void live_session::progress_changed() {
  if (durable_progress_ == pushed_progress_ || progress_timer_running_) return;
  send_progress();
  // At most one progress push per interval: the timer's end sends what changed meanwhile.
  progress_timer_running_ = true;
  progress_timer_.expires_after(context_->options.progress_interval);
  progress_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->progress_timer_running_ = false;
    if (!ec) self->progress_changed();
  });
}

void live_session::send_progress() {
  pushed_progress_ = durable_progress_;
  push_all(std::make_shared<const std::string>(wire::progress_push(pushed_progress_)), std::nullopt);
}

}  // namespace pingyi::net
