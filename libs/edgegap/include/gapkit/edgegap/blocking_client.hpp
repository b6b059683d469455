#pragma once

/// @file
/// `BlockingEdgegapClient`: the same calls as `HttpEdgegapClient`, but each one blocks until it is
/// done. For command-line tools (gapctl) and scripts, not for services or game loops.
///
/// It owns a private `io_context` and runs it on the calling thread for the length of each call.
/// Threads: one call at a time; use it from one thread (or guard it).

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/http_client.hpp"

namespace gapkit::edgegap {

class BlockingEdgegapClient {
  public:
    /// Same checks as `HttpEdgegapClient::Create`.
    static common::Result<std::unique_ptr<BlockingEdgegapClient>> Create(ClientConfig config);

    ~BlockingEdgegapClient();
    BlockingEdgegapClient(const BlockingEdgegapClient&) = delete;
    BlockingEdgegapClient& operator=(const BlockingEdgegapClient&) = delete;

    ApiResult<CreatedSession> CreateSession(SessionRequest request);
    ApiResult<Session> GetSession(std::string session_id);
    ApiResult<StopResult> DeleteSession(std::string session_id);
    ApiResult<Page<Session>> ListSessions(ListOptions options);
    ApiResult<CreatedDeployment> Deploy(DeployRequest request);
    ApiResult<DeploymentStatus> GetDeploymentStatus(std::string request_id);
    ApiResult<StopResult> StopDeployment(std::string request_id);
    ApiResult<Page<DeploymentStatus>> ListDeployments(ListOptions options);
    ApiResult<Context> GetContext(ContainerEndpoint context);
    ApiResult<StopResult> SelfStop(ContainerEndpoint self_stop);
    ApiResult<AppVersion> GetAppVersion(std::string app_name, std::string version_name);
    ApiResult<AppVersion> PatchAppVersion(std::string app_name, std::string version_name, AppVersionPatch patch);

  private:
    BlockingEdgegapClient() = default;

    template <typename T>
    ApiResult<T> Run(ApiTask<T> task);

    boost::asio::io_context io_;
    std::unique_ptr<HttpEdgegapClient> client_;  // Runs on io_.
};

}  // namespace gapkit::edgegap
