#include "session_rows.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <set>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <boost/json/value_from.hpp>

#include "session_book.hpp"

namespace gapkit::cli {
namespace {

namespace json = boost::json;

using StateName = std::pair<SessionState, std::string_view>;
constexpr std::array<StateName, 6> kStates = {{{SessionState::kUnclaimed, "unclaimed"},
                                               {SessionState::kClaimed, "claimed"},
                                               {SessionState::kDeleting, "deleting"},
                                               {SessionState::kParked, "parked"},
                                               {SessionState::kOrphaned, "orphaned"},
                                               {SessionState::kStale, "stale"}}};

template <typename Map>
auto Find(const Map& map, const std::string& key) -> std::optional<typename Map::mapped_type> {
    auto found = map.find(key);
    if (found == map.end()) return std::nullopt;
    return found->second;
}

// Fills the bus's part of a row and decides its state from it.
void AddBusRecords(SessionRow& row, const BusRecords& records) {
    const std::string& id = row.session_id;
    row.unclaimed_since = Find(records.unclaimed, id);
    row.deleting_since = Find(records.deleting, id);
    row.seen_at = Find(records.seen, id);
    row.parked = Find(records.parked, id);
    const auto active = Find(records.active, id);
    row.client_id = active.value_or(Find(records.clients, id).value_or(""));
    if (row.deployment.empty()) row.deployment = Find(records.deployments, id).value_or("");
    if (row.parked) {
        row.state = SessionState::kParked;
    } else if (row.deleting_since) {
        row.state = SessionState::kDeleting;
    } else if (active) {
        row.state = SessionState::kClaimed;
    } else if (row.unclaimed_since) {
        row.state = SessionState::kUnclaimed;
    } else {
        row.state = SessionState::kOrphaned;
    }
}

// The unix seconds a stale record was written, for its age.
std::optional<std::uint64_t> RecordTime(const SessionRow& row) {
    if (row.unclaimed_since) return row.unclaimed_since;
    if (row.seen_at) return row.seen_at;
    if (!row.parked) return std::nullopt;
    const std::string_view parked = *row.parked;  // "<unix seconds> <reason>"
    return matchmaker::ParseUnixSeconds(parked.substr(0, parked.find(' ')));
}

template <typename T>
json::value OrNull(const std::optional<T>& value) {
    return value ? json::value_from(*value) : json::value(nullptr);
}

json::value RowJson(const SessionRow& row) {
    json::array ips;
    for (const auto& ip : row.player_ips) ips.emplace_back(ip);
    return json::object{{"session_id", row.session_id},
                        {"state", ToString(row.state)},
                        {"edgegap_status", row.edgegap_status},
                        {"deployment", row.deployment},
                        {"app", OrNull(row.app)},
                        {"age_seconds", OrNull(row.age_seconds)},
                        {"player_ips", std::move(ips)},
                        {"client_id", row.client_id},
                        {"bus",
                         {{"unclaimed_since", OrNull(row.unclaimed_since)},
                          {"deleting_since", OrNull(row.deleting_since)},
                          {"seen_at", OrNull(row.seen_at)},
                          {"parked", OrNull(row.parked)}}}};
}

}  // namespace

std::string_view ToString(SessionState state) {
    for (const auto& [value, name] : kStates) {
        if (value == state) return name;
    }
    return "unknown";
}

common::Result<SessionState> ParseSessionState(std::string_view text) {
    std::vector<std::string_view> known;
    for (const auto& [value, name] : kStates) {
        if (text == name) return value;
        known.push_back(name);
    }
    return common::MakeError(common::ErrorCode::kInvalidArgument,
                             fmt::format("unknown state '{}': give one of {}", text, fmt::join(known, ", ")));
}

std::vector<SessionRow> JoinSessions(const std::vector<ListedSession>& listed, const BusRecords& records, bool complete,
                                     std::uint64_t now_unix_seconds) {
    std::vector<SessionRow> rows;
    std::set<std::string> listed_ids;
    for (const ListedSession& session : listed) {
        listed_ids.insert(session.session_id);
        SessionRow row{session.session_id, SessionState::kOrphaned, session.status,    session.deployment,
                       session.app,        session.age_seconds,     session.player_ips};
        AddBusRecords(row, records);
        rows.push_back(std::move(row));
    }
    auto by_id = [](const SessionRow& a, const SessionRow& b) { return a.session_id < b.session_id; };
    std::sort(rows.begin(), rows.end(), by_id);
    if (!complete) return rows;  // An unlisted session may be on a page not read.
    std::set<std::string> stale;
    for (const auto& [id, since] : records.unclaimed) stale.insert(id);
    for (const auto& [id, client] : records.active) stale.insert(id);
    for (const auto& [id, value] : records.parked) stale.insert(id);
    for (const std::string& id : stale) {
        if (listed_ids.contains(id)) continue;
        SessionRow row;
        row.session_id = id;
        AddBusRecords(row, records);
        row.state = SessionState::kStale;
        if (auto written = RecordTime(row)) {
            row.age_seconds = static_cast<std::int64_t>(now_unix_seconds) - static_cast<std::int64_t>(*written);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

Output SessionsOutput(const std::vector<SessionRow>& rows, json::object summary) {
    Table table({"SESSION", "STATE", "EDGEGAP STATUS", "DEPLOYMENT", "AGE", "PLAYER", "CLIENT ID"});
    json::array items;
    for (const SessionRow& row : rows) {
        std::optional<std::chrono::seconds> age;
        if (row.age_seconds) age = std::chrono::seconds(*row.age_seconds);
        table.AddRow({row.session_id, std::string(ToString(row.state)), row.edgegap_status, row.deployment,
                      FormatDuration(age), fmt::format("{}", fmt::join(row.player_ips, ",")), row.client_id});
        items.push_back(RowJson(row));
    }
    summary["sessions"] = std::move(items);
    return {std::move(summary), table.Text()};
}

}  // namespace gapkit::cli
