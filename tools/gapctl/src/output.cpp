#include "output.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <boost/json/serialize.hpp>

#include "gapkit/common/log.hpp"
#include "gapkit/service/program.hpp"

namespace gapkit::cli {

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> cells) {
    cells.resize(std::max(cells.size(), header_.size()), "-");
    for (auto& cell : cells) {
        if (cell.empty()) cell = "-";
    }
    rows_.push_back(std::move(cells));
}

std::string Table::Text() const {
    std::vector<std::size_t> widths(header_.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    };
    measure(header_);
    for (const auto& row : rows_) measure(row);
    auto line = [&](const std::vector<std::string>& row) {
        std::string text;
        for (std::size_t i = 0; i < row.size(); ++i) {
            const bool last = i + 1 == row.size();
            text += last ? row[i] : fmt::format("{:<{}}  ", row[i], i < widths.size() ? widths[i] : row[i].size());
        }
        return text + "\n";
    };
    std::string text = line(header_);
    for (const auto& row : rows_) text += line(row);
    if (rows_.empty()) text += "(none)\n";
    return text;
}

void AddJsonFlag(CLI::App& command, bool& json) {
    command.add_flag("--json", json, "Print JSON for scripts instead of a table");
}

void Print(const Output& output, bool json) {
    if (json) {
        std::cout << boost::json::serialize(output.json) << '\n';
    } else {
        std::cout << output.text;
    }
    std::cout.flush();
}

namespace {

// "app-version show" rather than "show": the path below the program itself.
std::string CommandPath(const CLI::App& command) {
    std::string path = command.get_name();
    for (const CLI::App* parent = command.get_parent(); parent != nullptr && parent->get_parent() != nullptr;
         parent = parent->get_parent()) {
        path = parent->get_name() + " " + path;
    }
    return path;
}

}  // namespace

void SetOutputCallback(CLI::App& command, int& exit_code, const bool& json,
                       std::function<common::Result<Output>()> run) {
    command.callback([&command, &exit_code, &json, run = std::move(run)] {
        auto output = run();
        if (!output) {
            GAPKIT_LOG_ERROR("gapctl", "{}: {}", CommandPath(command), output.error().ToString());
            exit_code = service::ToInt(service::ExitCode::kFailure);
            return;
        }
        Print(*output, json);
        exit_code = service::ToInt(service::ExitCode::kOk);
    });
}

std::string FormatDuration(std::optional<std::chrono::seconds> duration) {
    if (!duration) return "-";
    const long long total = std::max<long long>(0, duration->count());
    const long long days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60,
                    seconds = total % 60;
    if (days > 0) return fmt::format("{}d{:02}h", days, hours);
    if (hours > 0) return fmt::format("{}h{:02}m", hours, minutes);
    if (minutes > 0) return fmt::format("{}m{:02}s", minutes, seconds);
    return fmt::format("{}s", seconds);
}

std::string FormatUnixTime(std::int64_t unix_seconds) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

}  // namespace gapkit::cli
