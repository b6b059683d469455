#include "gapkit/edgegap/blocking_client.hpp"

namespace gapkit::edgegap {

common::Result<std::unique_ptr<BlockingEdgegapClient>> BlockingEdgegapClient::Create(ClientConfig config) {
    std::unique_ptr<BlockingEdgegapClient> blocking(new BlockingEdgegapClient());
    auto client = HttpEdgegapClient::Create(blocking->io_.get_executor(), std::move(config));
    if (!client) return common::Fail(client.error());
    blocking->client_ = std::move(*client);
    return blocking;
}

BlockingEdgegapClient::~BlockingEdgegapClient() = default;

}  // namespace gapkit::edgegap
