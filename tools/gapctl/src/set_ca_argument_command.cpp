#include "set_ca_argument_command.hpp"

#include <memory>
#include <optional>
#include <utility>

#include <fmt/core.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/json/object.hpp>

#include "gapkit/common/files.hpp"
#include "gapkit/common/log.hpp"
#include "output.hpp"
#include "sources.hpp"

namespace gapkit::cli {
namespace {

using common::ErrorCode;
using common::MakeError;

constexpr std::string_view kPemBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::size_t kFingerprintPrefixBytes = 8;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads one quoted or bare stretch of a word starting at `i`; returns the index after it.
common::Result<std::size_t> ReadWordPart(std::string_view line, std::size_t i, std::string& value) {
    const char c = line[i];
    if (c == '\'') {
        const std::size_t close = line.find('\'', i + 1);
        if (close == std::string_view::npos) return MakeError(ErrorCode::kInvalidArgument, "unterminated ' quote");
        value.append(line.substr(i + 1, close - i - 1));
        return close + 1;
    }
    if (c == '"') {
        for (std::size_t j = i + 1; j < line.size(); ++j) {
            if (line[j] == '"') return j + 1;
            if (line[j] == '\\' && j + 1 < line.size() &&
                std::string_view("\"\\$`").find(line[j + 1]) != std::string_view::npos)
                ++j;
            value += line[j];
        }
        return MakeError(ErrorCode::kInvalidArgument, "unterminated \" quote");
    }
    if (c == '\\') {
        if (i + 1 >= line.size()) return MakeError(ErrorCode::kInvalidArgument, "trailing backslash");
        value += line[i + 1];
        return i + 2;
    }
    value += c;
    return i + 1;
}

struct X509Deleter {
    void operator()(X509* certificate) const { X509_free(certificate); }
};

std::unique_ptr<X509, X509Deleter> ReadCertificate(std::string_view pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) return nullptr;
    return std::unique_ptr<X509, X509Deleter>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Where the CA value sits in `words`: the index of the flag word, and whether the value is in
// the same word (`--ca_contents=...`).
struct CaPosition {
    std::size_t flag = 0;
    bool joined = false;
};

std::optional<CaPosition> FindCa(const std::vector<ArgumentWord>& words) {
    const std::string joined_prefix = std::string(kCaFlag) + "=";
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i].value == kCaFlag) return CaPosition{i, false};
        if (words[i].value.starts_with(joined_prefix)) return CaPosition{i, true};
    }
    return std::nullopt;
}

// The CA value at `at` and the end of its text in the line.
std::pair<std::string, std::size_t> CaValue(const std::vector<ArgumentWord>& words, CaPosition at) {
    if (at.joined) return {words[at.flag].value.substr(kCaFlag.size() + 1), words[at.flag].end};
    if (at.flag + 1 < words.size()) return {words[at.flag + 1].value, words[at.flag + 1].end};
    return {"", words[at.flag].end};
}

}  // namespace

common::Result<std::vector<ArgumentWord>> SplitArgumentWords(std::string_view line) {
    std::vector<ArgumentWord> words;
    std::size_t i = 0;
    while (i < line.size()) {
        if (IsBlank(line[i])) {
            ++i;
            continue;
        }
        ArgumentWord word;
        word.begin = i;
        while (i < line.size() && !IsBlank(line[i])) {
            auto next = ReadWordPart(line, i, word.value);
            if (!next) return common::Fail(next.error().WithContext(fmt::format("arguments at byte {}", i)));
            i = *next;
        }
        word.end = i;
        words.push_back(std::move(word));
    }
    return words;
}

common::Result<std::string> CheckCaPem(std::string_view pem) {
    if (pem.find(kPemBegin) == std::string_view::npos)
        return MakeError(ErrorCode::kInvalidArgument, "holds no PEM certificate (no BEGIN CERTIFICATE line)");
    for (const char c : pem) {
        const bool pem_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                              c == '/' || c == '=' || c == '-' || c == ' ' || c == '\n';
        if (!pem_char)
            return MakeError(ErrorCode::kInvalidArgument,
                             "holds characters other than PEM text (base64, '=', '-', spaces, line ends)");
    }
    if (!ReadCertificate(pem)) return MakeError(ErrorCode::kInvalidArgument, "is not a readable X.509 certificate");
    std::string checked(pem);
    if (!checked.ends_with('\n')) checked += '\n';
    return checked;
}

std::string DescribeCa(std::string_view pem) {
    const auto certificate = ReadCertificate(pem);
    if (!certificate) return fmt::format("<{} bytes, not a certificate>", pem.size());
    char common_name[256] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.get()), NID_commonName, common_name,
                              sizeof(common_name));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_bytes = 0;
    X509_digest(certificate.get(), EVP_sha256(), digest, &digest_bytes);
    std::string fingerprint;
    for (unsigned int i = 0; i < digest_bytes && i < kFingerprintPrefixBytes; ++i)
        fingerprint += fmt::format("{:02x}:", digest[i]);
    // A bundle (the old and the new CA while one replaces the other) is described by its first.
    std::size_t others = 0;
    for (auto at = pem.find(kPemBegin); (at = pem.find(kPemBegin, at + 1)) != std::string_view::npos;) ++others;
    if (others > 0) return fmt::format("<CA: CN={}, sha256 {}... and {} more>", common_name, fingerprint, others);
    return fmt::format("<CA: CN={}, sha256 {}...>", common_name, fingerprint);
}

