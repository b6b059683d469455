#pragma once

// What a KeyValue holds (shared by its synchronous calls in key_value.cpp and its asynchronous ones
// in key_value_async.cpp).

#include <memory>
#include <string>
#include <string_view>

#include "connection_core.hpp"
#include "gapkit/bus/key_value.hpp"

namespace gapkit::bus {

struct KeyValue::Impl {
    std::shared_ptr<ConnectionCore> core;  // Declared first: outlives `kv`.
    KvStorePtr kv;
    std::string bucket;
    bool direct_get = true;  // The bucket's stream allows direct gets (GetAsync needs them).
};

// "<verb> <bucket>/<key>", how every error of a key-value call starts.
std::string Action(const std::string& bucket, std::string_view verb, std::string_view key);

// Whether stream KV_<bucket> allows direct gets. True when its info cannot be read: every bucket
// nats.c 3.4 creates does, and a failed direct get is then reported like any failed get; false only
// when the stream says so, and then GetAsync refuses the bucket (kFailedPrecondition).
bool AllowsDirectGet(jsCtx* js, const std::string& bucket);

}  // namespace gapkit::bus
