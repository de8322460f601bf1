// pingyi-verify's report: the session and its verdict, then round by round what the chain proves.
#include "audit_report.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <variant>

#include "pingyi/core/record.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/crockford.hpp"

namespace pingyi::verify {
namespace {

using json = nlohmann::ordered_json;

// The words of the report, one table per language.
struct words {
  const char* title;
  const char* session;
  const char* committee;
  const char* date;
  const char* records;
  const char* all_ok;
  const char* failed_at;
  const char* not_verified_after;
  const char* scrutineers;
  const char* no_scrutineers;
  const char* head;
  const char* head_ok;
  const char* head_bad_sig;
  const char* head_not_on_chain;
  const char* round;
  const char* kinds[3];
  const char* phases[5];
  const char* attendance;  // members, present, tokens, ballots, declared, undeclared
  const char* comparison;
  const char* grade;
  const char* rate;
  const char* score;
  const char* rank;
  const char* passed;
  const char* not_passed;
  const char* selected;
  const char* tied;
  const char* none;
  const char* receipt;
  const char* receipt_found;
  const char* receipt_missing;
  const char* receipt_ambiguous;
  const char* receipt_bad_sig;
  const char* verdict_ok;
  const char* verdict_bad;
};

constexpr words zh{
    "pingyi 链验证报告",
    "会议标识",
    "委员会",
    "日期",
    "记录",
    "✓ 全部记录验证通过",
    "✗ 验证失败：第 %llu 条记录（%s）",
    "此后的记录未予采信。",
    "监票人",
    "无监票人 —— 投票保密完全依赖服务器",
    "签名链头",
    "✓ 签名有效，与链一致",
    "✗ 签名无效",
    "✗ 与链不一致（分叉或改写的链）",
    "第 %u 轮",
    {"测评", "表决", "推选"},
    {"未开始", "投票中", "已结束，待解密", "已计票", "已公布"},
    "应到 %zu  实到 %u  领取令牌 %u  投票 %u  声明已投 %zu  未声明 %lld",
    "比对码",
    "等次",
    "满意率",
    "得分",
    "排名",
    "通过",
    "未通过",
    "当选",
    "票数相同需再投",
    "无",
    "回执",
    "✓ 在链上：第 %llu 条记录，第 %u 轮，签名与证明均已验证",
    "✗ 链上没有这张选票",
    "✗ 该短码对应多张选票，请使用完整回执",
    "✗ 回执签名无效",
    "结论：✓ 全部验证通过",
    "结论：✗ 验证未通过",
};

constexpr words en{
    "pingyi chain verification report",
    "session",
    "committee",
    "date",
    "records",
    "✓ every record verified",
    "✗ verification failed at record %llu (%s)",
    "Nothing after it is trusted.",
    "scrutineers",
    "no scrutineers: ballot secrecy rests on the server alone",
    "signed head",
    "✓ signature valid, matches the chain",
    "✗ signature invalid",
    "✗ does not match the chain (a forked or rewritten chain)",
    "Round %u",
    {"evaluation", "motion", "selection"},
    {"not opened", "open", "closed, awaiting decryption", "counted", "revealed"},
    "members %zu  present %u  tokens %u  ballots %u  declared %zu  undeclared %lld",
    "comparison code",
    "grade",
    "satisfaction",
    "score",
    "rank",
    "passed",
    "not passed",
    "selected",
    "tied (runoff needed)",
    "none",
    "receipt",
    "✓ on the chain: record %llu, round %u; signature and proofs verified",
    "✗ no such ballot on the chain",
    "✗ this short code matches more than one ballot: give the full receipt",
    "✗ the receipt's signature is invalid",
    "verdict: ✓ everything verified",
    "verdict: ✗ NOT verified",
};

std::string format(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// 9230 → "92.30%"; 8615 (score ×100) → "86.15".
std::string hundredths(std::uint64_t v) {
  return std::to_string(v / 100).append(".").append(v % 100 < 10 ? "0" : "").append(std::to_string(v % 100));
}

std::string labels_of(const std::vector<std::uint32_t>& indices, const core::round_contest& c, const words& w) {
  if (indices.empty()) return w.none;
  std::string out;
  for (auto i : indices) out.append(out.empty() ? "" : "、").append(i < c.options.size() ? c.options[i] : "?");
  return out;
}

std::string counts_line(const std::vector<std::uint32_t>& counts, const core::round_contest& c) {
  std::string out;
  for (std::size_t i = 0; i < counts.size() && i < c.options.size(); ++i) {
    out.append(out.empty() ? "" : "  ").append(c.options[i]).append(" ").append(std::to_string(counts[i]));
  }
  return out;
}

std::string contest_text(const core::contest_result& r, const core::round_contest& c, const words& w) {
  std::string out = std::string("  ").append(c.title.empty() ? c.id : c.title).append("\n    ");
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        out.append(counts_line(x.counts, c));
        if constexpr (std::is_same_v<T, core::evaluation_result>) {
          out.append("\n    ").append(w.grade).append(" ").append(x.grade ? c.options[*x.grade] : w.none);
          if (x.rate_bp) out.append("  ").append(w.rate).append(" ").append(hundredths(*x.rate_bp)).append("%");
          if (x.score_x100) out.append("  ").append(w.score).append(" ").append(hundredths(*x.score_x100));
          if (x.rank) out.append("  ").append(w.rank).append(" ").append(std::to_string(*x.rank));
          out.append("  ").append(x.passed ? w.passed : w.not_passed);
        } else if constexpr (std::is_same_v<T, core::motion_result>) {
          out.append("\n    ").append(x.passed ? w.passed : w.not_passed);
        } else {
          out.append("\n    ").append(w.selected).append(": ").append(labels_of(x.selected, c, w));
          if (!x.tied.empty()) out.append("  ").append(w.tied).append(": ").append(labels_of(x.tied, c, w));
        }
      },
      r);
  return out.append("\n");
}

std::size_t phase_index(core::round_phase p) { return static_cast<std::size_t>(p); }
std::size_t kind_index(core::round_kind k) { return static_cast<std::size_t>(k); }

std::string member_name(const core::session_state& s, const std::string& id) {
  if (!s.genesis) return id;
  for (const auto& m : s.genesis->members)
    if (m.id == id) return m.name;
  return id;
}

}  // namespace

