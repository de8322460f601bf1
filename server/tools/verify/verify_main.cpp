// pingyi-verify: an observer's independent check of a session's chain (DESIGN.md §3.6): every
// signature and proof, the sums, the decryption, the counts and every result field by the
// recorded rule, with the same fold as the server; the signed head and receipts when given. The
// chain comes from a file, from the server (--url), or live from its feed (--follow, kept in a
// local mirror that proves any later rewrite of what the server signed).
//
//   pingyi-verify CHAIN.jsonl [--head HEAD.json] [--receipt XXXX-XXXX]... [--json] [--lang zh|en]
//   pingyi-verify --url http://host:port --session ID [--cacert FILE] [--receipt …] [--json] [--lang …]
//   pingyi-verify --url … --session ID --follow --mirror DIR [--cacert FILE] [--json] [--lang …]
//   pingyi-verify --check-evidence DIR/fork-evidence.json
//   … [--results-csv FILE] [--results-html FILE]: the verified results, written only if all verified
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "audit_report.hpp"
#include "chain_check.hpp"
#include "fetch.hpp"
#include "follow.hpp"
#include "fork_evidence.hpp"
#include "mirror.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"
#include "results_export.hpp"

namespace {

using namespace pingyi;

// Exit statuses (docs/VERIFYING.md).
constexpr int verified = 0;
constexpr int not_verified = 1;
constexpr int cannot_check = 2;  // bad usage, an unreadable file, no server, no such session
constexpr int forked = 3;        // the server contradicted a head it signed: evidence written

constexpr const char* footer = R"(Modes:
  CHAIN.jsonl           check a downloaded chain (with --head HEAD.json: and the server's signed head)
  --url … --session ID  download the session's signed head and chain from the server and check both
  --follow --mirror DIR stay on the session's live feed, check every record as it arrives, keep them
                        and every signed head in DIR (chain.jsonl, heads.jsonl), resume from DIR after
                        a restart; ends after the adjournment record
  --check-evidence FILE check a fork-evidence.json: both signatures and the contradiction
  --results-csv FILE, --results-html FILE
                        with any of the first three: the results as a spreadsheet (UTF-8 CSV) and as
                        a printable report (测评结果通报, A4), written only when everything verified
Exit status:
  0  everything verified (--follow: up to the adjournment)
  1  something did not verify: the report names the record and the reason
  2  could not check: bad usage, unreadable file, server unreachable, no such session (NOT_FOUND),
     untrusted certificate, unusable mirror directory
  3  --follow: the server served a history contradicting a head it had signed; the two signed
     heads and their records are in DIR/fork-evidence.json

用法：
  链文件                 核验已下载的链（加 --head 链头文件：同时核验服务器签名的链头）
  --url … --session 标识 从服务器下载签名链头和整条链并核验
  --follow --mirror 目录 实时跟踪会议推送，逐条核验，把记录和每个签名链头保存在目录中，
                         重启后从目录接着跟踪；核验到休会记录后结束
  --check-evidence 文件  核验分叉证据文件：两个签名和其中的矛盾
  --results-csv 文件、--results-html 文件
                         与前三种方式同用：把核验后的结果写成表格（UTF-8 CSV）和可打印的
                         测评结果通报（A4）；只有全部验证通过才写
退出状态：
  0  全部验证通过（--follow：直到休会记录）
  1  有记录未通过验证，报告写明哪一条、什么原因
  2  无法验证：用法错误、文件不可读、连不上服务器、会议不存在（NOT_FOUND）、证书不受信任、镜像目录不可用
  3  --follow 发现服务器改写了它签过名的历史，两个签名链头及记录已写入 目录/fork-evidence.json

Examples / 示例:
  pingyi-verify chain.jsonl --head head.json
  pingyi-verify --url https://pingyi.example.org --session ID --receipt 3EBR-D8C7
  pingyi-verify --url http://192.168.1.10:8080 --session ID --follow --mirror ./session-copy
  pingyi-verify --check-evidence ./session-copy/fork-evidence.json
docs/VERIFYING.md explains the report / 报告的解读见 docs/VERIFYING.md)";

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void complain(const std::string& message) { std::fprintf(stderr, "pingyi-verify: %s\n", message.c_str()); }

struct report_options {
  std::vector<std::string> receipts;
  bool as_json = false;
  verify::language lang = verify::language::zh;
  std::string results_csv;   // written only when everything verified
  std::string results_html;
};

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) complain("cannot write " + path);
  return static_cast<bool>(out);
}

// The results exports, from the verified fold: only when every record (and the head and receipts
// asked about) verified, so that no paper ever carries results the chain does not prove.
int export_results(const verify::chain_result& chain, bool all_verified, const report_options& r) {
  if (r.results_csv.empty() && r.results_html.empty()) return verified;
  if (!all_verified) {
    complain("the results were not written: the chain did not verify");
    return not_verified;
  }
  if (!r.results_csv.empty() && !write_file(r.results_csv, verify::render_results_csv(chain, r.lang))) return cannot_check;
  if (!r.results_html.empty() && !write_file(r.results_html, verify::render_results_html(chain, r.lang))) {
    return cannot_check;
  }
  return verified;
}

