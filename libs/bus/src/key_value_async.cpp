// KeyValue::PutAsync and GetAsync: JetStream's own subjects driven through the connection's request
// multiplexer, so many calls can be in flight without a thread blocked on each (nats.c's kvStore
// calls are synchronous).

#include <fmt/core.h>

#include "gapkit/bus/key_value.hpp"
#include "key_value_impl.hpp"
#include "kv_replies.hpp"
#include "status.hpp"

namespace gapkit::bus {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

// The mux call shared by both: no responders and timeouts become the errors the synchronous calls
// report; any other answer goes to `parse`.
template <typename T, typename Parse>
MuxCall OneAnswer(std::string action, std::function<void(Result<T>)> done, std::chrono::milliseconds timeout,
                  Parse parse) {
    auto shared = std::make_shared<const std::pair<std::string, std::function<void(Result<T>)>>>(std::move(action),
                                                                                                 std::move(done));
    return MuxCall{[shared, parse](natsMsg* msg) {
                       const auto& [action, done] = *shared;
                       if (natsMsg_IsNoResponders(msg)) {
                           done(common::Fail(MapNatsStatus(NATS_NO_RESPONDERS, "", action)));
                       } else {
                           done(parse(msg, action));
                       }
                       return false;
                   },
                   [shared](bool) { shared->second(common::Fail(MapNatsStatus(NATS_TIMEOUT, "", shared->first))); },
                   false, std::chrono::milliseconds(0), timeout};
}

// What both calls refuse before sending anything.
Status CheckBeforeSending(const std::string& action, bool has_done, std::string_view key) {
    if (!has_done) return MakeError(ErrorCode::kInvalidArgument, action + ": empty completion handler");
    if (!ValidKey(key)) return MakeError(ErrorCode::kInvalidArgument, action + ": invalid key");
    return common::Ok();
}

std::string_view Data(natsMsg* msg) {
    const char* data = natsMsg_GetData(msg);
    return data != nullptr ? std::string_view(data, static_cast<std::size_t>(natsMsg_GetDataLength(msg)))
                           : std::string_view();
}

}  // namespace

bool AllowsDirectGet(jsCtx* js, const std::string& bucket) {
    const std::string stream = "KV_" + bucket;
    jsStreamInfo* raw = nullptr;
    if (js_GetStreamInfo(&raw, js, stream.c_str(), nullptr, nullptr) != NATS_OK) return true;
    const StreamInfoPtr info(raw);
    return info->Config == nullptr || info->Config->AllowDirect;
}

Status KeyValue::PutAsync(std::string_view key, std::string_view value, PutDone done,
                          std::chrono::milliseconds timeout) {
    std::string action = Action(impl_->bucket, "put", key);
    if (auto checked = CheckBeforeSending(action, static_cast<bool>(done), key); !checked) return checked;
    const std::string subject = fmt::format("$KV.{}.{}", impl_->bucket, key);
    auto call = OneAnswer<std::uint64_t>(action, std::move(done), timeout, [](natsMsg* msg, const std::string& what) {
        return ParsePubAck(Data(msg), what);
    });
    return impl_->core->mux->Start(subject, value, std::move(call), action);
}

Status KeyValue::GetAsync(std::string_view key, GetDone done, std::chrono::milliseconds timeout) {
    std::string action = Action(impl_->bucket, "get", key);
    if (auto checked = CheckBeforeSending(action, static_cast<bool>(done), key); !checked) return checked;
    // Every bucket nats.c 3.4 creates allows direct gets, so the message-get API (JSON with base64
    // fields) is not spoken here; a bucket made otherwise is refused rather than read another way.
    if (!impl_->direct_get) {
        return MakeError(ErrorCode::kFailedPrecondition,
                         fmt::format("{}: bucket {} does not allow direct gets (stream KV_{} has allow_direct "
                                     "false); GetAsync requires them, use Get",
                                     action, impl_->bucket, impl_->bucket));
    }
    auto call = OneAnswer<std::optional<KeyEntry>>(
        action, std::move(done), timeout,
        [key = std::string(key)](natsMsg* msg, const std::string& what) { return ParseDirectGet(msg, key, what); });
    return impl_->core->mux->Start(fmt::format("$JS.API.DIRECT.GET.KV_{}.$KV.{}.{}", impl_->bucket, impl_->bucket, key),
                                   {}, std::move(call), action);
}

}  // namespace gapkit::bus
