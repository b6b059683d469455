// libFuzzer target for the Edgegap JSON parsers (build with -DGAPKIT_FUZZ=ON and clang; `make
// fuzz-smoke` runs it briefly). The first input byte picks the parser, the rest is the body as it
// would arrive from Edgegap. Invariants: no parser crashes, throws or leaks, and whatever a parser
// accepts has the field it promises to require.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gapkit/edgegap/parse.hpp"

namespace {

using namespace gapkit::edgegap::detail;

void Require(bool condition) {
    if (!condition) std::abort();
}

void ParseWith(std::uint8_t selector, std::string_view body) {
    switch (selector % 10) {
        case 0:
            if (auto status = ParseDeploymentStatus(body)) Require(!status->request_id.empty());
            break;
        case 1:
            if (auto context = ParseContext(body)) Require(!context->request_id.empty());
            break;
        case 2:
            if (auto session = ParseSession(body)) Require(!session->session_id.empty());
            break;
        case 3:
            if (auto created = ParseCreatedSession(body)) Require(!created->session_id.empty());
            break;
        case 4:
            if (auto created = ParseCreatedDeployment(body)) Require(!created->request_id.empty());
            break;
        case 5:
            if (auto page = ParseSessionPage(body)) Require(page->total_count >= 0 || !page->items.empty());
            break;
        case 6:
            (void)ParseDeploymentPage(body);
            break;
        case 7:
            if (auto version = ParseAppVersion(body)) Require(!version->name.empty());
            break;
        case 8:
            if (auto users = ParseSessionUsers(body)) {
                for (const auto& user : users->users) Require(!user.ip.empty());
            }
            break;
        default:
            (void)ParseErrorMessage(body);
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    ParseWith(data[0], std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    return 0;
}
