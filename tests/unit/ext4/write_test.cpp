// Writing files: Volume::write, truncate, release and block_for_write on
// images mke2fs makes (ext4 with 4 KiB and 1 KiB blocks, ext2, ext3, ext4
// inodes without extents, many small groups). Each test keeps a model of
// the file's bytes in a std::string, applies the same operations to it,
// and checks the image against it after close() with three oracles that
// share no code with the writer: e2fsck -fn (the whole file system is
// consistent: bitmaps, counts, checksums, extent trees, i_blocks, sizes),
// debugfs's dump of the file, and a fresh read-only Volume.
#include "image.h"
#include "volume_test_peer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace {

using namespace ext4_test;

constexpr ext4::Time kNow { 1700000000, 0 };

class StringSource final : public ext4::DataSource {
public:
    explicit StringSource(std::string const& bytes, size_t fail_after = ~size_t(0))
        : m_bytes(bytes)
        , m_fail_after(fail_after)
    {
    }
    Result<void> read(usize offset, u8* data, usize length) override
    {
        if (offset + length > m_fail_after) return Errno(EFAULT);
        if (offset + length > m_bytes.size()) return Errno(EINVAL);
        std::copy(m_bytes.begin() + long(offset), m_bytes.begin() + long(offset + length), data);
        return {};
    }

private:
    std::string const& m_bytes;
    size_t m_fail_after;
};

// Bytes that differ from block to block and from run to run of a test.
std::string pattern(size_t length, unsigned seed)
{
    std::string out(length, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < length; i++) {
        x = x * 1103515245u + 12345u;
        out[i] = char(x >> 24);
    }
    return out;
}

// An image with empty files /f0 ... /f{count-1} (and /dir/g), made by
// mke2fs -d.
struct Image {
    TempDir dir;
    std::string path;
    bool ok { false };
    Image(std::string const& options, std::string const& size, unsigned files = 4)
    {
        std::string const source = dir / "src";
        run("mkdir -p '" + source + "/dir'");
        for (unsigned i = 0; i < files; i++) write_file(source + "/f" + std::to_string(i), "");
        write_file(source + "/dir/g", "");
        path = dir / "image";
        ok = make_image(path, source, options, size) == 0;
    }
};

// The writer's view of one file, and the model it must match.
struct File {
    ext4::InodeData inode;
    std::string model;
};

int error_of(Result<void> const& result) { return result.is_error() ? result.error().code() : 0; }

// write() and the model together; the bytes written, or -errno.
long write_at(ext4::Volume& volume, File& file, uint64_t offset, std::string const& bytes)
{
    StringSource source(bytes);
    auto written = volume.write(file.inode, offset, bytes.size(), source, kNow);
    if (written.is_error()) return -written.error().code();
    size_t const n = written.value();
    if (file.model.size() < offset + n) file.model.resize(offset + n, '\0');
    file.model.replace(offset, n, bytes, 0, n);
    return long(n);
}

int truncate_to(ext4::Volume& volume, File& file, uint64_t size)
{
    int const error = error_of(volume.truncate(file.inode, size, kNow));
    if (!error) file.model.resize(size, '\0');
    return error;
}

// After close(): e2fsck, debugfs and a fresh reader all see the model.
void expect_image_holds(std::string const& image, std::string const& path, std::string const& model)
{
    EXPECT_EQ(fsck_output(image), "");
    std::string const dumped = image + ".dump";
    run("rm -f '" + dumped + "'");
    debugfs_output(image, "dump /" + path + " " + dumped);
    std::string const seen = read_host_file(dumped);
    EXPECT_EQ(seen.size(), model.size()) << "debugfs dump of " << path;
    EXPECT_TRUE(seen == model) << "debugfs dump of " << path;
    auto opened = open_image(image);
    ASSERT_EQ(opened.error, 0);
    auto inode = lookup_path(*opened.volume, path);
    ASSERT_FALSE(inode.is_error());
    EXPECT_EQ(inode.value().size, model.size());
    auto content = read_file(*opened.volume, inode.value());
    ASSERT_FALSE(content.is_error());
    EXPECT_TRUE(content.value() == model) << "reader's view of " << path;
}

