// The allocator (through VolumeTestPeer): inodes for files and
// directories across groups (INODE_UNINIT groups, bg_itable_unused, the
// bitmaps' checksums), blocks that round-trip to the very bytes mke2fs
// wrote, and bitmaps that call metadata free refused rather than believed.
// Oracles: e2fsck -fn, debugfs, and mke2fs's own bytes.
#include "image.h"
#include "volume_test_peer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace {

using namespace ext4_test;
using ext4::VolumeTestPeer;

constexpr ext4::Time kNow { 1700000000, 0 };
constexpr uint32_t kModeRegular = 0100000;

struct Image {
    TempDir dir;
    std::string path;
    bool ok { false };
    Image(std::string const& options, std::string const& size)
    {
        std::string const source = dir / "src";
        run("mkdir -p '" + source + "'");
        write_file(source + "/a", "alpha");
        path = dir / "image";
        ok = make_image(path, source, options, size) == 0;
    }
};

ext4::Superblock superblock(std::string const& image)
{
    return peek_value<ext4::Superblock>(image, ext4::kSuperblockOffset);
}

uint64_t block_size_of(ext4::Superblock const& super) { return 1024ull << super.s_log_block_size; }

// The group descriptor table as mke2fs laid it out (no meta_bg here).
std::string descriptor_table(std::string const& image)
{
    auto const super = superblock(image);
    uint64_t const block_size = block_size_of(super);
    uint64_t const desc_size = (super.s_feature_incompat & ext4::kIncompat64Bit) ? super.s_desc_size : 32;
    uint64_t const groups = (super.s_inodes_count + super.s_inodes_per_group - 1) / super.s_inodes_per_group;
    std::string bytes(groups * desc_size, '\0');
    peek(image, (ext4::kSuperblockOffset / block_size + 1) * block_size, bytes.data(), bytes.size());
    return bytes;
}

ext4::GroupDescriptor descriptor(std::string const& image, uint32_t group)
{
    auto const super = superblock(image);
    uint64_t const block_size = block_size_of(super);
    uint64_t const desc_size = (super.s_feature_incompat & ext4::kIncompat64Bit) ? super.s_desc_size : 32;
    ext4::GroupDescriptor out {};
    peek(image, (ext4::kSuperblockOffset / block_size + 1) * block_size + group * desc_size, &out, desc_size);
    return out;
}

std::string block_bytes(std::string const& image, uint64_t block)
{
    uint64_t const block_size = block_size_of(superblock(image));
    std::string bytes(block_size, '\0');
    peek(image, block * block_size, bytes.data(), bytes.size());
    return bytes;
}

// Files: allocate_inode near the root, initialize_inode, a link count of
// one; then debugfs names them. Enough of them to fill group 0 and spill
// into INODE_UNINIT groups.
TEST(Ext4Alloc, FileInodesFillGroupsInOrder)
{
    for (char const* options :
        { "-t ext4 -b 1024 -g 1024 -N 2048", "-t ext4 -O ^metadata_csum,uninit_bg -b 1024 -g 1024 -N 2048",
            "-t ext2 -b 1024 -g 1024 -N 2048", "-t ext4 -I 128 -b 1024 -g 1024 -N 2048" }) {
        SCOPED_TRACE(options);
        Image image(options, "24M");
        ASSERT_TRUE(image.ok);
        auto const before = superblock(image.path);
        std::vector<uint32_t> inodes;
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            for (int i = 0; i < 300; i++) {
                auto ino = VolumeTestPeer::allocate_inode(volume, ext4::kRootIno, false);
                ASSERT_FALSE(ino.is_error()) << i;
                auto inode = VolumeTestPeer::initialize_inode(volume, ino.value(), kModeRegular | 0640, 1000, 100, kNow);
                ASSERT_FALSE(inode.is_error()) << i;
                inode.value().links = 1;
                ASSERT_FALSE(volume.update_inode(inode.value()).is_error());
                inodes.push_back(ino.value());
            }
            ASSERT_FALSE(volume.close().is_error());
        }
        // The lowest free numbers, past the reserved ones; group after group.
        std::set<uint32_t> const distinct(inodes.begin(), inodes.end());
        EXPECT_EQ(distinct.size(), inodes.size());
        EXPECT_GE(*distinct.begin(), before.s_first_ino);
        EXPECT_EQ(inodes.front(), before.s_first_ino + 2); // after lost+found and /a
        EXPECT_GT(inodes.back(), 3 * before.s_inodes_per_group); // several groups used
        EXPECT_EQ(superblock(image.path).s_free_inodes_count, before.s_free_inodes_count - 300);

        std::string const commands = image.dir / "link.cmd";
        {
            std::ofstream out(commands);
            // Room for 300 names first: debugfs's link does not grow a directory.
            for (int i = 0; i < 8; i++) out << "expand_dir /\n";
            for (size_t i = 0; i < inodes.size(); i++)
                out << "link <" << inodes[i] << "> /n" << i << "\n";
        }
        ASSERT_EQ(run("debugfs -w -f '" + commands + "' '" + image.path + "' >/dev/null 2>&1"), 0);
        EXPECT_EQ(fsck_output(image.path), "");
        std::string const stat = debugfs_output(image.path, "stat /n299");
        EXPECT_NE(stat.find("Mode:  0640"), std::string::npos) << stat;
        EXPECT_NE(stat.find("User:  1000"), std::string::npos) << stat;
        auto opened = open_image(image.path);
        ASSERT_EQ(opened.error, 0);
        auto inode = lookup_path(*opened.volume, "n150").release_value();
        EXPECT_EQ(inode.ino, inodes[150]);
        EXPECT_EQ(inode.mode, kModeRegular | 0640);
        EXPECT_EQ(inode.size, 0u);
        EXPECT_EQ(inode.mtime.sec, kNow.sec);
        bool const extents = before.s_feature_incompat & ext4::kIncompatExtents;
        EXPECT_EQ(bool(inode.flags & ext4::kExtentsFlag), extents);
    }
}

