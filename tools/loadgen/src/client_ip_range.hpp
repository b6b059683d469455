#pragma once

/// @file
/// Distinct `client_ip`s for the players of a load run (`gapkit-loadgen --client-ip-range`): all
/// load comes from one loopback address, but a matchmaker that groups players into shared seat
/// sessions groups distinct IPs only, so a surge needs one address per player.
///
/// Threads: a `ClientIpRange` is immutable after `Parse`; any thread may call `At`.

#include <cstdint>
#include <string>
#include <string_view>

#include "gapkit/common/result.hpp"

namespace gapkit::loadgen {

/// An IPv4 CIDR range handed out address by address.
class ClientIpRange {
  public:
    /// Parses `a.b.c.d/prefix` (IPv4 only). The range's host addresses are handed out (for a
    /// prefix up to /30 the network and broadcast addresses are skipped). Anything else is
    /// `kInvalidArgument` naming the text.
    static common::Result<ClientIpRange> Parse(std::string_view cidr);

    /// The `index`-th host address, in order; past the last one it wraps to the first.
    std::string At(std::uint64_t index) const;

    /// How many distinct addresses the range hands out.
    std::uint64_t size() const { return size_; }

  private:
    ClientIpRange(std::uint32_t first, std::uint64_t size) : first_(first), size_(size) {}

    std::uint32_t first_;
    std::uint64_t size_;
};

}  // namespace gapkit::loadgen