// i_blocks as debugfs reports it ("Blockcount: N"), in 512-byte units.
uint64_t blockcount(std::string const& image, std::string const& path)
{
    std::string const stat = debugfs_output(image, "stat /" + path);
    size_t const at = stat.find("Blockcount: ");
    if (at == std::string::npos) return ~0ull;
    return std::stoull(stat.substr(at + 12));
}

uint64_t superblock_free_blocks(std::string const& image)
{
    auto super = peek_value<ext4::Superblock>(image, ext4::kSuperblockOffset);
    uint64_t free = super.s_free_blocks_count_lo;
    if (super.s_feature_incompat & ext4::kIncompat64Bit) free |= uint64_t(super.s_free_blocks_count_hi) << 32;
    return free;
}

// The depth of a file's extent tree, from its inode's root header.
uint16_t extent_depth(std::string const& image, uint32_t ino)
{
    return peek_value<uint16_t>(
        image, inode_offset(image, ino) + offsetof(ext4::DiskInode, i_block) + offsetof(ext4::ExtentHeader, eh_depth));
}

struct Variant {
    char const* options;
    char const* size;
};

// ext4 (4 KiB, 1 KiB, 64 KiB), ext2 and ext3 (indirect maps), ext4 inodes
// without extents, 128-byte inodes, many small groups without flex_bg.
Variant const kVariants[] = {
    { "-t ext4 -b 4096", "64M" },
    { "-t ext4 -b 1024", "32M" },
    { "-t ext2 -b 4096", "64M" },
    { "-t ext3 -b 1024", "32M" },
    { "-t ext4 -O ^extent,^64bit", "64M" },
    { "-t ext4 -I 128 -b 2048", "32M" },
    { "-t ext4 -O ^flex_bg -b 1024 -g 1024", "32M" },
    { "-t ext4 -b 65536", "64M" },
};

TEST(Ext4Write, WritesAtOffsetsAndTruncates)
{
    for (auto const& [options, size] : kVariants) {
        SCOPED_TRACE(options);
        Image image(options, size);
        ASSERT_TRUE(image.ok);
        std::string model;
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            size_t const block = volume.block_size();
            EXPECT_EQ(write_at(volume, file, 0, "hello"), 5);
            EXPECT_EQ(write_at(volume, file, 3, pattern(3 * block + 17, 1)), long(3 * block + 17)); // overwrite, append
            EXPECT_EQ(write_at(volume, file, 40 * block + 100, pattern(5000, 2)), 5000); // past a hole
            EXPECT_EQ(write_at(volume, file, 20 * block + 7, pattern(block, 3)), long(block)); // into the hole
            EXPECT_EQ(write_at(volume, file, 2 * block - 1, "XY"), 2); // across a block boundary
            // Past the indirect blocks' thresholds: 12 direct pointers, one
            // single-indirect block's worth.
            uint64_t const far = (12 + block / 4 + 3) * block + 1;
            EXPECT_EQ(write_at(volume, file, far, pattern(2 * block, 4)), long(2 * block));
            EXPECT_EQ(truncate_to(volume, file, 30 * block + 5), 0); // shrink into the middle
            EXPECT_EQ(truncate_to(volume, file, 60 * block), 0); // grow: a hole that reads zeros
            EXPECT_EQ(write_at(volume, file, 59 * block, pattern(block + 3, 5)), long(block + 3)); // append at the end
            EXPECT_EQ(file.inode.size, file.model.size());
            model = file.model;
            ASSERT_FALSE(volume.close().is_error());
        }
        expect_image_holds(image.path, "f0", model);
    }
}

