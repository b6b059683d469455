#include "h3_session.hpp"

#include <gtest/gtest.h>

#include "h3_test_support.hpp"
#include "h3_wire.hpp"

namespace gapkit::webtransport::detail {
namespace {

using namespace testing;

const Fields kAccepted = {{":status", "200"}, {"sec-webtransport-http3-draft", "draft02"}};

Bytes Concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
}

Bytes Varint(std::uint64_t value) {
    Bytes out;
    AppendVarint(out, value);
    return out;
}

// A frame header announcing `length` bytes (the payload is fed separately, or never).
Bytes FrameHeaderOnly(std::uint64_t type, std::uint64_t length) { return Concat({Varint(type), Varint(length)}); }

class H3SessionTest : public ::testing::Test {
  protected:
    std::optional<H3Error> Feed(std::int64_t stream_id, const Bytes& bytes, bool fin = false) {
        return session_.OnStreamData(stream_id, bytes, fin);
    }

    // Chromium's three unidirectional streams, SETTINGS as given.
    void OpenClientStreams(const std::vector<Setting>& settings = ChromiumSettings()) {
        ASSERT_EQ(Feed(kClientControlStream, ClientControlStream(settings)), std::nullopt);
        ASSERT_EQ(Feed(kClientEncoderStream, {kStreamQpackEncoder}), std::nullopt);
        ASSERT_EQ(Feed(kClientDecoderStream, {kStreamQpackDecoder}), std::nullopt);
    }

    std::optional<H3Error> SendConnect(const Fields& fields = ChromiumConnectFields()) {
        return Feed(kConnectStream, HeadersFrame(kConnectStream, fields));
    }

    // The one response write: its fields, and whether it carried FIN.
    std::pair<Fields, bool> TakeResponse() {
        auto writes = session_.TakeWrites();
        EXPECT_EQ(writes.size(), 1u);
        if (writes.size() != 1) return {};
        EXPECT_EQ(writes[0].stream_id, kConnectStream);
        auto fields = DecodeHeadersFrame(kConnectStream, writes[0].bytes);
        EXPECT_TRUE(fields);
        return {fields.value_or(Fields{}), writes[0].fin};
    }

    void OpenSession() {
        OpenClientStreams();
        ASSERT_EQ(SendConnect(), std::nullopt);
        ASSERT_EQ(TakeResponse().first, kAccepted);
        ASSERT_EQ(session_.state(), SessionState::kOpen);
    }

    void ExpectError(std::optional<H3Error> error, std::uint64_t code) {
        ASSERT_TRUE(error.has_value()) << "expected error " << code;
        EXPECT_EQ(error->code, code) << error->reason;
    }

