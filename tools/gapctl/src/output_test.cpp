#include "output.hpp"

#include <gtest/gtest.h>

namespace gapkit::cli {
namespace {

TEST(TableTest, AlignsColumnsAndMarksEmptyCells) {
    Table table({"ID", "STATUS", "AGE"});
    table.AddRow({"abc", "ready", "5s"});
    table.AddRow({"abcdef", "", "1m02s"});
    table.AddRow({"x"});
    EXPECT_EQ(table.Text(),
              "ID      STATUS  AGE\n"
              "abc     ready   5s\n"
              "abcdef  -       1m02s\n"
              "x       -       -\n");
}

TEST(TableTest, AnEmptyTableSaysSo) { EXPECT_EQ(Table({"ID", "AGE"}).Text(), "ID  AGE\n(none)\n"); }

TEST(FormatTest, DurationsUseTheTwoLargestUnits) {
    using std::chrono::seconds;
    EXPECT_EQ(FormatDuration(std::nullopt), "-");
    EXPECT_EQ(FormatDuration(seconds(-3)), "0s");
    EXPECT_EQ(FormatDuration(seconds(45)), "45s");
    EXPECT_EQ(FormatDuration(seconds(185)), "3m05s");
    EXPECT_EQ(FormatDuration(seconds(2 * 3600 + 14 * 60 + 9)), "2h14m");
    EXPECT_EQ(FormatDuration(seconds(3 * 86400 + 4 * 3600)), "3d04h");
    EXPECT_EQ(FormatUnixTime(1796549408), "2026-12-06T09:30:08Z");
}

}  // namespace
}  // namespace gapkit::cli
