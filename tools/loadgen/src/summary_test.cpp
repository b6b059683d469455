#include "summary.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace gapkit::loadgen {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

std::vector<nanoseconds> OneToHundredMs() {
    std::vector<nanoseconds> values;
    for (int i = 1; i <= 100; ++i) values.push_back(milliseconds(i));
    return values;
}

TEST(Percentile, IsZeroForNoValues) { EXPECT_EQ(Percentile({}, 0.5), nanoseconds(0)); }

TEST(Percentile, UsesNearestRank) {
    const auto values = OneToHundredMs();
    EXPECT_EQ(Percentile(values, 0.50), milliseconds(50));
    EXPECT_EQ(Percentile(values, 0.99), milliseconds(99));
    EXPECT_EQ(Percentile(values, 1.0), milliseconds(100));
    EXPECT_EQ(Percentile(values, 0.0), milliseconds(1));
}

TEST(Percentile, SingleValueIsEveryPercentile) {
    const std::vector<nanoseconds> one{milliseconds(7)};
    EXPECT_EQ(Percentile(one, 0.01), milliseconds(7));
    EXPECT_EQ(Percentile(one, 0.99), milliseconds(7));
}

TEST(Percentile, ClampsFractionsOutsideZeroToOne) {
    const auto values = OneToHundredMs();
    EXPECT_EQ(Percentile(values, -1.0), milliseconds(1));
    EXPECT_EQ(Percentile(values, 2.0), milliseconds(100));
}

TEST(Summarize, LatenciesCoverSuccessesOnlyAndErrorsAreCounted) {
    std::vector<Sample> samples;
    for (int i = 1; i <= 100; ++i) samples.push_back({milliseconds(i), kOutcomeOk});
    samples.push_back({milliseconds(1000), "error 503"});
    samples.push_back({milliseconds(0), "error 503"});
    samples.push_back({milliseconds(5), "connect"});

    const LevelSummary s = Summarize("websocket", 8, samples, seconds(2));

    EXPECT_EQ(s.phase, "websocket");
    EXPECT_EQ(s.concurrency, 8);
    EXPECT_EQ(s.requests, 103u);
    EXPECT_EQ(s.ok, 100u);
    EXPECT_DOUBLE_EQ(s.wall_seconds, 2.0);
    EXPECT_DOUBLE_EQ(s.ok_per_second, 50.0);
    EXPECT_EQ(s.p50, milliseconds(50));
    EXPECT_EQ(s.p99, milliseconds(99));
    EXPECT_EQ(s.max, milliseconds(100));
    EXPECT_EQ(s.errors, (std::map<std::string, std::size_t>{{"connect", 1}, {"error 503", 2}}));
}

TEST(Summarize, UnsortedInputGivesTheSameFigures) {
    std::vector<Sample> samples{
        {milliseconds(30), kOutcomeOk}, {milliseconds(10), kOutcomeOk}, {milliseconds(20), kOutcomeOk}};
    const LevelSummary s = Summarize("bus-floor", 1, samples, seconds(1));
    EXPECT_EQ(s.p50, milliseconds(20));
    EXPECT_EQ(s.max, milliseconds(30));
}

TEST(Summarize, NoSamplesAndNoTimeGiveZeros) {
    const LevelSummary s = Summarize("websocket", 1, {}, nanoseconds(0));
    EXPECT_EQ(s.requests, 0u);
    EXPECT_EQ(s.ok_per_second, 0.0);
    EXPECT_EQ(s.p99, nanoseconds(0));
    EXPECT_TRUE(s.errors.empty());
}

TEST(RenderJson, CarriesEveryFigureInMilliseconds) {
    std::vector<Sample> samples{{milliseconds(4), kOutcomeOk}, {milliseconds(1), "timeout"}};
    const std::string json = RenderJson({Summarize("websocket", 32, samples, milliseconds(500))});

    const auto level = boost::json::parse(json).at("levels").at(0).as_object();
    EXPECT_EQ(level.at("phase").as_string(), "websocket");
    EXPECT_EQ(level.at("concurrency").to_number<int>(), 32);
    EXPECT_EQ(level.at("requests").to_number<int>(), 2);
    EXPECT_EQ(level.at("ok").to_number<int>(), 1);
    EXPECT_DOUBLE_EQ(level.at("ok_per_second").to_number<double>(), 2.0);
    EXPECT_DOUBLE_EQ(level.at("p50_ms").to_number<double>(), 4.0);
    EXPECT_EQ(level.at("errors").at("timeout").to_number<int>(), 1);
}

TEST(RenderTable, HasAHeaderAndOneLinePerLevel) {
    const std::string table = RenderTable({Summarize("websocket", 1, {{milliseconds(2), kOutcomeOk}}, seconds(1)),
                                           Summarize("bus-floor", 1, {{milliseconds(1), "timeout"}}, seconds(1))});
    EXPECT_NE(table.find("p99 ms"), std::string::npos);
    EXPECT_NE(table.find("timeout=1"), std::string::npos);
    EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 3);
}

}  // namespace
}  // namespace gapkit::loadgen
