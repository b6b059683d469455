// libFuzzer target for the matchmaking message and game-server fact parsers, which read what the
// public WebSocket and the bus hand them. Whatever the input, they must return (value or error) without crashing, and
// anything they accept must survive a serialize/parse round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/protocol/server_facts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    using namespace gapkit::protocol;
    if (auto request = ParseMatchRequest(text)) {
        auto again = ParseMatchRequest(SerializeMatchRequest(*request));
        if (!again || again->game != request->game || again->client_ip != request->client_ip ||
            again->transport != request->transport) {
            std::abort();
        }
    }
    if (auto reply = ParseMatchReply(text)) {
        const std::string encoded = SerializeMatchReply(*reply);
        auto again = ParseMatchReply(encoded);
        if (!again || SerializeMatchReply(*again) != encoded) std::abort();
    }
    if (auto join = ParseJoinFact(text)) {
        auto again = ParseJoinFact(SerializeJoinFact(*join));
        if (!again || again->client_id != join->client_id) std::abort();
    }
    if (auto left = ParseLeftFact(text)) {
        auto again = ParseLeftFact(SerializeLeftFact(*left));
        if (!again || again->session_id != left->session_id || again->client_id != left->client_id) std::abort();
    }
    if (auto alive = ParseAliveFact(text)) {
        const std::string encoded = SerializeAliveFact(*alive);
        auto again = ParseAliveFact(encoded);
        if (!again || SerializeAliveFact(*again) != encoded) std::abort();
    }
    if (auto digest = ParseCertDigestFact(text)) {
        auto again = ParseCertDigestFact(SerializeCertDigestFact(*digest));
        if (!again || again->public_ip != digest->public_ip || again->digest != digest->digest) std::abort();
    }
    if (auto reply = ParseFactReply(text)) {
        const std::string encoded = SerializeFactReply(*reply);
        auto again = ParseFactReply(encoded);
        if (!again || SerializeFactReply(*again) != encoded) std::abort();
    }
    return 0;
}