// Every other block of a file that grows to thousands of extents: the
// root fills, leaves split as they fill, the tree grows to depth 2 and
// more. Then truncation to the middle and to nothing gives every block
// back.
TEST(Ext4Write, AFragmentedFileGrowsItsExtentTreeAndShrinksBack)
{
    Image image("-t ext4 -b 1024", "32M");
    ASSERT_TRUE(image.ok);
    uint64_t const free_before = superblock_free_blocks(image.path);
    uint32_t ino;
    std::string model;
    size_t const blocks = 2400; // 1200 extents: over 4 leaves of 84
    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        File file { lookup_path(volume, "f0").release_value(), "" };
        ino = file.inode.ino;
        // The second file takes the blocks in between, so that no two
        // extents of the first touch.
        File other { lookup_path(volume, "f1").release_value(), "" };
        for (size_t b = 0; b < blocks; b += 2) {
            ASSERT_EQ(write_at(volume, file, b * 1024, pattern(1024, unsigned(b))), 1024);
            ASSERT_EQ(write_at(volume, other, b / 2 * 1024, pattern(1024, unsigned(b + 1))), 1024);
        }
        ASSERT_FALSE(volume.close().is_error());
        model = file.model;
    }
    EXPECT_GE(extent_depth(image.path, ino), 2);
    expect_image_holds(image.path, "f0", model);

    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        File file { lookup_path(volume, "f0").release_value(), model };
        EXPECT_EQ(truncate_to(volume, file, 1001 * 1024 + 10), 0);
        ASSERT_FALSE(volume.close().is_error());
        model = file.model;
    }
    expect_image_holds(image.path, "f0", model);

    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        File file { lookup_path(volume, "f0").release_value(), model };
        EXPECT_EQ(truncate_to(volume, file, 0), 0);
        EXPECT_EQ(file.inode.blocks, 0u);
        File other { lookup_path(volume, "f1").release_value(), "" };
        EXPECT_EQ(truncate_to(volume, other, 0), 0);
        ASSERT_FALSE(volume.close().is_error());
    }
    EXPECT_EQ(extent_depth(image.path, ino), 0);
    EXPECT_EQ(blockcount(image.path, "f0"), 0u);
    EXPECT_EQ(superblock_free_blocks(image.path), free_before);
    expect_image_holds(image.path, "f0", "");
}

// Blocks written in a shuffled order: extents go in before the first key,
// in the middle of full leaves (split in halves), and merge with both
// neighbours' runs.
TEST(Ext4Write, WritesInAnyOrderKeepTheTreeSorted)
{
    for (char const* options : { "-t ext4 -b 1024", "-t ext2 -b 1024" }) {
        SCOPED_TRACE(options);
        Image image(options, "32M");
        ASSERT_TRUE(image.ok);
        std::string model;
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            File other { lookup_path(volume, "f1").release_value(), "" };
            std::vector<size_t> order;
            for (size_t b = 0; b < 3000; b += 3) order.push_back(b);
            std::mt19937 random(42);
            std::shuffle(order.begin(), order.end(), random);
            for (size_t b : order) {
                ASSERT_EQ(write_at(volume, file, b * 1024 + 1, pattern(1500, unsigned(b))), 1500);
                ASSERT_EQ(write_at(volume, other, other.model.size(), "x"), 1);
            }
            ASSERT_FALSE(volume.close().is_error());
            model = file.model;
        }
        expect_image_holds(image.path, "f0", model);
    }
}

