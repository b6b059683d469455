#pragma once

// `gapctl watch`'s decoder: one bus message in, one event out (what it is and its essentials), for
// a line of text or a JSON object. Pure functions of outside data: any subject and payload give an
// event, never an exception; every value is cut to `kMaxWatchValueChars` and control characters
// are escaped in the text form, so a publisher cannot rewrite the operator's terminal.
//
// Connect tokens (`SessionReady`) are masked: the event holds the token's length, never its bytes,
// unless `show_tokens` is set (a token lets anyone join as that player while it lives).
//
// Threads: any (no shared state), except `WatchCorrelator` (one thread at a time).

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "gapkit/bus/message.hpp"

namespace gapkit::cli {

/// Longest value an event keeps (characters); longer ones end in "...".
inline constexpr std::size_t kMaxWatchValueChars = 160;

/// One decoded value. The names `game`, `session` and `deployment` are what the filters match.
struct WatchField {
    std::string name;
    std::string value;
};

/// What a message is. `kind` is one of: request, reply, reply_end, join, left, cert_digest,
/// context, alive, gameserver (another fact), fact_reply, kv_put, kv_delete, webhook,
/// delete_queued, internal (`$JS.*`, `_INBOX.*`), other.
struct WatchEvent {
    std::string kind;
    std::string subject;
    std::size_t bytes = 0;  ///< Payload size.
    std::vector<WatchField> fields;

    /// The value of field `name`, if the event has it.
    std::optional<std::string> Field(std::string_view name) const;
};

struct WatchDecodeOptions {
    bool show_tokens = false;  ///< Print connect tokens instead of their length.
};

/// Decodes one message. A KV delete and a purge both arrive as an empty payload (the operation is
/// only in a header) and are both `kv_delete`; gapkit never puts an empty value.
WatchEvent DecodeWatchMessage(const bus::Message& message, const WatchDecodeOptions& options = {});

/// What `watch` shows: an empty string matches anything; a set one needs the event's field of that
/// name to be equal. `all` also shows `internal` events.
struct WatchFilter {
    std::string game;
    std::string session;
    std::string deployment;
    bool all = false;
};

bool Matches(const WatchEvent& event, const WatchFilter& filter);

/// Carries a request's game and, once accepted, its session to the replies on its reply inbox, so
/// the filters `--game`/`--session` keep a whole exchange. Remembers at most `kMaxOpenRequests`
/// inboxes (then forgets them all: a watch that lost track only shows fewer replies).
class WatchCorrelator {
  public:
    static constexpr std::size_t kMaxOpenRequests = 10000;

    /// Adds what is known about `event`'s exchange to it (and learns from it).
    void Annotate(WatchEvent& event);

  private:
    std::map<std::string, std::vector<WatchField>> open_;  // Reply inbox -> game, version, session.
};

/// "07:41:02.123  request  matchmaker.request.spaceships.1  game=spaceships version=1 ..." (UTC).
std::string FormatWatchLine(const WatchEvent& event, std::chrono::system_clock::time_point at);

/// {"time":"2026-12-06T07:41:02.123Z","kind":...,"subject":...,"bytes":N,<fields as strings>}.
boost::json::object WatchEventJson(const WatchEvent& event, std::chrono::system_clock::time_point at);

}  // namespace gapkit::cli
