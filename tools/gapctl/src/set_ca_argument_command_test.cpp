#include "set_ca_argument_command.hpp"

#include <gtest/gtest.h>

#include "gapkit/testing/certificates.hpp"

namespace gapkit::cli {
namespace {

std::string TestCa() {
    const auto& certificates = testing::SharedTestCertificates();
    EXPECT_TRUE(certificates.has_value()) << certificates.error().ToString();
    return certificates ? certificates->ca_pem : std::string();
}

std::vector<std::string> Values(std::string_view line) {
    auto words = SplitArgumentWords(line);
    EXPECT_TRUE(words.has_value()) << words.error().ToString();
    std::vector<std::string> values;
    for (const auto& word : words.value_or(std::vector<ArgumentWord>{})) values.push_back(word.value);
    return values;
}

TEST(SplitArgumentWords, HandlesQuotesAndEscapesLikeAShell) {
    EXPECT_EQ(Values(R"(--a 'b c' "d \"e\"" f\ g)"), (std::vector<std::string>{"--a", "b c", R"(d "e")", "f g"}));
    EXPECT_EQ(Values("  x\n'multi\nline'  "), (std::vector<std::string>{"x", "multi\nline"}));
    EXPECT_EQ(Values("--x='a b'"), (std::vector<std::string>{"--x=a b"}));
    EXPECT_TRUE(Values("").empty());
    EXPECT_FALSE(SplitArgumentWords("'open").has_value());
    EXPECT_FALSE(SplitArgumentWords(R"("open)").has_value());
    EXPECT_FALSE(SplitArgumentWords("end\\").has_value());
}

TEST(SetCaArgument, AppendsToAnEmptyLineOrAfterTheOtherArguments) {
    const std::string pem = *CheckCaPem(TestCa());
    auto empty = SetCaArgument("", pem);
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(empty->arguments, "--ca_contents '" + pem + "'");
    EXPECT_EQ(empty->action, "added");
    auto others = SetCaArgument("--map 'big forest' --debug  ", pem);
    ASSERT_TRUE(others.has_value());
    EXPECT_EQ(others->arguments, "--map 'big forest' --debug --ca_contents '" + pem + "'");
    EXPECT_EQ(others->other_words, 3u);
    EXPECT_EQ(Values(others->arguments).back(), pem);
}

TEST(SetCaArgument, ReplacesTheValueAndKeepsEveryOtherArgumentByteForByte) {
    const std::string pem = *CheckCaPem(TestCa());
    auto replaced = SetCaArgument(R"(--map "a b"  --ca_contents 'OLD'   --debug "x\"y")", pem);
    ASSERT_TRUE(replaced.has_value());
    EXPECT_EQ(replaced->arguments, R"(--map "a b"  --ca_contents ')" + pem + R"('   --debug "x\"y")");
    EXPECT_EQ(replaced->action, "replaced");
    EXPECT_EQ(replaced->previous_ca, "<3 bytes, not a certificate>");
    EXPECT_EQ(replaced->other_words, 4u);
    auto joined = SetCaArgument("--ca_contents='OLD' --x", pem);
    ASSERT_TRUE(joined.has_value());
    EXPECT_EQ(joined->arguments, "--ca_contents '" + pem + "' --x");
    auto again = SetCaArgument(replaced->arguments, pem);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->action, "unchanged");
    EXPECT_EQ(again->arguments, replaced->arguments);
    EXPECT_FALSE(SetCaArgument("--ca_contents 'unterminated", pem).has_value());
}

TEST(CheckCaPem, AcceptsOnlyOnePemCertificateOfPemCharacters) {
    const std::string ca = TestCa();
    auto checked = CheckCaPem(ca);
    ASSERT_TRUE(checked.has_value()) << checked.error().ToString();
    EXPECT_TRUE(checked->ends_with("-----END CERTIFICATE-----\n"));
    EXPECT_FALSE(CheckCaPem("just text").has_value());
    EXPECT_FALSE(CheckCaPem("-----BEGIN CERTIFICATE-----\nit's not base64\n").has_value());
    EXPECT_FALSE(CheckCaPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").has_value());
    std::string with_quote = ca;
    with_quote.insert(30, "'");
    EXPECT_FALSE(CheckCaPem(with_quote).has_value());
}

TEST(ShortenCaArgument, ShowsSubjectAndFingerprintInsteadOfThePem) {
    const std::string pem = *CheckCaPem(TestCa());
    const std::string shown = ShortenCaArgument("--debug --ca_contents '" + pem + "' --x 1");
    EXPECT_TRUE(shown.starts_with("--debug --ca_contents '<CA: CN=")) << shown;
    EXPECT_NE(shown.find(", sha256 "), std::string::npos) << shown;
    EXPECT_TRUE(shown.ends_with("...>' --x 1")) << shown;
    EXPECT_EQ(shown.find("BEGIN"), std::string::npos);
    const std::string bundle = *CheckCaPem(TestCa() + TestCa());  // The old and the new CA, during a rotation.
    EXPECT_TRUE(DescribeCa(bundle).ends_with("... and 1 more>")) << DescribeCa(bundle);
    EXPECT_EQ(ShortenCaArgument("--x 'open"), "--x 'open");
    EXPECT_EQ(ShortenCaArgument("--x 1"), "--x 1");
}

}  // namespace
}  // namespace gapkit::cli
