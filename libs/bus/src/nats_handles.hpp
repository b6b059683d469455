#pragma once

// RAII owners for every nats.c object the bus creates. Only src/ includes nats.h.

#include <nats/nats.h>

#include <memory>
#include <string>
#include <string_view>

#include "gapkit/bus/message.hpp"

namespace gapkit::bus {

template <typename T, void (*Destroy)(T*)>
struct NatsDeleter {
    void operator()(T* object) const {
        if (object != nullptr) Destroy(object);
    }
};

// natsConnection_Destroy does not close first; closing makes pending flushes and callbacks end.
inline void CloseAndDestroy(natsConnection* connection) {
    natsConnection_Close(connection);
    natsConnection_Destroy(connection);
}

using OptionsPtr = std::unique_ptr<natsOptions, NatsDeleter<natsOptions, natsOptions_Destroy>>;
using ConnectionPtr = std::unique_ptr<natsConnection, NatsDeleter<natsConnection, CloseAndDestroy>>;
using SubscriptionPtr = std::unique_ptr<natsSubscription, NatsDeleter<natsSubscription, natsSubscription_Destroy>>;
using MsgPtr = std::unique_ptr<natsMsg, NatsDeleter<natsMsg, natsMsg_Destroy>>;
using JsContextPtr = std::unique_ptr<jsCtx, NatsDeleter<jsCtx, jsCtx_Destroy>>;
using KvStorePtr = std::unique_ptr<kvStore, NatsDeleter<kvStore, kvStore_Destroy>>;
using KvEntryPtr = std::unique_ptr<kvEntry, NatsDeleter<kvEntry, kvEntry_Destroy>>;
using KvWatcherPtr = std::unique_ptr<kvWatcher, NatsDeleter<kvWatcher, kvWatcher_Destroy>>;
using StreamInfoPtr = std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using ConsumerInfoPtr = std::unique_ptr<jsConsumerInfo, NatsDeleter<jsConsumerInfo, jsConsumerInfo_Destroy>>;
using PubAckPtr = std::unique_ptr<jsPubAck, NatsDeleter<jsPubAck, jsPubAck_Destroy>>;
using MetaDataPtr = std::unique_ptr<jsMsgMetaData, NatsDeleter<jsMsgMetaData, jsMsgMetaData_Destroy>>;

// The header that marks a streamed reply's last part (Connection::RespondLast), so that a stream
// can end with its final answer instead of one more, empty message.
inline constexpr const char* kStreamHeader = "Gapkit-Stream";
inline constexpr std::string_view kLastPartValue = "last";

inline bool IsLastPart(natsMsg* msg) {
    const char* value = nullptr;
    return natsMsgHeader_Get(msg, kStreamHeader, &value) == NATS_OK && value != nullptr && value == kLastPartValue;
}

// Copies a received message into our owned type.
inline Message ToMessage(natsMsg* msg) {
    const char* reply = natsMsg_GetReply(msg);
    const char* data = natsMsg_GetData(msg);
    return Message{natsMsg_GetSubject(msg), reply ? reply : "",
                   data ? std::string(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg))) : std::string(),
                   IsLastPart(msg)};
}

}  // namespace gapkit::bus
