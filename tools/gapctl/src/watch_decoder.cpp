#include "watch_decoder.hpp"

#include <algorithm>
#include <array>
#include <variant>

#include <fmt/chrono.h>
#include <fmt/core.h>

#include "gapkit/bus/names.hpp"
#include "gapkit/edgegap/parse.hpp"
#include "gapkit/protocol/match_messages.hpp"
#include "gapkit/protocol/server_facts.hpp"

namespace gapkit::cli {
namespace {

namespace names = bus::names;

// Buckets whose key is a session id (`EncodeIdToken`), and the two whose value names one thing.
constexpr std::array<std::string_view, 6> kSessionKeyedBuckets = {
    names::kSessionsEg2LyBucket,     names::kActiveConnectionsBucket,  names::kConnectionsSeenBucket,
    names::kUnclaimedSessionsBucket, names::kSessionDeploymentsBucket, names::kParkedDeletionsBucket};
constexpr std::string_view kClaimSuffix = ".deleting";

std::string Cut(std::string_view text) {
    if (text.size() <= kMaxWatchValueChars) return std::string(text);
    return std::string(text.substr(0, kMaxWatchValueChars)) + "...";
}

void Add(WatchEvent& event, std::string name, std::string_view value) {
    event.fields.push_back({std::move(name), Cut(value)});
}

std::string_view After(std::string_view subject, std::string_view prefix) {
    return subject.substr(std::min(subject.size(), prefix.size() + 1));
}

bool Under(std::string_view subject, std::string_view prefix) {
    return subject.size() > prefix.size() + 1 && subject.starts_with(prefix) && subject[prefix.size()] == '.';
}

void AddError(WatchEvent& event, const common::Error& error) { Add(event, "error", error.message()); }

void DecodeRequest(const bus::Message& message, WatchEvent& event) {
    event.kind = "request";
    auto request = protocol::ParseMatchRequest(message.data);
    if (!request) {
        // The subject still names the game the request was sent for.
        const std::string_view rest = After(message.subject, names::kMatchmakerRequestPrefix);
        Add(event, "game", rest.substr(0, rest.find('.')));
        return AddError(event, request.error());
    }
    Add(event, "game", request->game);
    Add(event, "version", request->version);
    Add(event, "client_ip", request->client_ip.value_or("-"));
    if (!message.reply.empty()) Add(event, "inbox", message.reply);
}

struct ReplyFields {
    WatchEvent& event;
    const WatchDecodeOptions& options;
    void operator()(const protocol::Acknowledged&) const {}
    void operator()(const protocol::SessionRequestAccepted& reply) const { Add(event, "session", reply.session_id); }
    void operator()(const protocol::ProgressReport& reply) const { Add(event, "text", reply.text); }
    void operator()(const protocol::SessionReady& reply) const {
        Add(event, "ip", reply.ip);
        Add(event, "port", std::to_string(reply.port));
        Add(event, "cert_digest", reply.cert_digest);
        if (options.show_tokens) {
            event.fields.push_back({"token", reply.token});  // Whole: a cut token is useless.
        } else {
            Add(event, "token_bytes", std::to_string(reply.token.size()));
        }
    }
    void operator()(const protocol::MatchError& reply) const {
        Add(event, "code", std::to_string(reply.code));
        Add(event, "message", reply.message);
    }
};

void DecodeMatchReply(const bus::Message& message, const WatchDecodeOptions& options, WatchEvent& event) {
    if (message.data.empty()) {
        event.kind = "reply_end";
        return;
    }
    event.kind = "reply";
    auto reply = protocol::ParseMatchReply(message.data);
    if (!reply) return AddError(event, reply.error());
    Add(event, "reply", protocol::ReplyName(*reply));
    std::visit(ReplyFields{event, options}, *reply);
    if (message.last_part) Add(event, "last", "true");
}

void DecodeFactBody(std::string_view fact, std::string_view data, WatchEvent& event) {
    if (fact == names::kJoinFact) {
        auto join = protocol::ParseJoinFact(data);
        return join ? Add(event, "client_id", std::to_string(join->client_id)) : AddError(event, join.error());
    }
    if (fact == names::kLeftFact) {
        auto left = protocol::ParseLeftFact(data);
        if (!left) return AddError(event, left.error());
        Add(event, "session", left->session_id);
        return Add(event, "client_id", std::to_string(left->client_id));
    }
    if (fact == names::kCertDigestFact) {
        auto digest = protocol::ParseCertDigestFact(data);
        if (!digest) return AddError(event, digest.error());
        Add(event, "public_ip", digest->public_ip);
        return Add(event, "digest", digest->digest);
    }
    if (fact == names::kAliveFact) {
        auto alive = protocol::ParseAliveFact(data);
        if (!alive) return AddError(event, alive.error());
        std::string sessions;
        for (const auto& entry : alive->sessions) sessions += (sessions.empty() ? "" : ",") + entry.session_id;
        Add(event, "players", std::to_string(alive->sessions.size()));
        // One field per event keeps `--session` exact for the common single-player server.
        return Add(event, alive->sessions.size() == 1 ? "session" : "sessions", sessions);
    }
    if (fact == names::kContextFact) {
        auto context = edgegap::detail::ParseContext(data);
        if (!context) return AddError(event, context.error());
        // Edgegap's context may leave the app out (the simulator does): only what it states.
        for (const auto& [name, value] :
             {std::pair{"app", context->app_name}, std::pair{"version", context->app_version},
              std::pair{"public_ip", context->public_ip}}) {
            if (!value.empty()) Add(event, name, value);
        }
        return;
    }
}

void DecodeGameServer(const bus::Message& message, WatchEvent& event) {
    const std::string_view rest = After(message.subject, names::kGameServerPrefix);
    const std::size_t dot = rest.find('.');
    const std::string_view deployment = rest.substr(0, dot);
    const std::string_view fact = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    constexpr std::array<std::string_view, 5> kFacts = {names::kJoinFact, names::kLeftFact, names::kCertDigestFact,
                                                        names::kContextFact, names::kAliveFact};
    const bool known = std::find(kFacts.begin(), kFacts.end(), fact) != kFacts.end();
    event.kind = known ? std::string(fact) : "gameserver";
    Add(event, "deployment", deployment);
    if (known) DecodeFactBody(fact, message.data, event);
}

void DecodeFactReply(const bus::Message& message, WatchEvent& event) {
    event.kind = "fact_reply";
    auto reply = protocol::ParseFactReply(message.data);
    if (!reply) return AddError(event, reply.error());
    Add(event, "outcome", protocol::ToString(reply->outcome));
    if (!reply->session_id.empty()) Add(event, "session", reply->session_id);
    if (!reply->reason.empty()) Add(event, "reason", reply->reason);
}

// Printable ASCII stays as it is; anything else is counted, not shown (values may be binary).
std::string ShownValue(std::string_view value) {
    const bool printable = std::all_of(value.begin(), value.end(), [](char c) { return c >= ' ' && c < 0x7f; });
    return printable ? std::string(value) : fmt::format("<{} bytes>", value.size());
}

std::string DecodedKey(std::string_view key) { return names::DecodeIdToken(key).value_or(std::string(key)); }

void DecodeKv(const bus::Message& message, WatchEvent& event) {
    const std::string_view rest = After(message.subject, "$KV");
    const std::size_t dot = rest.find('.');
    const std::string_view bucket = rest.substr(0, dot);
    const std::string_view key = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
    event.kind = message.data.empty() ? "kv_delete" : "kv_put";
    Add(event, "bucket", bucket);
    Add(event, "key", key);
    if (!message.data.empty()) Add(event, "value", ShownValue(message.data));
    const bool session_keyed =
        std::find(kSessionKeyedBuckets.begin(), kSessionKeyedBuckets.end(), bucket) != kSessionKeyedBuckets.end();
    if (session_keyed) {
        const bool claim = key.ends_with(kClaimSuffix);
        Add(event, "session", DecodedKey(claim ? key.substr(0, key.size() - kClaimSuffix.size()) : key));
        if (claim) Add(event, "claim", "deleting");
    }
    if (bucket == names::kSessionsLy2EgBucket && !message.data.empty()) Add(event, "session", message.data);
    if (bucket == names::kSessionDeploymentsBucket && !message.data.empty()) Add(event, "deployment", message.data);
    if (bucket == names::kCertDigestsBucket) Add(event, "deployment", DecodedKey(key));
}

void DecodeWebhook(const bus::Message& message, WatchEvent& event) {
    event.kind = "webhook";
    auto session = edgegap::detail::ParseSession(message.data);
    if (!session) return AddError(event, session.error());
    Add(event, "session", session->session_id);
    Add(event, "status", session->status);
    if (!session->deployment_request_id.empty()) Add(event, "deployment", session->deployment_request_id);
    if (!session->error.empty()) Add(event, "edgegap_error", session->error);
}

void DecodeDeleteQueued(const bus::Message& message, WatchEvent& event) {
    event.kind = "delete_queued";
    const std::string_view token = After(message.subject, names::kDeleteSessionStream);
    Add(event, "session", message.data.empty() ? DecodedKey(token) : ShownValue(message.data));
}

void AppendJsonEscaped(std::string& out, std::string_view value) {
    for (unsigned char c : value) {
        if (c < ' ' || c == 0x7f) {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out += static_cast<char>(c);
        }
    }
}

std::string FormatTime(std::chrono::system_clock::time_point at, bool with_date) {
    const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(at);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at - seconds).count();
    const std::time_t time = std::chrono::system_clock::to_time_t(seconds);
    return with_date ? fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(time), millis)
                     : fmt::format("{:%H:%M:%S}.{:03}", fmt::gmtime(time), millis);
}

}  // namespace

