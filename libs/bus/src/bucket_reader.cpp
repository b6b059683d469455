// Connection::ReadBucket and Connection::StreamMessages: reads that need no JetStream write
// right. nats.c's own key listing (kvStore_Keys) creates a push consumer, and a role allowed to
// create consumers can make the server deliver stream messages to any subject, which would undo
// the operator's "publish nothing"; STREAM.INFO with a subject filter lists the same keys.

#include <fmt/core.h>

#include <cstring>

#include "connection_core.hpp"
#include "gapkit/bus/connection.hpp"
#include "status.hpp"

namespace gapkit::bus {

using common::ErrorCode;
using common::MakeError;
using common::Result;

namespace {

constexpr std::string_view kKeyPrefix = "$KV.";

Result<StreamInfoPtr> ReadStreamInfo(jsCtx* js, const std::string& stream, const char* subjects_filter) {
    jsOptions options;
    jsOptions_Init(&options);
    options.Stream.Info.SubjectsFilter = subjects_filter;
    jsStreamInfo* raw = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    const natsStatus status = js_GetStreamInfo(&raw, js, stream.c_str(), &options, &js_error);
    if (status == NATS_NOT_FOUND || js_error == JSStreamNotFoundErr) {
        return MakeError(ErrorCode::kNotFound, fmt::format("stream {} does not exist", stream));
    }
    if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("reading stream {}", stream)));
    return StreamInfoPtr(raw);
}

bool IsRemoval(natsMsg* message) {
    const char* operation = nullptr;
    if (natsMsgHeader_Get(message, "KV-Operation", &operation) != NATS_OK || operation == nullptr) return false;
    return std::strcmp(operation, "DEL") == 0 || std::strcmp(operation, "PURGE") == 0;
}

std::chrono::system_clock::time_point WrittenAt(natsMsg* message) {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(natsMsg_GetTime(message))));
}

}  // namespace

Result<std::vector<BucketEntry>> Connection::ReadBucket(std::string_view bucket, std::size_t max_keys) {
    const std::string stream = fmt::format("KV_{}", bucket);
    const std::string prefix = fmt::format("{}{}.", kKeyPrefix, bucket);
    const std::string filter = prefix + ">";
    auto info = ReadStreamInfo(core_->js.get(), stream, filter.c_str());
    if (!info) return common::Fail(info.error());
    const jsStreamStateSubjects* subjects = (*info)->State.Subjects;
    const int count = subjects == nullptr ? 0 : subjects->Count;
    if (static_cast<std::size_t>(count) > max_keys) {
        return MakeError(ErrorCode::kResourceExhausted,
                         fmt::format("bucket {} holds {} keys, more than the {} read at most", bucket, count, max_keys));
    }
    std::vector<BucketEntry> entries;
    entries.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        const std::string subject = subjects->List[i].Subject;
        natsMsg* raw = nullptr;
        jsErrCode js_error = static_cast<jsErrCode>(0);
        const natsStatus status = js_GetLastMsg(&raw, core_->js.get(), stream.c_str(), subject.c_str(), nullptr, &js_error);
        if (status == NATS_NOT_FOUND) continue;  // Expired or removed since STREAM.INFO listed it.
        if (status != NATS_OK) return common::Fail(NatsError(status, fmt::format("reading {}", subject)));
        MsgPtr message(raw);
        if (IsRemoval(message.get())) continue;
        const char* data = natsMsg_GetData(message.get());
        entries.push_back(BucketEntry{
            subject.substr(prefix.size()),
            std::string(data == nullptr ? "" : data, static_cast<std::size_t>(natsMsg_GetDataLength(message.get()))),
            natsMsg_GetSequence(message.get()), WrittenAt(message.get())});
    }
    return entries;
}

Result<std::uint64_t> Connection::StreamMessages(std::string_view stream) {
    auto info = ReadStreamInfo(core_->js.get(), std::string(stream), nullptr);
    if (!info) return common::Fail(info.error());
    return (*info)->State.Msgs;
}

}  // namespace gapkit::bus
