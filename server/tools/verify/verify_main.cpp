// pingyi-verify: an observer's independent check of a session's chain (DESIGN.md §3.6): every
// signature and proof, the sums, the decryption, the counts and every result field by the
// recorded rule, with the same fold as the server; the signed head and receipts when given.
// Exit status 0 only when everything verified; 1 when something did not; 2 for bad usage or an
// unreadable file.
//
//   pingyi-verify CHAIN.jsonl [--head HEAD.json] [--receipt XXXX-XXXX]... [--json] [--lang zh|en]
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "audit_report.hpp"
#include "chain_check.hpp"
#include "pingyi/crypto/init.hpp"

namespace {

using namespace pingyi;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// {"seq": n, "hash": "<hex>", "sig": "<hex>"}, as GET /api/sessions/{id}/head answers (an "ok"
// key is allowed beside them).
std::optional<crypto::signed_head> parse_head(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("hash") ||
      !j["hash"].is_string() || !j.contains("sig") || !j["sig"].is_string()) {
    return std::nullopt;
  }
  auto hash = crypto::from_hex_fixed<32>(j["hash"].get<std::string>());
  auto sig = crypto::signature::from_hex(j["sig"].get<std::string>());
  if (!hash || !sig) return std::nullopt;
  return crypto::signed_head{j["seq"].get<std::uint64_t>(), *hash, *sig};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pingyi-verify: check a pingyi session's chain without trusting the server"};
  std::string chain_path;
  std::string head_path;
  std::vector<std::string> receipts;
  bool as_json = false;
  std::string lang = "zh";
  unsigned threads = 0;
  app.add_option("chain", chain_path, "the chain, one record per line (GET /api/sessions/ID/chain)")->required();
  app.add_option("--head", head_path, "a signed head to check against the chain (GET /api/sessions/ID/head)");
  app.add_option("--receipt", receipts, "a ballot receipt: its code XXXX-XXXX, or the full JSON receipt");
  app.add_flag("--json", as_json, "print a machine-readable report");
  app.add_option("--lang", lang, "language of the report")->check(CLI::IsMember({"zh", "en"}));
  app.add_option("--threads", threads, "worker threads for the ballots (default: every core)");
  CLI11_PARSE(app, argc, argv);
  if (!crypto::init()) {
    std::fprintf(stderr, "pingyi-verify: libsodium failed to initialise\n");
    return 2;
  }

  const auto text = read_file(chain_path);
  if (!text) {
    std::fprintf(stderr, "pingyi-verify: cannot read %s\n", chain_path.c_str());
    return 2;
  }
  auto lines = verify::split_lines(*text);
  if (!lines) {
    std::fprintf(stderr, "pingyi-verify: %s: %s\n", chain_path.c_str(), core::describe(lines.error()).c_str());
    return 1;
  }
  const auto chain = verify::check_chain(*lines, threads);

  std::optional<verify::head_check> head;
  if (!head_path.empty()) {
    const auto head_text = read_file(head_path);
    const auto parsed = head_text ? parse_head(*head_text) : std::nullopt;
    if (!parsed) {
      std::fprintf(stderr, "pingyi-verify: %s is not a signed head {seq, hash, sig}\n", head_path.c_str());
      return 2;
    }
    head = verify::check_head(chain, *parsed);
  }
  std::vector<verify::receipt_check> checked;
  for (const auto& r : receipts) checked.push_back(verify::check_receipt(chain, *lines, r));

  if (as_json) {
    std::cout << verify::render_json(chain, head, checked).dump(2) << "\n";
  } else {
    std::cout << verify::render_text(chain, head, checked, lang == "en" ? verify::language::en : verify::language::zh);
  }
  return verify::all_verified(chain, head, checked) ? 0 : 1;
}
