// The smallest program a game could write against an installed gapkit (make package-check).
#include <gapkit/bus/names.hpp>
#include <gapkit/netcode/connect_token.hpp>
#include <cstdio>
int main() {
    auto subject = gapkit::bus::names::MatchmakerRequestSubject("spaceships", "1");
    std::printf("%s\n", subject ? subject->c_str() : "error");
    return subject ? 0 : 1;
}
