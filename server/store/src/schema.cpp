// Schema creation and migration for the chain store; see schema.hpp. The invariants that matter
// most are kept by the database itself, so that no bug in the code above it can break them:
// chains are append-only and contiguous from 0, and a session's id is the hash of its record 0.
#include "schema.hpp"

#include <chrono>
#include <string>

namespace pingyi::store::detail {
namespace {

struct migration {
  std::int64_t version;
  const char* sql;
};

// Never edit a migration once released: add the next one.
constexpr migration migrations[] = {
    {1, R"sql(
CREATE TABLE sessions (
  id         BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 32),  -- SHA-256 of the genesis line
  created_ms INTEGER NOT NULL
) STRICT;

-- Each record exactly as written (DESIGN.md §3.6: never re-serialised) and SHA-256 of its bytes.
CREATE TABLE chain (
  session BLOB    NOT NULL REFERENCES sessions (id),
  seq     INTEGER NOT NULL CHECK (seq >= 0),
  line    TEXT    NOT NULL,
  hash    BLOB    NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (session, seq)
) STRICT;

-- Contiguity: a record is the chain's next one or it is not stored (the store checks this before
-- queueing; the trigger makes a bug there a failed commit instead of a gap on disk).
CREATE TRIGGER chain_seq_is_next BEFORE INSERT ON chain
WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM chain WHERE session = NEW.session) + 1, 0)
BEGIN SELECT RAISE(ABORT, 'chain seq is not the next one'); END;

-- A session's id is the hash of its genesis line.
CREATE TRIGGER chain_genesis_is_session BEFORE INSERT ON chain
WHEN NEW.seq = 0 AND NEW.hash IS NOT NEW.session
BEGIN SELECT RAISE(ABORT, 'record 0 does not hash to the session id'); END;

-- Append-only: a line is written once and never changed or removed.
CREATE TRIGGER chain_is_append_only_update BEFORE UPDATE ON chain
BEGIN SELECT RAISE(ABORT, 'chain records are never changed'); END;
CREATE TRIGGER chain_is_append_only_delete BEFORE DELETE ON chain
BEGIN SELECT RAISE(ABORT, 'chain records are never removed'); END;

-- Only hashes of credentials, never the credentials (DESIGN.md §2).
CREATE TABLE credentials (
  session BLOB NOT NULL REFERENCES sessions (id),
  kind    TEXT NOT NULL CHECK (kind IN ('chair_code', 'checkin_code', 'device_secret')),
  holder  TEXT NOT NULL CHECK (length(holder) > 0),
  hash    BLOB NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (session, kind, holder)
) STRICT;
CREATE INDEX credentials_by_hash ON credentials (session, kind, hash);

-- "I have voted" declarations of open rounds, durable but off the chain (DESIGN.md §3.2).
-- WITHOUT ROWID: a rowid table would number the rows in arrival order, and the order in which
-- members declared, set beside the order of the ballots on the chain, pairs members with
-- ballots. Keyed by member only, the table keeps who declared, never when (DESIGN.md §7).
CREATE TABLE declarations (
  session BLOB    NOT NULL REFERENCES sessions (id),
  round   INTEGER NOT NULL CHECK (round BETWEEN 0 AND 4294967295),
  member  TEXT    NOT NULL CHECK (length(member) > 0),
  sig     BLOB    NOT NULL CHECK (length(sig) = 64),
  PRIMARY KEY (session, round, member)
) STRICT, WITHOUT ROWID;
)sql"},
};

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

status apply(const sqlite_connection& db, const migration& m, bool first) {
  if (auto s = db.exec("BEGIN IMMEDIATE"); !s) return s;
  auto step = [&]() -> status {
    if (first) {
      if (auto s = db.exec(("PRAGMA application_id = " + std::to_string(application_id)).c_str()); !s) return s;
      if (auto s = db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                           "applied_ms INTEGER NOT NULL) STRICT");
          !s) {
        return s;
      }
    }
    if (auto s = db.exec(m.sql); !s) return s;
    auto ins = db.prepare("INSERT INTO schema_version (version, applied_ms) VALUES (?1, ?2)");
    if (!ins) return ins.error();
    ins->bind(1, m.version).bind(2, now_ms());
    if (const int rc = ins->step(); rc != SQLITE_DONE) return db.failure("record schema version", rc);
    ins->reset();
    return db.exec("COMMIT");
  }();
  if (!step) {
    if (sqlite3_get_autocommit(db.get()) == 0) (void)db.exec("ROLLBACK");
    return error{step.error().code, "migration to schema " + std::to_string(m.version) + ": " + step.error().message};
  }
  return {};
}

}  // namespace

status prepare_schema(const sqlite_connection& db) {
  auto app = db.query_int("PRAGMA application_id");
  if (!app) return app.error();
  auto tables = db.query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  if (!tables) return tables.error();

  std::int64_t version = 0;
  if (*app == 0 && *tables == 0) {
    version = 0;  // a new, empty database
  } else if (*app != application_id) {
    return fail(error_code::corrupt, "not a pingyi store (application_id " + std::to_string(*app) + ")");
  } else {
    auto v = db.query_int("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!v) return v.error();
    version = *v;
  }
  if (version > current_schema_version) {
    return fail(error_code::unsupported_version, "schema version " + std::to_string(version) +
                                                     " is newer than this build's " +
                                                     std::to_string(current_schema_version));
  }
  for (const migration& m : migrations) {
    if (m.version <= version) continue;
    if (auto s = apply(db, m, version == 0 && m.version == 1); !s) return s;
  }
  return {};
}

}  // namespace pingyi::store::detail