// A file much larger than a group, on images of many small groups (some
// BLOCK_UNINIT, whose bitmaps are built on first use), so that its runs
// cross groups and skip the metadata at their starts; then freed again.
TEST(Ext4Write, FilesCrossManySmallGroups)
{
    Variant const variants[] = {
        { "-t ext4 -b 1024 -g 1024 -N 2048", "24M" },
        { "-t ext4 -O ^flex_bg -b 1024 -g 1024", "24M" },
        { "-t ext4 -O ^metadata_csum,uninit_bg -b 1024 -g 1024", "24M" },
        { "-t ext4 -O ^64bit -b 1024 -g 2048", "24M" },
        { "-t ext4 -O meta_bg,^resize_inode -b 1024 -g 1024", "24M" },
        { "-t ext2 -b 1024 -g 1024", "24M" },
        { "-t ext3 -b 1024 -g 1024", "24M" },
    };
    for (auto const& [options, size] : variants) {
        SCOPED_TRACE(options);
        Image image(options, size);
        ASSERT_TRUE(image.ok);
        uint64_t const free_before = superblock_free_blocks(image.path);
        std::string model;
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            ASSERT_GE(volume.group_count(), 12u);
            File file { lookup_path(volume, "f0").release_value(), "" };
            // 8 MiB in uneven pieces.
            std::string const bytes = pattern(8 << 20, 7);
            for (size_t at = 0; at < bytes.size();) {
                size_t const n = std::min(bytes.size() - at, size_t(300000));
                ASSERT_EQ(write_at(volume, file, at, bytes.substr(at, n)), long(n));
                at += n;
            }
            File small { lookup_path(volume, "dir/g").release_value(), "" };
            ASSERT_EQ(write_at(volume, small, 0, "small"), 5);
            ASSERT_FALSE(volume.close().is_error());
            model = file.model;
        }
        expect_image_holds(image.path, "f0", model);
        expect_image_holds(image.path, "dir/g", "small");
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            File file { lookup_path(*opened.volume, "f0").release_value(), model };
            EXPECT_EQ(truncate_to(*opened.volume, file, 0), 0);
            File small { lookup_path(*opened.volume, "dir/g").release_value(), "small" };
            EXPECT_EQ(truncate_to(*opened.volume, small, 0), 0);
            ASSERT_FALSE(opened.volume->close().is_error());
        }
        EXPECT_EQ(superblock_free_blocks(image.path), free_before);
        expect_image_holds(image.path, "f0", "");
    }
}

// Writing until the disk is full: a short write, then ENOSPC, and a
// consistent file system holding what was written; freeing it gives the
// blocks back.
TEST(Ext4Write, AFullDiskIsEnospcAndStaysConsistent)
{
    for (auto const& [options, size] : { Variant { "-t ext4 -b 1024", "4M" }, Variant { "-t ext2 -b 1024", "4M" },
             Variant { "-t ext4 -b 4096", "8M" } }) {
        SCOPED_TRACE(options);
        Image image(options, size);
        ASSERT_TRUE(image.ok);
        uint64_t const free_before = superblock_free_blocks(image.path);
        std::string model;
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            std::string const chunk = pattern(100000, 3);
            bool short_write = false;
            for (int i = 0; i < 200; i++) {
                long const written = write_at(volume, file, file.model.size(), chunk);
                if (written == -ENOSPC) break;
                ASSERT_GT(written, 0);
                if (size_t(written) < chunk.size()) short_write = true;
            }
            EXPECT_TRUE(short_write);
            EXPECT_EQ(write_at(volume, file, file.model.size(), "more"), -ENOSPC);
            // A hole cannot be filled either, but overwriting is fine.
            EXPECT_EQ(write_at(volume, file, file.model.size() + 100000, "x"), -ENOSPC);
            EXPECT_EQ(write_at(volume, file, 10, "overwritten"), 11);
            EXPECT_EQ(file.inode.size, file.model.size());
            ASSERT_FALSE(volume.close().is_error());
            model = file.model;
        }
        EXPECT_LT(superblock_free_blocks(image.path), 2u);
        expect_image_holds(image.path, "f0", model);
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            File file { lookup_path(*opened.volume, "f0").release_value(), model };
            EXPECT_EQ(truncate_to(*opened.volume, file, 0), 0);
            ASSERT_FALSE(opened.volume->close().is_error());
        }
        EXPECT_EQ(superblock_free_blocks(image.path), free_before);
        EXPECT_EQ(fsck_output(image.path), "");
    }
}

