#include "spaceships/messages.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include <fmt/core.h>

#include "gapkit/common/byte_io.hpp"

namespace spaceships {
namespace {

using gapkit::common::ByteReader;
using gapkit::common::ByteWriter;
using gapkit::common::ErrorCode;
using gapkit::common::MakeError;
using gapkit::common::Result;
using gapkit::common::Status;

constexpr std::uint8_t kThrustBit = 0x01;
constexpr std::uint8_t kTurnLeftBit = 0x02;
constexpr std::uint8_t kTurnRightBit = 0x04;
constexpr std::uint8_t kFireBit = 0x08;
constexpr std::uint8_t kAliveBit = 0x01;
constexpr std::uint8_t kThrustingBit = 0x02;
constexpr float kMaxAbsAngle = 2.0f * std::numbers::pi_v<float>;

tl::unexpected<gapkit::common::Error> Malformed(std::string_view what, std::string message) {
    return MakeError(ErrorCode::kProtocol, fmt::format("malformed {}: {}", what, message));
}

Status CheckCoordinate(std::string_view name, float value, float limit) {
    if (!std::isfinite(value) || value < 0.0f || value >= limit) {
        return Malformed("snapshot", fmt::format("{} {} is outside [0, {})", name, value, limit));
    }
    return gapkit::common::Ok();
}

Status CheckPosition(float x, float y) {
    if (auto status = CheckCoordinate("x", x, kArenaWidth); !status) return status;
    return CheckCoordinate("y", y, kArenaHeight);
}

Status CheckId(std::string_view name, std::uint8_t id) {
    if (id >= kMaxShips) return Malformed("snapshot", fmt::format("{} {} is not below {}", name, id, kMaxShips));
    return gapkit::common::Ok();
}

Result<ShipView> ReadShip(ByteReader& reader, std::uint32_t& seen_ids) {
    ShipView ship;
    ship.id = reader.U8();
    if (auto status = CheckId("ship id", ship.id); !status) return gapkit::common::Fail(status.error());
    if (seen_ids & (1u << ship.id)) return Malformed("snapshot", fmt::format("ship id {} appears twice", ship.id));
    seen_ids |= 1u << ship.id;
    ship.x = reader.F32();
    ship.y = reader.F32();
    if (auto status = CheckPosition(ship.x, ship.y); !status) return gapkit::common::Fail(status.error());
    ship.angle_radians = reader.F32();
    if (!std::isfinite(ship.angle_radians) || std::fabs(ship.angle_radians) > kMaxAbsAngle) {
        return Malformed("snapshot", fmt::format("angle {} is outside [-2pi, 2pi]", ship.angle_radians));
    }
    ship.score = reader.U16();
    const std::uint8_t flags = reader.U8();
    if (flags & ~(kAliveBit | kThrustingBit))
        return Malformed("snapshot", fmt::format("unknown ship flags {:#04x}", flags));
    ship.alive = (flags & kAliveBit) != 0;
    ship.thrusting = (flags & kThrustingBit) != 0;
    return ship;
}

Result<BulletView> ReadBullet(ByteReader& reader) {
    BulletView bullet;
    bullet.x = reader.F32();
    bullet.y = reader.F32();
    if (auto status = CheckPosition(bullet.x, bullet.y); !status) return gapkit::common::Fail(status.error());
    bullet.owner = reader.U8();
    if (auto status = CheckId("bullet owner", bullet.owner); !status) return gapkit::common::Fail(status.error());
    return bullet;
}

}  // namespace

std::vector<std::uint8_t> EncodeInput(const PlayerInput& input) {
    std::uint8_t flags = 0;
    if (input.thrust) flags |= kThrustBit;
    if (input.turn_left) flags |= kTurnLeftBit;
    if (input.turn_right) flags |= kTurnRightBit;
    if (input.fire) flags |= kFireBit;
    return {kInputType, flags};
}

Result<PlayerInput> DecodeInput(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != kInputBytes) {
        return Malformed("input", fmt::format("{} bytes, expected {}", bytes.size(), kInputBytes));
    }
    if (bytes[0] != kInputType)
        return Malformed("input", fmt::format("type byte {:#04x}, expected {:#04x}", bytes[0], kInputType));
    const std::uint8_t flags = bytes[1];
    if (flags & ~(kThrustBit | kTurnLeftBit | kTurnRightBit | kFireBit)) {
        return Malformed("input", fmt::format("unknown flags {:#04x}", flags));
    }
    return PlayerInput{.thrust = (flags & kThrustBit) != 0,
                       .turn_left = (flags & kTurnLeftBit) != 0,
                       .turn_right = (flags & kTurnRightBit) != 0,
                       .fire = (flags & kFireBit) != 0};
}

