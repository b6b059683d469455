#pragma once

// The token and packet forms of netcode values, on the common little-endian cursors.

#include "gapkit/common/byte_io.hpp"
#include "gapkit/netcode/address.hpp"

namespace gapkit::netcode::detail {

using common::ByteReader;
using common::ByteWriter;

/// Writes the token form of an address: type byte, 4 octets or 8 LE groups, LE port.
void WriteAddress(ByteWriter& writer, const Address& address);

/// Reads the token form; false on an unknown type byte or a short buffer.
bool ReadAddress(ByteReader& reader, Address& address);

}  // namespace gapkit::netcode::detail
