// The results exports (results_export.hpp).
#include "results_export.hpp"

#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "pingyi/core/record.hpp"
#include "pingyi/core/rules.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/chain.hpp"

namespace pingyi::verify {
namespace {

struct words {
  const char* columns[12];
  const char* kinds[3];
  const char* passed;
  const char* not_passed;
  const char* selected;
  const char* tied;
  const char* report_title;
  const char* committee;
  const char* date;
  const char* session;
  const char* round;  // %u
  const char* attendance;
  const char* comparison;
  const char* footer;  // records, last seq, hash
  const char* no_results;
  const char* colon;  // after a label
  const char* gap;    // between two items of a line
  const char* open;   // around the round's kind
  const char* close;
};

constexpr words zh{
    {"轮次", "轮次名称", "类型", "编号", "对象", "选项", "票数", "等次", "满意率(%)", "得分", "排名", "结论"},
    {"测评", "表决", "推选"},
    "通过",
    "未通过",
    "当选",
    "票数相同需再投",
    "测评结果通报",
    "委员会",
    "日期",
    "会议标识",
    "第 %u 轮",
    "应到 %zu 人，实到 %u 人，收回选票 %u 张，未声明 %lld 张",
    "比对码",
    "本通报由 pingyi-verify 独立核验公开哈希链后生成：链上共 %zu 条记录，全部验证通过。"
    "链末记录（第 %zu 条）的哈希为 %s。任何人都可用 pingyi-verify 或观察员页面核对。",
    "尚无已计票的轮次。",
    "：",
    "　",
    "（",
    "）",
};

constexpr words en{
    {"round", "round title", "kind", "id", "target", "option", "votes", "grade", "satisfaction (%)", "score", "rank",
     "outcome"},
    {"evaluation", "motion", "selection"},
    "passed",
    "not passed",
    "selected",
    "tied (runoff needed)",
    "Results",
    "Committee",
    "Date",
    "Session",
    "Round %u",
    "members %zu, present %u, ballots %u, undeclared %lld",
    "comparison code",
    "Made by pingyi-verify from the public hash chain, verified independently: %zu records, every one "
    "verified. The last record (seq %zu) has hash %s. Anyone can check it with pingyi-verify or the "
    "observer page.",
    "No round has been counted yet.",
    ": ",
    "   ",
    " (",
    ")",
};

std::string format(const char* fmt, auto... args) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// 9230 → "92.30".
std::string hundredths(std::uint64_t v) {
  return std::to_string(v / 100).append(".").append(v % 100 < 10 ? "0" : "").append(std::to_string(v % 100));
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out.append("&amp;"); break;
      case '<': out.append("&lt;"); break;
      case '>': out.append("&gt;"); break;
      case '"': out.append("&quot;"); break;
      case '\'': out.append("&#39;"); break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string option_label(const core::round_contest& c, std::uint32_t i) { return i < c.options.size() ? c.options[i] : "?"; }

bool contains(const std::vector<std::uint32_t>& v, std::uint32_t x) {
  for (auto y : v)
    if (y == x) return true;
  return false;
}

// The per-contest cells after the counts: grade, rate, score, rank, outcome (per option for a
// selection).
struct contest_cells {
  std::string grade, rate, score, rank, outcome;
};

contest_cells cells_of(const core::contest_result& r, const core::round_contest& c, std::uint32_t option,
                       const words& w) {
  contest_cells out;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, core::evaluation_result>) {
          if (x.grade) out.grade = option_label(c, *x.grade);
          if (x.rate_bp) out.rate = hundredths(*x.rate_bp);
          if (x.score_x100) out.score = hundredths(*x.score_x100);
          if (x.rank) out.rank = std::to_string(*x.rank);
          out.outcome = x.passed ? w.passed : w.not_passed;
        } else if constexpr (std::is_same_v<T, core::motion_result>) {
          out.outcome = x.passed ? w.passed : w.not_passed;
        } else {
          out.outcome = contains(x.selected, option) ? w.selected : contains(x.tied, option) ? w.tied : "";
        }
      },
      r);
  return out;
}

