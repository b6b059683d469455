#include "bus_records.hpp"

#include <functional>
#include <string_view>

#include <fmt/core.h>

#include "gapkit/bus/names.hpp"
#include "session_book.hpp"

namespace gapkit::cli {
namespace {

namespace names = bus::names;
using Visit = std::function<void(std::string id, const bus::BucketEntry& entry)>;

std::string IdOfKey(std::string_view key) { return names::DecodeIdToken(key).value_or(std::string(key)); }

std::uint64_t UnixValue(std::string_view value) { return matchmaker::ParseUnixSeconds(value).value_or(0); }

common::Status ReadEach(bus::Connection& connection, std::string_view bucket, const Visit& visit) {
    auto entries = connection.ReadBucket(bucket);
    if (!entries) {
        if (entries.error().code() == common::ErrorCode::kNotFound) return common::Ok();
        return common::Fail(entries.error().WithContext(fmt::format("reading bucket {}", bucket)));
    }
    for (const bus::BucketEntry& entry : *entries) visit(IdOfKey(entry.key), entry);
    return common::Ok();
}

// `unclaimed_sessions` holds two kinds of key: records, and `<id>.deleting` delete claims.
void VisitUnclaimed(BusRecords& records, const bus::BucketEntry& entry) {
    std::string_view key = entry.key;
    if (!key.ends_with(matchmaker::kClaimSuffix)) {
        records.unclaimed[IdOfKey(key)] = UnixValue(entry.value);
        return;
    }
    key.remove_suffix(matchmaker::kClaimSuffix.size());
    records.deleting[IdOfKey(key)] = UnixValue(entry.value);
}

}  // namespace

common::Result<BusRecords> ReadBusRecords(bus::Connection& connection) {
    BusRecords r;
    auto text_into = [](std::map<std::string, std::string>& map) {
        return [&map](std::string id, const bus::BucketEntry& entry) { map[std::move(id)] = entry.value; };
    };
    // sessions_ly2eg is keyed the other way round: client id -> session id.
    const Visit client_of_session = [&r](std::string client, const bus::BucketEntry& entry) {
        r.clients.try_emplace(entry.value, std::move(client));
    };
    const std::pair<std::string_view, Visit> reads[] = {
        {names::kUnclaimedSessionsBucket, [&r](std::string, const bus::BucketEntry& e) { VisitUnclaimed(r, e); }},
        {names::kActiveConnectionsBucket, text_into(r.active)},
        {names::kParkedDeletionsBucket, text_into(r.parked)},
        {names::kSessionsEg2LyBucket, text_into(r.clients)},
        {names::kSessionsLy2EgBucket, client_of_session},
        {names::kSessionDeploymentsBucket, text_into(r.deployments)},
        {names::kConnectionsSeenBucket,
         [&r](std::string id, const bus::BucketEntry& e) { r.seen[std::move(id)] = UnixValue(e.value); }},
        {names::kCertDigestsBucket, text_into(r.cert_digests)}};
    for (const auto& [bucket, visit] : reads) {
        if (auto ok = ReadEach(connection, bucket, visit); !ok) return common::Fail(ok.error());
    }
    auto depth = connection.StreamMessages(names::kDeleteSessionStream);
    if (depth) {
        r.delete_queue = *depth;
    } else if (depth.error().code() != common::ErrorCode::kNotFound) {
        return common::Fail(depth.error().WithContext("delete queue"));
    }
    return r;
}

}  // namespace gapkit::cli
