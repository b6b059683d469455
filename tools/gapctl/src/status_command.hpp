#pragma once

// `gapctl status`: is the deployment up? One row per check, CHECK / STATE (ok|warn|fail) / DETAIL:
// - nats: connects with the NATS_* environment, the round trip, the server URL, JetStream reachable
//   (a pure read of the `matchmakers` bucket);
// - matchmakers: the live ones from their presence beats (bucket `matchmakers`, bus/names.hpp);
//   fail when none;
// - httpd: GET <--httpd-url>/readyz answers 200 within 2 s;
// - edgegap: one cheap call with the key (GetAppVersion of --app/--app-version when given, which
//   also says whether the version is active; otherwise ListSessions page 1 limit 1). No key: warn.
// The checks run at once, each bounded (the bus connect 3 s, its reads nats.c's 5 s, httpd 2 s,
// Edgegap EDGEGAP_REQUEST_TIMEOUT, 3 s unless set), so the command ends within ~10 s even when
// everything is down. Exit 0 when no row fails (warn allowed), 1 otherwise.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json/object.hpp>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/result.hpp"
#include "output.hpp"

namespace gapkit::cli {

enum class CheckState { kOk, kWarn, kFail };

/// "ok", "warn" or "fail".
std::string_view ToString(CheckState state);

/// One row of the report; `extra` adds fields to its JSON object.
struct CheckRow {
    std::string check;
    CheckState state = CheckState::kFail;
    std::string detail;
    boost::json::object extra;
};

/// The matchmakers row from the live keys of the `matchmakers` bucket, read at `now`. Values that
/// are not the presence JSON still count (a matchmaker is there), shown by their key.
CheckRow MatchmakersRow(const std::vector<bus::BucketEntry>& entries, std::chrono::system_clock::time_point now);

/// Where `GET /readyz` goes: `http://host[:port][/prefix]` (port 80 by default; https is not
/// supported: httpd itself speaks plain HTTP behind its proxy).
struct HttpTarget {
    std::string host;
    std::string port;
    std::string path;  ///< The prefix plus "/readyz".
};
common::Result<HttpTarget> ReadyzTarget(std::string_view url);

/// The table (or JSON array of row objects) of `rows`.
Output StatusOutput(const std::vector<CheckRow>& rows);

/// Adds the `status` subcommand.
void RegisterStatusCommand(CLI::App& app, int& exit_code);

}  // namespace gapkit::cli