    H3Limits limits_;
    H3Session session_{limits_};
};

TEST_F(H3SessionTest, AnswersAConnectWith200AfterSettings) {
    OpenClientStreams();
    EXPECT_TRUE(session_.settings_received());
    EXPECT_EQ(SendConnect(), std::nullopt);
    auto [fields, fin] = TakeResponse();
    EXPECT_EQ(fields, kAccepted);
    EXPECT_FALSE(fin);
    EXPECT_EQ(session_.state(), SessionState::kOpen);
    EXPECT_EQ(session_.connect_stream_id(), kConnectStream);
    EXPECT_TRUE(session_.TakeStopSending().empty());
}

TEST_F(H3SessionTest, HoldsTheAnswerUntilTheSettingsArrive) {
    EXPECT_EQ(SendConnect(), std::nullopt);
    EXPECT_TRUE(session_.TakeWrites().empty());
    EXPECT_EQ(session_.state(), SessionState::kWaiting);
    EXPECT_EQ(session_.connect_stream_id(), kConnectStream);
    OpenClientStreams();
    EXPECT_EQ(TakeResponse().first, kAccepted);
    EXPECT_EQ(session_.state(), SessionState::kOpen);
}

TEST_F(H3SessionTest, NeverAnswersAHeldConnectTheBrowserClosed) {
    EXPECT_EQ(SendConnect(), std::nullopt);
    EXPECT_EQ(Feed(kConnectStream, {}, true), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kClosed);
    OpenClientStreams();
    EXPECT_TRUE(session_.TakeWrites().empty());
    EXPECT_EQ(session_.state(), SessionState::kClosed);
}

TEST_F(H3SessionTest, AcceptsAQueryAfterThePath) {
    OpenClientStreams();
    EXPECT_EQ(SendConnect(ChromiumConnectFields("/netcode?token=abc")), std::nullopt);
    EXPECT_EQ(TakeResponse().first, kAccepted);
}

TEST_F(H3SessionTest, AnswersAnotherPathWith404AndFin) {
    OpenClientStreams();
    EXPECT_EQ(SendConnect(ChromiumConnectFields("/other")), std::nullopt);
    auto [fields, fin] = TakeResponse();
    EXPECT_EQ(fields, (Fields{{":status", "404"}}));
    EXPECT_TRUE(fin);
    EXPECT_EQ(session_.state(), SessionState::kRefused);
    EXPECT_NE(session_.end_reason().find("/other"), std::string::npos);
}

TEST_F(H3SessionTest, AnswersMalformedRequestsWith400AndFin) {
    const Fields cases[] = {
        {{":method", "GET"}}, {{":protocol", "connect-udp"}},
        {{":protocol", ""}},  {{":scheme", "http"}},
        {{":authority", ""}}, {{":path", ""}},
        {{":method", ""}},    {{":unknown", "x"}},
    };
    for (const auto& change : cases) {
        H3Session session{H3Limits{}};
        ASSERT_EQ(session.OnStreamData(kClientControlStream, ClientControlStream(ChromiumSettings()), false),
                  std::nullopt);
        auto request = HeadersFrame(kConnectStream, ChromiumConnectFields("/netcode", change));
        ASSERT_EQ(session.OnStreamData(kConnectStream, request, false), std::nullopt) << change[0].first;
        auto writes = session.TakeWrites();
        ASSERT_EQ(writes.size(), 1u);
        EXPECT_EQ(DecodeHeadersFrame(kConnectStream, writes[0].bytes), (Fields{{":status", "400"}})) << change[0].first;
        EXPECT_TRUE(writes[0].fin);
        EXPECT_EQ(session.state(), SessionState::kRefused) << change[0].first;
    }
}

TEST_F(H3SessionTest, AnswersADuplicatePseudoHeaderWith400) {
    OpenClientStreams();
    Fields fields = ChromiumConnectFields();
    fields.insert(fields.begin(), {":path", "/netcode"});
    EXPECT_EQ(SendConnect(fields), std::nullopt);
    EXPECT_EQ(TakeResponse().first, (Fields{{":status", "400"}}));
    EXPECT_NE(session_.end_reason().find("duplicate"), std::string::npos);
}

TEST_F(H3SessionTest, AnswersAPseudoHeaderAfterARegularFieldWith400) {
    OpenClientStreams();
    Fields fields = ChromiumConnectFields();
    std::swap(fields.front(), fields.back());  // origin first
    EXPECT_EQ(SendConnect(fields), std::nullopt);
    EXPECT_EQ(TakeResponse().first, (Fields{{":status", "400"}}));
}

TEST_F(H3SessionTest, AnswersWith400WhenTheSettingsDoNotEnableDatagrams) {
    std::vector<Setting> settings = {{kSettingH3Datagram, 0}, {0xffd277, 1}, {kSettingWebTransportDraft02, 1}};
    OpenClientStreams(settings);
    EXPECT_FALSE(session_.settings_received());
    EXPECT_EQ(SendConnect(), std::nullopt);
    auto [fields, fin] = TakeResponse();
    EXPECT_EQ(fields, (Fields{{":status", "400"}}));
    EXPECT_TRUE(fin);
    EXPECT_EQ(session_.state(), SessionState::kRefused);
}

TEST_F(H3SessionTest, AnswersAHeldConnectWith400WhenTheSettingsLackDatagrams) {
    EXPECT_EQ(SendConnect(), std::nullopt);
    OpenClientStreams({{kSettingWebTransportDraft02, 1}});
    EXPECT_EQ(TakeResponse().first, (Fields{{":status", "400"}}));
    EXPECT_EQ(session_.state(), SessionState::kRefused);
}

TEST_F(H3SessionTest, LocalPreamblesAreControlThenQpackEncoderThenDecoder) {
    auto preambles = session_.LocalStreamPreambles();
    ASSERT_EQ(preambles.size(), 3u);
    EXPECT_EQ(preambles[0], ControlStreamPreamble(limits_.max_field_section_bytes));
    EXPECT_EQ(preambles[1], Bytes{kStreamQpackEncoder});
    EXPECT_EQ(preambles[2], Bytes{kStreamQpackDecoder});
}

TEST_F(H3SessionTest, ClosesOnACloseCapsuleSplitAcrossDataFrames) {
    OpenSession();
    const Bytes capsule = CloseCapsule(7, "bye now");
    const Bytes first(capsule.begin(), capsule.begin() + 3);
    const Bytes second(capsule.begin() + 3, capsule.end());
    EXPECT_EQ(Feed(kConnectStream, DataFrame(first)), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kOpen);
    EXPECT_EQ(Feed(kConnectStream, DataFrame(second)), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kClosed);
    EXPECT_NE(session_.end_reason().find("code 7"), std::string::npos) << session_.end_reason();
    EXPECT_NE(session_.end_reason().find("bye now"), std::string::npos) << session_.end_reason();
    EXPECT_EQ(Feed(kConnectStream, {}, true), std::nullopt);
    EXPECT_TRUE(session_.TakeWrites().empty());
}

TEST_F(H3SessionTest, SkipsOtherCapsulesAndUnknownFramesBeforeTheClose) {
    OpenSession();
    Bytes grease_capsule = Concat({Varint(0x29), Varint(5), Bytes(5, 0xee)});
    Bytes unknown_frame = Concat({FrameHeaderOnly(0x21, 3), Bytes(3, 0xdd)});
    EXPECT_EQ(Feed(kConnectStream, Concat({DataFrame(grease_capsule), unknown_frame})), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kOpen);
    EXPECT_EQ(Feed(kConnectStream, DataFrame(CloseCapsule(0, ""))), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kClosed);
}

TEST_F(H3SessionTest, CutsAndSanitizesTheCloseMessage) {
    OpenSession();
    std::string message(3000, 'a');
    message[0] = '\n';
    EXPECT_EQ(Feed(kConnectStream, DataFrame(CloseCapsule(1, message))), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kClosed);
    EXPECT_EQ(session_.end_reason().find('\n'), std::string::npos);
    EXPECT_LT(session_.end_reason().size(), 400u);
}

TEST_F(H3SessionTest, SkipsTrailersOnTheConnectStream) {
    OpenSession();
    EXPECT_EQ(Feed(kConnectStream, HeadersFrame(kConnectStream, {{"x-trailer", "1"}})), std::nullopt);
    EXPECT_EQ(Feed(kConnectStream, FrameHeaderOnly(kFrameHeaders, 100000)), std::nullopt) << "never buffered";
    EXPECT_TRUE(session_.TakeWrites().empty());
    EXPECT_EQ(session_.state(), SessionState::kOpen);
}

TEST_F(H3SessionTest, ClosesOnFinOfTheConnectStream) {
    OpenSession();
    EXPECT_EQ(Feed(kConnectStream, {}, true), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kClosed);
    EXPECT_EQ(Feed(kConnectStream, DataFrame(CloseCapsule(1, "late"))), std::nullopt) << "bytes after FIN";
    EXPECT_EQ(session_.end_reason(), "the browser finished the CONNECT stream");
}

TEST_F(H3SessionTest, ClosesOnResetOfTheConnectStream) {
    OpenSession();
    EXPECT_EQ(session_.OnStreamReset(kConnectStream), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kClosed);
}

TEST_F(H3SessionTest, HandlesEverythingDeliveredOneByteAtATime) {
    const std::pair<std::int64_t, Bytes> streams[] = {
        {kConnectStream, HeadersFrame(kConnectStream, ChromiumConnectFields())},
        {kClientControlStream, ClientControlStream(ChromiumSettings())},
        {kClientEncoderStream, {kStreamQpackEncoder}},
        {kClientDecoderStream, {kStreamQpackDecoder}},
    };
    std::size_t longest = 0;
    for (const auto& [id, bytes] : streams) longest = std::max(longest, bytes.size());
    for (std::size_t i = 0; i < longest; ++i) {
        for (const auto& [id, bytes] : streams) {
            if (i >= bytes.size()) continue;
            ASSERT_EQ(Feed(id, {bytes[i]}), std::nullopt) << id << " at " << i;
        }
    }
    EXPECT_EQ(TakeResponse().first, kAccepted);
    const Bytes close = Concat({DataFrame(Bytes{}), DataFrame(CloseCapsule(9, "done"))});
    for (std::size_t i = 0; i < close.size(); ++i) {
        EXPECT_EQ(session_.state(), SessionState::kOpen) << i;
        ASSERT_EQ(Feed(kConnectStream, {close[i]}), std::nullopt);
    }
    EXPECT_EQ(session_.state(), SessionState::kClosed);
    EXPECT_NE(session_.end_reason().find("done"), std::string::npos);
}

TEST_F(H3SessionTest, SkipsAnUnknownFrameWithAHugeLengthWithoutBuffering) {
    OpenClientStreams();
    EXPECT_EQ(Feed(kClientControlStream, FrameHeaderOnly(0x21, kMaxVarint)), std::nullopt);
    const Bytes megabyte(1 << 20, 0x04);  // looks like SETTINGS frames, but it is payload
    for (int i = 0; i < 16; ++i) ASSERT_EQ(Feed(kClientControlStream, megabyte), std::nullopt);
    EXPECT_EQ(Feed(kConnectStream, Concat({FrameHeaderOnly(0x21, 100), Bytes(100, 0x01)})), std::nullopt);
    EXPECT_EQ(SendConnect(), std::nullopt);
    EXPECT_EQ(TakeResponse().first, kAccepted);
    EXPECT_EQ(Feed(kConnectStream, Concat({FrameHeaderOnly(kFrameData, kMaxVarint), Varint(0x29), Varint(kMaxVarint)})),
              std::nullopt);
    for (int i = 0; i < 16; ++i) ASSERT_EQ(Feed(kConnectStream, megabyte), std::nullopt);
    EXPECT_EQ(session_.state(), SessionState::kOpen);
}

TEST_F(H3SessionTest, RejectsControlStreamsThatDoNotStartWithSettings) {
    ExpectError(Feed(kClientControlStream, Concat({Varint(kStreamControl), FrameHeaderOnly(kFrameGoaway, 1), {0}})),
                kH3MissingSettings);
}

TEST_F(H3SessionTest, RejectsASecondSettingsFrame) {
    OpenClientStreams();
    ExpectError(Feed(kClientControlStream, FrameHeaderOnly(kFrameSettings, 0)), kH3FrameUnexpected);
}

TEST_F(H3SessionTest, RejectsRequestFramesOnTheControlStream) {
    for (std::uint64_t type : {kFrameData, kFrameHeaders, std::uint64_t{0x05}, std::uint64_t{0x02}}) {
        H3Session session{H3Limits{}};
        ASSERT_EQ(session.OnStreamData(kClientControlStream, ClientControlStream({}), false), std::nullopt);
        auto error = session.OnStreamData(kClientControlStream, FrameHeaderOnly(type, 0), false);
        ASSERT_TRUE(error) << type;
        EXPECT_EQ(error->code, kH3FrameUnexpected) << type;
    }
}

TEST_F(H3SessionTest, AcceptsAGoaway) {
    OpenSession();
    EXPECT_EQ(Feed(kClientControlStream, Concat({FrameHeaderOnly(kFrameGoaway, 1), {0}})), std::nullopt);
    ExpectError(Feed(kClientControlStream, Concat({FrameHeaderOnly(kFrameGoaway, 2), {0, 0}})), kH3FrameError);
}

TEST_F(H3SessionTest, RejectsBadSettingValues) {
    const std::vector<std::vector<Setting>> cases = {
        {{kSettingH3Datagram, 2}},
        {{kSettingEnableConnectProtocol, 5}},
        {{kSettingWebTransportDraft02, 2}},
        {{0xffd277, 3}},
        {{0x02, 0}},
        {{0x05, 1}},
    };
    for (const auto& settings : cases) {
        H3Session session{H3Limits{}};
        auto error = session.OnStreamData(kClientControlStream, ClientControlStream(settings), false);
        ASSERT_TRUE(error) << settings[0].id;
        EXPECT_EQ(error->code, kH3SettingsError) << settings[0].id;
    }
}

TEST_F(H3SessionTest, RejectsADuplicateSettingAndIgnoresUnknownOnes) {
    ExpectError(Feed(kClientControlStream, ClientControlStream({{kSettingH3Datagram, 1}, {kSettingH3Datagram, 1}})),
                kH3SettingsError);
    H3Session session{H3Limits{}};
    EXPECT_EQ(
        session.OnStreamData(kClientControlStream,
                             ClientControlStream({{0x4d44, 99}, {kSettingH3Datagram, 1}, {0xc671706a, 16}}), false),
        std::nullopt);
    EXPECT_TRUE(session.settings_received());
}

TEST_F(H3SessionTest, RejectsSettingsLargerThanTheFrameLimit) {
    ExpectError(Feed(kClientControlStream, Concat({Varint(kStreamControl), FrameHeaderOnly(kFrameSettings, 4097)})),
                kH3ExcessiveLoad);
}

TEST_F(H3SessionTest, RejectsASecondControlOrQpackStream) {
    OpenClientStreams();
    ExpectError(Feed(14, {kStreamControl}), kH3StreamCreationError);
    H3Session session{H3Limits{}};
    ASSERT_EQ(session.OnStreamData(6, Bytes{kStreamQpackDecoder}, false), std::nullopt);
    auto error = session.OnStreamData(10, Bytes{kStreamQpackDecoder}, false);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, kH3StreamCreationError);
}

