#include "byte_io.hpp"

namespace gapkit::netcode::detail {

void WriteAddress(ByteWriter& writer, const Address& address) {
    writer.U8(static_cast<std::uint8_t>(address.type));
    if (address.type == AddressType::kIpv4) {
        writer.Bytes(address.ipv4);
    } else {
        for (std::uint16_t group : address.ipv6) writer.U16(group);
    }
    writer.U16(address.port);
}

bool ReadAddress(ByteReader& reader, Address& address) {
    address = Address{};
    const std::uint8_t type = reader.U8();
    if (type == static_cast<std::uint8_t>(AddressType::kIpv4)) {
        address.type = AddressType::kIpv4;
        reader.Bytes(address.ipv4);
    } else if (type == static_cast<std::uint8_t>(AddressType::kIpv6)) {
        address.type = AddressType::kIpv6;
        for (std::uint16_t& group : address.ipv6) group = reader.U16();
    } else {
        return false;
    }
    address.port = reader.U16();
    return reader.ok();
}

}  // namespace gapkit::netcode::detail
