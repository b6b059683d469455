// The C API shared by gapkit/server.h and gapkit/client.h (gapkit/common.h).
#include "gapkit/common.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "gapkit/common/log.hpp"
#include "gapkit/netcode/private_key.hpp"

namespace {

using gapkit::common::LogLevel;

static_assert(GAPKIT_LOG_ERROR == static_cast<int>(LogLevel::kError));
static_assert(GAPKIT_LOG_TRACE == static_cast<int>(LogLevel::kTrace));
static_assert(gapkit::netcode::kKeyBytes == 32);  // gapkit_dev_private_key's uint8_t[32].

// A C callback wants NUL-terminated strings, and no exception may unwind through the logging call
// site of a library that promised not to throw; a message that cannot be copied is dropped.
void Deliver(gapkit_log_callback callback, void* user, LogLevel level, std::string_view component,
             std::string_view message) noexcept {
    try {
        const std::string component_text(component);
        const std::string message_text(message);
        callback(static_cast<int>(level), component_text.c_str(), message_text.c_str(), user);
    } catch (...) {
    }
}

}  // namespace

extern "C" {

void gapkit_set_log_callback(gapkit_log_callback callback, void* user) {
    try {
        if (callback == nullptr) {
            gapkit::common::SetLogSink({});
            return;
        }
        gapkit::common::SetLogSink(
            [callback, user](LogLevel level, std::string_view component, std::string_view message) {
                Deliver(callback, user, level, component, message);
            });
    } catch (...) {
        // Only allocation can fail here; the previous sink then stays in place.
    }
}

void gapkit_set_log_level(gapkit_log_level level) {
    const int clamped =
        std::clamp(static_cast<int>(level), static_cast<int>(GAPKIT_LOG_ERROR), static_cast<int>(GAPKIT_LOG_TRACE));
    gapkit::common::SetLogLevel(static_cast<LogLevel>(clamped));
}

void gapkit_dev_private_key(uint8_t key[32]) {
    if (key == nullptr) return;
    const gapkit::netcode::Key dev_key = gapkit::netcode::DevPrivateKey();
    std::copy(dev_key.begin(), dev_key.end(), key);
}

}  // extern "C"
