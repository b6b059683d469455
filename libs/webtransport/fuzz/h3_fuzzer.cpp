// libFuzzer target for the HTTP/3 layer (build with -DGAPKIT_FUZZ=ON and clang; `make fuzz-smoke`).
// Every h3_wire parser and the QPACK decoder run on the raw input, with round-trip checks. Then
// the input drives one H3Session. Byte 0 sets the stage: bit 0 tiny limits; bit 1 Chromium's
// SETTINGS first; bit 2 a CONNECT first, bits 4-6 choosing which (ConnectVariant); bit 3 then a
// DATA frame header of the largest length, so that what follows on the CONNECT stream is capsules.
// The rest is records: a selector byte (bits 0-3: stream id from kStreams, bit 4: a 2-byte length
// follows instead of 1, bit 5: reset instead of data, bit 6: fin, bit 7: the bytes go out as a
// CLOSE_WEBTRANSPORT_SESSION capsule, whose varint type the fuzzer would hardly guess), the
// length, and that many bytes.
// Invariants: no crash or leak; the state only moves forward; the CONNECT stream id never changes;
// the only write is one response on the CONNECT stream, 200 without FIN or 4xx with FIN; a stream
// is stopped at most once and never the CONNECT stream; after an error every call returns it;
// end_reason is short and free of control characters.
#include <cstdint>
#include <set>
#include <vector>

#include "h3_qpack.hpp"
#include "h3_session.hpp"
#include "h3_test_support.hpp"
#include "h3_wire.hpp"

namespace {

using namespace gapkit::webtransport::detail;
using namespace gapkit::webtransport::detail::testing;

constexpr std::int64_t kStreams[16] = {0, 2, 6, 10, 14, 4, 18, 8, 22, 1, 3, 5, 7, 26, 12, 30};

Fields ConnectVariant(int variant) {
    switch (variant) {
        case 1:
            return ChromiumConnectFields("/other");
        case 2:
            return ChromiumConnectFields("/netcode", {{":method", "GET"}});
        case 3:
            return ChromiumConnectFields("/netcode", {{":protocol", ""}});
        case 4:
            return ChromiumConnectFields("/netcode", {{":scheme", "http\n"}});
        case 5:
            return ChromiumConnectFields("/netcode?x=1");
        case 6: {
            Fields fields = ChromiumConnectFields();
            fields.push_back({":path", "/netcode"});
            return fields;
        }
        case 7: {
            Fields fields = ChromiumConnectFields();
            std::swap(fields.front(), fields.back());
            return fields;
        }
        default:
            return ChromiumConnectFields();
    }
}

void Check(bool condition) {
    if (!condition) __builtin_trap();
}

void FuzzWire(std::span<const std::uint8_t> input) {
    if (auto varint = ReadVarint(input)) {
        Check(varint->first <= kMaxVarint && varint->second <= input.size());
        Bytes again;
        AppendVarint(again, varint->first);
        Check(again.size() <= varint->second && ReadVarint(again)->first == varint->first);
    }
    if (auto frame = ReadFrameHeader(input)) Check(frame->header_bytes <= input.size());
    if (auto capsule = ReadCapsuleHeader(input)) Check(capsule->header_bytes <= input.size());
    if (auto settings = ParseSettings(input)) {
        Bytes again;
        for (const auto& setting : *settings) {
            AppendVarint(again, setting.id);
            AppendVarint(again, setting.value);
        }
        auto reparsed = ParseSettings(again);
        Check(reparsed && reparsed->size() == settings->size());
    }
    if (auto datagram = ParseHttpDatagram(input)) {
        Check(datagram->stream_id % 4 == 0 && datagram->stream_id <= kMaxVarint);
        Bytes again = HttpDatagramPrefix(datagram->stream_id);
        again.insert(again.end(), datagram->payload.begin(), datagram->payload.end());
        auto reparsed = ParseHttpDatagram(again);
        Check(reparsed && reparsed->stream_id == datagram->stream_id &&
              reparsed->payload.size() == datagram->payload.size());
    }
    DecodeFieldSection(0, input, [](std::string_view, std::string_view) {});
}

int Rank(SessionState state) { return state == SessionState::kWaiting ? 0 : state == SessionState::kOpen ? 1 : 2; }

class SessionChecker {
  public:
    explicit SessionChecker(H3Session& session) : session_(session) {}