TEST_F(H3SessionTest, TreatsTheEndOfACriticalStreamAsAnError) {
    OpenClientStreams();
    ExpectError(Feed(kClientControlStream, {}, true), kH3ClosedCriticalStream);
    H3Session reset{H3Limits{}};
    ASSERT_EQ(reset.OnStreamData(kClientControlStream, ClientControlStream(ChromiumSettings()), false), std::nullopt);
    ExpectError(reset.OnStreamReset(kClientControlStream), kH3ClosedCriticalStream);
    H3Session encoder{H3Limits{}};
    ExpectError(encoder.OnStreamData(kClientEncoderStream, Bytes{kStreamQpackEncoder}, true), kH3ClosedCriticalStream);
}

TEST_F(H3SessionTest, DiscardsWhatTheQpackStreamsCarry) {
    OpenClientStreams();
    EXPECT_EQ(Feed(kClientEncoderStream, Bytes(10000, 0x3f)), std::nullopt);
    EXPECT_EQ(Feed(kClientDecoderStream, Bytes(10000, 0x80)), std::nullopt);
}

TEST_F(H3SessionTest, StopsWebTransportAndUnknownUnidirectionalStreams) {
    OpenSession();
    EXPECT_EQ(Feed(14, Concat({Varint(0x54), Varint(0), Bytes(50, 1)})), std::nullopt);
    EXPECT_EQ(Feed(18, Varint(0x1f * 3 + 0x21)), std::nullopt);
    EXPECT_EQ(session_.TakeStopSending(), (std::vector<std::int64_t>{14, 18}));
    EXPECT_EQ(Feed(14, Bytes(50, 1), true), std::nullopt);
    EXPECT_EQ(session_.OnStreamReset(18), std::nullopt);
    EXPECT_TRUE(session_.TakeStopSending().empty());
    EXPECT_EQ(session_.state(), SessionState::kOpen);
}

