// Journal recovery (ext4::journal, Volume::recover_journal) on images whose
// journals debugfs writes: `jo [-c -v N]` opens the journal (with checksums
// v2 or v3), `jw -b BLOCKS FILE` logs a transaction that writes FILE's
// blocks to BLOCKS, `-r BLOCKS` logs revoke records, `-c` leaves the
// transaction uncommitted, `jc` closes the journal and leaves the file
// system marked needs_recovery.
//
// The oracle is e2fsck -fy on a copy, which replays the same journal: after
// our recovery every block but the superblock's must be the same as in that
// copy, e2fsck -fn must find the image clean and no longer needing
// recovery. The transactions are real changes: the blocks by which an
// image that debugfs changed (a new file, a new directory, a removal)
// differs from the original, logged into the original's journal.
#include "image.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace {

using namespace ext4_test;

struct Layout {
    char const* name;
    char const* mke2fs; // options
    char const* journal_open; // the jo command
    uint32_t block_size;
};

constexpr Layout kLayouts[] = {
    { "ext4_4k", "-t ext4 -b 4096", "jo", 4096 },
    { "ext4_4k_csum_v3", "-t ext4 -b 4096", "jo -c -v 3", 4096 },
    { "ext4_1k_csum_v2", "-t ext4 -b 1024", "jo -c -v 2", 1024 },
    { "ext3_1k", "-t ext3 -b 1024", "jo", 1024 },
    { "ext4_1k_32bit", "-t ext4 -b 1024 -O ^64bit,^metadata_csum", "jo", 1024 },
};

std::string block_of(std::string const& image, uint64_t block, uint32_t size)
{
    std::ifstream in(image, std::ios::binary);
    in.seekg(std::streamoff(block * size));
    std::string out(size, '\0');
    in.read(out.data(), std::streamsize(size));
    return out;
}

uint64_t blocks_in(std::string const& image, uint32_t size)
{
    std::ifstream in(image, std::ios::binary | std::ios::ate);
    return uint64_t(in.tellg()) / size;
}

std::string join(std::vector<uint64_t> const& blocks)
{
    std::string out;
    for (auto b : blocks) out += (out.empty() ? "" : ",") + std::to_string(b);
    return out;
}

bool needs_recovery(std::string const& image)
{
    return debugfs_output(image, "stats").find("needs_recovery") != std::string::npos;
}

class Ext4Journal : public ::testing::TestWithParam<Layout> {
protected:
    void SetUp() override
    {
        layout = GetParam();
        run("mkdir -p '" + dir / "tree/sub" + "'");
        write_file(dir / "tree/keep", "kept\n");
        write_file(dir / "tree/gone", std::string(5000, 'g'));
        write_file(dir / "tree/sub/deep", "deep\n");
        base = dir / "base.img";
        ASSERT_EQ(make_image(base, dir / "tree", layout.mke2fs, "8M"), 0);
        superblock_block = layout.block_size == 1024 ? 1 : 0;
    }

    // The blocks by which `changed` differs from `original` (the
    // superblock's included: debugfs changes its counts).
    std::vector<uint64_t> differing(std::string const& original, std::string const& changed)
    {
        std::vector<uint64_t> out;
        for (uint64_t b = 0; b < blocks_in(original, layout.block_size); b++)
            if (block_of(original, b, layout.block_size) != block_of(changed, b, layout.block_size)) out.push_back(b);
        return out;
    }

    // A copy of `from` that debugfs changed with `requests` (-w -f).
    std::string changed_copy(std::string const& from, std::string const& name, std::string const& requests)
    {
        std::string const image = dir / name;
        run("cp '" + from + "' '" + image + "'");
        write_file(dir / "requests", requests);
        EXPECT_EQ(run("debugfs -w -f '" + dir / "requests" + "' '" + image + "' >/dev/null 2>&1"), 0);
        return image;
    }

