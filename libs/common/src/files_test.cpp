#include "gapkit/common/files.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

namespace gapkit::common {
namespace {

TEST(Files, PrivateTempFileIsOwnerOnlyAndHoldsContents) {
    auto path = WritePrivateTempFile("rootCA-gameserver/../evil name", "-----BEGIN CERTIFICATE-----\n");
    ASSERT_TRUE(path.has_value()) << path.error().ToString();
    struct stat info {};
    ASSERT_EQ(::stat(path->c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    EXPECT_EQ(path->parent_path(), std::filesystem::temp_directory_path());
    EXPECT_EQ(path->filename().string().find('/'), std::string::npos);
    EXPECT_EQ(*ReadFile(*path), "-----BEGIN CERTIFICATE-----\n");
    std::filesystem::remove(*path);
}

TEST(Files, TwoWritesNeverShareAFile) {
    auto first = WritePrivateTempFile("same", "a");
    auto second = WritePrivateTempFile("same", "b");
    ASSERT_TRUE(first && second);
    EXPECT_NE(*first, *second);
    std::filesystem::remove(*first);
    std::filesystem::remove(*second);
}

TEST(Files, ReadSecretFileDropsTrailingNewline) {
    auto path = WritePrivateTempFile("secret", "s3cret\n");
    ASSERT_TRUE(path.has_value());
    EXPECT_EQ(*ReadSecretFile(*path), "s3cret");
    std::filesystem::remove(*path);
}

TEST(Files, MissingFileNamesPath) {
    auto text = ReadFile("/nonexistent/gapkit/ca.pem");
    ASSERT_FALSE(text.has_value());
    EXPECT_NE(text.error().message().find("/nonexistent/gapkit/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace gapkit::common