const std::vector<std::uint32_t>& counts_of(const core::contest_result& r) {
  return std::visit([](const auto& x) -> const std::vector<std::uint32_t>& { return x.counts; }, r);
}

std::size_t kind_index(core::round_kind k) { return static_cast<std::size_t>(k); }

}  // namespace

std::string csv_field(std::string_view text) {
  std::string out = "\"";
  // A target's name is the secretariat's text, never a formula.
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) out.push_back('\'');
  for (const char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out.append("\"");
}

std::string render_results_csv(const chain_result& chain, language lang) {
  const words& w = lang == language::zh ? zh : en;
  std::string out = "\xEF\xBB\xBF";
  for (std::size_t i = 0; i < 12; ++i) out.append(i ? "," : "").append(csv_field(w.columns[i]));
  out.append("\r\n");
  for (const auto& r : chain.state.rounds) {
    if (!r.result) continue;
    const auto& d = r.definition;
    for (std::size_t k = 0; k < r.result->contests.size() && k < d.contests.size(); ++k) {
      const auto& c = d.contests[k];
      const auto& counts = counts_of(r.result->contests[k]);
      for (std::uint32_t o = 0; o < counts.size() && o < c.options.size(); ++o) {
        const contest_cells cells = cells_of(r.result->contests[k], c, o, w);
        const std::string row[12] = {std::to_string(d.round), d.title,     w.kinds[kind_index(d.kind)],
                                     c.id,                    c.title,     c.options[o],
                                     std::to_string(counts[o]), cells.grade, cells.rate,
                                     cells.score,             cells.rank,  cells.outcome};
        for (std::size_t i = 0; i < 12; ++i) out.append(i ? "," : "").append(csv_field(row[i]));
        out.append("\r\n");
      }
    }
  }
  return out;
}