std::optional<std::string> WatchEvent::Field(std::string_view name) const {
    for (const auto& field : fields) {
        if (field.name == name) return field.value;
    }
    return std::nullopt;
}

WatchEvent DecodeWatchMessage(const bus::Message& message, const WatchDecodeOptions& options) {
    WatchEvent event;
    event.subject = Cut(message.subject);
    event.bytes = message.data.size();
    const std::string_view subject = message.subject;
    // A JetStream consumer's delivery keeps the stored message's subject and carries a `$JS.ACK.`
    // reply: a `>` subscription (subscribed to every deliver inbox too) sees each KV watcher's and
    // key listing's copies of old puts as if they were new, a key listing's headers-only copies as
    // empty payloads (deletes), and every delete worker's fetch as a newly queued session.
    if (subject.starts_with("$JS.") || Under(subject, "_INBOX") || message.reply.starts_with("$JS.ACK.")) {
        event.kind = "internal";
    } else if (Under(subject, names::kMatchmakerRequestPrefix)) {
        DecodeRequest(message, event);
    } else if (Under(subject, names::kHttpdInboxPrefix)) {
        DecodeMatchReply(message, options, event);
    } else if (Under(subject, names::kGameServerInboxPrefix)) {
        DecodeFactReply(message, event);
    } else if (Under(subject, names::kGameServerPrefix)) {
        DecodeGameServer(message, event);
    } else if (Under(subject, "$KV")) {
        DecodeKv(message, event);
    } else if (subject == names::kSessionWebhooks) {
        DecodeWebhook(message, event);
    } else if (Under(subject, names::kDeleteSessionStream)) {
        DecodeDeleteQueued(message, event);
    } else {
        event.kind = "other";
    }
    return event;
}

