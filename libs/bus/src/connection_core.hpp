#pragma once

// What a Connection shares with the objects it creates: the nats.c connection and its JetStream
// context, the replicas new streams get, and the request multiplexer of asynchronous requests. Held
// by shared_ptr so a Subscription or KeyValue keeps the socket alive.

#include <memory>
#include <string>

#include "nats_handles.hpp"
#include "request_mux.hpp"

namespace gapkit::bus {

struct ConnectionCore {
    std::string client_name;
    std::string inbox_prefix;  // Of the reply subjects our own streamed requests create.
    int replicas = 1;          // Of the buckets and queues created with replicas 0 ("auto").
    ConnectionPtr connection;  // Declared before js: members die in reverse, so js goes first.
    JsContextPtr js;
    // Declared last, so it dies first: stops its thread and subscription while the socket is open.
    std::unique_ptr<RequestMux> mux;
};

}  // namespace gapkit::bus