// release(): every block, tree block and the inode number go back; the
// name is then removed with debugfs (names are not this writer's), and
// the counts are what they were before the file was written.
TEST(Ext4Write, ReleaseFreesEverything)
{
    for (char const* options : { "-t ext4 -b 1024", "-t ext3 -b 1024", "-t ext4 -b 4096" }) {
        SCOPED_TRACE(options);
        Image image(options, "32M");
        ASSERT_TRUE(image.ok);
        auto const before = peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset);
        uint64_t const free_before = superblock_free_blocks(image.path);
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            for (size_t b = 0; b < 3000; b += 2)
                ASSERT_EQ(write_at(volume, file, b * volume.block_size(), pattern(100, unsigned(b))), 100);
            EXPECT_EQ(volume.release(file.inode, kNow).error().code(), EINVAL); // still linked
            file.inode.links = 0;
            ASSERT_FALSE(volume.release(file.inode, kNow).is_error());
            EXPECT_EQ(file.inode.blocks, 0u);
            ASSERT_FALSE(volume.close().is_error());
        }
        EXPECT_EQ(superblock_free_blocks(image.path), free_before);
        auto const after = peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset);
        EXPECT_EQ(after.s_free_inodes_count, before.s_free_inodes_count + 1);
        EXPECT_NE(debugfs_output(image.path, "stat /f0").find("Links: 0"), std::string::npos);
        run("debugfs -w -R 'unlink /f0' '" + image.path + "' >/dev/null 2>&1");
        EXPECT_EQ(fsck_output(image.path), "");
    }
}

// A file with an xattr block (debugfs ea_set): release() gives the block
// back with the rest, after checking its checksum.
TEST(Ext4Write, ReleaseFreesTheXattrBlock)
{
    for (char const* options : { "-t ext4 -b 1024", "-t ext2 -b 1024" }) {
        SCOPED_TRACE(options);
        Image image(options, "16M");
        ASSERT_TRUE(image.ok);
        uint64_t const free_before = superblock_free_blocks(image.path);
        write_file(image.dir / "value", std::string(700, 'v'));
        ASSERT_EQ(run("debugfs -w -R 'ea_set -f " + (image.dir / "value") + " /f0 user.big' '" + image.path
                      + "' >/dev/null 2>&1"),
            0);
        ASSERT_EQ(superblock_free_blocks(image.path), free_before - 1); // the xattr block
        ASSERT_EQ(fsck_output(image.path), "");
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            ASSERT_EQ(write_at(volume, file, 0, pattern(5000, 1)), 5000);
            file.inode.links = 0;
            ASSERT_FALSE(volume.release(file.inode, kNow).is_error());
            EXPECT_EQ(file.inode.blocks, 0u);
            ASSERT_FALSE(volume.close().is_error());
        }
        EXPECT_EQ(superblock_free_blocks(image.path), free_before);
        run("debugfs -w -R 'unlink /f0' '" + image.path + "' >/dev/null 2>&1");
        EXPECT_EQ(fsck_output(image.path), "");
    }
}

// Extents fallocate left uninitialized (debugfs makes them): writing into
// one splits it, the written part becomes initialized, the rest still
// reads as zeros.
TEST(Ext4Write, WritingIntoUninitializedExtentsSplitsThem)
{
    Image image("-t ext4 -b 1024", "32M");
    ASSERT_TRUE(image.ok);
    ASSERT_EQ(run("debugfs -w -R 'fallocate /f0 0 299' '" + image.path + "' >/dev/null 2>&1"), 0);
    ASSERT_EQ(run("debugfs -w -R 'sif /f0 size 307200' '" + image.path + "' >/dev/null 2>&1"), 0);
    ASSERT_EQ(fsck_output(image.path), "");
    std::string model(300 * 1024, '\0');
    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        File file { lookup_path(volume, "f0").release_value(), model };
        ASSERT_EQ(read_file(volume, file.inode).release_value(), model);
        EXPECT_EQ(write_at(volume, file, 100 * 1024 + 10, pattern(3000, 1)), 3000); // the middle: three pieces
        EXPECT_EQ(write_at(volume, file, 0, "start"), 5); // the start
        EXPECT_EQ(write_at(volume, file, 300 * 1024 - 4, "end!"), 4); // the end
        EXPECT_EQ(write_at(volume, file, 300 * 1024 - 2, "past"), 4); // and past it
        ASSERT_FALSE(volume.close().is_error());
        model = file.model;
    }
    expect_image_holds(image.path, "f0", model);
    std::string const stat = debugfs_output(image.path, "stat /f0");
    EXPECT_NE(stat.find("[u]"), std::string::npos) << stat; // uninitialized pieces remain
}

