#include "h3_qpack.hpp"

#include <nghttp3/nghttp3.h>

namespace gapkit::webtransport::detail {

namespace {

std::string_view View(nghttp3_rcbuf* buf) {
    const nghttp3_vec vec = nghttp3_rcbuf_get_buf(buf);
    return {reinterpret_cast<const char*>(vec.base), vec.len};
}

std::uint8_t* Bytes(std::string_view text) {
    // nghttp3_nv is not const-correct; the encoder only reads (and copies) names and values.
    return reinterpret_cast<std::uint8_t*>(const_cast<char*>(text.data()));
}

// Reads fields until the section's end; false on a decoding error or when the decoder stops
// making progress (which a table of capacity 0 should never cause, but must not loop forever).
bool ReadFields(nghttp3_qpack_decoder* decoder, nghttp3_qpack_stream_context* context,
                std::span<const std::uint8_t> section,
                const std::function<void(std::string_view, std::string_view)>& on_field) {
    const std::uint8_t* at = section.data();
    std::size_t left = section.size();
    for (;;) {
        nghttp3_qpack_nv field{};
        std::uint8_t flags = NGHTTP3_QPACK_DECODE_FLAG_NONE;
        const auto read = nghttp3_qpack_decoder_read_request(decoder, context, &field, &flags, at, left, 1);
        if (read < 0 || (flags & NGHTTP3_QPACK_DECODE_FLAG_BLOCKED) != 0) return false;
        at += read;
        left -= static_cast<std::size_t>(read);
        const bool emitted = (flags & NGHTTP3_QPACK_DECODE_FLAG_EMIT) != 0;
        if (emitted) {
            on_field(View(field.name), View(field.value));
            nghttp3_rcbuf_decref(field.name);
            nghttp3_rcbuf_decref(field.value);
        }
        if ((flags & NGHTTP3_QPACK_DECODE_FLAG_FINAL) != 0) return true;
        if (read == 0 && !emitted) return false;
    }
}

}  // namespace

std::optional<std::vector<std::uint8_t>> EncodeFieldSection(std::int64_t stream_id,
                                                            std::span<const HeaderField> fields) {
    const nghttp3_mem* mem = nghttp3_mem_default();
    nghttp3_qpack_encoder* encoder = nullptr;
    if (nghttp3_qpack_encoder_new(&encoder, 0, mem) != 0) return std::nullopt;
    std::vector<nghttp3_nv> nva;
    for (const auto& field : fields) {
        nva.push_back(
            {Bytes(field.name), Bytes(field.value), field.name.size(), field.value.size(), NGHTTP3_NV_FLAG_NONE});
    }
    nghttp3_buf prefix, rest, encoder_stream;  // encoder_stream stays empty with capacity 0
    nghttp3_buf_init(&prefix);
    nghttp3_buf_init(&rest);
    nghttp3_buf_init(&encoder_stream);
    std::optional<std::vector<std::uint8_t>> section;
    if (nghttp3_qpack_encoder_encode(encoder, &prefix, &rest, &encoder_stream, stream_id, nva.data(), nva.size()) ==
        0) {
        section.emplace(prefix.pos, prefix.last);
        section->insert(section->end(), rest.pos, rest.last);
    }
    nghttp3_buf_free(&prefix, mem);
    nghttp3_buf_free(&rest, mem);
    nghttp3_buf_free(&encoder_stream, mem);
    nghttp3_qpack_encoder_del(encoder);
    return section;
}

bool DecodeFieldSection(std::int64_t stream_id, std::span<const std::uint8_t> section,
                        const std::function<void(std::string_view name, std::string_view value)>& on_field) {
    const nghttp3_mem* mem = nghttp3_mem_default();
    nghttp3_qpack_decoder* decoder = nullptr;
    if (nghttp3_qpack_decoder_new(&decoder, 0, 0, mem) != 0) return false;
    nghttp3_qpack_stream_context* context = nullptr;
    bool decoded = false;
    if (nghttp3_qpack_stream_context_new(&context, stream_id, mem) == 0) {
        decoded = ReadFields(decoder, context, section, on_field);
        nghttp3_qpack_stream_context_del(context);
    }
    nghttp3_qpack_decoder_del(decoder);
    return decoded;
}

}  // namespace gapkit::webtransport::detail
