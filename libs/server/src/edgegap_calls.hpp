#pragma once

// The two Edgegap calls a game server makes, from inside its container. Blocking: worker thread
// only. Failures are logged (they do not stop the game).

#include "bus_link.hpp"
#include "gapkit/edgegap/config.hpp"
#include "gapkit/server/environment.hpp"
#include "worker.hpp"

namespace gapkit::server {

edgegap::ContainerEndpoint ContextEndpoint(const ArbitriumEnvironment& env);
edgegap::ContainerEndpoint SelfStopEndpoint(const ArbitriumEnvironment& env);

/// GETs the context and publishes it on `gameserver.<deployment>.context`.
Worker::Completion FetchAndPublishContext(BusLink& bus, const edgegap::ContainerEndpoint& endpoint);

/// DELETEs `ARBITRIUM_DELETE_URL`.
Worker::Completion RequestSelfStop(const edgegap::ContainerEndpoint& endpoint);

}  // namespace gapkit::server
