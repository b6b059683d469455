#include "session_rows.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <set>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <boost/json/value_from.hpp>

#include "seat.hpp"
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

// One seat's records and the state they give.
SeatRow SeatOf(const std::string& seat_id, const BusRecords& records) {
    SeatRow seat{seat_id, matchmaker::ParseSeatId(seat_id).ip};
    seat.unclaimed_since = Find(records.unclaimed, seat_id);
    seat.deleting_since = Find(records.deleting, seat_id);
    seat.seen_at = Find(records.seen, seat_id);
    seat.parked = Find(records.parked, seat_id);
    const auto active = Find(records.active, seat_id);
    seat.client_id = active.value_or(Find(records.clients, seat_id).value_or(""));
    if (seat.parked) {
        seat.state = SessionState::kParked;
    } else if (seat.deleting_since) {
        seat.state = SessionState::kDeleting;
    } else if (active) {
        seat.state = SessionState::kClaimed;
    } else if (seat.unclaimed_since) {
        seat.state = SessionState::kUnclaimed;
    }
    return seat;
}

// A session in use stays claimed while one of its players' seats is being deleted.
SessionState StateOfSeats(const std::vector<SeatRow>& seats) {
    if (seats.size() == 1) return seats.front().state;
    for (SessionState state :
         {SessionState::kParked, SessionState::kClaimed, SessionState::kUnclaimed, SessionState::kDeleting}) {
        if (std::any_of(seats.begin(), seats.end(), [state](const SeatRow& seat) { return seat.state == state; })) {
            return state;
        }
    }
    return SessionState::kOrphaned;
}

// Adds every seat id `map` is keyed by to `seats`, under its session id.
template <typename Map>
void AddSeats(const Map& map, std::map<std::string, std::set<std::string>>& seats) {
    for (const auto& [seat_id, value] : map) seats[matchmaker::ParseSeatId(seat_id).session_id].insert(seat_id);
}

// Every seat id any bucket holds, by its session id.
std::map<std::string, std::set<std::string>> SeatsBySession(const BusRecords& records) {
    std::map<std::string, std::set<std::string>> seats;
    AddSeats(records.unclaimed, seats);
    AddSeats(records.deleting, seats);
    AddSeats(records.active, seats);
    AddSeats(records.parked, seats);
    AddSeats(records.clients, seats);
    AddSeats(records.deployments, seats);
    AddSeats(records.seen, seats);
    return seats;
}

// Fills the bus's part of a row from its session's seats and decides its state from them.
void AddBusRecords(SessionRow& row, const BusRecords& records, const std::set<std::string>& seat_ids) {
    std::vector<std::string> clients;
    for (const std::string& seat_id : seat_ids) {
        row.seats.push_back(SeatOf(seat_id, records));
        if (!row.seats.back().client_id.empty()) clients.push_back(row.seats.back().client_id);
        if (row.deployment.empty()) row.deployment = Find(records.deployments, seat_id).value_or("");
    }
    row.state = StateOfSeats(row.seats);
    row.client_id = fmt::format("{}", fmt::join(clients, ","));
    if (row.seats.size() != 1 || !row.seats.front().ip.empty()) return;
    const SeatRow& seat = row.seats.front();
    row.unclaimed_since = seat.unclaimed_since;
    row.deleting_since = seat.deleting_since;
    row.seen_at = seat.seen_at;
    row.parked = seat.parked;
}

// The unix seconds a seat's record was written, for the age of a stale row.
std::optional<std::uint64_t> RecordTime(const SeatRow& seat) {
    if (seat.unclaimed_since) return seat.unclaimed_since;
    if (seat.seen_at) return seat.seen_at;
    if (!seat.parked) return std::nullopt;
    const std::string_view parked = *seat.parked;  // "<unix seconds> <reason>"
    return matchmaker::ParseUnixSeconds(parked.substr(0, parked.find(' ')));
}

// A stale row is as old as its oldest seat record.
std::optional<std::uint64_t> OldestRecordTime(const std::vector<SeatRow>& seats) {
    std::optional<std::uint64_t> oldest;
    for (const SeatRow& seat : seats) {
        const auto written = RecordTime(seat);
        if (written && (!oldest || *written < *oldest)) oldest = written;
    }
    return oldest;
}

