#include "command_line.hpp"

#include <gtest/gtest.h>

namespace gapkit::edgegap_sim {
namespace {

using Words = std::vector<std::string>;

TEST(SplitArguments, SplitsOnWhitespace) { EXPECT_EQ(SplitArguments("  -a  b\tc ").value(), (Words{"-a", "b", "c"})); }

TEST(SplitArguments, QuotesGroupWords) {
    EXPECT_EQ(SplitArguments(R"(--ca_contents '-----BEGIN X-----' "a b" '')").value(),
              (Words{"--ca_contents", "-----BEGIN X-----", "a b", ""}));
}

TEST(SplitArguments, BackslashEscapesOutsideSingleQuotes) {
    EXPECT_EQ(SplitArguments(R"(a\ b "c\"d" 'e\f')").value(), (Words{"a b", "c\"d", "e\\f"}));
}

TEST(SplitArguments, EmptyTextHasNoWords) { EXPECT_TRUE(SplitArguments("").value().empty()); }

TEST(SplitArguments, RefusesUnterminatedQuotesAndTrailingBackslash) {
    EXPECT_FALSE(SplitArguments("'open"));
    EXPECT_FALSE(SplitArguments("end\\"));
}

}  // namespace
}  // namespace gapkit::edgegap_sim