// A write whose source fails midway: what was copied stays, the size
// covers it, and nothing allocated past it is left behind.
TEST(Ext4Write, ASourceFailingMidwayWritesWhatItGot)
{
    for (char const* options : { "-t ext4 -b 1024", "-t ext2 -b 1024" }) {
        SCOPED_TRACE(options);
        Image image(options, "32M");
        ASSERT_TRUE(image.ok);
        std::string model;
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            ASSERT_EQ(write_at(volume, file, 0, pattern(10000, 1)), 10000);
            // An overwrite failing inside a block keeps that block's old bytes.
            std::string const bytes = pattern(50000, 2);
            StringSource failing(bytes, 4000);
            auto written = volume.write(file.inode, 1500, bytes.size(), failing, kNow);
            ASSERT_FALSE(written.is_error());
            // Whole blocks of it: 548 bytes to the first boundary, then
            // three blocks; the fourth fails.
            EXPECT_EQ(written.value(), 3620u);
            file.model.replace(1500, 3620, bytes, 0, 3620);
            // Nothing at all: the error.
            StringSource failing_at_once(bytes, 0);
            EXPECT_EQ(volume.write(file.inode, 20000, 100, failing_at_once, kNow).error().code(), EFAULT);
            EXPECT_EQ(file.inode.size, 10000u);
            ASSERT_FALSE(volume.close().is_error());
            model = file.model;
        }
        expect_image_holds(image.path, "f0", model);
    }
}

TEST(Ext4Write, SizesPastLinuxsLimitsAreEfbig)
{
    struct Limit {
        char const* options;
        uint64_t max; // Linux's s_maxbytes (ext4_max_size, ext4_max_bitmap_size)
    };
    Limit const limits[] = {
        { "-t ext4 -b 4096", ((1ull << 32) - 1) * 4096 },
        { "-t ext4 -b 1024", ((1ull << 32) - 1) * 1024 },
        { "-t ext4 -b 1024 -O ^huge_file", (((1ull << 32) - 1) >> 1) << 10 },
        { "-t ext2 -b 1024", (12ull + 256 + 256 * 256 + 256 * 256 * 256) * 1024 },
        // Without huge_file, i_blocks's 32 bits bind first: 2^29 - 1 blocks
        // of 4 KiB, less the 524801 indirect blocks those need.
        { "-t ext2 -b 4096 -O ^large_file", 536346110ull * 4096 },
    };
    for (auto const& limit : limits) {
        SCOPED_TRACE(limit.options);
        Image image(limit.options, "16M");
        ASSERT_TRUE(image.ok);
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        auto inode = lookup_path(volume, "f0").release_value();
        auto write = [&](uint64_t offset, std::string const& bytes) -> long {
            StringSource source(bytes);
            auto written = volume.write(inode, offset, bytes.size(), source, kNow);
            return written.is_error() ? -written.error().code() : long(written.value());
        };
        EXPECT_EQ(write(limit.max, "x"), -EFBIG);
        EXPECT_EQ(error_of(volume.truncate(inode, limit.max + 1, kNow)), EFBIG);
        // Up to the limit is fine: the last bytes, in a hole far away.
        EXPECT_EQ(write(limit.max - 1, "y"), 1);
        EXPECT_EQ(write(limit.max - 3, "abcdef"), 3); // clipped to the limit
        EXPECT_EQ(inode.size, limit.max);
        std::string tail;
        VectorSink sink(tail);
        EXPECT_EQ(volume.read(inode, limit.max - 5, 100, sink).value_or(0), 5u);
        EXPECT_EQ(tail, std::string("\0\0abc", 5));
        // A file past 2 GiB turns LARGE_FILE on where it was off.
        ASSERT_FALSE(volume.close().is_error());
        auto const super = peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset);
        EXPECT_TRUE(super.s_feature_ro_compat & ext4::kRoCompatLargeFile);
        EXPECT_EQ(fsck_output(image.path), "");
        EXPECT_EQ(error_of(volume.truncate(inode, 0, kNow)), EROFS); // closed: read-only again
    }
}