// Directories spread over the groups (Orlov-lite); freeing them gives
// back the inodes and the directory counts.
TEST(Ext4Alloc, DirectoriesSpreadAndComeBack)
{
    Image image("-t ext4 -b 1024 -g 1024 -N 2048", "24M");
    ASSERT_TRUE(image.ok);
    auto const before = superblock(image.path);
    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        std::set<uint32_t> groups;
        std::vector<uint32_t> dirs;
        for (int i = 0; i < 12; i++) {
            auto ino = VolumeTestPeer::allocate_inode(volume, ext4::kRootIno, true);
            ASSERT_FALSE(ino.is_error());
            dirs.push_back(ino.value());
            groups.insert((ino.value() - 1) / before.s_inodes_per_group);
        }
        EXPECT_GE(groups.size(), 6u);
        // A subdirectory of one of them stays near it (its group has room).
        auto child = VolumeTestPeer::allocate_inode(volume, dirs[3], true);
        ASSERT_FALSE(child.is_error());
        dirs.push_back(child.value());
        for (uint32_t ino : dirs) ASSERT_FALSE(VolumeTestPeer::free_inode(volume, ino, true).is_error());
        // Twice is corruption.
        EXPECT_EQ(VolumeTestPeer::free_inode(volume, dirs[0], true).error().code(), EUCLEAN);
        // The reserved inodes are never anyone's to free.
        EXPECT_EQ(VolumeTestPeer::free_inode(volume, ext4::kRootIno, true).error().code(), EUCLEAN);
        ASSERT_FALSE(volume.close().is_error());
    }
    EXPECT_EQ(superblock(image.path).s_free_inodes_count, before.s_free_inodes_count);
    EXPECT_EQ(fsck_output(image.path), ""); // which checks every group's directory count
}