const ShipView* Snapshot::FindShip(std::uint8_t id) const {
    auto it = std::find_if(ships.begin(), ships.end(), [id](const ShipView& ship) { return ship.id == id; });
    return it == ships.end() ? nullptr : &*it;
}

std::vector<std::uint8_t> EncodeSnapshot(const Snapshot& snapshot) {
    std::vector<std::uint8_t> out;
    EncodeSnapshotInto(snapshot, out);
    return out;
}

void EncodeSnapshotInto(const Snapshot& snapshot, std::vector<std::uint8_t>& out) {
    const std::size_t ship_count = std::min<std::size_t>(snapshot.ships.size(), kMaxShips);
    const std::size_t bullet_count = std::min<std::size_t>(snapshot.bullets.size(), kMaxBullets);
    const std::size_t start = out.size();
    out.resize(start + kSnapshotHeaderBytes + ship_count * kShipViewBytes + bullet_count * kBulletViewBytes);
    ByteWriter writer(std::span<std::uint8_t>(out).subspan(start));  // exactly the size computed above
    writer.U8(kSnapshotType);
    writer.U32(snapshot.tick);
    writer.U8(snapshot.your_id);
    writer.U8(static_cast<std::uint8_t>(ship_count));
    writer.U8(static_cast<std::uint8_t>(bullet_count));
    for (std::size_t i = 0; i < ship_count; ++i) {
        const ShipView& ship = snapshot.ships[i];
        writer.U8(ship.id);
        writer.F32(ship.x);
        writer.F32(ship.y);
        writer.F32(ship.angle_radians);
        writer.U16(ship.score);
        writer.U8(static_cast<std::uint8_t>((ship.alive ? kAliveBit : 0) | (ship.thrusting ? kThrustingBit : 0)));
    }
    for (std::size_t i = 0; i < bullet_count; ++i) {
        writer.F32(snapshot.bullets[i].x);
        writer.F32(snapshot.bullets[i].y);
        writer.U8(snapshot.bullets[i].owner);
    }
}

Result<Snapshot> DecodeSnapshot(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < kSnapshotHeaderBytes) {
        return Malformed("snapshot",
                         fmt::format("{} bytes, shorter than the {}-byte header", bytes.size(), kSnapshotHeaderBytes));
    }
    ByteReader reader(bytes);  // the total size is checked below, before any ship or bullet
    if (const std::uint8_t type = reader.U8(); type != kSnapshotType) {
        return Malformed("snapshot", fmt::format("type byte {:#04x}, expected {:#04x}", type, kSnapshotType));
    }
    Snapshot snapshot;
    snapshot.tick = reader.U32();
    snapshot.your_id = reader.U8();
    if (auto status = CheckId("your_id", snapshot.your_id); !status) return gapkit::common::Fail(status.error());
    const std::size_t ship_count = reader.U8();
    const std::size_t bullet_count = reader.U8();
    if (ship_count > kMaxShips)
        return Malformed("snapshot", fmt::format("{} ships, at most {}", ship_count, kMaxShips));
    if (bullet_count > kMaxBullets)
        return Malformed("snapshot", fmt::format("{} bullets, at most {}", bullet_count, kMaxBullets));
    const std::size_t expected = kSnapshotHeaderBytes + ship_count * kShipViewBytes + bullet_count * kBulletViewBytes;
    if (bytes.size() != expected) {
        return Malformed("snapshot",
                         fmt::format("{} bytes for {} ships and {} bullets, expected {} ({})", bytes.size(), ship_count,
                                     bullet_count, expected, bytes.size() < expected ? "truncated" : "trailing bytes"));
    }
    std::uint32_t seen_ids = 0;
    for (std::size_t i = 0; i < ship_count; ++i) {
        auto ship = ReadShip(reader, seen_ids);
        if (!ship) return gapkit::common::Fail(ship.error());
        snapshot.ships.push_back(*ship);
    }
    for (std::size_t i = 0; i < bullet_count; ++i) {
        auto bullet = ReadBullet(reader);
        if (!bullet) return gapkit::common::Fail(bullet.error());
        snapshot.bullets.push_back(*bullet);
    }
    return snapshot;
}

}  // namespace spaceships