common::Result<CaArgumentEdit> SetCaArgument(std::string_view arguments, std::string_view pem) {
    auto words = SplitArgumentWords(arguments);
    if (!words) return common::Fail(words.error());
    const std::string ca_text = fmt::format("{} '{}'", kCaFlag, pem);
    CaArgumentEdit edit;
    const auto at = FindCa(*words);
    if (!at) {
        edit.other_words = words->size();
        const std::size_t kept = words->empty() ? 0 : words->back().end;
        edit.arguments = std::string(arguments.substr(0, kept)) + (kept > 0 ? " " : "") + ca_text;
        edit.action = "added";
        return edit;
    }
    const auto [value, end] = CaValue(*words, *at);
    edit.other_words = words->size() - (at->joined || at->flag + 1 >= words->size() ? 1 : 2);
    edit.previous_ca = DescribeCa(value);
    edit.action = value == pem ? "unchanged" : "replaced";
    edit.arguments =
        std::string(arguments.substr(0, (*words)[at->flag].begin)) + ca_text + std::string(arguments.substr(end));
    return edit;
}

std::string ShortenCaArgument(std::string_view arguments) {
    auto words = SplitArgumentWords(arguments);
    if (!words) return std::string(arguments);
    const auto at = FindCa(*words);
    if (!at) return std::string(arguments);
    const auto [value, end] = CaValue(*words, *at);
    return std::string(arguments.substr(0, (*words)[at->flag].begin)) +
           fmt::format("{} '{}'", kCaFlag, DescribeCa(value)) + std::string(arguments.substr(end));
}

namespace {

struct SetCaOptions {
    std::string app;
    std::string version;
    std::string ca_file;
    EdgegapSource edgegap;
    bool json = false;
};

common::Result<Output> Run(const SetCaOptions& options) {
    auto text = common::ReadFile(options.ca_file);
    if (!text) return common::Fail(text.error());
    if (text->size() > kMaxCaFileBytes)
        return MakeError(ErrorCode::kInvalidArgument,
                         fmt::format("{}: larger than {} bytes", options.ca_file, kMaxCaFileBytes));
    auto pem = CheckCaPem(*text);
    if (!pem) return common::Fail(pem.error().WithContext(options.ca_file));
    auto client = ConnectEdgegap(options.edgegap);
    if (!client) return common::Fail(client.error());
    auto current = (*client)->Call(&edgegap::EdgegapApi::GetAppVersion, options.app, options.version);
    if (!current) return common::Fail(current.error());
    auto edit = SetCaArgument(current->arguments.value_or(""), *pem);
    if (!edit) return common::Fail(edit.error().WithContext("the version's arguments"));
    if (edit->action != "unchanged") {
        edgegap::AppVersionPatch patch;
        patch.arguments = edit->arguments;
        auto patched = (*client)->Call(&edgegap::EdgegapApi::PatchAppVersion, options.app, options.version, patch);
        if (!patched) return common::Fail(patched.error());
    }
    const std::string ca = DescribeCa(*pem);
    Output output;
    output.json = boost::json::object{{"app", options.app},
                                      {"version", options.version},
                                      {"action", edit->action},
                                      {"ca", ca},
                                      {"previous_ca", edit->previous_ca},
                                      {"other_arguments_kept", edit->other_words},
                                      {"arguments", edit->arguments}};
    output.text = fmt::format("app {} version {}: --ca_contents {} ({}{}); {} other argument word(s) kept\n",
                              options.app, options.version, edit->action, ca,
                              edit->previous_ca.empty() ? "" : ", was " + edit->previous_ca, edit->other_words);
    return output;
}

}  // namespace

void RegisterSetCaArgumentCommand(CLI::App& app, int& exit_code) {
    auto options = std::make_shared<SetCaOptions>();
    CLI::App* command = app.add_subcommand(
        "set-ca-argument",
        "Put the NATS CA on an Edgegap app version as --ca_contents '<PEM>' (keeps other arguments)");
    command->add_option("app", options->app, "Edgegap app name")->required();
    command->add_option("version", options->version, "Edgegap app version name")->required();
    command->add_option("ca", options->ca_file, "The CA certificate (PEM), e.g. certs/ca/rootCA.pem")
        ->required()
        ->check(CLI::ExistingFile);
    AddEdgegapOptions(*command, options->edgegap);
    AddJsonFlag(*command, options->json);
    command->footer(
        fmt::format("Reads the version's arguments, replaces the value of --ca_contents (or appends it) and PATCHes\n"
                    "the version; every other argument is kept as written. The file must be one PEM certificate.\n{}\n"
                    "Example: gapctl set-ca-argument spaceships 1 certs/ca/rootCA.pem",
                    kEdgegapHelp));
    SetOutputCallback(*command, exit_code, options->json, [options] { return Run(*options); });
}

}  // namespace gapkit::cli