bool Matches(const WatchEvent& event, const WatchFilter& filter) {
    if (event.kind == "internal" && !filter.all) return false;
    const auto wanted = [&event](std::string_view name, const std::string& value) {
        return value.empty() || event.Field(name) == value;
    };
    return wanted("game", filter.game) && wanted("session", filter.session) && wanted("deployment", filter.deployment);
}

void WatchCorrelator::Annotate(WatchEvent& event) {
    if (event.kind == "request") {
        const auto reply = event.Field("inbox");
        if (!reply) return;
        if (open_.size() >= kMaxOpenRequests) open_.clear();
        auto& known = open_[*reply];
        known.clear();
        for (const char* name : {"game", "version"}) {
            if (auto value = event.Field(name)) known.push_back({name, *value});
        }
        return;
    }
    if (event.kind != "reply" && event.kind != "reply_end") return;
    auto it = open_.find(event.subject);
    if (it == open_.end()) return;
    const auto has = [](const std::vector<WatchField>& fields, std::string_view name) {
        return std::any_of(fields.begin(), fields.end(), [name](const WatchField& f) { return f.name == name; });
    };
    if (auto session = event.Field("session"); session && !has(it->second, "session")) {
        it->second.push_back({"session", *session});  // Accepted: the later replies are that session's.
    }
    for (const auto& field : it->second) {
        if (!has(event.fields, field.name)) event.fields.push_back(field);
    }
    const auto name = event.Field("reply");
    if (event.kind == "reply_end" || name == "SessionReady" || name == "Error") open_.erase(it);
}

std::string FormatWatchLine(const WatchEvent& event, std::chrono::system_clock::time_point at) {
    std::string line = fmt::format("{}  {:<13}  ", FormatTime(at, false), event.kind);
    AppendJsonEscaped(line, event.subject);
    if (event.fields.empty()) line += fmt::format("  bytes={}", event.bytes);
    for (const auto& field : event.fields) {
        const bool quote = field.value.empty() || field.value.find(' ') != std::string::npos;
        line += fmt::format("  {}=", field.name);
        if (quote) line += '"';
        AppendJsonEscaped(line, field.value);
        if (quote) line += '"';
    }
    return line;
}

boost::json::object WatchEventJson(const WatchEvent& event, std::chrono::system_clock::time_point at) {
    boost::json::object object;
    object["time"] = FormatTime(at, true);
    object["kind"] = event.kind;
    object["subject"] = event.subject;
    object["bytes"] = event.bytes;
    for (const auto& field : event.fields) object[field.name] = field.value;
    return object;
}

}  // namespace gapkit::cli
