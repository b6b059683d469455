#include "h3_session.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "h3_qpack.hpp"
#include "h3_stream_reader.hpp"
#include "h3_wire.hpp"

namespace gapkit::webtransport::detail {

namespace {

// QUIC would let the browser open 2^60 streams of each kind over a connection's life; each one
// we track costs a map entry, so a peer that opens more than this is dropped (Chromium opens 3
// unidirectional streams and 1 bidirectional one).
constexpr std::size_t kMaxTrackedStreams = 16;
// The u32 code precedes the close message.
constexpr std::size_t kMaxCloseCapsuleBytes = 4 + kMaxCloseMessageBytes;
// Peer-chosen text (paths, close messages) copied into end_reason, which goes to logs.
constexpr std::size_t kMaxLoggedTextBytes = 200;

constexpr std::uint64_t kStreamPush = 0x01;
constexpr std::uint64_t kFrameCancelPush = 0x03;
constexpr std::uint64_t kFramePushPromise = 0x05;
constexpr std::uint64_t kFrameMaxPushId = 0x0d;
constexpr std::uint64_t kSettingH3DatagramDraft04 = 0xffd277;

bool IsClientBidi(std::int64_t id) { return id >= 0 && id % 4 == 0; }
bool IsClientUni(std::int64_t id) { return id >= 0 && id % 4 == 2; }

// RFC 9114 §7.2.8: frame types HTTP/2 had and HTTP/3 reserves; seeing one is H3_FRAME_UNEXPECTED.
bool IsHttp2OnlyFrame(std::uint64_t type) { return type == 0x02 || type == 0x06 || type == 0x08 || type == 0x09; }

// Frames that belong on the control stream only (RFC 9114 §7.2).
bool IsControlStreamFrame(std::uint64_t type) {
    return type == kFrameCancelPush || type == kFrameSettings || type == kFrameGoaway || type == kFrameMaxPushId;
}

bool IsHttp2OnlySetting(std::uint64_t id) { return id >= 0x02 && id <= 0x05; }

bool MustBeZeroOrOne(std::uint64_t id) {
    return id == kSettingEnableConnectProtocol || id == kSettingH3Datagram || id == kSettingWebTransportDraft02 ||
           id == kSettingH3DatagramDraft04;
}

std::string Printable(std::string_view text) {
    std::string out(text.substr(0, kMaxLoggedTextBytes));
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    if (text.size() > kMaxLoggedTextBytes) out += "...";
    return out;
}

std::string DescribeClose(std::span<const std::uint8_t> capsule) {
    std::uint32_t code = 0;
    std::string_view message;
    if (capsule.size() >= 4) {
        code = (std::uint32_t{capsule[0]} << 24) | (std::uint32_t{capsule[1]} << 16) |
               (std::uint32_t{capsule[2]} << 8) | capsule[3];
        message = std::string_view(reinterpret_cast<const char*>(capsule.data()) + 4, capsule.size() - 4);
    }
    return "the browser closed the session (code " + std::to_string(code) + "): " + Printable(message);
}

// The CONNECT request's pseudo-header fields; regular fields are not kept.
struct Request {
    std::optional<std::string> method, protocol, scheme, authority, path;
    bool regular_seen = false;
    std::string malformed;  // why the field section breaks RFC 9114 §4.3, or empty
};

void AddField(Request& request, std::string_view name, std::string_view value) {
    if (name.empty() || name[0] != ':') {
        request.regular_seen = true;
        return;
    }
    if (request.regular_seen) {
        request.malformed = "a pseudo-header after a regular field";
        return;
    }
    std::optional<std::string>* slot = name == ":method"      ? &request.method
                                       : name == ":protocol"  ? &request.protocol
                                       : name == ":scheme"    ? &request.scheme
                                       : name == ":authority" ? &request.authority
                                       : name == ":path"      ? &request.path
                                                              : nullptr;
    if (slot == nullptr) {
        request.malformed = "unknown pseudo-header " + Printable(name);
    } else if (*slot) {
        request.malformed = "duplicate pseudo-header " + Printable(name);
    } else {
        *slot = std::string(value);
    }
}

// QPACK-decodes the request's field section; nothing when it does not decode.
std::optional<Request> DecodeRequest(std::int64_t stream_id, std::span<const std::uint8_t> field_section) {
    Request request;
    auto add = [&request](std::string_view name, std::string_view value) { AddField(request, name, value); };
    if (!DecodeFieldSection(stream_id, field_section, add)) return std::nullopt;
    return request;
}

std::optional<std::vector<std::uint8_t>> EncodeHeadersFrame(std::int64_t stream_id,
                                                            std::span<const HeaderField> fields) {
    auto section = EncodeFieldSection(stream_id, fields);
    if (!section) return std::nullopt;
    std::vector<std::uint8_t> frame;
    AppendFrame(frame, kFrameHeaders, *section);
    return frame;
}

H3Error Fail(std::uint64_t code, std::string reason) { return H3Error{code, std::move(reason)}; }

enum class UniKind { kTypePending, kControl, kQpack, kIgnored };

struct UniStream {
    UniKind kind = UniKind::kTypePending;
    PrefixBuffer<8> type;
    bool finished = false;
};

}  // namespace

struct H3Session::Impl {
    explicit Impl(H3Limits limits_in) : limits(std::move(limits_in)) {}