head_check check_head(const chain_result& chain, const crypto::signed_head& head) {
  head_check out{head, false, false};
  const auto& s = chain.state;
  if (s.genesis) {
    out.signature_ok = crypto::verify_head(s.genesis->server_key, s.id, head.seq, head.hash, head.sig).ok();
  }
  out.on_chain = head.seq < chain.hashes.size() && chain.hashes[head.seq] == head.hash &&
                 (!chain.failure || head.seq < chain.failure->seq);
  return out;
}

receipt_check check_receipt(const chain_result& chain, const std::vector<std::string>& lines, const std::string& query) {
  receipt_check out;
  out.query = query;
  const std::uint64_t verified = chain.failure ? chain.failure->seq : chain.hashes.size();
  std::optional<crypto::signed_head> full;
  if (!query.empty() && query.front() == '{') {
    const auto j = json::parse(query, nullptr, false);
    if (j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned() && j.contains("hash") &&
        j["hash"].is_string() && j.contains("sig") && j["sig"].is_string()) {
      auto hash = crypto::from_hex_fixed<32>(j["hash"].get<std::string>());
      auto sig = crypto::signature::from_hex(j["sig"].get<std::string>());
      if (hash && sig) full = crypto::signed_head{j["seq"].get<std::uint64_t>(), *hash, *sig};
    }
    if (!full) return out;
  }
  auto normalized = full ? crypto::result<std::string>(std::string()) : crypto::normalize_crockford(query, 8);
  if (!normalized) return out;
  for (std::uint64_t seq = 0; seq < verified; ++seq) {
    const bool match = full ? (seq == full->seq && chain.hashes[seq] == full->hash)
                            : crypto::receipt_code(chain.hashes[seq]) == crypto::group_by_four(*normalized);
    if (!match) continue;
    auto r = core::decode(lines[seq]);
    const auto* b = r ? std::get_if<core::ballot_body>(&r->body) : nullptr;
    if (b == nullptr) continue;
    if (out.seq) {
      out.ambiguous = true;
      break;
    }
    out.seq = seq;
    out.round = b->round;
  }
  if (full && out.seq && chain.state.genesis) {
    out.signature_ok =
        crypto::verify_head(chain.state.genesis->server_key, chain.state.id, full->seq, full->hash, full->sig).ok();
  }
  return out;
}