// Blocks taken and given back in initialized groups: the bitmaps and
// descriptors (counts and checksums, ours) come out as mke2fs wrote them.
TEST(Ext4Alloc, BlocksRoundTripToMke2fsBytes)
{
    for (char const* options : { "-t ext4 -b 1024 -g 1024 -O ^flex_bg", "-t ext4 -O ^64bit -b 1024 -g 1024 -O ^flex_bg",
             "-t ext4 -O ^metadata_csum,uninit_bg,^flex_bg -b 1024 -g 1024", "-t ext3 -b 1024 -g 1024" }) {
        SCOPED_TRACE(options);
        Image image(options, "16M");
        ASSERT_TRUE(image.ok);
        auto const super = superblock(image.path);
        uint32_t const groups = super.s_inodes_count / super.s_inodes_per_group;
        std::string const table = descriptor_table(image.path);
        std::vector<std::string> bitmaps;
        std::vector<uint32_t> initialized;
        for (uint32_t g = 0; g < groups; g++) {
            auto const d = descriptor(image.path, g);
            bool const uninit = (super.s_feature_ro_compat & (ext4::kRoCompatMetadataCsum | ext4::kRoCompatGdtCsum))
                && (d.bg_flags & ext4::kGroupBlockUninit);
            if (uninit) continue;
            initialized.push_back(g);
            bitmaps.push_back(block_bytes(image.path, d.bg_block_bitmap_lo));
        }
        ASSERT_GE(initialized.size(), 2u);
        {
            auto opened = open_image_writable(image.path, kNow);
            ASSERT_EQ(opened.error, 0);
            auto& volume = *opened.volume;
            for (uint32_t g : initialized) {
                if (descriptor(image.path, g).bg_free_blocks_count_lo == 0) continue; // the journal's, say
                uint64_t const goal = super.s_first_data_block + uint64_t(g) * super.s_blocks_per_group;
                auto run = VolumeTestPeer::allocate_blocks(volume, goal, 40);
                ASSERT_FALSE(run.is_error()) << g;
                EXPECT_EQ((run.value().first - super.s_first_data_block) / super.s_blocks_per_group, g);
                EXPECT_GE(run.value().count, 1u);
                ASSERT_FALSE(VolumeTestPeer::free_blocks(volume, run.value().first, run.value().count).is_error());
                EXPECT_EQ(VolumeTestPeer::free_blocks(volume, run.value().first, 1).error().code(), EUCLEAN);
            }
            ASSERT_FALSE(volume.close().is_error());
        }
        EXPECT_TRUE(descriptor_table(image.path) == table);
        for (size_t i = 0; i < initialized.size(); i++) {
            auto const d = descriptor(image.path, initialized[i]);
            EXPECT_TRUE(block_bytes(image.path, d.bg_block_bitmap_lo) == bitmaps[i]) << initialized[i];
        }
        EXPECT_EQ(fsck_output(image.path), "");
    }
}

// A bitmap that calls a metadata block free (debugfs freeb, with its
// checksums right) is corrupt: the allocator refuses rather than hand the
// block out over an inode table, a bitmap, a reserved GDT block or a
// superblock backup.
TEST(Ext4Alloc, NeverHandsOutMetadata)
{
    Image image("-t ext4 -b 1024 -g 1024", "16M");
    ASSERT_TRUE(image.ok);
    auto const g0 = descriptor(image.path, 0);
    auto const g1 = descriptor(image.path, 1);
    uint64_t const victims[] = {
        g0.bg_inode_table_lo + 2, // an inode table
        g1.bg_block_bitmap_lo, // group 1's bitmap (in group 0: flex_bg)
        4, // a reserved GDT block
        1025, // group 1's superblock backup
    };
    for (uint64_t victim : victims) {
        SCOPED_TRACE(victim);
        std::string const copy = image.dir / "copy";
        ASSERT_EQ(run("cp '" + image.path + "' '" + copy + "'"), 0);
        ASSERT_EQ(run("debugfs -w -R 'freeb " + std::to_string(victim) + "' '" + copy + "' >/dev/null 2>&1"), 0);
        auto opened = open_image_writable(copy, kNow);
        ASSERT_EQ(opened.error, 0);
        auto run = VolumeTestPeer::allocate_blocks(*opened.volume, victim, 1);
        ASSERT_TRUE(run.is_error()) << "handed out " << run.value().first;
        EXPECT_EQ(run.error().code(), EUCLEAN);
    }
}

// Every free block, taken run by run until ENOSPC, then all given back:
// no run overlaps another, and the file system is as it was.
TEST(Ext4Alloc, TakesEveryFreeBlockThenEnospc)
{
    Image image("-t ext4 -b 1024 -g 1024", "8M");
    ASSERT_TRUE(image.ok);
    auto const before = superblock(image.path);
    uint64_t const free_before = before.s_free_blocks_count_lo;
    {
        auto opened = open_image_writable(image.path, kNow);
        ASSERT_EQ(opened.error, 0);
        auto& volume = *opened.volume;
        std::vector<VolumeTestPeer::Run> runs;
        uint64_t taken = 0;
        for (;;) {
            auto run = VolumeTestPeer::allocate_blocks(volume, 0, 500);
            if (run.is_error()) {
                EXPECT_EQ(run.error().code(), ENOSPC);
                break;
            }
            runs.push_back(run.value());
            taken += run.value().count;
            ASSERT_LE(taken, free_before);
        }
        EXPECT_EQ(taken, free_before);
        std::set<uint64_t> blocks;
        for (auto const& r : runs)
            for (uint64_t b = r.first; b < r.first + r.count; b++) EXPECT_TRUE(blocks.insert(b).second) << b;
        for (auto const& r : runs) ASSERT_FALSE(VolumeTestPeer::free_blocks(volume, r.first, r.count).is_error());
        ASSERT_FALSE(volume.close().is_error());
    }
    EXPECT_EQ(superblock(image.path).s_free_blocks_count_lo, free_before);
    EXPECT_EQ(fsck_output(image.path), "");
}

} // namespace