    H3Limits limits;
    SessionState state = SessionState::kWaiting;
    std::string end_reason;
    std::optional<H3Error> error;  // once set, every later call returns it

    std::map<std::int64_t, UniStream> uni_streams;
    bool control_seen = false;
    bool qpack_encoder_seen = false;
    bool qpack_decoder_seen = false;
    FrameReader control;
    bool settings_started = false;
    bool settings_applied = false;
    bool datagrams_allowed = false;

    std::optional<std::int64_t> connect_id;
    std::set<std::int64_t> refused_bidi;
    FrameReader connect;
    CapsuleReader capsules;
    bool request_seen = false;
    bool answer_pending = false;  // a good CONNECT waits for the peer's SETTINGS

    std::vector<StreamWrite> writes;
    std::vector<std::int64_t> stop_sending;

    bool Active() const { return state == SessionState::kWaiting || state == SessionState::kOpen; }

    std::optional<H3Error> Latch(std::optional<H3Error> result) {
        if (result) error = result;
        return result;
    }

    void Close(std::string reason) {
        answer_pending = false;
        state = SessionState::kClosed;
        end_reason = std::move(reason);
    }

    std::optional<H3Error> OnUniData(std::int64_t id, std::span<const std::uint8_t> bytes, bool fin);
    std::optional<H3Error> OpenUniStream(std::int64_t id, UniStream& stream, std::uint64_t type);
    std::optional<H3Error> OnBidiData(std::int64_t id, std::span<const std::uint8_t> bytes, bool fin);
    std::optional<H3Error> ApplySettings(std::span<const std::uint8_t> payload);
    std::optional<H3Error> OnRequest(std::span<const std::uint8_t> field_section);
    std::optional<H3Error> AnswerGoodRequest();
    std::optional<H3Error> Answer(std::string_view status, bool fin);
    std::optional<H3Error> Refuse(std::string_view status, std::string reason);
    void OnCapsuleBytes(std::span<const std::uint8_t> bytes);

    struct ControlFrames;
    struct ConnectFrames;
};

// Frames on the peer's control stream (RFC 9114 §6.2.1): SETTINGS first and once, GOAWAY
// checked, request frames forbidden, the rest skipped.
struct H3Session::Impl::ControlFrames {
    Impl& session;

    bool Stopped() const { return false; }

