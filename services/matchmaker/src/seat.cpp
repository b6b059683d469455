#include "seat.hpp"

namespace gapkit::matchmaker {

std::string SeatId(std::string_view session_id, std::string_view ip) {
    std::string seat_id(session_id);
    if (ip.empty()) return seat_id;
    seat_id += kSeatSeparator;
    seat_id += ip;
    return seat_id;
}

std::string SeatId(const Seat& seat) { return SeatId(seat.session_id, seat.ip); }

Seat ParseSeatId(std::string_view seat_id) {
    const auto separator = seat_id.find(kSeatSeparator);
    if (separator == std::string_view::npos) return Seat{std::string(seat_id), {}};
    return Seat{std::string(seat_id.substr(0, separator)), std::string(seat_id.substr(separator + 1))};
}

bool IsShared(const Seat& seat) { return !seat.ip.empty(); }

}  // namespace gapkit::matchmaker
