// Prints, as one JSON object on stdout, the spaceships messages as the C++ code encodes them and the
// C++ decoder's verdict on malformed ones, for the page's JavaScript codec to be checked against
// (messages.test.mjs runs this program; see examples/spaceships/web/CMakeLists.txt):
//   {"inputs": [{"thrust", "turn_left", "turn_right", "fire", "hex"}],
//    "malformed_inputs": [{"name", "hex", "error"}],
//    "snapshots": [{"name", "hex", "tick", "your_id", "ships": [{"id", "x", "y", "angle_radians",
//                   "score", "alive", "thrusting"}], "bullets": [{"x", "y", "owner"}]}],
//    "malformed_snapshots": [{"name", "hex", "error"}]}
// Floats are printed in their shortest form that reads back as the same float32. Exits 1 when a
// "malformed" case decodes or a snapshot does not read back (the vectors would be wrong).

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "spaceships/messages.hpp"
#include "spaceships/world.hpp"

namespace {

using spaceships::Snapshot;
using Bytes = std::vector<std::uint8_t>;

std::string Hex(const Bytes& bytes) { return fmt::format("{:02x}", fmt::join(bytes, "")); }

// Error messages hold no quotes, backslashes or control characters; this keeps them valid JSON anyway.
std::string JsonString(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
    return out + "\"";
}

const char* Bool(bool value) { return value ? "true" : "false"; }

std::string ShipJson(const spaceships::ShipView& ship) {
    return fmt::format(
        R"({{"id": {}, "x": {}, "y": {}, "angle_radians": {}, "score": {}, "alive": {}, "thrusting": {}}})", ship.id,
        ship.x, ship.y, ship.angle_radians, ship.score, Bool(ship.alive), Bool(ship.thrusting));
}

std::string SnapshotJson(const std::string& name, const Snapshot& snapshot) {
    std::vector<std::string> ships;
    for (const auto& ship : snapshot.ships) ships.push_back(ShipJson(ship));
    std::vector<std::string> bullets;
    for (const auto& bullet : snapshot.bullets) {
        bullets.push_back(fmt::format(R"({{"x": {}, "y": {}, "owner": {}}})", bullet.x, bullet.y, bullet.owner));
    }
    return fmt::format(R"({{"name": {}, "hex": "{}", "tick": {}, "your_id": {}, "ships": [{}], "bullets": [{}]}})",
                       JsonString(name), Hex(spaceships::EncodeSnapshot(snapshot)), snapshot.tick, snapshot.your_id,
                       fmt::join(ships, ", "), fmt::join(bullets, ", "));
}

void PutFloat(Bytes& bytes, std::size_t offset, float value) {
    const auto bits = std::bit_cast<std::uint32_t>(value);
    for (int i = 0; i < 4; ++i) bytes[offset + i] = static_cast<std::uint8_t>(bits >> (8 * i));
}

// Scenes from a real World: a ship firing at another (bullets in flight, then a dead ship and a
// score), a third thrusting and turning across the edges.
std::vector<std::pair<std::string, Snapshot>> WorldSnapshots() {
    spaceships::World world(7);
    for (std::uint8_t id : {0, 2, 5}) world.AddShip(id);
    world.PlaceShip(0, 100, 360, 0);
    world.PlaceShip(2, 330, 360, 3);
    world.PlaceShip(5, 1270, 10, 2.5f);
    world.SetInput(0, {.fire = true});
    world.SetInput(5, {.thrust = true, .turn_left = true});
    std::vector<std::pair<std::string, Snapshot>> scenes;
    for (int tick = 1; tick <= 120; ++tick) {
        world.Step();
        if (tick == 5 || tick == 15 || tick == 40 || tick == 120) {
            scenes.emplace_back(fmt::format("world after {} ticks", tick), world.MakeSnapshot(tick % 2 == 0 ? 2 : 5));
        }
    }
    spaceships::World full(11);
    for (std::uint8_t id = 0; id < spaceships::kMaxShips; ++id) {
        full.AddShip(id);
        full.SetInput(id, {.turn_right = id % 2 == 1, .fire = true});
    }
    for (int tick = 0; tick < 40; ++tick) full.Step();
    scenes.emplace_back("six ships firing", full.MakeSnapshot(3));
    return scenes;
}

std::vector<std::pair<std::string, Snapshot>> EdgeSnapshots() {
    using spaceships::ShipView;
    constexpr float kTwoPi = 2 * std::numbers::pi_v<float>;
    const float just_below_width = std::nextafter(spaceships::kArenaWidth, 0.0f);
    const float just_below_height = std::nextafter(spaceships::kArenaHeight, 0.0f);
    return {
        {"empty", Snapshot{.tick = 0, .your_id = 5, .ships = {}, .bullets = {}}},
        {"edges", Snapshot{.tick = 0xffffffffu,
                           .your_id = 0,
                           .ships = {ShipView{.id = 0, .x = 0, .y = 0, .angle_radians = kTwoPi, .score = 65535},
                                     ShipView{.id = 4,
                                              .x = just_below_width,
                                              .y = just_below_height,
                                              .angle_radians = -kTwoPi,
                                              .score = 1,
                                              .alive = false,
                                              .thrusting = true}},
                           .bullets = {{.x = just_below_width, .y = 0.1f, .owner = 5}}}},
    };
}

struct Malformed {
    std::string name;
    Bytes bytes;
};

std::vector<Malformed> MalformedSnapshots() {
    Snapshot base{.tick = 77, .your_id = 1, .ships = {}, .bullets = {}};
    base.ships.push_back({.id = 1, .x = 10, .y = 20, .angle_radians = 0.5f, .score = 3});
    base.ships.push_back({.id = 3, .x = 30, .y = 40, .angle_radians = -1.5f, .score = 0});
    base.bullets.push_back({.x = 50, .y = 60, .owner = 3});
    const Bytes good = spaceships::EncodeSnapshot(base);
    constexpr std::size_t kShip0 = spaceships::kSnapshotHeaderBytes;
    constexpr std::size_t kShip1 = kShip0 + spaceships::kShipViewBytes;
    constexpr std::size_t kBullet0 = kShip1 + spaceships::kShipViewBytes;
    auto patched = [&](auto&& patch) {
        Bytes bytes = good;
        patch(bytes);
        return bytes;
    };
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    return {
        {"empty", {}},
        {"shorter than the header", Bytes(good.begin(), good.begin() + 7)},
        {"wrong type byte", patched([](Bytes& b) { b[0] = 0x01; })},
        {"your_id out of range", patched([](Bytes& b) { b[5] = 6; })},
        {"too many ships", patched([](Bytes& b) { b[6] = 7; })},
        {"too many bullets", patched([](Bytes& b) { b[7] = 37; })},
        {"truncated", Bytes(good.begin(), good.end() - 1)},
        {"trailing byte", patched([](Bytes& b) { b.push_back(0); })},
        {"ship id out of range", patched([&](Bytes& b) { b[kShip0] = 6; })},
        {"duplicate ship id", patched([&](Bytes& b) { b[kShip1] = 1; })},
        {"x at the width", patched([&](Bytes& b) { PutFloat(b, kShip0 + 1, 1280); })},
        {"negative y", patched([&](Bytes& b) { PutFloat(b, kShip1 + 5, -1); })},
        {"x not a number", patched([&](Bytes& b) { PutFloat(b, kShip0 + 1, nan); })},
        {"fractional x out of range", patched([&](Bytes& b) { PutFloat(b, kShip0 + 1, 1280.5f); })},
        {"angle too large", patched([&](Bytes& b) { PutFloat(b, kShip0 + 9, 7); })},
        {"angle infinite", patched([&](Bytes& b) { PutFloat(b, kShip1 + 9, -inf); })},
        {"unknown ship flags", patched([&](Bytes& b) { b[kShip1 + 15] = 0x05; })},
        {"bullet at the height", patched([&](Bytes& b) { PutFloat(b, kBullet0 + 4, 720); })},
        {"bullet owner out of range", patched([&](Bytes& b) { b[kBullet0 + 8] = 9; })},
    };
}

std::vector<Malformed> MalformedInputs() {
    return {{"empty", {}},
            {"one byte", {0x01}},
            {"three bytes", {0x01, 0x00, 0x00}},
            {"snapshot type", {0x02, 0x00}},
            {"unknown flags", {0x01, 0x10}}};
}

// Appends each case with the C++ decoder's error to `out`; false when a case decodes.
template <typename Decode>
bool PrintMalformed(const std::vector<Malformed>& cases, Decode decode, std::vector<std::string>& out) {
    for (const auto& item : cases) {
        auto decoded = decode(item.bytes);
        if (decoded) {
            std::fprintf(stderr, "malformed case '%s' decodes\n", item.name.c_str());
            return false;
        }
        out.push_back(fmt::format(R"({{"name": {}, "hex": "{}", "error": {}}})", JsonString(item.name), Hex(item.bytes),
                                  JsonString(decoded.error().message())));
    }
    return true;
}

}  // namespace