    std::optional<H3Error> OnFrameHeader(const FrameHeader& header, FrameAction& action) {
        if (!session.settings_started && header.type != kFrameSettings) {
            return Fail(kH3MissingSettings, "the control stream does not start with SETTINGS");
        }
        if (header.type == kFrameSettings && session.settings_started) {
            return Fail(kH3FrameUnexpected, "a second SETTINGS frame");
        }
        if (header.type == kFrameData || header.type == kFrameHeaders || header.type == kFramePushPromise ||
            IsHttp2OnlyFrame(header.type)) {
            return Fail(kH3FrameUnexpected, "frame type " + std::to_string(header.type) + " on the control stream");
        }
        action = FrameAction::kSkip;
        if (header.type != kFrameSettings && header.type != kFrameGoaway) return std::nullopt;
        if (header.length > session.limits.max_frame_bytes) {
            return Fail(kH3ExcessiveLoad, "control frame of " + std::to_string(header.length) + " bytes");
        }
        if (header.type == kFrameSettings) session.settings_started = true;
        action = FrameAction::kBuffer;
        return std::nullopt;
    }

    std::optional<H3Error> OnFrame(std::uint64_t type, std::span<const std::uint8_t> payload) {
        if (type == kFrameSettings) return session.ApplySettings(payload);
        auto id = ReadVarint(payload);  // GOAWAY: one push id, which we never use
        if (!id || id->second != payload.size()) return Fail(kH3FrameError, "malformed GOAWAY");
        return std::nullopt;
    }

    void OnFrameChunk(std::span<const std::uint8_t>) {}
};

// Frames on the CONNECT stream: the request's HEADERS, then DATA carrying capsules.
struct H3Session::Impl::ConnectFrames {
    Impl& session;

    bool Stopped() const { return !session.Active(); }

    std::optional<H3Error> OnFrameHeader(const FrameHeader& header, FrameAction& action) {
        action = FrameAction::kSkip;
        if (IsControlStreamFrame(header.type) || header.type == kFramePushPromise || IsHttp2OnlyFrame(header.type)) {
            return Fail(kH3FrameUnexpected, "frame type " + std::to_string(header.type) + " on the CONNECT stream");
        }
        if (header.type == kFrameData) {
            if (!session.request_seen) return Fail(kH3FrameUnexpected, "DATA before the CONNECT's HEADERS");
            action = FrameAction::kStream;
        }
        // HEADERS after the request are trailers, which mean nothing to a WebTransport session.
        if (header.type == kFrameHeaders && !session.request_seen) {
            if (header.length > session.limits.max_field_section_bytes) {
                return Fail(kH3ExcessiveLoad, "CONNECT field section of " + std::to_string(header.length) + " bytes");
            }
            action = FrameAction::kBuffer;
        }
        return std::nullopt;
    }

    std::optional<H3Error> OnFrame(std::uint64_t, std::span<const std::uint8_t> payload) {
        session.request_seen = true;
        return session.OnRequest(payload);
    }

