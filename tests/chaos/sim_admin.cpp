#include "sim_admin.hpp"

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace gapkit::chaos {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using common::ErrorCode;
using common::MakeError;

namespace {

constexpr std::chrono::seconds kCallTimeout{10};

common::Result<json::value> ParseJson(const std::string& body) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec) return MakeError(ErrorCode::kInternal, "edgegap-sim answered something that is not JSON: " + body);
    return value;
}

const json::array& ArrayField(const json::value& value, const char* name) {
    static const json::array kEmpty;
    const auto* object = value.if_object();
    const auto* field = object == nullptr ? nullptr : object->if_contains(name);
    return field != nullptr && field->is_array() ? field->get_array() : kEmpty;
}

std::string StringField(const json::value& value, const char* name) {
    const auto* object = value.if_object();
    const auto* field = object == nullptr ? nullptr : object->if_contains(name);
    return field != nullptr && field->is_string() ? std::string(field->get_string()) : std::string();
}

double NumberField(const json::value& value, const char* name) {
    const auto* object = value.if_object();
    const auto* field = object == nullptr ? nullptr : object->if_contains(name);
    return field != nullptr && field->is_number() ? field->to_number<double>() : 0.0;
}

}  // namespace

common::Result<HttpAnswer> HttpCall(std::uint16_t port, const char* method, const std::string& target,
                                    const std::string& body, const std::string& authorization) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(kCallTimeout);
    boost::system::error_code ec;
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) request.set(http::field::authorization, authorization);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    if (!ec) http::write(stream, request, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) http::read(stream, buffer, response, ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, fmt::format("{} {}: {}", method, target, ec.message()));
    return HttpAnswer{response.result_int(), std::move(response.body())};
}

common::Result<std::string> SimAdmin::Call(const char* method, const std::string& target,
                                           const std::string& body) const {
    auto answer = HttpCall(port_, method, target, body, "token " + api_key_);
    if (!answer) return common::Fail(answer.error().WithContext("edgegap-sim"));
    if (answer->status != 200) {
        return MakeError(ErrorCode::kInternal,
                         fmt::format("edgegap-sim {} {}: HTTP {} {}", method, target, answer->status, answer->body));
    }
    return std::move(answer->body);
}

common::Result<SimState> SimAdmin::State() const {
    auto body = Call("GET", "/admin/state", "");
    if (!body) return common::Fail(body.error());
    auto value = ParseJson(*body);
    if (!value) return common::Fail(value.error());
    SimState state;
    state.sessions = static_cast<int>(ArrayField(*value, "sessions").size());
    for (const auto& deployment : ArrayField(*value, "deployments")) {
        ++state.deployments;
        if (NumberField(deployment, "past_empty_ttl_seconds") > 0) ++state.deployments_past_empty_ttl;
        if (StringField(deployment, "status") == "Status.READY") {
            state.ready_deployment_ids.push_back(StringField(deployment, "request_id"));
        }
    }
    return state;
}

common::Status SimAdmin::SetFaults(const std::string& faults_json) const {
    auto body = Call("POST", "/admin/faults", faults_json);
    return body ? common::Ok() : common::Fail(body.error());
}

common::Result<std::int64_t> SimAdmin::CountCalls(const std::string& status, const std::string& fault) const {
    auto body = Call("GET", "/admin/calls", "");
    if (!body) return common::Fail(body.error());
    auto value = ParseJson(*body);
    if (!value) return common::Fail(value.error());
    std::int64_t count = 0;
    for (const auto& call : ArrayField(*value, "calls")) {
        const bool match = fault.empty() ? StringField(call, "status") == status : StringField(call, "fault") == fault;
        if (match) count += static_cast<std::int64_t>(NumberField(call, "count"));
    }
    return count;
}

common::Result<std::map<std::string, std::int64_t>> SimAdmin::CallsByRoute() const {
    auto body = Call("GET", "/admin/calls", "");
    if (!body) return common::Fail(body.error());
    auto value = ParseJson(*body);
    if (!value) return common::Fail(value.error());
    std::map<std::string, std::int64_t> calls;
    for (const auto& call : ArrayField(*value, "calls")) {
        const std::string route = StringField(call, "method") + " " + StringField(call, "route");
        calls[route] += static_cast<std::int64_t>(NumberField(call, "count"));
    }
    return calls;
}

}  // namespace gapkit::chaos