TEST_F(H3SessionTest, RejectsAPushStreamFromTheClient) { ExpectError(Feed(14, {0x01}), kH3StreamCreationError); }

TEST_F(H3SessionTest, StopsBidirectionalStreamsAfterTheConnectStream) {
    OpenSession();
    EXPECT_EQ(Feed(4, Concat({Varint(0x41), Varint(0), Bytes(10, 2)})), std::nullopt);
    EXPECT_EQ(Feed(4, Bytes(10, 2)), std::nullopt);
    EXPECT_EQ(session_.TakeStopSending(), (std::vector<std::int64_t>{4}));
    EXPECT_EQ(session_.state(), SessionState::kOpen);
    EXPECT_TRUE(session_.TakeWrites().empty());
}

TEST_F(H3SessionTest, RejectsDataOnStreamsOnlyTheServerOpens) {
    ExpectError(Feed(3, {0x00}), kH3StreamCreationError);
    H3Session session{H3Limits{}};
    ExpectError(session.OnStreamData(1, Bytes{0x01}, false), kH3StreamCreationError);
}

TEST_F(H3SessionTest, CapsTrackedUnidirectionalStreamsAt16) {
    for (std::int64_t i = 0; i < 16; ++i) ASSERT_EQ(Feed(2 + 4 * i, Varint(0x21 + i)), std::nullopt) << i;
    ExpectError(Feed(2 + 4 * 16, Varint(0x54)), kH3ExcessiveLoad);
}

