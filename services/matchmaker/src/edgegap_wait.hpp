#pragma once

/// @file
/// `WaitForEdgegap`: runs one Edgegap call (api.hpp) on the service's io_context and blocks the
/// calling thread until it ends. For the cleanup threads and the reconciler, which work outside
/// the io_context. Never call it from the io_context's own thread: it would wait for itself.

#include <exception>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "gapkit/common/result.hpp"
#include "gapkit/edgegap/api.hpp"
#include "gapkit/edgegap/error.hpp"

namespace gapkit::matchmaker {

/// The call's result; a network error when the io_context was torn down under the call (the
/// caller retries later, as after any failed call).
template <typename T>
common::Result<T> WaitForEdgegap(const boost::asio::any_io_executor& executor, edgegap::ApiTask<T> task) {
    try {
        return boost::asio::co_spawn(executor, std::move(task), boost::asio::use_future).get();
    } catch (const std::exception& error) {
        return edgegap::MakeError(edgegap::ErrorCategory::kNetwork, 0, error.what());
    }
}

}  // namespace gapkit::matchmaker