    void OnFrameChunk(std::span<const std::uint8_t> bytes) { session.OnCapsuleBytes(bytes); }
};

std::optional<H3Error> H3Session::Impl::OnUniData(std::int64_t id, std::span<const std::uint8_t> bytes, bool fin) {
    auto it = uni_streams.find(id);
    if (it == uni_streams.end()) {
        if (uni_streams.size() >= kMaxTrackedStreams) {
            return Fail(kH3ExcessiveLoad,
                        "more than " + std::to_string(kMaxTrackedStreams) + " unidirectional streams");
        }
        it = uni_streams.emplace(id, UniStream{}).first;
    }
    UniStream& stream = it->second;
    if (stream.finished) return std::nullopt;
    if (stream.kind == UniKind::kTypePending) {
        if (auto type = stream.type.Take(bytes, ReadVarint)) {
            if (auto failure = OpenUniStream(id, stream, type->first)) return failure;
        }
    }
    stream.finished = fin;
    if (stream.kind == UniKind::kControl) {
        ControlFrames sink{*this};
        if (auto failure = FeedFrames(control, bytes, sink)) return failure;
    }
    if (fin && (stream.kind == UniKind::kControl || stream.kind == UniKind::kQpack)) {
        return Fail(kH3ClosedCriticalStream, "the browser finished a control or QPACK stream");
    }
    return std::nullopt;
}

std::optional<H3Error> H3Session::Impl::OpenUniStream(std::int64_t id, UniStream& stream, std::uint64_t type) {
    auto claim = [&](bool& seen, UniKind kind, const char* name) -> std::optional<H3Error> {
        if (seen) return Fail(kH3StreamCreationError, std::string("a second ") + name + " stream");
        seen = true;
        stream.kind = kind;
        return std::nullopt;
    };
    switch (type) {
        case kStreamControl:
            return claim(control_seen, UniKind::kControl, "control");
        case kStreamQpackEncoder:
            return claim(qpack_encoder_seen, UniKind::kQpack, "QPACK encoder");
        case kStreamQpackDecoder:
            return claim(qpack_decoder_seen, UniKind::kQpack, "QPACK decoder");
        case kStreamPush:
            return Fail(kH3StreamCreationError, "a push stream from the client");
        default:
            // WebTransport (0x54), GREASE and unknown types: refused without failing the connection.
            stream.kind = UniKind::kIgnored;
            stop_sending.push_back(id);
            return std::nullopt;
    }
}

std::optional<H3Error> H3Session::Impl::OnBidiData(std::int64_t id, std::span<const std::uint8_t> bytes, bool fin) {
    if (!connect_id) connect_id = id;
    if (id != *connect_id) {
        if (refused_bidi.contains(id)) return std::nullopt;
        if (refused_bidi.size() >= kMaxTrackedStreams) {
            return Fail(kH3ExcessiveLoad, "more than " + std::to_string(kMaxTrackedStreams) + " bidirectional streams");
        }
        refused_bidi.insert(id);
        stop_sending.push_back(id);
        return std::nullopt;
    }
    if (!Active()) return std::nullopt;
    ConnectFrames sink{*this};
    if (auto failure = FeedFrames(connect, bytes, sink)) return failure;
    if (fin && Active()) Close("the browser finished the CONNECT stream");
    return std::nullopt;
}

std::optional<H3Error> H3Session::Impl::ApplySettings(std::span<const std::uint8_t> payload) {
    auto settings = ParseSettings(payload);
    if (!settings) return Fail(kH3SettingsError, "malformed SETTINGS or a duplicate id");
    for (const auto& setting : *settings) {
        if (IsHttp2OnlySetting(setting.id)) {
            return Fail(kH3SettingsError, "HTTP/2 setting " + std::to_string(setting.id));
        }
        if (MustBeZeroOrOne(setting.id) && setting.value > 1) {
            return Fail(kH3SettingsError, "setting " + std::to_string(setting.id) + " is not 0 or 1");
        }
        if (setting.id == kSettingH3Datagram) datagrams_allowed = setting.value == 1;
    }
    settings_applied = true;
    if (!answer_pending) return std::nullopt;
    answer_pending = false;
    return AnswerGoodRequest();
}

std::optional<H3Error> H3Session::Impl::OnRequest(std::span<const std::uint8_t> field_section) {
    auto request = DecodeRequest(*connect_id, field_section);
    if (!request) return Fail(kQpackDecompressionFailed, "the CONNECT's field section does not decode");
    if (!request->malformed.empty()) return Refuse("400", "malformed CONNECT: " + request->malformed);
    if (!request->method || !request->scheme || !request->authority || !request->path) {
        return Refuse("400", "the CONNECT lacks a pseudo-header");
    }
    if (*request->method != "CONNECT") return Refuse("400", "method " + Printable(*request->method));
    if (request->protocol != "webtransport") {
        return Refuse("400", "protocol " + Printable(request->protocol.value_or("(none)")));
    }
    if (*request->scheme != "https") return Refuse("400", "scheme " + Printable(*request->scheme));
    if (request->authority->empty()) return Refuse("400", "empty :authority");
    const std::string_view path = *request->path;
    if (path.substr(0, path.find('?')) != limits.path) return Refuse("404", "path " + Printable(path));
    if (!settings_applied) {
        answer_pending = true;
        return std::nullopt;
    }
    return AnswerGoodRequest();
}

std::optional<H3Error> H3Session::Impl::AnswerGoodRequest() {
    if (!datagrams_allowed) return Refuse("400", "the browser's SETTINGS do not enable HTTP datagrams");
    if (auto failure = Answer("200", false)) return failure;
    state = SessionState::kOpen;
    return std::nullopt;
}

std::optional<H3Error> H3Session::Impl::Answer(std::string_view status, bool fin) {
    std::vector<HeaderField> fields{{":status", status}};
    // Chromium strips this header; some builds were seen to wait for it (research §1.6).
    if (status == "200") fields.push_back({"sec-webtransport-http3-draft", "draft02"});
    auto frame = EncodeHeadersFrame(*connect_id, fields);
    if (!frame) return Fail(kH3InternalError, "QPACK encoding failed");
    writes.push_back({*connect_id, std::move(*frame), fin});
    return std::nullopt;
}

std::optional<H3Error> H3Session::Impl::Refuse(std::string_view status, std::string reason) {
    if (auto failure = Answer(status, true)) return failure;
    state = SessionState::kRefused;
    end_reason = std::move(reason);
    return std::nullopt;
}

void H3Session::Impl::OnCapsuleBytes(std::span<const std::uint8_t> bytes) {
    if (!Active()) return;
    const std::size_t close_bytes = std::min(kMaxCloseCapsuleBytes, limits.max_frame_bytes);
    if (auto close = FeedCapsules(capsules, bytes, close_bytes)) Close(DescribeClose(*close));
}

H3Session::H3Session(H3Limits limits) : impl_(std::make_unique<Impl>(std::move(limits))) {}

H3Session::~H3Session() = default;

std::vector<std::vector<std::uint8_t>> H3Session::LocalStreamPreambles() const {
    return {ControlStreamPreamble(impl_->limits.max_field_section_bytes), {kStreamQpackEncoder}, {kStreamQpackDecoder}};
}

std::optional<H3Error> H3Session::OnStreamData(std::int64_t stream_id, std::span<const std::uint8_t> bytes, bool fin) {
    if (impl_->error) return impl_->error;
    if (IsClientUni(stream_id)) return impl_->Latch(impl_->OnUniData(stream_id, bytes, fin));
    if (IsClientBidi(stream_id)) return impl_->Latch(impl_->OnBidiData(stream_id, bytes, fin));
    return impl_->Latch(Fail(kH3StreamCreationError,
                             "data on stream " + std::to_string(stream_id) + ", which the browser cannot have opened"));
}

std::optional<H3Error> H3Session::OnStreamReset(std::int64_t stream_id) {
    if (impl_->error) return impl_->error;
    if (IsClientUni(stream_id)) {
        auto it = impl_->uni_streams.find(stream_id);
        if (it == impl_->uni_streams.end() || it->second.finished) return std::nullopt;
        it->second.finished = true;
        const UniKind kind = it->second.kind;
        if (kind == UniKind::kControl || kind == UniKind::kQpack) {
            return impl_->Latch(Fail(kH3ClosedCriticalStream, "the browser reset a control or QPACK stream"));
        }
        return std::nullopt;
    }
    if (stream_id == impl_->connect_id && impl_->Active()) impl_->Close("the browser reset the CONNECT stream");
    return std::nullopt;
}

std::vector<StreamWrite> H3Session::TakeWrites() { return std::exchange(impl_->writes, {}); }

std::vector<std::int64_t> H3Session::TakeStopSending() { return std::exchange(impl_->stop_sending, {}); }

SessionState H3Session::state() const { return impl_->state; }

std::optional<std::int64_t> H3Session::connect_stream_id() const { return impl_->connect_id; }

bool H3Session::settings_received() const { return impl_->settings_applied && impl_->datagrams_allowed; }

const std::string& H3Session::end_reason() const { return impl_->end_reason; }

}  // namespace gapkit::webtransport::detail