std::string render_results_html(const chain_result& chain, language lang) {
  const words& w = lang == language::zh ? zh : en;
  const auto& s = chain.state;
  const std::string title = s.genesis ? s.genesis->title : std::string();
  std::string out;
  out.append("<!doctype html>\n<html lang=\"").append(lang == language::zh ? "zh-CN" : "en").append("\">\n<head>\n");
  out.append("<meta charset=\"utf-8\">\n<title>").append(html_escape(title)).append(" ").append(w.report_title);
  out.append("</title>\n<style>\n"
             "@page { size: A4; margin: 18mm 16mm; }\n"
             "body { font-family: \"Noto Serif CJK SC\", \"Songti SC\", serif; font-size: 11pt; color: #000; }\n"
             "h1 { font-size: 18pt; text-align: center; margin: 0 0 4pt; }\n"
             "h2 { font-size: 14pt; text-align: center; margin: 0 0 12pt; font-weight: normal; }\n"
             "h3 { font-size: 12pt; margin: 14pt 0 4pt; }\n"
             "table { border-collapse: collapse; width: 100%; page-break-inside: auto; }\n"
             "tr { page-break-inside: avoid; }\n"
             "th, td { border: 1px solid #000; padding: 2pt 4pt; text-align: center; }\n"
             "td.name { text-align: left; }\n"
             ".meta, .footer { font-size: 9pt; }\n"
             ".hash { font-family: monospace; word-break: break-all; }\n"
             "</style>\n</head>\n<body>\n");
  out.append("<h1>").append(html_escape(title)).append("</h1>\n<h2>").append(w.report_title).append("</h2>\n");
  if (s.genesis) {
    out.append("<p class=\"meta\">").append(w.committee).append(w.colon).append(html_escape(s.genesis->committee));
    out.append(w.gap).append(w.date).append(w.colon).append(html_escape(s.genesis->date));
    out.append("<br>").append(w.session).append(w.colon).append("<span class=\"hash\">").append(crypto::to_hex(s.id));
    out.append("</span></p>\n");
  }
  bool any = false;
  for (const auto& r : s.rounds) {
    if (!r.result || !r.closed) continue;
    any = true;
    const auto& d = r.definition;
    const auto& closed = *r.closed;
    out.append("<h3>").append(format(w.round, d.round)).append(w.gap).append(html_escape(d.title));
    out.append(w.open).append(w.kinds[kind_index(d.kind)]).append(w.close).append("</h3>\n<p class=\"meta\">");
    const long long undeclared = static_cast<long long>(closed.ballots) - static_cast<long long>(closed.voted.size());
    out.append(format(w.attendance, s.members.size(), closed.present, closed.ballots, undeclared));
    out.append(w.gap).append(w.comparison).append(" ").append(crypto::comparison_code(r.closed_hash)).append("</p>\n");

    // One table per round: a row per target, a column per option (the options of the round's
    // first contest head the columns; a contest with other options lists them in its cells).
    out.append("<table>\n<thead><tr><th>").append(w.columns[4]).append("</th>");
    const auto& head_options = d.contests.empty() ? std::vector<std::string>{} : d.contests.front().options;
    for (const auto& o : head_options) out.append("<th>").append(html_escape(o)).append("</th>");
    if (d.kind == core::round_kind::evaluation) {
      for (std::size_t i = 7; i <= 10; ++i) out.append("<th>").append(w.columns[i]).append("</th>");
    }
    out.append("<th>").append(w.columns[11]).append("</th></tr></thead>\n<tbody>\n");
    for (std::size_t k = 0; k < r.result->contests.size() && k < d.contests.size(); ++k) {
      const auto& c = d.contests[k];
      const auto& result = r.result->contests[k];
      const auto& counts = counts_of(result);
      out.append("<tr><td class=\"name\">").append(html_escape(c.title.empty() ? c.id : c.title)).append("</td>");
      const bool same_options = c.options == head_options;
      for (std::uint32_t o = 0; o < head_options.size(); ++o) {
        out.append("<td>");
        if (same_options && o < counts.size()) out.append(std::to_string(counts[o]));
        out.append("</td>");
      }
      const contest_cells cells = cells_of(result, c, 0, w);
      if (d.kind == core::round_kind::evaluation) {
        for (const auto* cell : {&cells.grade, &cells.rate, &cells.score, &cells.rank}) {
          out.append("<td>").append(html_escape(*cell)).append("</td>");
        }
      }
      out.append("<td>");
      if (d.kind == core::round_kind::selection || !same_options) {
        // Who was chosen (or every option's votes, when the columns do not fit this contest).
        std::string listed;
        for (std::uint32_t o = 0; o < counts.size() && o < c.options.size(); ++o) {
          const contest_cells per = cells_of(result, c, o, w);
          if (!same_options || !per.outcome.empty()) {
            listed.append(listed.empty() ? "" : w.gap).append(c.options[o]);
            if (!same_options) listed.append(" ").append(std::to_string(counts[o]));
            if (!per.outcome.empty() && d.kind == core::round_kind::selection) listed.append(" ").append(per.outcome);
          }
        }
        out.append(html_escape(listed));
      } else {
        out.append(html_escape(cells.outcome));
      }
      out.append("</td></tr>\n");
    }
    out.append("</tbody>\n</table>\n");
  }
  if (!any) out.append("<p>").append(w.no_results).append("</p>\n");
  if (chain.lines > 0 && chain.hashes.size() == chain.lines) {
    out.append("<p class=\"footer\">")
        .append(format(w.footer, chain.lines, chain.lines - 1, crypto::to_hex(chain.hashes.back()).c_str()))
        .append("</p>\n");
  }
  out.append("</body>\n</html>\n");
  return out;
}

}  // namespace pingyi::verify
