#pragma once

// What gapctl's listing commands ask Edgegap, with bounded calls: the whole session and deployment
// lists (pages of the reconciler's `kListPageSize`, at most `kMaxListPages`, as the matchmaker's
// reconciler reads them) and per-item lookups (`GET /v1/status`, `GET /v1/session`,
// `GET /v1/app/.../version/...`) under one budget of calls per command run.
//
// Threads: one thread (the client runs calls on the calling thread).

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/blocking_client.hpp"
#include "sources.hpp"

namespace gapkit::cli {

/// Default of `--max-lookups`: per-item Edgegap calls one command run may make.
inline constexpr int kDefaultMaxLookups = 200;

/// Every item of a paged list; `complete` is false when the page bound cut it short.
template <typename T>
struct Listing {
    std::vector<T> items;
    bool complete = true;
};

common::Result<Listing<edgegap::Session>> ListAllSessions(edgegap::BlockingEdgegapClient& client);
common::Result<Listing<edgegap::DeploymentStatus>> ListAllDeployments(edgegap::BlockingEdgegapClient& client);

/// Which deployments or sessions a listing command shows.
struct Selection {
    AppSelector selector;   ///< `--app`, `--app-version` (env GAPKIT_MM_APP_NAME, GAPKIT_MM_APP_VERSION).
    bool all_apps = false;  ///< `--all-apps`: every app and version of the Edgegap account.
};

/// Adds `--app`, `--app-version` and `--all-apps` to `command`.
void AddSelectionOptions(CLI::App& command, Selection& selection);

/// True when `--all-apps` was given or `app`/`version` are the selected ones.
bool Selected(const Selection& selection, std::string_view app, std::string_view version);

/// The selection's check at the start of a command: `--app` and `--app-version`, or `--all-apps`.
common::Status CheckSelection(const Selection& selection);

/// Per-item lookups, each asked at most once per run, at most `max_lookups` calls in all. A call
/// not made (budget spent) or failed gives nothing; failures are logged once.
class Lookups {
  public:
    Lookups(edgegap::BlockingEdgegapClient& client, int max_lookups) : client_(client), left_(max_lookups) {}

    /// `GET /v1/status/<request_id>`.
    const edgegap::DeploymentStatus* Deployment(const std::string& request_id);
    /// `GET /v1/session/<session_id>`.
    const edgegap::Session* Session(const std::string& session_id);
    /// `GET /v1/app/<app>/version/<version>`.
    const edgegap::AppVersion* Version(const std::string& app, const std::string& version);

    int made() const { return made_; }
    int skipped() const { return skipped_; }  ///< Lookups left out because the budget was spent.

  private:
    template <typename T, typename Call>
    const T* Cached(std::map<std::string, std::optional<T>>& cache, const std::string& key, Call call);

    edgegap::BlockingEdgegapClient& client_;
    int left_;
    int made_ = 0;
    int skipped_ = 0;
    std::map<std::string, std::optional<edgegap::DeploymentStatus>> deployments_;
    std::map<std::string, std::optional<edgegap::Session>> sessions_;
    std::map<std::string, std::optional<edgegap::AppVersion>> versions_;
};

/// The head of a listing's JSON: app and version (null for `--all-apps`), whether the lists were
/// complete, and the lookups made and skipped.
boost::json::object ListingSummary(const Selection& selection, bool complete, const Lookups& lookups);

/// Adds `--max-lookups` (default `kDefaultMaxLookups`) to `command`.
void AddMaxLookupsOption(CLI::App& command, int& max_lookups);

}  // namespace gapkit::cli
