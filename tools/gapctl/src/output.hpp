#pragma once

// How gapctl commands print results: a table with aligned columns for people by default, or JSON
// for scripts with `--json`. Results go to stdout, nothing else does; progress and errors go to the
// log (stderr). Every listing command builds both forms from the same rows.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json/value.hpp>

#include "gapkit/common/result.hpp"

namespace gapkit::cli {

/// Rows of text cells under a header, printed with each column as wide as its widest cell and two
/// spaces between columns. An empty table prints its header and "(none)".
class Table {
  public:
    explicit Table(std::vector<std::string> header);

    /// Adds one row; a row with fewer cells than the header is padded with "-".
    void AddRow(std::vector<std::string> cells);

    std::size_t rows() const { return rows_.size(); }

    /// The whole table, newline-terminated.
    std::string Text() const;

  private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

/// What a command produced: the JSON for `--json` and the text for people.
struct Output {
    boost::json::value json;
    std::string text;
};

/// Adds `--json` ("print JSON for scripts instead of a table") to `command`.
void AddJsonFlag(CLI::App& command, bool& json);

/// Prints `output.json` (one line) when `json` is set, `output.text` otherwise, to stdout.
void Print(const Output& output, bool json);

/// Registers the callback of a command that computes an `Output`: on success prints it and sets
/// `exit_code` to kOk; on failure logs "<name>: <error>" and sets kFailure. `json` must outlive
/// the parse (a member of the command's shared options).
void SetOutputCallback(CLI::App& command, int& exit_code, const bool& json,
                       std::function<common::Result<Output>()> run);

/// "45s", "3m05s", "2h14m", "3d04h"; "-" for nothing. Negative durations print as "0s".
std::string FormatDuration(std::optional<std::chrono::seconds> duration);

/// Unix seconds as "2026-12-06T07:30:08Z".
std::string FormatUnixTime(std::int64_t unix_seconds);

}  // namespace gapkit::cli
