#pragma once

// JetStream's answers to the key-value calls the bus makes itself (the asynchronous ones, which do
// not go through nats.c's kvStore): the PubAck of a put and the stored message of a direct get.
// Each turns into what the synchronous call would return for the same answer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gapkit/bus/key_value.hpp"
#include "gapkit/common/result.hpp"
#include "nats_handles.hpp"

namespace gapkit::bus {

// Bounds on a PubAck, checked before and while parsing (a PubAck is about 60 bytes, two levels).
inline constexpr std::size_t kMaxPubAckBytes = 64 * 1024;
inline constexpr std::size_t kMaxPubAckDepth = 16;

// nats.c's rule for keys: non-empty, [A-Za-z0-9_=/\\.-], no leading, trailing or double '.'.
bool ValidKey(std::string_view key);

// The revision in a PubAck (`{"stream":"KV_b","seq":7}`); its `error` object as the error the
// synchronous put reports; `kProtocol` for anything else (malformed JSON, over kMaxPubAckBytes or
// kMaxPubAckDepth, no `stream`, `seq` not a positive integer). `action` starts the message.
common::Result<std::uint64_t> ParsePubAck(std::string_view json, std::string_view action);

// A direct get's answer: the stored message with its headers (`Nats-Sequence`, `KV-Operation`), or a
// status-only message (404: no such key). Deleted and purged keys are absent, as for `Get`.
common::Result<std::optional<KeyEntry>> ParseDirectGet(natsMsg* reply, std::string_view key, std::string_view action);

}  // namespace gapkit::bus
