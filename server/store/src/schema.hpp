// The store's schema and its migrations: a new database gets the current schema, an older one is
// migrated step by step, a newer one is refused (this build would not know what it must keep).
#pragma once

#include <cstdint>

#include "pingyi/store/error.hpp"
#include "sqlite_connection.hpp"

namespace pingyi::store::detail {

// Written to the database header (PRAGMA application_id) so that the store never mistakes
// another program's SQLite file for its own: "PYI1".
inline constexpr std::int64_t application_id = 0x50594931;
// The version this build writes; schema_version holds one row per applied migration.
inline constexpr std::int64_t current_schema_version = 1;

// Brings the database on `db` to the current schema, each migration in its own transaction.
[[nodiscard]] status prepare_schema(const sqlite_connection& db);

}  // namespace pingyi::store::detail
