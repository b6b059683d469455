#include "server_rows.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <boost/json/value_from.hpp>

#include "seat.hpp"

namespace gapkit::cli {
namespace {

namespace json = boost::json;

constexpr std::size_t kShownDigestChars = 16;

// The digest as the game server states it ("e8:5b:..."), shortened to its first hex digits.
std::string ShortDigest(const std::string& digest) {
    std::string hex;
    for (char c : digest) {
        if (c != ':' && hex.size() < kShownDigestChars) hex += c;
    }
    return hex;
}

std::map<std::string, std::string> DeploymentOfSession(const std::vector<edgegap::Session>& sessions,
                                                       const BusRecords& records) {
    std::map<std::string, std::string> deployment_of = records.deployments;
    for (const edgegap::Session& session : sessions) {
        if (!session.deployment_request_id.empty()) deployment_of[session.session_id] = session.deployment_request_id;
    }
    return deployment_of;
}

std::string Ports(const edgegap::DeploymentStatus& deployment) {
    std::vector<std::string> ports;
    for (const auto& [name, port] : deployment.ports) {
        ports.push_back(fmt::format("{} {}->{}/{}", name, port.external, port.internal, port.protocol));
    }
    return fmt::format("{}", fmt::join(ports, ", "));
}

// Neither Edgegap nor the bus says since when a deployment is empty, so the time left is never
// computed: an empty one shows the TTL as an upper bound.
std::string EmptyTtlText(const ServerRow& row) {
    if (row.in_use) return "in use";
    // Edgegap counts the TTL in whole minutes; 0 says nothing usable (edgegap-sim's second-scale
    // test TTLs read as 0 too).
    if (!row.empty_ttl_minutes || *row.empty_ttl_minutes == 0) return "-";
    return fmt::format("<={}", FormatDuration(std::chrono::minutes(*row.empty_ttl_minutes)));
}

json::value RowJson(const ServerRow& row) {
    const auto& d = row.deployment;
    json::array ports;
    for (const auto& [name, port] : d.ports) {
        ports.push_back(
            {{"name", name}, {"external", port.external}, {"internal", port.internal}, {"protocol", port.protocol}});
    }
    auto strings = [](const std::vector<std::string>& values) { return json::value_from(values); };
    json::object object{{"request_id", d.request_id},
                        {"app", d.app_name.empty() ? json::value(nullptr) : json::value(d.app_name)},
                        {"version", d.app_version.empty() ? json::value(nullptr) : json::value(d.app_version)},
                        {"status", d.current_status},
                        {"running", d.running},
                        {"fqdn", d.fqdn},
                        {"public_ip", d.public_ip},
                        {"ports", std::move(ports)},
                        {"sessions", strings(row.sessions)},
                        {"players", strings(row.players)},
                        {"cert_digest", row.cert_digest},
                        {"age_seconds", row.age_seconds ? json::value(*row.age_seconds) : json::value(nullptr)},
                        {"in_use", row.in_use},
                        {"empty_since", nullptr},
                        {"empty_ttl_left_seconds", nullptr}};
    object["empty_ttl_minutes"] = row.empty_ttl_minutes ? json::value(*row.empty_ttl_minutes) : json::value(nullptr);
    object["note"] = "empty since unknown: neither Edgegap nor the bus records when a deployment became empty";
    return object;
}

}  // namespace

std::vector<ServerRow> JoinServers(const std::vector<ListedServer>& servers,
                                   const std::vector<edgegap::Session>& sessions, const BusRecords& records) {
    const auto deployment_of = DeploymentOfSession(sessions, records);
    std::vector<ServerRow> rows;
    for (const ListedServer& server : servers) {
        ServerRow row{server.deployment};
        const std::string& id = row.deployment.request_id;
        if (server.looked_up) row.age_seconds = row.deployment.elapsed_seconds;
        for (const edgegap::Session& session : sessions) {
            if (session.deployment_request_id == id) row.sessions.push_back(session.session_id);
        }
        for (const auto& [session_id, client] : records.active) {
            auto found = deployment_of.find(session_id);
            // A shared session's seat: its own mapping lives 30 s, its session's listing longer.
            if (found == deployment_of.end())
                found = deployment_of.find(matchmaker::ParseSeatId(session_id).session_id);
            if (found != deployment_of.end() && found->second == id) row.players.push_back(session_id);
        }
        if (auto digest = records.cert_digests.find(id); digest != records.cert_digests.end())
            row.cert_digest = digest->second;
        row.empty_ttl_minutes = server.empty_ttl_minutes;
        row.in_use = !row.sessions.empty() || !row.players.empty() || row.deployment.sockets_usage.value_or(0) > 0;
        rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(),
              [](const ServerRow& a, const ServerRow& b) { return a.deployment.request_id < b.deployment.request_id; });
    return rows;
}

Output ServersOutput(const std::vector<ServerRow>& rows, json::object summary) {
    Table table({"DEPLOYMENT", "STATUS", "ADDRESS", "PORTS", "PLAYERS", "CERT", "AGE", "EMPTY TTL LEFT"});
    json::array items;
    for (const ServerRow& row : rows) {
        const auto& d = row.deployment;
        std::optional<std::chrono::seconds> age;
        if (row.age_seconds) age = std::chrono::seconds(*row.age_seconds);
        table.AddRow({d.request_id, std::string(edgegap::ToString(d.state)), d.fqdn.empty() ? d.public_ip : d.fqdn,
                      Ports(d), std::to_string(row.players.size()), ShortDigest(row.cert_digest), FormatDuration(age),
                      EmptyTtlText(row)});
        items.push_back(RowJson(row));
    }
    summary["servers"] = std::move(items);
    return {std::move(summary), table.Text()};
}

}  // namespace gapkit::cli
