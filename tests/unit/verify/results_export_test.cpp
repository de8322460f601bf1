// Tests of the results exports (pingyi-verify --results-csv / --results-html): every row of the
// CSV is a count, grade, rate, score, rank or outcome that the chain's own result record states
// (read here with a plain JSON parser, not through the fold), in both vector sessions
// (evaluation, motion, selection); spreadsheet formulas and HTML in the secretariat's texts stay
// text; the printed report carries the chain's final hash.
#include "results_export.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chain_check.hpp"
#include "pingyi/crypto/bytes.hpp"
#include "pingyi/crypto/init.hpp"

namespace pingyi::verify {
namespace {

using json = nlohmann::json;

std::vector<std::string> vector_chain(const std::string& file) {
  std::ifstream in(std::string(PINGYI_TEST_DATA_DIR).append("/vectors/").append(file));
  const json v = json::parse(in);
  std::vector<std::string> lines;
  for (const auto& entry : v["chain"]) lines.push_back(entry.is_string() ? entry.get<std::string>() : entry["line"].get<std::string>());
  return lines;
}

// A CSV as render_results_csv writes it: BOM, CRLF, every field quoted.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  EXPECT_EQ(text.substr(0, 3), "\xEF\xBB\xBF");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t i = 3;
  while (i < text.size()) {
    EXPECT_EQ(text[i], '"') << "at " << i;
    ++i;
    for (;; ++i) {
      if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (text[i] == '"') {
        ++i;
        break;
      } else {
        field.push_back(text[i]);
      }
    }
    row.push_back(std::move(field));
    field.clear();
    if (text.compare(i, 2, "\r\n") == 0) {
      rows.push_back(std::move(row));
      row.clear();
      i += 2;
    } else {
      EXPECT_EQ(text[i], ',') << "at " << i;
      ++i;
    }
  }
  return rows;
}

std::string hundredths(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu.%02llu", static_cast<unsigned long long>(v / 100),
                static_cast<unsigned long long>(v % 100));
  return buf;
}

class ResultsExport : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::init()); }
};

TEST_P(ResultsExport, CsvStatesExactlyTheResultRecordsOfTheChain) {
  const auto lines = vector_chain(GetParam());
  const auto chain = check_chain(lines, 2);
  ASSERT_FALSE(chain.failure.has_value());
  const auto rows = parse_csv(render_results_csv(chain, language::zh));
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0], (std::vector<std::string>{"轮次", "轮次名称", "类型", "编号", "对象", "选项", "票数", "等次",
                                               "满意率(%)", "得分", "排名", "结论"}));

  // The rounds' options and the result records, straight from the lines.
  std::map<int, json> rounds;
  std::vector<json> results;
  for (const auto& line : lines) {
    const json j = json::parse(line);
    if (j["type"] == "round") rounds[j["round"].get<int>()] = j;
    if (j["type"] == "result") results.push_back(j);
  }
  ASSERT_FALSE(results.empty());
  std::size_t expected_rows = 0;
  std::size_t row = 1;
  for (const auto& result : results) {
    const json& round = rounds.at(result["round"].get<int>());
    for (std::size_t k = 0; k < result["contests"].size(); ++k) {
      const json& c = result["contests"][k];
      const json& def = round["contests"][k];
      ASSERT_EQ(c["id"], def["id"]);
      for (std::size_t o = 0; o < c["counts"].size(); ++o, ++row, ++expected_rows) {
        ASSERT_LT(row, rows.size());
        const auto& r = rows[row];
        ASSERT_EQ(r.size(), 12u);
        EXPECT_EQ(r[0], std::to_string(result["round"].get<int>()));
        EXPECT_EQ(r[1], round["title"].get<std::string>());
        EXPECT_EQ(r[3], c["id"].get<std::string>());
        EXPECT_EQ(r[4], def["title"].get<std::string>());
        EXPECT_EQ(r[5], def["options"][o].get<std::string>());
        EXPECT_EQ(r[6], std::to_string(c["counts"][o].get<unsigned>()));
        const std::string kind = round["kind"];
        if (kind == "evaluation") {
          EXPECT_EQ(r[2], "测评");
          EXPECT_EQ(r[7], def["options"][c["grade"].get<std::size_t>()].get<std::string>());
          EXPECT_EQ(r[8], hundredths(c["rate_bp"].get<std::uint64_t>()));
          EXPECT_EQ(r[9], hundredths(c["score_x100"].get<std::uint64_t>()));
          EXPECT_EQ(r[10], std::to_string(c["rank"].get<unsigned>()));
          EXPECT_EQ(r[11], c["passed"].get<bool>() ? "通过" : "未通过");
        } else if (kind == "motion") {
          EXPECT_EQ(r[2], "表决");
          EXPECT_EQ(r[11], c["passed"].get<bool>() ? "通过" : "未通过");
        } else {
          EXPECT_EQ(r[2], "推选");
          const auto& selected = c["selected"];
          const bool chosen = std::find(selected.begin(), selected.end(), o) != selected.end();
          EXPECT_EQ(r[11], chosen ? "当选" : "") << o;
        }
      }
    }
  }
  EXPECT_EQ(rows.size(), expected_rows + 1);
}

TEST_P(ResultsExport, PrintedReportNamesEveryTargetAndTheChainsFinalHash) {
  const auto lines = vector_chain(GetParam());
  const auto chain = check_chain(lines, 2);
  ASSERT_FALSE(chain.failure.has_value());
  for (const auto lang : {language::zh, language::en}) {
    const std::string html = render_results_html(chain, lang);
    EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
    EXPECT_NE(html.find(crypto::to_hex(crypto::line_hash(lines.back()))), std::string::npos);
    EXPECT_NE(html.find(crypto::to_hex(chain.state.id)), std::string::npos);
    EXPECT_EQ(html.find("<script"), std::string::npos);
    for (const auto& line : lines) {
      const json j = json::parse(line);
      if (j["type"] != "round") continue;
      for (const auto& c : j["contests"]) EXPECT_NE(html.find(c["title"].get<std::string>()), std::string::npos);
    }
  }
  EXPECT_NE(render_results_html(chain, language::zh).find("测评结果通报"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(BothVectorSessions, ResultsExport, ::testing::Values("pingyi-v1.json", "pingyi-v1-client.json"));

TEST(CsvField, KeepsFormulasAndQuotesAsText) {
  EXPECT_EQ(csv_field("县教育局"), "\"县教育局\"");
  EXPECT_EQ(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csv_field("+1"), "\"'+1\"");
  EXPECT_EQ(csv_field("-1"), "\"'-1\"");
  EXPECT_EQ(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(csv_field("\tx"), "\"'\tx\"");
  EXPECT_EQ(csv_field("a,b\r\nc"), "\"a,b\r\nc\"");
  EXPECT_EQ(csv_field(""), "\"\"");
}

}  // namespace
}  // namespace pingyi::verify