// block_for_write, as the directory code uses it: a zeroed block,
// allocated once, the same one after; the inode is written with it.
TEST(Ext4Write, BlockForWriteAllocatesOnce)
{
    for (char const* options : { "-t ext4 -b 1024", "-t ext2 -b 1024" }) {
        SCOPED_TRACE(options);
        Image image(options, "32M");
        ASSERT_TRUE(image.ok);
        std::string model;
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            EXPECT_EQ(write_at(volume, file, 0, pattern(3000, 1)), 3000);
            auto existing = ext4::VolumeTestPeer::block_for_write(volume, file.inode, 1);
            ASSERT_FALSE(existing.is_error());
            EXPECT_EQ(existing.value(), volume.map(file.inode, 1).release_value().physical);
            auto fresh = ext4::VolumeTestPeer::block_for_write(volume, file.inode, 3);
            ASSERT_FALSE(fresh.is_error());
            auto handle = volume.cache().get(fresh.value()).release_value();
            EXPECT_TRUE(std::all_of(handle.data(), handle.data() + 1024, [](u8 b) { return b == 0; }));
            std::fill(handle.mutable_data(), handle.mutable_data() + 1024, 'z');
            handle = BlockHandle();
            EXPECT_EQ(ext4::VolumeTestPeer::block_for_write(volume, file.inode, 3).value(), fresh.value());
            // The caller sets the size (as the directory code does).
            file.inode.size = 4 * 1024;
            file.model.resize(3 * 1024, '\0');
            file.model += std::string(1024, 'z');
            ASSERT_FALSE(volume.update_inode(file.inode).is_error());
            ASSERT_FALSE(volume.close().is_error());
            model = file.model;
        }
        expect_image_holds(image.path, "f0", model);
    }
}

// A write into a hole (or an uninitialized extent) whose source fails
// midway: the blocks mapped for it but never written read zero, not what
// the disk held (here the bytes of a deleted file), as Linux returns the
// bytes it copied and the rest of the hole stays a hole.
TEST(Ext4Write, ASourceFailingInAHoleLeavesTheRestZero)
{
    struct Case {
        char const* options;
        bool preallocated;
    };
    for (auto const& [options, preallocated] :
        { Case { "-t ext4 -b 1024", false }, Case { "-t ext2 -b 1024", false }, Case { "-t ext4 -b 1024", true } }) {
        SCOPED_TRACE(std::string(options) + (preallocated ? " fallocated" : " hole"));
        TempDir dir;
        std::string const source = dir / "src";
        run("mkdir -p '" + source + "'");
        write_file(source + "/f0", "");
        write_file(source + "/big", std::string(4 << 20, 'X'));
        std::string const image = dir / "image";
        ASSERT_EQ(make_image(image, source, options, "32M"), 0);
        // The free blocks hold the deleted file's 'X's.
        ASSERT_EQ(run("debugfs -w -R 'rm /big' '" + image + "' >/dev/null 2>&1"), 0);
        if (preallocated) {
            ASSERT_EQ(run("debugfs -w -R 'fallocate /f0 0 1023' '" + image + "' >/dev/null 2>&1"), 0);
        }
        ASSERT_EQ(fsck_output(image), "");
        std::string model;
        {
            auto opened = open_image_writable(image, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            File file { lookup_path(volume, "f0").release_value(), "" };
            ASSERT_EQ(truncate_to(volume, file, 1 << 20), 0);
            std::string const bytes = pattern(64 << 10, 1);
            StringSource failing(bytes, 4096);
            auto written = volume.write(file.inode, 0, bytes.size(), failing, kNow);
            ASSERT_FALSE(written.is_error());
            EXPECT_EQ(written.value(), 4096u);
            file.model.replace(0, 4096, bytes, 0, 4096);
            EXPECT_EQ(file.inode.size, uint64_t(1 << 20));
            ASSERT_FALSE(volume.close().is_error());
            model = file.model;
        }
        expect_image_holds(image, "f0", model);
    }
}

// close() marks the disk clean only once everything else is on it: a
// write-back that fails leaves the superblock saying "not clean".
TEST(Ext4Write, CloseWhoseWriteBackFailsLeavesTheDiskNotClean)
{
    Image image("-t ext4 -b 1024", "32M");
    ASSERT_TRUE(image.ok);
    ASSERT_TRUE(peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset).s_state & ext4::kStateValid);
    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        EXPECT_FALSE(peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset).s_state & ext4::kStateValid);
        File file { lookup_path(volume, "f0").release_value(), "" };
        ASSERT_EQ(write_at(volume, file, 0, pattern(256 << 10, 1)), 256 << 10);
        // The superblock and descriptors (the image's first KiBs) still go
        // out; the file's data, past 1 MiB, does not.
        opened.backend->fail_writes_from(1 << 20);
        auto closed = volume.close();
        ASSERT_TRUE(closed.is_error());
        EXPECT_EQ(closed.error().code(), EIO);
        EXPECT_FALSE(peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset).s_state & ext4::kStateValid);
        // Once the disk takes writes again, close() finishes and marks it clean.
        opened.backend->fail_writes_from(~uint64_t(0));
        EXPECT_FALSE(volume.close().is_error());
        EXPECT_TRUE(peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset).s_state & ext4::kStateValid);
    }
    EXPECT_EQ(fsck_output(image.path), "");
}