TEST_F(H3SessionTest, CapsRefusedBidirectionalStreamsAt16) {
    OpenSession();
    for (std::int64_t i = 1; i <= 16; ++i) ASSERT_EQ(Feed(4 * i, {0x41}), std::nullopt) << i;
    ExpectError(Feed(4 * 17, {0x41}), kH3ExcessiveLoad);
}

TEST_F(H3SessionTest, RejectsAFieldSectionOverTheLimit) {
    OpenClientStreams();
    ExpectError(Feed(kConnectStream, FrameHeaderOnly(kFrameHeaders, limits_.max_field_section_bytes + 1)),
                kH3ExcessiveLoad);
}

TEST_F(H3SessionTest, AcceptsAFieldSectionExactlyAtTheLimit) {
    H3Limits limits;
    Fields fields = ChromiumConnectFields();
    fields.emplace_back("x-pad", "");
    std::size_t pad = 0;
    // The literal's length prefix grows with it, so search for the padding that lands exactly.
    Bytes section;
    for (;; ++pad) {
        fields.back().second = std::string(pad, 'p');
        section = EncodeFields(kConnectStream, fields);
        if (section.size() >= 300) break;
    }
    limits.max_field_section_bytes = section.size();
    H3Session session{limits};
    ASSERT_EQ(session.OnStreamData(kClientControlStream, ClientControlStream(ChromiumSettings()), false), std::nullopt);
    Bytes frame;
    AppendFrame(frame, kFrameHeaders, section);
    EXPECT_EQ(session.OnStreamData(kConnectStream, frame, false), std::nullopt);
    EXPECT_EQ(session.state(), SessionState::kOpen);
}