bool all_verified(const chain_result& chain, const std::optional<head_check>& head,
                  const std::vector<receipt_check>& receipts) {
  if (chain.failure || chain.lines == 0) return false;
  if (head && !(head->signature_ok && head->on_chain)) return false;
  return std::all_of(receipts.begin(), receipts.end(),
                     [](const receipt_check& r) { return r.seq && !r.ambiguous && r.signature_ok; });
}

std::string render_text(const chain_result& chain, const std::optional<head_check>& head,
                        const std::vector<receipt_check>& receipts, language lang,
                        const std::optional<fork_notice>& fork) {
  const words& w = lang == language::zh ? zh : en;
  const auto& s = chain.state;
  std::string out = std::string(w.title).append("\n\n");
  if (s.genesis) {
    out.append(s.genesis->title).append("\n");
    out.append(w.committee).append("  ").append(s.genesis->committee).append("\n");
    out.append(w.date).append("  ").append(s.genesis->date).append("\n");
    out.append(w.session).append("  ").append(crypto::to_hex(s.id)).append("\n");
    if (s.genesis->scrutineers.empty()) {
      out.append("⚠ ").append(w.no_scrutineers).append("\n");
    } else {
      out.append(w.scrutineers).append("  ");
      for (std::size_t i = 0; i < s.genesis->scrutineers.size(); ++i) {
        out.append(i ? "、" : "").append(member_name(s, s.genesis->scrutineers[i]));
      }
      out.append("\n");
    }
  }
  out.append(w.records).append("  ").append(std::to_string(chain.lines)).append("\n");
  if (chain.failure) {
    out.append(format(w.failed_at, static_cast<unsigned long long>(chain.failure->seq),
                      chain.failure->type.empty() ? "?" : chain.failure->type.c_str()))
        .append("\n  ")
        .append(core::to_string(chain.failure->error.code))
        .append(" ")
        .append(core::describe(chain.failure->error))
        .append("\n  ")
        .append(w.not_verified_after)
        .append("\n");
  } else if (chain.lines > 0) {
    out.append(w.all_ok).append("\n");
  }
  if (head) {
    out.append(w.head).append("  seq ").append(std::to_string(head->head.seq)).append("  ");
    out.append(!head->signature_ok ? w.head_bad_sig : !head->on_chain ? w.head_not_on_chain : w.head_ok).append("\n");
  }

  for (const auto& r : s.rounds) {
    const auto& d = r.definition;
    out.append("\n").append(format(w.round, d.round)).append("  ").append(d.title).append("  (");
    out.append(w.kinds[kind_index(d.kind)]).append(", ").append(w.phases[phase_index(r.phase)]).append(")\n");
    if (r.closed) {
      const auto& c = *r.closed;
      const long long undeclared = static_cast<long long>(c.ballots) - static_cast<long long>(c.voted.size());
      out.append("  ")
          .append(format(w.attendance, s.members.size(), c.present, c.tokens, c.ballots, c.voted.size(), undeclared))
          .append(undeclared > 0 ? "  ⚠" : "")
          .append("\n  ")
          .append(w.comparison)
          .append("  ")
          .append(crypto::comparison_code(r.closed_hash))
          .append("\n");
    }
    if (r.result) {
      for (std::size_t k = 0; k < r.result->contests.size() && k < d.contests.size(); ++k) {
        out.append(contest_text(r.result->contests[k], d.contests[k], w));
      }
    }
  }

  for (const auto& rc : receipts) {
    out.append("\n").append(w.receipt).append("  ").append(rc.query).append("\n  ");
    if (rc.ambiguous) {
      out.append(w.receipt_ambiguous);
    } else if (!rc.seq) {
      out.append(w.receipt_missing);
    } else if (!rc.signature_ok) {
      out.append(w.receipt_bad_sig);
    } else {
      out.append(format(w.receipt_found, static_cast<unsigned long long>(*rc.seq), *rc.round));
    }
    out.append("\n");
  }
  if (fork) out.append("\n").append(render_fork_text(fork->evidence, fork->path, lang));
  out.append("\n").append(!fork && all_verified(chain, head, receipts) ? w.verdict_ok : w.verdict_bad).append("\n");
  return out;
}