// Truncation checks each extent node's checksum before changing it: a
// corrupt leaf is EUCLEAN, and is left as it was (not resealed).
TEST(Ext4Write, TruncateRefusesAnExtentLeafWithABadChecksum)
{
    Image image("-t ext4 -b 1024", "32M");
    ASSERT_TRUE(image.ok);
    uint32_t ino;
    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        File file { lookup_path(volume, "f0").release_value(), "" };
        File other { lookup_path(volume, "f1").release_value(), "" };
        ino = file.inode.ino;
        // 200 one-block extents: three leaves under the root.
        for (size_t b = 0; b < 400; b += 2) {
            ASSERT_EQ(write_at(volume, file, b * 1024, pattern(1024, unsigned(b))), 1024);
            ASSERT_EQ(write_at(volume, other, b / 2 * 1024, pattern(1024, unsigned(b + 1))), 1024);
        }
        ASSERT_FALSE(volume.close().is_error());
    }
    ASSERT_EQ(extent_depth(image.path, ino), 1);
    uint64_t const root = inode_offset(image.path, ino) + offsetof(ext4::DiskInode, i_block);
    auto const header = peek_value<ext4::ExtentHeader>(image.path, root);
    ASSERT_GE(header.eh_entries, 2);
    auto const last = peek_value<ext4::ExtentIndex>(
        image.path, root + sizeof(ext4::ExtentHeader) + (header.eh_entries - 1u) * sizeof(ext4::ExtentIndex));
    uint64_t const leaf = last.ei_leaf_lo | uint64_t(last.ei_leaf_hi) << 32;
    auto const leaf_header = peek_value<ext4::ExtentHeader>(image.path, leaf * 1024);
    uint64_t const tail = leaf * 1024 + sizeof(ext4::ExtentHeader) + leaf_header.eh_max * sizeof(ext4::Extent);
    uint32_t const bad = peek_value<uint32_t>(image.path, tail) ^ 0x1000;
    patch_value<uint32_t>(image.path, tail, bad);
    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        File file { lookup_path(volume, "f0").release_value(), "" };
        EXPECT_EQ(error_of(volume.truncate(file.inode, 10 * 1024, kNow)), EUCLEAN);
        ASSERT_FALSE(volume.close().is_error());
    }
    EXPECT_EQ(peek_value<uint32_t>(image.path, tail), bad);
}

} // namespace
