#include "session_rows.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace gapkit::cli {
namespace {

constexpr std::uint64_t kNow = 1'800'000'000;

ListedSession Listed(const std::string& id, const std::string& deployment = "dep1") {
    return {id, "Ready", deployment, "spaceships/1", 42, {"203.0.113.7"}};
}

const SessionRow* RowOf(const std::vector<SessionRow>& rows, const std::string& id) {
    for (const auto& row : rows) {
        if (row.session_id == id) return &row;
    }
    return nullptr;
}

TEST(JoinSessions, NamesEachStateFromTheBusRecords) {
    BusRecords records;
    records.unclaimed["s-unclaimed"] = kNow - 5;
    records.active["s-claimed"] = "77";
    records.unclaimed["s-deleting"] = kNow - 9;  // A claim wins over the record it replaces.
    records.deleting["s-deleting"] = kNow - 1;
    records.parked["s-parked"] = "1799999000 HTTP 500";
    records.active["s-parked"] = "78";
    const std::vector<ListedSession> listed = {Listed("s-unclaimed"), Listed("s-claimed"), Listed("s-deleting"),
                                               Listed("s-parked"), Listed("s-orphan")};
    const auto rows = JoinSessions(listed, records, true, kNow);
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(RowOf(rows, "s-unclaimed")->state, SessionState::kUnclaimed);
    EXPECT_EQ(RowOf(rows, "s-claimed")->state, SessionState::kClaimed);
    EXPECT_EQ(RowOf(rows, "s-deleting")->state, SessionState::kDeleting);
    EXPECT_EQ(RowOf(rows, "s-parked")->state, SessionState::kParked);
    EXPECT_EQ(RowOf(rows, "s-orphan")->state, SessionState::kOrphaned);
}

TEST(JoinSessions, TakesTheClientIdFromTheConnectionThenTheMapping) {
    BusRecords records;
    records.active["a"] = "11";
    records.clients["a"] = "99";
    records.clients["b"] = "12";
    records.unclaimed["b"] = kNow;
    const auto rows = JoinSessions({Listed("a"), Listed("b")}, records, true, kNow);
    EXPECT_EQ(RowOf(rows, "a")->client_id, "11");
    EXPECT_EQ(RowOf(rows, "b")->client_id, "12");
    EXPECT_EQ(RowOf(rows, "b")->player_ips, std::vector<std::string>{"203.0.113.7"});
}

TEST(JoinSessions, ListsRecordsOfUnlistedSessionsAsStaleOnlyWhenTheListIsComplete) {
    BusRecords records;
    records.unclaimed["gone-unclaimed"] = kNow - 300;
    records.active["gone-active"] = "5";
    records.seen["gone-active"] = kNow - 40;
    records.deployments["gone-active"] = "dep9";
    records.deleting["deleted"] = kNow - 10;  // A claim alone is a finished delete, not stale.
    const auto rows = JoinSessions({}, records, true, kNow);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(RowOf(rows, "gone-unclaimed")->state, SessionState::kStale);
    EXPECT_EQ(RowOf(rows, "gone-unclaimed")->age_seconds, 300);
    EXPECT_EQ(RowOf(rows, "gone-active")->age_seconds, 40);
    EXPECT_EQ(RowOf(rows, "gone-active")->deployment, "dep9");
    EXPECT_TRUE(JoinSessions({}, records, false, kNow).empty());
}

// Issue 16 item 4: a shared session is one row that gathers its players' seats.
TEST(JoinSessions, GathersTheSeatsOfASharedSessionInOneRow) {
    BusRecords records;
    records.active["s-shared/203.0.113.7"] = "77";
    records.deleting["s-shared/203.0.113.8"] = kNow - 2;  // This player left; the other still plays.
    records.unclaimed["s-shared/2001:db8::1"] = kNow - 5;
    records.deployments["s-shared/2001:db8::1"] = "dep2";
    records.unclaimed["s-waiting/10.0.0.1"] = kNow - 1;
    records.deleting["s-leaving/10.0.0.2"] = kNow - 1;
    const auto rows =
        JoinSessions({Listed("s-shared", ""), Listed("s-waiting"), Listed("s-leaving")}, records, true, kNow);
    ASSERT_EQ(rows.size(), 3u);
    const SessionRow* shared = RowOf(rows, "s-shared");
    ASSERT_NE(shared, nullptr);
    EXPECT_EQ(shared->state, SessionState::kClaimed);
    ASSERT_EQ(shared->seats.size(), 3u);
    EXPECT_EQ(shared->seats[0].seat_id, "s-shared/2001:db8::1");
    EXPECT_EQ(shared->seats[0].ip, "2001:db8::1");
    EXPECT_EQ(shared->seats[0].state, SessionState::kUnclaimed);
    EXPECT_EQ(shared->seats[2].state, SessionState::kDeleting);
    EXPECT_EQ(shared->client_id, "77");
    EXPECT_EQ(shared->deployment, "dep2");
    EXPECT_FALSE(shared->unclaimed_since);  // A shared session's records are its seats'.
    EXPECT_EQ(RowOf(rows, "s-waiting")->state, SessionState::kUnclaimed);
    EXPECT_EQ(RowOf(rows, "s-leaving")->state, SessionState::kDeleting);
}

TEST(JoinSessions, ASoloSessionIsItsOwnSeat) {
    BusRecords records;
    records.unclaimed["s1"] = kNow - 5;
    const auto rows = JoinSessions({Listed("s1"), Listed("s-orphan")}, records, true, kNow);
    const SessionRow* solo = RowOf(rows, "s1");
    ASSERT_EQ(solo->seats.size(), 1u);
    EXPECT_EQ(solo->seats[0].seat_id, "s1");
    EXPECT_EQ(solo->seats[0].ip, "");
    EXPECT_EQ(solo->unclaimed_since, kNow - 5);
    EXPECT_TRUE(RowOf(rows, "s-orphan")->seats.empty());
}

TEST(JoinSessions, SeatsOfAnUnlistedSharedSessionMakeOneStaleRow) {
    BusRecords records;
    records.active["gone/10.0.0.1"] = "5";
    records.seen["gone/10.0.0.1"] = kNow - 40;
    records.unclaimed["gone/10.0.0.2"] = kNow - 300;
    const auto rows = JoinSessions({}, records, true, kNow);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].session_id, "gone");
    EXPECT_EQ(rows[0].state, SessionState::kStale);
    EXPECT_EQ(rows[0].seats.size(), 2u);
    EXPECT_EQ(rows[0].age_seconds, 300);  // Its oldest record.
}