std::string render_fork_text(const fork_evidence& e, const std::string& path, language lang) {
  const bool zh = lang == language::zh;
  const auto head = [](const signed_record& r) {
    return std::string("  seq ").append(std::to_string(r.head.seq)).append("  hash ").append(crypto::to_hex(r.head.hash))
        .append("\n    sig ").append(r.head.sig.hex()).append("\n");
  };
  std::string out = zh ? "✗ 发现分叉：服务器改写了它已签名的历史\n" : "✗ FORK: the server rewrote a history it had signed\n";
  const auto a = std::to_string(e.first.head.seq);
  const auto b = std::to_string(e.second.head.seq);
  if (e.kind == fork_kind::same_seq) {
    out.append(zh ? "  服务器为第 " + a + " 条记录签发了两个不同的哈希：\n"
                  : "  The server signed two different hashes for record " + a + ":\n");
  } else {
    out.append(zh ? "  服务器签发的第 " + b + " 条记录不接在它为第 " + a + " 条记录签发的哈希之后：\n"
                  : "  The server signed a record " + b + " that does not follow the hash it signed for record " + a +
                        ":\n");
  }
  out.append(zh ? "  先前（本地镜像）\n" : "  first (the mirror)\n").append(head(e.first));
  out.append(zh ? "  后来（服务器新给出的）\n" : "  later (served since)\n").append(head(e.second));
  out.append(zh ? "  两个签名都可以用创世记录中的服务器公钥核验；证据已写入 "
                : "  Both signatures verify with the server key in the genesis record; the evidence is in ")
      .append(path)
      .append(zh ? "\n  （任何人都可以运行 pingyi-verify --check-evidence " : "\n  (anyone can run pingyi-verify --check-evidence ")
      .append(path)
      .append(zh ? " 核验）\n" : ")\n");
  return out;
}

json render_json(const chain_result& chain, const std::optional<head_check>& head,
                 const std::vector<receipt_check>& receipts, const std::optional<fork_notice>& fork) {
  const auto& s = chain.state;
  json out;
  out["verified"] = !fork && all_verified(chain, head, receipts);
  out["records"] = chain.lines;
  if (s.genesis) {
    out["session"] = crypto::to_hex(s.id);
    out["title"] = s.genesis->title;
    out["committee"] = s.genesis->committee;
    out["date"] = s.genesis->date;
    out["members"] = s.members.size();
    out["scrutineers"] = s.genesis->scrutineers;
  }
  if (chain.failure) {
    out["failure"] = {{"seq", chain.failure->seq},
                      {"type", chain.failure->type},
                      {"code", core::to_string(chain.failure->error.code)},
                      {"field", chain.failure->error.field},
                      {"message", chain.failure->error.message}};
  } else {
    out["failure"] = nullptr;
  }
  if (head) {
    out["head"] = {{"seq", head->head.seq},
                   {"hash", crypto::to_hex(head->head.hash)},
                   {"signature_ok", head->signature_ok},
                   {"on_chain", head->on_chain}};
  }
  json rounds = json::array();
  for (const auto& r : s.rounds) {
    json jr;
    jr["round"] = r.definition.round;
    jr["title"] = r.definition.title;
    jr["kind"] = core::to_string(r.definition.kind);
    jr["phase"] = core::to_string(r.phase);
    if (r.closed) {
      jr["present"] = r.closed->present;
      jr["tokens"] = r.closed->tokens;
      jr["ballots"] = r.closed->ballots;
      jr["declared"] = r.closed->voted.size();
      jr["comparison_code"] = crypto::comparison_code(r.closed_hash);
    }
    if (r.result) {
      jr["undeclared"] = r.result->undeclared;
      jr["contests"] = core::contests_to_json(r.result->contests);
    }
    rounds.push_back(jr);
  }
  out["rounds"] = rounds;
  json jreceipts = json::array();
  for (const auto& rc : receipts) {
    jreceipts.push_back({{"query", rc.query},
                         {"seq", rc.seq ? json(*rc.seq) : json(nullptr)},
                         {"round", rc.round ? json(*rc.round) : json(nullptr)},
                         {"signature_ok", rc.signature_ok},
                         {"ambiguous", rc.ambiguous}});
  }
  out["receipts"] = jreceipts;
  if (fork) {
    out["fork"] = to_json(fork->evidence);
    out["fork_evidence_file"] = fork->path;
  }
  return out;
}

}  // namespace pingyi::verify
