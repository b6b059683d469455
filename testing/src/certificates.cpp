#include "gapkit/testing/certificates.hpp"

#include <fmt/core.h>

#include "gapkit/common/files.hpp"
#include "gapkit/testing/process.hpp"

namespace gapkit::testing {
namespace {

using common::ErrorCode;
using common::MakeError;
using common::Result;
using common::Status;

// clientAuth too: a cluster node dials its routes with this certificate, and nats-server checks
// the dialling node's certificate as a client's.
constexpr const char* kServerExtensions =
    "basicConstraints=CA:FALSE\n"
    "keyUsage=digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=serverAuth,clientAuth\n"
    "subjectAltName=DNS:localhost,IP:127.0.0.1\n";

Status RunOpenSsl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = RunProcess(argv);
    if (!result) return common::Fail(result.error());
    if (result->exit_code != 0) {
        return MakeError(ErrorCode::kInternal, fmt::format("openssl {} failed ({}): {}", args.front(),
                                                           result->exit_code, result->stderr_text));
    }
    return common::Ok();
}

// Keeps the folder alive next to the result so the files exist as long as the cache does.
struct CachedSet {
    Result<TempDir> dir;
    Result<TestCertificates> certificates;
    explicit CachedSet(std::string_view prefix)
        : dir(TempDir::Create(prefix)),
          certificates(dir ? GenerateTestCertificates(dir->path()) : common::Fail(dir.error())) {}
};

}  // namespace

Result<TestCertificates> GenerateTestCertificates(const std::filesystem::path& dir) {
    TestCertificates out{dir / "ca.pem", dir / "server.pem", dir / "server-key.pem", {}};
    const auto ca_key = (dir / "ca-key.pem").string();
    const auto csr = (dir / "server.csr").string();
    auto ext = common::WritePrivateTempFile("gapkit-server-ext", kServerExtensions);
    if (!ext) return common::Fail(ext.error());
    const std::vector<std::vector<std::string>> steps = {
        {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
         "-out", out.ca_file.string(), "-days", "2", "-subj",
         "/O=gapkit tests/CN=gapkit test CA " + dir.filename().string(), "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
        {"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         out.server_key_file.string(), "-out", csr, "-subj", "/O=gapkit tests/CN=localhost"},
        {"x509", "-req", "-in", csr, "-CA", out.ca_file.string(), "-CAkey", ca_key, "-CAcreateserial", "-out",
         out.server_cert_file.string(), "-days", "2", "-extfile", ext->string()},
    };
    Status status = common::Ok();
    for (const auto& step : steps) {
        status = RunOpenSsl(step);
        if (!status) break;
    }
    std::filesystem::remove(*ext);
    if (!status) return common::Fail(status.error());
    auto pem = common::ReadFile(out.ca_file);
    if (!pem) return common::Fail(pem.error());
    out.ca_pem = std::move(*pem);
    return out;
}

const Result<TestCertificates>& SharedTestCertificates() {
    static const CachedSet set("gapkit-test-certs");
    return set.certificates;
}

const Result<TestCertificates>& OtherTestCertificates() {
    static const CachedSet set("gapkit-other-certs");
    return set.certificates;
}

}  // namespace gapkit::testing
