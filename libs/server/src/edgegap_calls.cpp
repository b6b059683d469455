#include "edgegap_calls.hpp"

#include "gapkit/common/log.hpp"
#include "gapkit/edgegap/blocking_client.hpp"

namespace gapkit::server {

namespace {

// In-container calls carry their own token, so the client needs no organization key.
std::unique_ptr<edgegap::BlockingEdgegapClient> NewClient() {
    auto client = edgegap::BlockingEdgegapClient::Create(edgegap::ClientConfig{});
    if (!client) {
        GAPKIT_LOG_ERROR("server", "edgegap client: {}", client.error().ToString());
        return nullptr;
    }
    return std::move(*client);
}

}  // namespace

edgegap::ContainerEndpoint ContextEndpoint(const ArbitriumEnvironment& env) {
    return {env.context_url, env.context_token};
}

edgegap::ContainerEndpoint SelfStopEndpoint(const ArbitriumEnvironment& env) {
    return {env.delete_url, env.delete_token};
}

Worker::Completion FetchAndPublishContext(BusLink& bus, const edgegap::ContainerEndpoint& endpoint) {
    auto client = NewClient();
    if (!client) return {};
    auto context = client->Call(&edgegap::EdgegapApi::GetContext, endpoint);
    if (!context) {
        GAPKIT_LOG_ERROR("server", "fetching the Edgegap context: {}", context.error().ToString());
        return {};
    }
    if (auto published = bus.PublishContext(*context); !published) {
        GAPKIT_LOG_ERROR("server", "publishing the context: {}", published.error().ToString());
    } else {
        GAPKIT_LOG_INFO("server", "context of {} published", context->request_id);
    }
    return {};
}

Worker::Completion RequestSelfStop(const edgegap::ContainerEndpoint& endpoint) {
    auto client = NewClient();
    if (!client) return {};
    auto stopped = client->Call(&edgegap::EdgegapApi::SelfStop, endpoint);
    if (!stopped) {
        GAPKIT_LOG_ERROR("server", "self-stop: {}", stopped.error().ToString());
    } else {
        GAPKIT_LOG_INFO("server", "self-stop accepted (HTTP {})", stopped->http_status);
    }
    return {};
}

}  // namespace gapkit::server
