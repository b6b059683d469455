// libFuzzer target for `gapctl watch`'s decoder, which reads whatever any bus user publishes. The
// first byte picks a subject family, the rest is the payload: whatever the input, decoding, the
// filters and both output forms must return without crashing, and the text line must hold no
// control character (a publisher must not be able to drive the operator's terminal).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "watch_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static constexpr std::array<const char*, 10> kSubjects = {"matchmaker.request.spaceships.1",
                                                              "_INBOX_httpd.a.1",
                                                              "gameserver.d1.join",
                                                              "gameserver.d1.alive",
                                                              "gameserver.d1.context",
                                                              "_INBOX_gameserver.a.1",
                                                              "$KV.unclaimed_sessions.s-1.deleting",
                                                              "matchmaker.webhooks.session",
                                                              "edgegap_delete_session_q.s-1",
                                                              "gameserver.d1.cert_digest"};
    if (size == 0) return 0;
    const std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
    gapkit::bus::Message message{kSubjects[data[0] % kSubjects.size()], "_INBOX_httpd.a.1", payload};
    if (data[0] >= 0xf0) message.subject = payload;  // Outside subjects too.
    gapkit::cli::WatchCorrelator correlator;
    auto event = gapkit::cli::DecodeWatchMessage(message, {.show_tokens = (data[0] & 1) != 0});
    correlator.Annotate(event);
    (void)gapkit::cli::Matches(event, {.game = "spaceships", .session = "s-1"});
    (void)gapkit::cli::WatchEventJson(event, {});
    for (unsigned char c : gapkit::cli::FormatWatchLine(event, {})) {
        if (c < ' ' || c == 0x7f) std::abort();
    }
    return 0;
}
