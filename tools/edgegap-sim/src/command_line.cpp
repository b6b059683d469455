#include "command_line.hpp"

namespace gapkit::edgegap_sim {

common::Result<std::vector<std::string>> SplitArguments(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool escapable =
            quote == 0 || (quote == '"' && (text.size() > i + 1) && (text[i + 1] == '"' || text[i + 1] == '\\'));
        if (c == '\\' && quote != '\'' && escapable) {
            if (++i == text.size()) {
                return common::MakeError(common::ErrorCode::kInvalidArgument, "arguments end with a backslash");
            }
            word += text[i];
            in_word = true;
        } else if (quote != 0) {
            if (c == quote)
                quote = 0;
            else
                word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote != 0)
        return common::MakeError(common::ErrorCode::kInvalidArgument, "arguments have an unterminated quote");
    if (in_word) words.push_back(std::move(word));
    return words;
}

}  // namespace gapkit::edgegap_sim