    // FILE holding `changed`'s copies of `blocks`, in order.
    std::string blocks_file(std::string const& changed, std::vector<uint64_t> const& blocks, std::string const& name)
    {
        std::string data;
        for (auto b : blocks) data += block_of(changed, b, layout.block_size);
        write_file(dir / name, data);
        return dir / name;
    }

    // debugfs journal commands on the base image.
    void journal(std::string const& commands)
    {
        write_file(dir / "journal", std::string(layout.journal_open) + "\n" + commands + "jc\n");
        ASSERT_EQ(run("debugfs -w -f '" + dir / "journal" + "' '" + base + "' >/dev/null 2>&1"), 0);
        ASSERT_TRUE(needs_recovery(base));
    }

    // e2fsck -fy's replay of the same journal, on a copy.
    std::string reference()
    {
        std::string const ref = dir / "ref.img";
        run("cp '" + base + "' '" + ref + "' && e2fsck -fy '" + ref + "' >/dev/null 2>&1");
        return ref;
    }

    ext4::OpenReport recover(int expected_error = 0)
    {
        FileBackend backend(base, true);
        ext4::OpenReport report;
        auto result = ext4::Volume::recover_journal(backend, report);
        EXPECT_EQ(result.is_error() ? result.error().code() : 0, expected_error)
            << (report.problem ? report.problem : "") << (report.refused_feature ? report.refused_feature : "");
        return report;
    }

    void expect_same_as(std::string const& ref)
    {
        for (uint64_t b : differing(ref, base))
            EXPECT_EQ(b, superblock_block) << "block " << b << " differs from e2fsck's replay";
        EXPECT_EQ(fsck_output(base), "");
        EXPECT_FALSE(needs_recovery(base));
    }

    Layout layout;
    TempDir dir;
    std::string base;
    uint64_t superblock_block { 0 };
};

TEST_P(Ext4Journal, ReplaysATransactionThatMadeAFileAndADirectory)
{
    write_file(dir / "hostfile", std::string(3 * layout.block_size + 17, 'n'));
    auto const changed = changed_copy(base, "changed.img",
        "write " + dir / "hostfile" + " newfile\nmkdir newdir\nrm gone\n");
    auto const blocks = differing(base, changed);
    ASSERT_GT(blocks.size(), 3u);
    journal("jw -b " + join(blocks) + " " + blocks_file(changed, blocks, "data") + "\n");
    auto const ref = reference();
    auto const report = recover();
    EXPECT_EQ(report.journal.transactions, 1u);
    EXPECT_EQ(report.journal.blocks_written, blocks.size());
    expect_same_as(ref);
    // What the transaction made is there.
    auto opened = open_image(base);
    ASSERT_EQ(opened.error, 0);
    auto file = lookup_path(*opened.volume, "newfile");
    ASSERT_FALSE(file.is_error());
    EXPECT_EQ(read_file(*opened.volume, file.value()).value(), std::string(3 * layout.block_size + 17, 'n'));
    EXPECT_FALSE(lookup_path(*opened.volume, "newdir").is_error());
    EXPECT_TRUE(lookup_path(*opened.volume, "gone").is_error());
}

TEST_P(Ext4Journal, LaterTransactionsWinAndRevokeRecordsCancel)
{
    // Three transactions over the data block of "keep": A, then B; then a
    // fourth revokes "deep"'s block, which the first logged. The revoke
    // record cancels copies logged before it, not after.
    auto const keep = std::stoull(debugfs_output(base, "bmap /keep 0"));
    auto const deep = std::stoull(debugfs_output(base, "bmap /sub/deep 0"));
    write_file(dir / "a", std::string(layout.block_size, 'A'));
    write_file(dir / "b", std::string(layout.block_size, 'B'));
    write_file(dir / "c", std::string(layout.block_size, 'C'));
    std::string const ab = std::string(layout.block_size, 'A') + std::string(layout.block_size, 'C');
    write_file(dir / "ac", ab);
    journal("jw -b " + std::to_string(keep) + "," + std::to_string(deep) + " " + dir / "ac" + "\n"
        + "jw -b " + std::to_string(keep) + " " + dir / "b" + "\n"
        + "jw -r " + std::to_string(deep) + "\n");
    auto const ref = reference();
    auto const report = recover();
    EXPECT_EQ(report.journal.transactions, 3u);
    EXPECT_EQ(report.journal.blocks_revoked, 1u);
    EXPECT_EQ(block_of(base, keep, layout.block_size), std::string(layout.block_size, 'B'));
    EXPECT_EQ(block_of(base, deep, layout.block_size).substr(0, 5), "deep\n");
    expect_same_as(ref);
}

