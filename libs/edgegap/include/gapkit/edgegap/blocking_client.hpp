#pragma once

/// @file
/// `BlockingEdgegapClient`: any `EdgegapApi` call of an `HttpEdgegapClient`, run until it is done
/// on the calling thread. For code without an event loop: the server library's in-container calls
/// (context, self-stop) and tests. Not for services or game loops.
///
///     auto client = BlockingEdgegapClient::Create(config);
///     common::Result<Session> session = (*client)->Call(&EdgegapApi::GetSession, session_id);
///
/// `Call` takes the call as a member of `EdgegapApi` and its arguments as that call declares them
/// (api.hpp), so there is no list of calls here to keep in step with the interface.
///
/// It owns a private `io_context` and runs it on the calling thread for the length of each call.
/// Threads: one call at a time; use it from one thread (or guard it).

#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/http_client.hpp"

namespace gapkit::edgegap {

/// Runs `task` on `io` on the calling thread until it is done and returns its result. `io` must not
/// be run by another thread meanwhile. For any `EdgegapApi` (e.g. a test's `HttpEdgegapClient`).
template <typename T>
common::Result<T> RunToCompletion(boost::asio::io_context& io, ApiTask<T> task) {
    auto future = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
    io.restart();
    io.run();
    try {
        return future.get();
    } catch (const std::exception& e) {
        // The calls do not throw; this only catches what Asio itself might (e.g. out of memory).
        return MakeError(ErrorCategory::kNetwork, 0, std::string("internal failure: ") + e.what());
    }
}

class BlockingEdgegapClient {
  public:
    /// Same checks as `HttpEdgegapClient::Create`.
    static common::Result<std::unique_ptr<BlockingEdgegapClient>> Create(ClientConfig config);

    ~BlockingEdgegapClient();
    BlockingEdgegapClient(const BlockingEdgegapClient&) = delete;
    BlockingEdgegapClient& operator=(const BlockingEdgegapClient&) = delete;

    /// Runs `call` with `args` and returns its result, e.g. `Call(&EdgegapApi::ListSessions, {1, 100})`.
    /// The arguments are taken by the types the call declares, so braced initializers work.
    template <typename T, typename... Params>
    common::Result<T> Call(ApiTask<T> (EdgegapApi::*call)(Params...), std::type_identity_t<Params>... args) {
        return RunToCompletion(io_, ((*client_).*call)(std::move(args)...));
    }

  private:
    BlockingEdgegapClient() = default;

    boost::asio::io_context io_;
    std::unique_ptr<HttpEdgegapClient> client_;  // Runs on io_.
};

}  // namespace gapkit::edgegap
