#pragma once

// What the matchmakers' buckets hold about sessions and servers (docs/architecture.md's bucket
// table; services/matchmaker/src/session_book.hpp writes them), read once with pure reads
// (`bus::Connection::ReadBucket`, `StreamMessages`), so the read-only `operator` user may run it.
// Keys are decoded as the matchmaker encodes them (`bus::names::DecodeIdToken`); a key that does
// not decode is kept under its raw text, as the reconciler counts it. Session records are keyed by
// seat id (services/matchmaker/src/seat.hpp: the session id for a session of one player,
// `<session id>/<ip>` for a player of a shared session); `ParseSeatId` gives the session. A bucket
// that does not exist yet (no matchmaker ever ran, or liveness off for `connections_seen`) reads
// as empty.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gapkit/bus/connection.hpp"
#include "gapkit/common/result.hpp"

namespace gapkit::cli {

struct BusRecords {
    std::map<std::string, std::uint64_t> unclaimed;   ///< Seat id -> unix seconds recorded (0: unreadable).
    std::map<std::string, std::uint64_t> deleting;    ///< Seat id -> unix seconds its delete was claimed.
    std::map<std::string, std::string> active;        ///< Seat id -> connected client id.
    std::map<std::string, std::string> parked;        ///< Seat id -> "<unix seconds> <reason>".
    std::map<std::string, std::string> clients;       ///< Seat id -> client id (mappings, TTL 30 s).
    std::map<std::string, std::string> deployments;   ///< Seat id -> deployment (TTL 30 s).
    std::map<std::string, std::uint64_t> seen;        ///< Seat id -> unix seconds last stated alive.
    std::map<std::string, std::string> cert_digests;  ///< Deployment -> certificate digest (hex).
    std::optional<std::uint64_t> delete_queue;        ///< Deletes waiting; nothing when the queue is absent.
};

/// Reads every bucket above and the delete queue's depth. Fails on a bus failure (a missing bucket
/// is not one).
common::Result<BusRecords> ReadBusRecords(bus::Connection& connection);

}  // namespace gapkit::cli