TEST_F(H3SessionTest, RejectsAFieldSectionThatDoesNotDecode) {
    OpenClientStreams();
    Bytes frame;
    AppendFrame(frame, kFrameHeaders, Bytes{0x00, 0x00, 0xff, 0xff, 0xff});
    ExpectError(Feed(kConnectStream, frame), kQpackDecompressionFailed);
}

TEST_F(H3SessionTest, RejectsDataBeforeTheRequest) {
    ExpectError(Feed(kConnectStream, DataFrame(CloseCapsule(0, ""))), kH3FrameUnexpected);
}

TEST_F(H3SessionTest, RejectsControlFramesOnTheConnectStream) {
    ExpectError(Feed(kConnectStream, FrameHeaderOnly(kFrameSettings, 0)), kH3FrameUnexpected);
}

TEST_F(H3SessionTest, IgnoresEverythingOnARefusedConnectStream) {
    OpenClientStreams();
    EXPECT_EQ(SendConnect(ChromiumConnectFields("/nope")), std::nullopt);
    session_.TakeWrites();
    EXPECT_EQ(Feed(kConnectStream, FrameHeaderOnly(kFrameSettings, 0)), std::nullopt);
    EXPECT_EQ(SendConnect(), std::nullopt);
    EXPECT_EQ(Feed(kConnectStream, {}, true), std::nullopt);
    EXPECT_EQ(session_.OnStreamReset(kConnectStream), std::nullopt);
    EXPECT_TRUE(session_.TakeWrites().empty());
    EXPECT_EQ(session_.state(), SessionState::kRefused);
}

TEST_F(H3SessionTest, KeepsReturningTheFirstError) {
    auto first = Feed(kClientControlStream, Concat({Varint(kStreamControl), FrameHeaderOnly(kFrameData, 0)}));
    ASSERT_TRUE(first);
    auto again = SendConnect();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->code, first->code);
    EXPECT_EQ(again->reason, first->reason);
    EXPECT_TRUE(session_.TakeWrites().empty());
}

}  // namespace
}  // namespace gapkit::webtransport::detail
