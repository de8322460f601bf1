// Building write batches; see write_batch.hpp. Hashing happens here, on the caller's thread, so
// that the single writer thread spends its time on the disk and nothing else.
#include "pingyi/store/write_batch.hpp"

#include <utility>

namespace pingyi::store {
namespace {
// A write's weight in the queue beyond its strings: the variant, the session id, bookkeeping.
constexpr std::size_t fixed_cost = 128;
}  // namespace

crypto::session_id write_batch::create_session(std::string genesis_line) {
  const crypto::session_id id = crypto::line_hash(genesis_line);
  bytes_ += fixed_cost + genesis_line.size();
  writes_.emplace_back(detail::create_session_write{id, std::move(genesis_line)});
  return id;
}

void write_batch::append(const crypto::session_id& session, std::uint64_t seq, std::string line) {
  const crypto::chain_hash hash = crypto::line_hash(line);
  bytes_ += fixed_cost + line.size();
  writes_.emplace_back(detail::append_write{session, seq, std::move(line), hash});
}

void write_batch::put_credential(const crypto::session_id& session, credential_kind kind, std::string holder,
                                 const credential_hash& hash) {
  bytes_ += fixed_cost + holder.size();
  writes_.emplace_back(detail::put_credential_write{session, kind, std::move(holder), hash});
}

void write_batch::erase_credential(const crypto::session_id& session, credential_kind kind, std::string holder) {
  bytes_ += fixed_cost + holder.size();
  writes_.emplace_back(detail::erase_credential_write{session, kind, std::move(holder)});
}

void write_batch::put_declaration(const crypto::session_id& session, std::uint32_t round, declaration decl) {
  bytes_ += fixed_cost + decl.member.size();
  writes_.emplace_back(detail::put_declaration_write{session, round, std::move(decl)});
}

void write_batch::erase_declarations(const crypto::session_id& session, std::uint32_t round) {
  bytes_ += fixed_cost;
  writes_.emplace_back(detail::erase_declarations_write{session, round});
}

}  // namespace pingyi::store