TEST(ParseSessionState, ReadsEveryNameAndRefusesOthers) {
    for (auto state : {SessionState::kUnclaimed, SessionState::kClaimed, SessionState::kDeleting, SessionState::kParked,
                       SessionState::kOrphaned, SessionState::kStale}) {
        auto parsed = ParseSessionState(ToString(state));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, state);
    }
    auto bad = ParseSessionState("lost");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message().find("orphaned"), std::string::npos);
}

TEST(SessionsOutput, PrintsATableAndFullJsonObjects) {
    BusRecords records;
    records.active["s1"] = "77";
    const auto output = SessionsOutput(JoinSessions({Listed("s1")}, records, true, kNow), {{"complete", true}});
    EXPECT_NE(output.text.find("SESSION"), std::string::npos);
    EXPECT_NE(output.text.find("claimed"), std::string::npos);
    EXPECT_NE(output.text.find("42s"), std::string::npos);
    const auto& row = output.json.at("sessions").as_array().at(0).as_object();
    EXPECT_EQ(row.at("state").as_string(), "claimed");
    EXPECT_EQ(row.at("client_id").as_string(), "77");
    EXPECT_TRUE(row.at("bus").as_object().at("parked").is_null()) << boost::json::serialize(row);
    const auto& seat = row.at("seats").as_array().at(0).as_object();
    EXPECT_EQ(seat.at("seat_id").as_string(), "s1");
    EXPECT_EQ(seat.at("state").as_string(), "claimed");
    EXPECT_EQ(seat.at("client_id").as_string(), "77");
    EXPECT_NE(output.text.find("SEATS"), std::string::npos);
}

}  // namespace
}  // namespace gapkit::cli