// Prints the report and gives the exit status it implies.
int report(const verify::chain_result& chain, const std::vector<std::string>& lines,
           const std::optional<verify::head_check>& head, const report_options& r,
           const std::optional<verify::fork_notice>& fork = std::nullopt) {
  std::vector<verify::receipt_check> checked;
  for (const auto& q : r.receipts) checked.push_back(verify::check_receipt(chain, lines, q));
  if (r.as_json) {
    std::cout << verify::render_json(chain, head, checked, fork).dump(2) << "\n";
  } else {
    std::cout << verify::render_text(chain, head, checked, r.lang, fork);
  }
  if (fork) return forked;
  const bool ok = verify::all_verified(chain, head, checked);
  const int exported = export_results(chain, ok, r);
  if (!ok) return not_verified;
  return exported;
}

// A chain whose genesis is not the session asked for does not verify, whatever else holds.
void require_session(verify::chain_result& chain, const crypto::session_id& session) {
  if (chain.failure || chain.lines == 0 || chain.state.id == session) return;
  chain.failure = verify::chain_failure{
      0, "genesis",
      core::fail(core::error_code::bad_request, "genesis",
                 "hashes to " + crypto::to_hex(chain.state.id) + ", not the session asked for, " + crypto::to_hex(session))};
}

int check_file(const std::string& chain_path, const std::string& head_path, unsigned threads, const report_options& r) {
  const auto text = read_file(chain_path);
  if (!text) {
    complain("cannot read " + chain_path);
    return cannot_check;
  }
  auto lines = verify::split_lines(*text);
  if (!lines) {
    complain(chain_path + ": " + core::describe(lines.error()));
    return not_verified;
  }
  const auto chain = verify::check_chain(*lines, threads);
  std::optional<verify::head_check> head;
  if (!head_path.empty()) {
    const auto head_text = read_file(head_path);
    const auto parsed = head_text ? verify::parse_signed_head(*head_text) : std::nullopt;
    if (!parsed) {
      complain(head_path + " is not a signed head {seq, hash, sig}");
      return cannot_check;
    }
    head = verify::check_head(chain, *parsed);
  }
  return report(chain, *lines, head, r);
}

// GET …/head first, then …/chain: the chain served after the head holds the record it signs.
int check_url(const verify::server_url& url, const verify::tls_settings& tls, const std::string& session,
              const crypto::session_id& id, unsigned threads, const report_options& r) {
  const std::string base = "/api/sessions/" + session;
  const auto fetch = [&](const std::string& what) -> std::optional<std::string> {
    const auto reply = verify::http_get(url, tls, base + what);
    if (!reply) {
      complain(reply.error().message);
      return std::nullopt;
    }
    if (reply->status != 200) {
      const auto refused = verify::refusal(reply->status, reply->body);
      complain("GET " + url.text() + base + what + ": " + refused.code + " " + refused.message);
      return std::nullopt;
    }
    return reply->body;
  };
  const auto head_text = fetch("/head");
  if (!head_text) return cannot_check;
  const auto head = verify::parse_signed_head(*head_text);
  if (!head) {
    complain("GET " + url.text() + base + "/head did not answer a signed head {seq, hash, sig}");
    return not_verified;
  }
  const auto chain_text = fetch("/chain");
  if (!chain_text) return cannot_check;
  auto lines = verify::split_lines(*chain_text);
  if (!lines) {
    complain("GET " + url.text() + base + "/chain: " + core::describe(lines.error()));
    return not_verified;
  }
  auto chain = verify::check_chain(*lines, threads);
  require_session(chain, id);
  return report(chain, *lines, verify::check_head(chain, *head), r);
}

