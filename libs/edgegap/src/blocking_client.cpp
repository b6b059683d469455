#include "gapkit/edgegap/blocking_client.hpp"

#include <exception>
#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

namespace gapkit::edgegap {

common::Result<std::unique_ptr<BlockingEdgegapClient>> BlockingEdgegapClient::Create(ClientConfig config) {
    std::unique_ptr<BlockingEdgegapClient> blocking(new BlockingEdgegapClient());
    auto client = HttpEdgegapClient::Create(blocking->io_.get_executor(), std::move(config));
    if (!client) return common::Fail(client.error());
    blocking->client_ = std::move(*client);
    return blocking;
}

BlockingEdgegapClient::~BlockingEdgegapClient() = default;

template <typename T>
ApiResult<T> BlockingEdgegapClient::Run(ApiTask<T> task) {
    auto future = boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future);
    io_.restart();
    io_.run();
    try {
        return future.get();
    } catch (const std::exception& e) {
        // The calls do not throw; this only catches what Asio itself might (e.g. out of memory).
        return MakeApiError(ApiErrorCategory::kNetwork, 0, std::string("internal failure: ") + e.what());
    }
}

ApiResult<CreatedSession> BlockingEdgegapClient::CreateSession(SessionRequest request) {
    return Run(client_->CreateSession(std::move(request)));
}

ApiResult<Session> BlockingEdgegapClient::GetSession(std::string session_id) {
    return Run(client_->GetSession(std::move(session_id)));
}

ApiResult<StopResult> BlockingEdgegapClient::DeleteSession(std::string session_id) {
    return Run(client_->DeleteSession(std::move(session_id)));
}

ApiResult<Page<Session>> BlockingEdgegapClient::ListSessions(ListOptions options) {
    return Run(client_->ListSessions(options));
}

ApiResult<CreatedDeployment> BlockingEdgegapClient::Deploy(DeployRequest request) {
    return Run(client_->Deploy(std::move(request)));
}

ApiResult<DeploymentStatus> BlockingEdgegapClient::GetDeploymentStatus(std::string request_id) {
    return Run(client_->GetDeploymentStatus(std::move(request_id)));
}

ApiResult<StopResult> BlockingEdgegapClient::StopDeployment(std::string request_id) {
    return Run(client_->StopDeployment(std::move(request_id)));
}

ApiResult<Page<DeploymentStatus>> BlockingEdgegapClient::ListDeployments(ListOptions options) {
    return Run(client_->ListDeployments(options));
}

ApiResult<Context> BlockingEdgegapClient::GetContext(ContainerEndpoint context) {
    return Run(client_->GetContext(std::move(context)));
}

ApiResult<StopResult> BlockingEdgegapClient::SelfStop(ContainerEndpoint self_stop) {
    return Run(client_->SelfStop(std::move(self_stop)));
}

ApiResult<AppVersion> BlockingEdgegapClient::GetAppVersion(std::string app_name, std::string version_name) {
    return Run(client_->GetAppVersion(std::move(app_name), std::move(version_name)));
}

ApiResult<AppVersion> BlockingEdgegapClient::PatchAppVersion(std::string app_name, std::string version_name,
                                                             AppVersionPatch patch) {
    return Run(client_->PatchAppVersion(std::move(app_name), std::move(version_name), std::move(patch)));
}

}  // namespace gapkit::edgegap
