#pragma once

/// @file
/// Little-endian cursors over fixed byte buffers, for binary wire formats (netcode packets and
/// tokens, a game's own messages). Every access is bounds-checked: once one runs past the end the
/// cursor stays failed and further calls do nothing, so a parser checks `ok()` once at the end
/// instead of after each field. Plain values; one cursor belongs to one thread. The buffer is
/// borrowed and must outlive the cursor.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace gapkit::common {

class ByteWriter {
  public:
    explicit ByteWriter(std::span<std::uint8_t> buffer) : buffer_(buffer) {}

    void U8(std::uint8_t value) { Le(value, 1); }
    void U16(std::uint16_t value) { Le(value, 2); }
    void U32(std::uint32_t value) { Le(value, 4); }
    void U64(std::uint64_t value) { Le(value, 8); }
    /// IEEE 754 single precision, little-endian.
    void F32(float value) { U32(std::bit_cast<std::uint32_t>(value)); }
    void Bytes(std::span<const std::uint8_t> bytes) {
        if (!Fits(bytes.size())) return;
        if (!bytes.empty()) std::memcpy(buffer_.data() + position_, bytes.data(), bytes.size());
        position_ += bytes.size();
    }
    /// Leaves `bytes` bytes as they are (a region another writer fills).
    void Skip(std::size_t bytes) {
        if (Fits(bytes)) position_ += bytes;
    }

    bool ok() const { return ok_; }
    std::size_t position() const { return position_; }

  private:
    bool Fits(std::size_t bytes) {
        ok_ = ok_ && bytes <= buffer_.size() - position_;
        return ok_;
    }
    void Le(std::uint64_t value, std::size_t bytes) {
        if (!Fits(bytes)) return;
        for (std::size_t i = 0; i < bytes; ++i) buffer_[position_++] = static_cast<std::uint8_t>(value >> (8 * i));
    }

    std::span<std::uint8_t> buffer_;
    std::size_t position_ = 0;
    bool ok_ = true;
};

class ByteReader {
  public:
    explicit ByteReader(std::span<const std::uint8_t> buffer) : buffer_(buffer) {}

    std::uint8_t U8() { return static_cast<std::uint8_t>(Le(1)); }
    std::uint16_t U16() { return static_cast<std::uint16_t>(Le(2)); }
    std::uint32_t U32() { return static_cast<std::uint32_t>(Le(4)); }
    std::uint64_t U64() { return Le(8); }
    /// IEEE 754 single precision, little-endian; any bit pattern (NaN too), so callers validate.
    float F32() { return std::bit_cast<float>(U32()); }
    void Bytes(std::span<std::uint8_t> out) {
        if (!Fits(out.size())) return;
        if (!out.empty()) std::memcpy(out.data(), buffer_.data() + position_, out.size());
        position_ += out.size();
    }

    bool ok() const { return ok_; }
    std::size_t position() const { return position_; }
    std::size_t remaining() const { return buffer_.size() - position_; }

  private:
    bool Fits(std::size_t bytes) {
        ok_ = ok_ && bytes <= buffer_.size() - position_;
        return ok_;
    }
    std::uint64_t Le(std::size_t bytes) {
        if (!Fits(bytes)) return 0;
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < bytes; ++i) value |= std::uint64_t{buffer_[position_++]} << (8 * i);
        return value;
    }

    std::span<const std::uint8_t> buffer_;
    std::size_t position_ = 0;
    bool ok_ = true;
};

}  // namespace gapkit::common
