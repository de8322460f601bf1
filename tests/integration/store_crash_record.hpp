// The records the crash-durability child appends: a deterministic function of (session, seq,
// prev hash), so that the parent can tell, byte for byte, what every stored line must be.
#pragma once

#include <cstdint>
#include <string>

#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"

namespace pingyi::store::test {

inline constexpr int crash_sessions = 2;

inline std::string crash_genesis(int session) {
  return std::string(R"({"seq":0,"prev":")")
      .append(64, '0')
      .append(R"(","time":"2024-03-01T09:00:00.000Z","type":"genesis","title":"崩溃测试 )")
      .append(std::to_string(session))
      .append(R"("})");
}

// Mostly ballot-sized lines of varying length, with Chinese text and JSON escapes; now and then
// a large one that spans many SQLite overflow pages.
inline std::string crash_record(int session, std::uint64_t seq, const crypto::chain_hash& prev) {
  const std::size_t units = seq % 509 == 0 ? 1500 : (seq * 7919 + static_cast<std::uint64_t>(session) * 31) % 100;
  std::string body;
  body.reserve(units * 9);
  for (std::size_t i = 0; i < units; ++i) body.append(i % 3 == 0 ? R"(满意\"\\)" : "基本满意");
  return std::string(R"({"seq":)")
      .append(std::to_string(seq))
      .append(R"(,"prev":")")
      .append(crypto::to_hex(prev))
      .append(R"(","time":"2024-03-01T09:00:00.000Z","type":"ballot","session":)")
      .append(std::to_string(session))
      .append(R"(,"body":")")
      .append(body)
      .append(R"("})");
}

}  // namespace pingyi::store::test