TEST_P(Ext4Journal, AnUncommittedTransactionIsNotReplayed)
{
    auto const keep = std::stoull(debugfs_output(base, "bmap /keep 0"));
    write_file(dir / "a", std::string(layout.block_size, 'A'));
    write_file(dir / "b", std::string(layout.block_size, 'B'));
    journal("jw -b " + std::to_string(keep) + " " + dir / "a" + "\n" + "jw -c -b " + std::to_string(keep) + " "
        + dir / "b" + "\n");
    auto const ref = reference();
    auto const report = recover();
    EXPECT_EQ(report.journal.transactions, 1u);
    EXPECT_EQ(block_of(base, keep, layout.block_size), std::string(layout.block_size, 'A'));
    expect_same_as(ref);
}

TEST_P(Ext4Journal, AnEscapedBlockGetsItsMagicBack)
{
    // A logged block that begins with jbd2's magic is stored with it
    // zeroed and the ESCAPE flag.
    auto const keep = std::stoull(debugfs_output(base, "bmap /keep 0"));
    std::string data(layout.block_size, 'e');
    data[0] = char(0xc0), data[1] = char(0x3b), data[2] = char(0x39), data[3] = char(0x98);
    write_file(dir / "escaped", data);
    journal("jw -b " + std::to_string(keep) + " " + dir / "escaped" + "\n");
    auto const ref = reference();
    recover();
    EXPECT_EQ(block_of(base, keep, layout.block_size), data);
    expect_same_as(ref);
}

TEST_P(Ext4Journal, OpenWritableRecoversFirstAndACleanJournalIsLeftAlone)
{
    auto const keep = std::stoull(debugfs_output(base, "bmap /keep 0"));
    write_file(dir / "a", std::string(layout.block_size, 'A'));
    journal("jw -b " + std::to_string(keep) + " " + dir / "a" + "\n");
    {
        auto opened = open_image_writable(base);
        ASSERT_EQ(opened.error, 0) << (opened.report.refused_feature ? opened.report.refused_feature : "");
        EXPECT_EQ(opened.report.journal.transactions, 1u);
        ASSERT_FALSE(opened.volume->close().is_error());
    }
    EXPECT_EQ(block_of(base, keep, layout.block_size), std::string(layout.block_size, 'A'));
    EXPECT_EQ(fsck_output(base), "");
    // Nothing to do the second time: not a byte changes.
    std::string const before = read_host_file(base);
    auto const report = recover();
    EXPECT_EQ(report.journal.transactions, 0u);
    EXPECT_EQ(read_host_file(base), before);
}

INSTANTIATE_TEST_SUITE_P(Layouts, Ext4Journal, ::testing::ValuesIn(kLayouts),
    [](::testing::TestParamInfo<Layout> const& info) { return std::string(info.param.name); });

// The journal's own blocks, as debugfs maps them (logical block n of inode 8).
uint64_t journal_block(std::string const& image, uint64_t n)
{
    return std::stoull(debugfs_output(image, "bmap <8> " + std::to_string(n)));
}