    void After(const std::optional<H3Error>& result) {
        if (error_) Check(result && result->code == error_->code);
        if (result) error_ = result;
        const SessionState state = session_.state();
        Check(Rank(state) >= Rank(state_));
        Check(!(state_ == SessionState::kRefused && state != SessionState::kRefused));
        Check(!(state_ == SessionState::kClosed && state != SessionState::kClosed));
        Check(!(state_ == SessionState::kOpen && state == SessionState::kRefused));
        Check(state != SessionState::kOpen || session_.settings_received());
        state_ = state;
        if (state == SessionState::kRefused || state == SessionState::kClosed) CheckReason(session_.end_reason());
        if (connect_) Check(session_.connect_stream_id() == connect_);
        connect_ = session_.connect_stream_id();
        for (const auto& write : session_.TakeWrites()) CheckWrite(write);
        for (std::int64_t id : session_.TakeStopSending()) {
            Check(id != connect_ && stopped_.insert(id).second);
        }
    }

  private:
    // end_reason goes to logs: bounded, and no control characters from the peer.
    static void CheckReason(const std::string& reason) {
        Check(!reason.empty() && reason.size() < 600);
        for (char c : reason) Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    }

    void CheckWrite(const StreamWrite& write) {
        Check(!answered_ && connect_ && write.stream_id == *connect_);
        answered_ = true;
        auto fields = DecodeHeadersFrame(write.stream_id, write.bytes);
        Check(fields && !fields->empty() && (*fields)[0].first == ":status");
        Check(((*fields)[0].second == "200") != write.fin);
    }

    H3Session& session_;
    SessionState state_ = SessionState::kWaiting;
    std::optional<std::int64_t> connect_;
    std::optional<H3Error> error_;
    std::set<std::int64_t> stopped_;
    bool answered_ = false;
};

void FuzzSession(std::span<const std::uint8_t> input) {
    if (input.empty()) return;
    H3Limits limits;
    if ((input[0] & 1) != 0) {
        limits.max_field_section_bytes = 128;
        limits.max_frame_bytes = 32;
    }
    H3Session session(limits);
    Check(session.LocalStreamPreambles().size() == 3);
    SessionChecker checker(session);
    if ((input[0] & 2) != 0) {
        checker.After(session.OnStreamData(kClientControlStream, ClientControlStream(ChromiumSettings()), false));
    }
    if ((input[0] & 4) != 0) {
        Bytes request = HeadersFrame(kConnectStream, ConnectVariant((input[0] >> 4) & 7));
        if ((input[0] & 8) != 0) {
            AppendVarint(request, kFrameData);
            AppendVarint(request, kMaxVarint);
        }
        checker.After(session.OnStreamData(kConnectStream, request, false));
    }
    input = input.subspan(1);
    while (!input.empty()) {
        const std::uint8_t selector = input[0];
        const std::size_t length_bytes = (selector & 0x10) != 0 ? 2 : 1;
        if (input.size() < 1 + length_bytes) return;
        std::size_t length = input[1];
        if (length_bytes == 2) length = (length << 8) | input[2];
        input = input.subspan(1 + length_bytes);
        length = std::min(length, input.size());
        const std::int64_t stream_id = kStreams[selector & 0x0f];
        if ((selector & 0x20) != 0) {
            checker.After(session.OnStreamReset(stream_id));
        } else {
            Bytes bytes(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(length));
            if ((selector & 0x80) != 0) bytes = CloseCapsule(0, std::string(bytes.begin(), bytes.end()));
            checker.After(session.OnStreamData(stream_id, bytes, (selector & 0x40) != 0));
        }
        input = input.subspan(length);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;
    const std::span<const std::uint8_t> input(data, size);
    FuzzWire(input);
    FuzzSession(input);
    return 0;
}
