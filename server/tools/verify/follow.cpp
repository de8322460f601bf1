// The follow loop: the mirror re-verified, the session's signed head fetched (it must exist, and
// its head is one more the server cannot take back), then the /observe feed from the mirror's last
// record. Records are verified in batches: whatever arrived until the feed is quiet for 50 ms (or
// 1,024 records), so that a catch-up of thousands of records uses every core while a live
// session is verified record by record. Nothing reaches the mirror before it verified, and a
// batch's heads reach the disk before its lines.
#include "follow.hpp"

#include <nlohmann/json.hpp>
#include <thread>
#include <utility>
#include <variant>

#include "follower.hpp"
#include "mirror.hpp"
#include "pingyi/core/record.hpp"
#include "pingyi/crypto/bytes.hpp"

namespace pingyi::verify {
namespace {

using namespace std::chrono_literals;

constexpr auto quiet = 50ms;            // the feed this quiet: verify what arrived
constexpr auto idle_wait = 5s;          // nothing pending: wait this long per call (the feed has its own timeout)
constexpr std::size_t max_batch = 1024; // verify at least this often during a catch-up

std::string record_word(language lang, std::uint64_t seq, std::string_view line) {
  const auto r = core::decode(line);
  const std::string type = r ? std::string(core::record_type_name(r->body)) : std::string("?");
  return lang == language::zh ? "第 " + std::to_string(seq) + " 条记录（" + type + "）"
                              : "record " + std::to_string(seq) + " (" + type + ")";
}

}  // namespace

follow_outcome follow(const follow_options& o) {
  const auto say = [&](const std::string& zh, const std::string& en) {
    if (o.log) o.log(o.lang == language::zh ? zh : en);
  };
  follow_outcome out;
  const auto error = [&](std::string problem) {
    out.what = follow_outcome::kind::error;
    out.problem = std::move(problem);
    return out;
  };
  const auto session = crypto::from_hex_fixed<32>(o.session);
  if (!session) return error("the session id must be 64 hex digits");

  auto opened = mirror::open(o.mirror_dir);
  if (!opened) return error(opened.error());
  mirror m = std::move(opened).value();
  for (const auto& notice : m.notices()) say("注意：" + notice, "note: " + notice);
  if (m.has_evidence()) {
    out.what = follow_outcome::kind::fork;
    out.problem = m.evidence_path().string() +
                  " exists: this mirror already caught the server rewriting its history. Keep that file; follow "
                  "into another directory to go on.";
    return out;
  }

  // 1. The mirror, checked as a file would be.
  chain_result mirrored = check_chain(m.lines(), o.threads);
  if (mirrored.failure) {
    out.what = follow_outcome::kind::failed;
    out.problem = "the mirror " + (o.mirror_dir / "chain.jsonl").string() + " does not verify";
    out.chain = std::move(mirrored);
    out.lines = m.lines();
    return out;
  }
  if (!m.lines().empty() && mirrored.state.id != *session) {
    return error(o.mirror_dir.string() + " mirrors session " + crypto::to_hex(mirrored.state.id) + ", not " + o.session);
  }
  follower f(std::move(mirrored), m.lines(), *session);

  const auto persist = [&]() -> std::optional<std::string> {
    const auto heads = f.take_new_heads();
    if (auto e = m.append_heads(heads)) return e;
    const auto lines = f.take_new_lines();
    return m.append_lines(lines);
  };
  // Ends the loop on a verdict other than ok: what verified is kept, the evidence written.
  const auto finish = [&](const follower::verdict& v) {
    if (auto e = persist()) say("✗ " + *e, "✗ " + *e);
    out.chain = f.chain();
    out.lines = f.lines();
    out.problem = v.problem;
    if (v.what == follower::verdict::kind::fork) {
      out.what = follow_outcome::kind::fork;
      out.fork = v.fork;
      if (auto e = m.write_evidence(to_json(*v.fork).dump(2) + "\n")) out.problem = *e;
    } else {
      out.what = follow_outcome::kind::failed;
    }
    return out;
  };

  for (const auto& head : m.heads()) {
    auto v = f.add_stored_head(head);
    if (v.what == follower::verdict::kind::failed) return error(v.problem);
    if (v.what == follower::verdict::kind::fork) return finish(v);
  }
  if (auto missing = f.first_line_without_head()) {
    return error((o.mirror_dir / "heads.jsonl").string() + " has no signed head for record " + std::to_string(*missing) +
                 ": the mirror cannot prove what the server signed. Follow into a new directory.");
  }
  if (f.verified() > 0) {
    say("本地镜像 " + std::to_string(f.verified()) + " 条记录重新验证通过 ✓",
        "the mirror's " + std::to_string(f.verified()) + " records verified again ✓");
  }

  // 2. The session must exist; its signed head is kept like any other.
  const std::string head_target = "/api/sessions/" + o.session + "/head";
  const auto head_reply = http_get(o.url, o.tls, head_target, o.limits);
  if (!head_reply) return error(head_reply.error().message);
  if (head_reply->status != 200) {
    const auto refused = refusal(head_reply->status, head_reply->body);
    return error(o.url.text() + head_target + ": " + refused.code + " " + refused.message);
  }
  const auto head = parse_signed_head(head_reply->body);
  if (!head) return error(o.url.text() + head_target + " did not answer a signed head {seq, hash, sig}");
  if (auto v = f.add_head(*head); v.what != follower::verdict::kind::ok) return finish(v);
  if (auto e = persist()) return error(*e);

  // 3. The feed, for as long as it takes.
  auto backoff = o.first_backoff;
  std::optional<std::string> write_error;  // the mirror could not be written: stop (exit 2)
  const auto verify_pending = [&]() -> std::optional<follower::verdict> {
    if (f.pending() == 0) return std::nullopt;
    auto v = f.flush(o.threads);
    if (v.what != follower::verdict::kind::ok) return v;
    if (auto e = persist()) {
      write_error = *e;
      return std::nullopt;
    }
    const auto last = f.verified() - 1;
    say("✓ 已验证至" + record_word(o.lang, last, f.lines().back()),
        "✓ verified up to " + record_word(o.lang, last, f.lines().back()));
    backoff = o.first_backoff;
    return std::nullopt;
  };
  const auto done = [&] {
    out.what = follow_outcome::kind::adjourned;
    out.chain = f.chain();
    out.lines = f.lines();
    return out;
  };

  for (;;) {
    const auto from = f.resume_from();
    auto feed = observe_feed::open(o.url, o.tls, o.session, from, o.limits);
    if (feed) {
      say("已连接 " + o.url.text() + "，从第 " + std::to_string(from) + " 条记录开始跟踪",
          "connected to " + o.url.text() + ", following from record " + std::to_string(from));
      bool confirmed = false;  // the first record came, and it was record `from` as kept
      for (;;) {
        auto message = (*feed)->next(f.pending() > 0 ? quiet : idle_wait);
        if (!message) {
          if (auto v = verify_pending()) return finish(*v);
          if (write_error) return error(*write_error);
          if (confirmed && f.adjourned()) return done();
          say("连接中断：" + message.error().message, "connection lost: " + message.error().message);
          break;
        }
        if (!message->has_value()) {
          if (auto v = verify_pending()) return finish(*v);
          if (write_error) return error(*write_error);
          if (confirmed && f.adjourned()) return done();
          continue;
        }
        const auto j = nlohmann::json::parse(**message, nullptr, false);
        const std::string type = j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : "";
        if (type == "error") {
          say("服务器提示：" + j.dump(), "the server says: " + j.dump());
          continue;
        }
        if (type != "record") continue;  // progress, and anything newer than this tool
        if (!j.contains("seq") || !j["seq"].is_number_unsigned() || !j.contains("line") || !j["line"].is_string() ||
            !j.contains("sig") || !j["sig"].is_string()) {
          return finish(f.fail_feed("the feed sent a record push without seq, line and sig"));
        }
        const auto seq = j["seq"].get<std::uint64_t>();
        if (!confirmed && seq != from) {
          return finish(f.fail_feed("the feed started at record " + std::to_string(seq) + ", not at record " +
                                    std::to_string(from) + " as asked"));
        }
        auto v = f.receive(seq, j["line"].get<std::string>(), j["sig"].get<std::string>());
        if (v.what != follower::verdict::kind::ok) return finish(v);
        confirmed = true;
        if (f.pending() >= max_batch) {
          if (auto failed = verify_pending()) return finish(*failed);
          if (write_error) return error(*write_error);
        }
        if (f.pending() == 0 && f.adjourned()) return done();  // the adjournment, kept, sent again
      }
    } else {
      say("无法连接：" + feed.error().message, "cannot connect: " + feed.error().message);
    }
    say("将在 " + std::to_string(backoff.count()) + " 毫秒后重连", "reconnecting in " + std::to_string(backoff.count()) + " ms");
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, o.max_backoff);
  }
}

}  // namespace pingyi::verify