int check_evidence(const std::string& path, verify::language lang) {
  const auto text = read_file(path);
  if (!text) {
    complain("cannot read " + path);
    return cannot_check;
  }
  const auto evidence = verify::parse_fork_evidence(*text);
  if (!evidence) {
    complain(path + ": " + core::describe(evidence.error()));
    return not_verified;
  }
  const auto st = verify::check_fork_evidence(*evidence);
  if (!st) {
    std::cout << (lang == verify::language::zh ? "✗ 证据不成立：" : "✗ the evidence does not hold: ")
              << core::describe(st.error()) << "\n";
    return not_verified;
  }
  std::cout << verify::render_fork_text(*evidence, path, lang);
  return verified;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pingyi-verify: check a pingyi session's chain without trusting the server\n"
               "pingyi-verify：无需信任服务器，独立核验一次 pingyi 会议的哈希链",
               "pingyi-verify"};
  std::string chain_path;
  std::string head_path;
  std::string url_text;
  std::string session;
  std::string cacert;
  bool follow = false;
  std::string mirror_dir;
  std::string evidence_path;
  report_options r;
  std::string lang = "zh";
  unsigned threads = 0;
  app.add_option("chain", chain_path, "the chain, one record per line (GET /api/sessions/ID/chain) / 链文件");
  app.add_option("--head", head_path, "a signed head to check against the chain file (GET /api/sessions/ID/head)");
  app.add_option("--url", url_text,
                 "the server, http://host:port or https://host[:port]: download its chain and signed head / 服务器地址");
  app.add_option("--session", session, "the session id (64 hex digits) on --url / 会议标识");
  app.add_option("--cacert", cacert, "https: trust this CA certificate (PEM) instead of the system's / 私有 CA 证书")
      ->check(CLI::ExistingFile);
  app.add_flag("--follow", follow,
               "stay on the session's live feed, verify every record as it arrives, until it is adjourned / 实时跟踪");
  app.add_option("--mirror", mirror_dir,
                 "with --follow: keep the verified records and every signed head in DIR, resume from it after a "
                 "restart, and write DIR/fork-evidence.json if the server rewrites its history / 本地镜像目录");
  app.add_option("--check-evidence", evidence_path, "check a fork-evidence.json file: both signatures and the contradiction");
  app.add_option("--receipt", r.receipts, "a ballot receipt: its code XXXX-XXXX, or the full JSON receipt / 回执");
  app.add_flag("--json", r.as_json, "print a machine-readable report / 输出 JSON 报告");
  app.add_option("--lang", lang, "language of the report / 报告语言 (zh, en)")->check(CLI::IsMember({"zh", "en"}));
  app.add_option("--threads", threads, "worker threads for the proofs (default: every core)");
  app.add_option("--results-csv", r.results_csv,
                 "write the verified results as UTF-8 CSV, only if everything verified / 结果表格");
  app.add_option("--results-html", r.results_html,
                 "write the printable results report (A4 HTML), only if everything verified / 测评结果通报");
  app.footer(footer);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? verified : cannot_check;  // --help prints and exits 0
  }
  r.lang = lang == "en" ? verify::language::en : verify::language::zh;

  const int modes = (chain_path.empty() ? 0 : 1) + (url_text.empty() ? 0 : 1) + (evidence_path.empty() ? 0 : 1);
  const auto usage = [](const std::string& message) {
    complain(message + " (see --help)");
    return cannot_check;
  };
  if (modes != 1) return usage("give one of: a chain file, --url, --check-evidence");
  if (!url_text.empty() && session.empty()) return usage("--url needs --session ID");
  if (url_text.empty() && (!session.empty() || follow || !cacert.empty())) {
    return usage("--session, --follow and --cacert go with --url");
  }
  if (follow != !mirror_dir.empty()) return usage("--follow and --mirror DIR go together");
  if (!head_path.empty() && chain_path.empty()) return usage("--head goes with a chain file (--url fetches the head)");
  if (!evidence_path.empty() && (!r.results_csv.empty() || !r.results_html.empty())) {
    return usage("--results-csv and --results-html go with a chain file or --url");
  }
  if (!crypto::init()) {
    complain("libsodium failed to initialise");
    return cannot_check;
  }

  if (!evidence_path.empty()) return check_evidence(evidence_path, r.lang);
  if (!chain_path.empty()) return check_file(chain_path, head_path, threads, r);

  const auto url = verify::parse_server_url(url_text);
  if (!url) return usage("--url " + url_text + ": " + url.error());
  if (!cacert.empty() && !url->tls) return usage("--cacert is for an https:// server");
  const auto id = crypto::from_hex_fixed<32>(session);
  if (session.size() != 64 || session.find_first_not_of("0123456789abcdef") != std::string::npos || !id) {
    return usage("--session must be the session id, 64 lower-case hex digits");
  }
  const verify::tls_settings tls{cacert};
  if (!follow) return check_url(*url, tls, session, *id, threads, r);

  verify::follow_options options;
  options.url = *url;
  options.tls = tls;
  options.session = session;
  options.mirror_dir = mirror_dir;
  options.threads = threads;
  options.lang = r.lang;
  options.log = [](const std::string& line) { complain(line); };
  auto outcome = verify::follow(options);
  switch (outcome.what) {
    case verify::follow_outcome::kind::error:
      complain(outcome.problem);
      return cannot_check;
    case verify::follow_outcome::kind::fork: {
      if (!outcome.problem.empty()) complain(outcome.problem);
      const auto path = (std::filesystem::path(mirror_dir) / "fork-evidence.json").string();
      if (!outcome.fork) return forked;  // found by an earlier run: its file says it all
      return report(outcome.chain, outcome.lines, std::nullopt, r, verify::fork_notice{*outcome.fork, path});
    }
    case verify::follow_outcome::kind::failed:
      if (!outcome.problem.empty()) complain(outcome.problem);
      (void)report(outcome.chain, outcome.lines, std::nullopt, r);
      return not_verified;
    case verify::follow_outcome::kind::adjourned:
      return report(outcome.chain, outcome.lines, std::nullopt, r);
  }
  return cannot_check;
}
