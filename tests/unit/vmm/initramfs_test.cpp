// The cpio "newc" writer and the /.aramid/argv archive that carries the
// program's argv to aramid-init. The archive is parsed back here field by
// field, as the guest's unpacker reads it.
#include <vmm/boot/initramfs.h>
#include <vmm/util/error.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace vmm;

namespace {

struct Entry {
    std::string name;
    uint32_t fields[13];
    std::string data;
};

uint32_t hex_field(std::vector<uint8_t> const& bytes, size_t at) {
    std::string const text(bytes.begin() + long(at), bytes.begin() + long(at + 8));
    for (char c : text) EXPECT_TRUE(isxdigit(c)) << "field '" << text << "' is not hex";
    return uint32_t(std::strtoul(text.c_str(), nullptr, 16));
}

// Parses a whole archive; fails the test on any malformation.
std::vector<Entry> parse(std::vector<uint8_t> const& bytes) {
    std::vector<Entry> entries;
    size_t at = 0;
    for (;;) {
        EXPECT_EQ(at % 4, 0u) << "header not 4-byte aligned";
        if (at + CpioWriter::kHeaderSize > bytes.size()) {
            ADD_FAILURE() << "archive ends without TRAILER!!!";
            return entries;
        }
        EXPECT_EQ(std::string(bytes.begin() + long(at), bytes.begin() + long(at + 6)), "070701");
        Entry e;
        for (int i = 0; i < 13; i++) e.fields[i] = hex_field(bytes, at + 6 + size_t(i) * 8);
        size_t const name_size = e.fields[11], file_size = e.fields[6];
        size_t const name_at = at + CpioWriter::kHeaderSize;
        if (name_size == 0 || name_at + name_size > bytes.size()) {
            ADD_FAILURE() << "bad name size " << name_size;
            return entries;
        }
        EXPECT_EQ(bytes[name_at + name_size - 1], 0) << "name not NUL-terminated";
        e.name.assign(bytes.begin() + long(name_at), bytes.begin() + long(name_at + name_size - 1));
        size_t const data_at = (name_at + name_size + 3) & ~size_t(3);
        for (size_t i = name_at + name_size; i < data_at; i++) EXPECT_EQ(bytes[i], 0) << "name padding";
        if (data_at + file_size > bytes.size()) {
            ADD_FAILURE() << "data runs past the archive";
            return entries;
        }
        e.data.assign(bytes.begin() + long(data_at), bytes.begin() + long(data_at + file_size));
        at = (data_at + file_size + 3) & ~size_t(3);
        bool const trailer = e.name == "TRAILER!!!";
        entries.push_back(std::move(e));
        if (trailer) break;
    }
    EXPECT_EQ(bytes.size() % CpioWriter::kBlockSize, 0u) << "not padded to a block";
    for (size_t i = at; i < bytes.size(); i++) EXPECT_EQ(bytes[i], 0) << "block padding at " << i;
    return entries;
}

std::vector<uint8_t> bytes_of(std::string const& s) { return { s.begin(), s.end() }; }

} // namespace

TEST(CpioWriter, EmptyArchiveIsJustTheTrailer) {
    auto const bytes = CpioWriter().finish();
    EXPECT_EQ(bytes.size(), CpioWriter::kBlockSize);
    auto const entries = parse(bytes);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].name, "TRAILER!!!");
    EXPECT_EQ(entries[0].fields[0], 0u) << "the trailer has inode 0";
}

TEST(CpioWriter, EntriesRoundTripWithEveryAlignment) {
    CpioWriter writer;
    // Names and data of each length modulo 4 exercise every padding case.
    std::vector<std::pair<std::string, std::string>> files;
    for (int n = 1; n <= 4; n++)
        for (int d = 0; d <= 4; d++) files.emplace_back(std::string(size_t(n), char('a' + d)), std::string(size_t(d), 'x'));
    for (auto const& [name, data] : files) {
        auto const b = bytes_of(data);
        writer.add(name, 0100600, b);
    }
    writer.add("dir", 040755);
    auto const entries = parse(writer.finish());
    ASSERT_EQ(entries.size(), files.size() + 2);
    for (size_t i = 0; i < files.size(); i++) {
        EXPECT_EQ(entries[i].name, files[i].first);
        EXPECT_EQ(entries[i].data, files[i].second);
        EXPECT_EQ(entries[i].fields[1], 0100600u) << "mode";
        EXPECT_EQ(entries[i].fields[0], uint32_t(i + 1)) << "inodes are distinct, from 1";
        EXPECT_EQ(entries[i].fields[2], 0u) << "uid";
        EXPECT_EQ(entries[i].fields[3], 0u) << "gid";
        EXPECT_EQ(entries[i].fields[4], 1u) << "nlink";
        EXPECT_EQ(entries[i].fields[5], 0u) << "mtime";
    }
    EXPECT_EQ(entries[files.size()].fields[1], 040755u);
    EXPECT_EQ(entries[files.size()].data, "");
}

TEST(CpioWriter, OutputDependsOnlyOnContents) {
    auto make = [] {
        CpioWriter w;
        auto const b = bytes_of("hello");
        w.add("a/b", 0100644, b);
        return w.finish();
    };
    EXPECT_EQ(make(), make());
}

TEST(ArgvArchive, HoldsEachArgumentWithItsNul) {
    auto const entries = parse(make_argv_archive({ "/bin/sh", "-c", "echo 'a  b' \"$X\"", "" }));
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].name, kArgvMember);
    EXPECT_EQ(entries[0].fields[1], 0100644u);
    EXPECT_EQ(entries[0].data, std::string("/bin/sh\0-c\0echo 'a  b' \"$X\"\0\0", 29))
        << "quotes and spaces pass through unchanged; an empty argument stays";
}

TEST(ArgvArchive, RejectsAnArgumentHoldingNul) {
    EXPECT_THROW(make_argv_archive({ "/bin/echo", std::string("a\0b", 3) }), VmmError);
}

TEST(ArgvArchive, SizeLimitIsExact) {
    // One argument of kMaxArgvBytes - 1 bytes plus its NUL fits exactly.
    std::string const big(kMaxArgvBytes - 1, 'y');
    auto const entries = parse(make_argv_archive({ big }));
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].data.size(), kMaxArgvBytes);
    EXPECT_THROW(make_argv_archive({ big, "" }), VmmError);
    EXPECT_THROW(make_argv_archive({ std::string(kMaxArgvBytes, 'z') }), VmmError);
    std::vector<std::string> many(kMaxArgvBytes / 2 + 1, "a");
    EXPECT_THROW(make_argv_archive(many), VmmError);
}

TEST(ArgvArchive, AppendedArchiveOffset) {
    EXPECT_EQ(appended_archive_offset(0), 0u);
    EXPECT_EQ(appended_archive_offset(1), 4u);
    EXPECT_EQ(appended_archive_offset(4), 4u);
    EXPECT_EQ(appended_archive_offset(513), 516u);
}
