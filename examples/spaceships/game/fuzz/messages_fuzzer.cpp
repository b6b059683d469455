// libFuzzer target for the spaceships decoders, which read what players and servers send over
// UDP. Whatever the input, they must return (value or error) without crashing, and anything they
// accept must encode back to exactly the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "spaceships/messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    if (auto input = spaceships::DecodeInput(bytes)) {
        if (spaceships::EncodeInput(*input) != std::vector<std::uint8_t>(bytes.begin(), bytes.end())) std::abort();
    }
    if (auto snapshot = spaceships::DecodeSnapshot(bytes)) {
        // -0.0f and 0.0f compare equal but encode differently, so compare bytes, not values.
        if (spaceships::EncodeSnapshot(*snapshot) != std::vector<std::uint8_t>(bytes.begin(), bytes.end()))
            std::abort();
    }
    return 0;
}