void patch(std::string const& image, uint64_t offset, std::string const& bytes)
{
    std::fstream f(image, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(std::streamoff(offset));
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

class Ext4JournalDamage : public ::testing::Test {
protected:
    void SetUp() override
    {
        run("mkdir -p '" + dir / "tree" + "'");
        write_file(dir / "tree/keep", "kept\n");
        image = dir / "j.img";
        ASSERT_EQ(make_image(image, dir / "tree", "-t ext4 -b 4096", "8M"), 0);
        keep = std::stoull(debugfs_output(image, "bmap /keep 0"));
        write_file(dir / "a", std::string(4096, 'A'));
        write_file(dir / "j", std::string("jo -c -v 3\njw -b ") + std::to_string(keep) + " " + dir / "a" + "\njc\n");
        ASSERT_EQ(run("debugfs -w -f '" + dir / "j" + "' '" + image + "' >/dev/null 2>&1"), 0);
    }

    Result<void> recover(ext4::OpenReport& report)
    {
        FileBackend backend(image, true);
        return ext4::Volume::recover_journal(backend, report);
    }

    TempDir dir;
    std::string image;
    uint64_t keep { 0 };
};

// Journal block 0 is its superblock, 1 the descriptor, 2 the data, 3 the
// commit block.
TEST_F(Ext4JournalDamage, ABadCommitChecksumEndsTheLogBeforeIt)
{
    patch(image, journal_block(image, 3) * 4096 + 0x10, "\x12\x34\x56\x78");
    ext4::OpenReport report;
    EXPECT_FALSE(recover(report).is_error());
    EXPECT_EQ(report.journal.transactions, 0u);
    EXPECT_EQ(block_of(image, keep, 4096).substr(0, 5), "kept\n");
    EXPECT_FALSE(needs_recovery(image));
    EXPECT_EQ(fsck_output(image), "");
}

TEST_F(Ext4JournalDamage, ABadDataChecksumSkipsThatBlock)
{
    patch(image, journal_block(image, 2) * 4096 + 100, "x");
    ext4::OpenReport report;
    EXPECT_FALSE(recover(report).is_error());
    EXPECT_EQ(report.journal.transactions, 1u);
    EXPECT_EQ(report.journal.bad_checksums, 1u);
    EXPECT_EQ(block_of(image, keep, 4096).substr(0, 5), "kept\n");
}

TEST_F(Ext4JournalDamage, ABadDescriptorEndsTheLog)
{
    // A tag naming a block past the file system's end, with the
    // descriptor's checksum then wrong too.
    patch(image, journal_block(image, 1) * 4096 + 12, "\xff\xff\xff\xf0");
    ext4::OpenReport report;
    EXPECT_FALSE(recover(report).is_error());
    EXPECT_EQ(report.journal.transactions, 0u);
    EXPECT_EQ(report.journal.blocks_written, 0u);
    EXPECT_EQ(block_of(image, keep, 4096).substr(0, 5), "kept\n");
}

TEST_F(Ext4JournalDamage, AGarbageJournalSuperblockIsRefusedWithoutAWrite)
{
    patch(image, journal_block(image, 0) * 4096, "garbage!");
    std::string const before = read_host_file(image);
    ext4::OpenReport report;
    auto result = recover(report);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), EUCLEAN);
    EXPECT_NE(report.problem, nullptr);
    EXPECT_EQ(read_host_file(image), before);
    // open_writable refuses too; a read-only open still works.
    auto writable = open_image_writable(image);
    EXPECT_EQ(writable.error, EUCLEAN);
    auto readable = open_image(image);
    EXPECT_EQ(readable.error, 0);
    EXPECT_TRUE(readable.report.needs_recovery);
}

TEST_F(Ext4JournalDamage, AJournalSuperblockPointingOutsideTheJournalIsRefused)
{
    // s_start (offset 0x1c) far past s_maxlen; the superblock checksum is
    // then wrong as well, which is checked after the geometry here.
    patch(image, journal_block(image, 0) * 4096 + 0x1c, "\x7f\xff\xff\xff");
    ext4::OpenReport report;
    auto result = recover(report);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), EUCLEAN);
}

} // namespace
