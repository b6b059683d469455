#include "edgegap_listing.hpp"

#include <fmt/core.h>

#include "gapkit/common/log.hpp"
#include "reconciler.hpp"

namespace gapkit::cli {
namespace {

using edgegap::EdgegapApi;

template <typename T>
common::Result<Listing<T>> ListAll(edgegap::BlockingEdgegapClient& client,
                                   edgegap::ApiTask<edgegap::Page<T>> (EdgegapApi::*call)(edgegap::ListOptions),
                                   std::string_view what) {
    Listing<T> listing;
    for (int page = 1; page <= matchmaker::kMaxListPages; ++page) {
        auto listed = client.Call(call, {page, matchmaker::kListPageSize});
        if (!listed) {
            return common::MakeError(
                common::ErrorCode::kUnavailable,
                fmt::format("listing Edgegap {} (page {}): {}", what, page, listed.error().ToString()));
        }
        for (T& item : listed->items) listing.items.push_back(std::move(item));
        if (!listed->has_next || listed->items.empty()) return listing;
    }
    GAPKIT_LOG_WARN("gapctl", "more than {} Edgegap {}: only the first are shown",
                    matchmaker::kMaxListPages * matchmaker::kListPageSize, what);
    listing.complete = false;
    return listing;
}

}  // namespace

common::Result<Listing<edgegap::Session>> ListAllSessions(edgegap::BlockingEdgegapClient& client) {
    return ListAll(client, &EdgegapApi::ListSessions, "sessions");
}

common::Result<Listing<edgegap::DeploymentStatus>> ListAllDeployments(edgegap::BlockingEdgegapClient& client) {
    return ListAll(client, &EdgegapApi::ListDeployments, "deployments");
}

void AddSelectionOptions(CLI::App& command, Selection& selection) {
    AddAppOptions(command, selection.selector, false);
    command.add_flag("--all-apps", selection.all_apps, "Every app and version of the Edgegap account");
}

bool Selected(const Selection& selection, std::string_view app, std::string_view version) {
    return selection.all_apps || (app == selection.selector.app && version == selection.selector.version);
}

common::Status CheckSelection(const Selection& selection) {
    const AppSelector& selector = selection.selector;
    if (selection.all_apps || (!selector.app.empty() && !selector.version.empty())) return common::Ok();
    return common::MakeError(common::ErrorCode::kInvalidArgument,
                             "which app version? give --app and --app-version (env GAPKIT_MM_APP_NAME, "
                             "GAPKIT_MM_APP_VERSION), or --all-apps");
}

template <typename T, typename Call>
const T* Lookups::Cached(std::map<std::string, std::optional<T>>& cache, const std::string& key, Call call) {
    if (auto found = cache.find(key); found != cache.end()) return found->second ? &*found->second : nullptr;
    if (left_ <= 0) {
        ++skipped_;
        return nullptr;
    }
    --left_;
    ++made_;
    auto answer = call();
    if (!answer) GAPKIT_LOG_WARN("gapctl", "looking up {}: {}", key, answer.error().ToString());
    auto& slot = cache[key];
    if (answer) slot = std::move(*answer);
    return slot ? &*slot : nullptr;
}

const edgegap::DeploymentStatus* Lookups::Deployment(const std::string& request_id) {
    if (request_id.empty()) return nullptr;
    return Cached(deployments_, request_id, [&] { return client_.Call(&EdgegapApi::GetDeploymentStatus, request_id); });
}

const edgegap::Session* Lookups::Session(const std::string& session_id) {
    return Cached(sessions_, session_id, [&] { return client_.Call(&EdgegapApi::GetSession, session_id); });
}

const edgegap::AppVersion* Lookups::Version(const std::string& app, const std::string& version) {
    return Cached(versions_, fmt::format("{}/{}", app, version),
                  [&] { return client_.Call(&EdgegapApi::GetAppVersion, app, version); });
}

boost::json::object ListingSummary(const Selection& selection, bool complete, const Lookups& lookups) {
    auto named = [&](const std::string& name) {
        return selection.all_apps ? boost::json::value(nullptr) : boost::json::value(name);
    };
    return {{"app", named(selection.selector.app)},
            {"version", named(selection.selector.version)},
            {"complete", complete},
            {"lookups", lookups.made()},
            {"lookups_skipped", lookups.skipped()}};
}

void AddMaxLookupsOption(CLI::App& command, int& max_lookups) {
    command
        .add_option("--max-lookups", max_lookups,
                    "Most per-item Edgegap lookups (deployment status, session, app version) this run makes; "
                    "items beyond show '-'")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
}

}  // namespace gapkit::cli