template <typename T>
json::value OrNull(const std::optional<T>& value) {
    return value ? json::value_from(*value) : json::value(nullptr);
}

json::object BusJson(const std::optional<std::uint64_t>& unclaimed_since,
                     const std::optional<std::uint64_t>& deleting_since, const std::optional<std::uint64_t>& seen_at,
                     const std::optional<std::string>& parked) {
    return {{"unclaimed_since", OrNull(unclaimed_since)},
            {"deleting_since", OrNull(deleting_since)},
            {"seen_at", OrNull(seen_at)},
            {"parked", OrNull(parked)}};
}

json::value SeatJson(const SeatRow& seat) {
    return json::object{{"seat_id", seat.seat_id},
                        {"ip", seat.ip},
                        {"state", ToString(seat.state)},
                        {"client_id", seat.client_id},
                        {"bus", BusJson(seat.unclaimed_since, seat.deleting_since, seat.seen_at, seat.parked)}};
}

json::value RowJson(const SessionRow& row) {
    json::array ips;
    for (const auto& ip : row.player_ips) ips.emplace_back(ip);
    json::array seats;
    for (const SeatRow& seat : row.seats) seats.push_back(SeatJson(seat));
    return json::object{{"session_id", row.session_id},
                        {"state", ToString(row.state)},
                        {"edgegap_status", row.edgegap_status},
                        {"deployment", row.deployment},
                        {"app", OrNull(row.app)},
                        {"age_seconds", OrNull(row.age_seconds)},
                        {"player_ips", std::move(ips)},
                        {"client_id", row.client_id},
                        {"bus", BusJson(row.unclaimed_since, row.deleting_since, row.seen_at, row.parked)},
                        {"seats", std::move(seats)}};
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
    auto seats = SeatsBySession(records);
    std::vector<SessionRow> rows;
    for (const ListedSession& session : listed) {
        SessionRow row{session.session_id, SessionState::kOrphaned, session.status,    session.deployment,
                       session.app,        session.age_seconds,     session.player_ips};
        AddBusRecords(row, records, seats[session.session_id]);
        rows.push_back(std::move(row));
    }
    auto by_id = [](const SessionRow& a, const SessionRow& b) { return a.session_id < b.session_id; };
    std::sort(rows.begin(), rows.end(), by_id);
    if (!complete) return rows;  // An unlisted session may be on a page not read.
    // Only these records are the reconciler's to remove; a claim, a mapping or a liveness record
    // alone does not make a stale row.
    std::map<std::string, std::set<std::string>> stale;
    AddSeats(records.unclaimed, stale);
    AddSeats(records.active, stale);
    AddSeats(records.parked, stale);
    for (const auto& session : listed) stale.erase(session.session_id);
    for (const auto& [id, stale_seats] : stale) {
        SessionRow row;
        row.session_id = id;
        AddBusRecords(row, records, seats[id]);
        row.state = SessionState::kStale;
        if (auto written = OldestRecordTime(row.seats)) {
            row.age_seconds = static_cast<std::int64_t>(now_unix_seconds) - static_cast<std::int64_t>(*written);
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

Output SessionsOutput(const std::vector<SessionRow>& rows, json::object summary) {
    Table table({"SESSION", "STATE", "SEATS", "EDGEGAP STATUS", "DEPLOYMENT", "AGE", "PLAYER", "CLIENT ID"});
    json::array items;
    for (const SessionRow& row : rows) {
        std::optional<std::chrono::seconds> age;
        if (row.age_seconds) age = std::chrono::seconds(*row.age_seconds);
        table.AddRow({row.session_id, std::string(ToString(row.state)), std::to_string(row.seats.size()),
                      row.edgegap_status, row.deployment, FormatDuration(age),
                      fmt::format("{}", fmt::join(row.player_ips, ",")), row.client_id});
        items.push_back(RowJson(row));
    }
    summary["sessions"] = std::move(items);
    return {std::move(summary), table.Text()};
}

}  // namespace gapkit::cli
