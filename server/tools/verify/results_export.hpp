// The results of a verified chain as a secretariat files them (issue #9): a CSV for spreadsheets
// (one row per round, target and option) and a printable page, the 测评结果通报, with every
// target's counts, grade, 满意率, score and rank, the outcome of every motion and selection, and
// the chain's final hash and comparison codes so that anyone can check the paper against the
// public chain. Both are made from the verifier's own fold, never from the server's say-so:
// pingyi-verify writes them only when every record verified.
#pragma once

#include <string>
#include <string_view>

#include "audit_report.hpp"
#include "chain_check.hpp"

namespace pingyi::verify {

// UTF-8 with a byte-order mark and CRLF line ends (what spreadsheet programs open as UTF-8), every
// cell quoted, a cell that a spreadsheet would take for a formula prefixed with an apostrophe.
// Columns: round, round title, kind, target id, target, option, votes, grade, 满意率 (%), score,
// rank, outcome; headers in `lang`.
[[nodiscard]] std::string render_results_csv(const chain_result& chain, language lang);

// One CSV field: quoted, quotes doubled, and a leading = + - @ tab or CR (which a spreadsheet
// would evaluate as a formula) made text by an apostrophe.
[[nodiscard]] std::string csv_field(std::string_view text);

// One self-contained HTML page for A4 (no script, no external file), every text escaped.
[[nodiscard]] std::string render_results_html(const chain_result& chain, language lang);

}  // namespace pingyi::verify