int main() {
    std::vector<std::string> inputs;
    for (int bits = 0; bits < 16; ++bits) {
        const spaceships::PlayerInput input{.thrust = (bits & 1) != 0,
                                            .turn_left = (bits & 2) != 0,
                                            .turn_right = (bits & 4) != 0,
                                            .fire = (bits & 8) != 0};
        inputs.push_back(fmt::format(R"({{"thrust": {}, "turn_left": {}, "turn_right": {}, "fire": {}, "hex": "{}"}})",
                                     Bool(input.thrust), Bool(input.turn_left), Bool(input.turn_right),
                                     Bool(input.fire), Hex(spaceships::EncodeInput(input))));
    }
    std::vector<std::string> snapshots;
    auto scenes = WorldSnapshots();
    for (auto& scene : EdgeSnapshots()) scenes.push_back(std::move(scene));
    for (const auto& [name, snapshot] : scenes) {
        auto decoded = spaceships::DecodeSnapshot(spaceships::EncodeSnapshot(snapshot));
        if (!decoded || *decoded != snapshot) {
            std::fprintf(stderr, "snapshot '%s' does not read back\n", name.c_str());
            return 1;
        }
        snapshots.push_back(SnapshotJson(name, snapshot));
    }
    std::vector<std::string> malformed_inputs;
    std::vector<std::string> malformed_snapshots;
    if (!PrintMalformed(MalformedInputs(), spaceships::DecodeInput, malformed_inputs) ||
        !PrintMalformed(MalformedSnapshots(), spaceships::DecodeSnapshot, malformed_snapshots)) {
        return 1;
    }
    fmt::print(
        "{{\n\"inputs\": [\n{}\n],\n\"malformed_inputs\": [\n{}\n],\n\"snapshots\": [\n{}\n],\n"
        "\"malformed_snapshots\": [\n{}\n]\n}}\n",
        fmt::join(inputs, ",\n"), fmt::join(malformed_inputs, ",\n"), fmt::join(snapshots, ",\n"),
        fmt::join(malformed_snapshots, ",\n"));
    return 0;
}
