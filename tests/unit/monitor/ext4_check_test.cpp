// The fs-bitmaps check (monitor/ext4_check.h) on images mke2fs builds from
// a tree the test writes: clean images of every layout give no
// disagreement; each corruption debugfs makes on the host is found and
// named (inode, logical block, owner); the dirty-block overlay is what
// makes a half-written file system whole; and corrupt metadata gives a
// report or an error, never a crash or an endless walk.
#include "ext4_images.h"

#include <gtest/gtest.h>

#include <fs/ext4/format.h>

#include <algorithm>
#include <chrono>
#include <random>

using namespace aramid::monitor;
using namespace monitor_test;

namespace {

// One tree for every test: writing it (a 3 MiB file, 300 entries) is
// most of the cost.
class Ext4CheckTree : public testing::Test {
public:
    static void SetUpTestSuite() {
        s_dir = new ScratchDir;
        write_tree(*s_dir / "tree");
    }
    static void TearDownTestSuite() {
        delete s_dir;
        s_dir = nullptr;
    }

protected:
    static std::string tree() { return *s_dir / "tree"; }
    // A fresh image made with `options`, in this test's own directory.
    std::string image(std::string const& options, std::string const& size = "16M") {
        std::string const path = m_dir / "disk.img";
        EXPECT_TRUE(make_image(options, tree(), path, size)) << options;
        return path;
    }
    static CheckReport check(std::string const& path, uint32_t max_items = 64) {
        auto file = ImageFile::open(path);
        EXPECT_TRUE(file) << path;
        if (!file) return {};
        CheckOptions options;
        options.max_items = max_items;
        return check_ext4_bitmaps(*file, options);
    }

    ScratchDir m_dir;

private:
    static ScratchDir* s_dir;
};
ScratchDir* Ext4CheckTree::s_dir = nullptr;

class Ext4CheckClean : public Ext4CheckTree, public testing::WithParamInterface<char const*> { };

// mke2fs's images are consistent: the check must say so for every layout,
// and account for every used block and inode.
TEST_P(Ext4CheckClean, NoDisagreements) {
    std::string const path = image(GetParam());
    CheckReport const report = check(path);
    ASSERT_EQ(report.error, "") << GetParam();
    EXPECT_EQ(report.disagreements(), 0u) << GetParam() << "\n" << describe(report);
    EXPECT_TRUE(report.complete) << describe(report);
    EXPECT_EQ(report.note_count, 0u) << describe(report);
    // The superblock counts block 0 of a 1 KiB file system, which is in no group.
    EXPECT_EQ(report.blocks - report.first_data_block - report.super_free_blocks, report.blocks_used);
    EXPECT_EQ(report.inodes - report.super_free_inodes, report.inodes_used);
    EXPECT_EQ(report.blocks_owned, report.blocks_used); // every used block has exactly one owner
    EXPECT_GT(report.inodes_walked, 300u);               // the tree's entries and the reserved inodes
    std::string const stats = debugfs(path, "stats");
    EXPECT_EQ(report.blocks, number_after(stats, "Block count:")) << stats.substr(0, 400);
    EXPECT_EQ(report.block_size, number_after(stats, "Block size:"));
    EXPECT_EQ(report.inodes, number_after(stats, "Inode count:"));
    uint64_t const per_group = number_after(stats, "Blocks per group:");
    EXPECT_EQ(report.groups, (report.blocks - report.first_data_block + per_group - 1) / per_group);
}

INSTANTIATE_TEST_SUITE_P(Layouts, Ext4CheckClean,
                         testing::Values("-t ext4 -b 4096", "-t ext4 -b 1024", "-t ext4 -b 1024 -O ^64bit",
                                         "-t ext2 -b 4096", "-t ext2 -b 1024", "-t ext3", "-t ext4 -O ^extent,^64bit",
                                         "-t ext4 -b 4096 -O meta_bg,^resize_inode",
                                         "-t ext4 -b 1024 -O meta_bg,^resize_inode", "-t ext4 -O ^flex_bg",
                                         "-t ext4 -O ^metadata_csum,uninit_bg", "-t ext4 -b 1024 -O sparse_super2",
                                         "-t ext4 -I 128", "-t ext4 -O inline_data", "-t ext4 -b 2048 -g 4096"));

TEST_F(Ext4CheckTree, UninitGroupsAsLinuxComputesThem) {
    // 96 MiB of 1 KiB blocks: twelve groups, most of them BLOCK_UNINIT
    // (what Linux's ext4_init_block_bitmap computes is the bitmap) and
    // INODE_UNINIT.
    std::string const path = image("-t ext4 -b 1024", "96M");
    CheckReport const report = check(path);
    ASSERT_EQ(report.error, "");
    EXPECT_EQ(report.groups, 12u);
    EXPECT_EQ(report.disagreements(), 0u) << describe(report);
    EXPECT_NE(debugfs(path, "stats").find("Block not init"), std::string::npos);
}

// ---- corruptions made by debugfs

class Ext4CheckCorrupt : public Ext4CheckTree, public testing::WithParamInterface<char const*> {
protected:
    void SetUp() override {
        m_image = image(GetParam());
        m_block_size = uint32_t(number_after(debugfs(m_image, "stats"), "Block size:"));
        ASSERT_GE(m_block_size, 1024u);
        ASSERT_EQ(check(m_image).disagreements(), 0u);
    }
    bool extents() const { return std::string(GetParam()).find("ext4") != std::string::npos; }
    // Points `path`'s first block (an extent's start, or i_block[0]) at `block`.
    void point_first_block(std::string const& path, uint64_t block) {
        debugfs(m_image, "sif " + path + (extents() ? " block[5] " : " block[0] ") + std::to_string(block), true);
    }
    static std::vector<DisagreementItem> of_kind(CheckReport const& report, Disagreement kind) {
        std::vector<DisagreementItem> items;
        for (auto const& item : report.items)
            if (item.kind == kind) items.push_back(item);
        return items;
    }

    std::string m_image;
    uint32_t m_block_size { 0 };
};

TEST_P(Ext4CheckCorrupt, FreedFileBlockIsUsedButFree) {
    std::vector<uint64_t> const blocks = blocks_of(m_image, "/big");
    ASSERT_GT(blocks.size(), 3u);
    uint32_t const ino = inode_of(m_image, "/big");
    debugfs(m_image, "freeb " + std::to_string(blocks[2]), true);
    CheckReport const report = check(m_image);
    ASSERT_EQ(report.count(Disagreement::BlockUsedButFree), 1u) << describe(report);
    // debugfs changes the bitmap alone, so group 0's count disagrees too.
    EXPECT_EQ(report.count(Disagreement::GroupFreeBlocks), 1u) << describe(report);
    EXPECT_EQ(report.disagreements(), 2u) << describe(report);
    auto const items = of_kind(report, Disagreement::BlockUsedButFree);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].block, blocks[2]);
    EXPECT_EQ(items[0].inode, ino);
    EXPECT_EQ(items[0].owner.inode, ino);
    EXPECT_EQ(items[0].owner.logical, 2u);
    EXPECT_EQ(items[0].owner.role, BlockRole::Data);
    EXPECT_NE(items[0].text.find("inode " + std::to_string(ino) + " (logical block 2, data)"), std::string::npos)
        << items[0].text;
}

TEST_P(Ext4CheckCorrupt, SetFreeBlockIsLeaked) {
    uint64_t const free = number_after(debugfs(m_image, "ffb 1 2000"), "Free blocks found: ");
    ASSERT_NE(free, 0u);
    debugfs(m_image, "setb " + std::to_string(free), true);
    CheckReport const report = check(m_image);
    EXPECT_EQ(report.count(Disagreement::BlockLeaked), 1u) << describe(report);
    EXPECT_EQ(report.count(Disagreement::GroupFreeBlocks), 1u) << describe(report);
    EXPECT_EQ(report.disagreements(), 2u) << describe(report);
    auto const items = of_kind(report, Disagreement::BlockLeaked);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].block, free);
}

TEST_P(Ext4CheckCorrupt, FreedInodeIsUsedButFree) {
    uint32_t const ino = inode_of(m_image, "/small");
    debugfs(m_image, "freei /small", true);
    CheckReport const report = check(m_image);
    EXPECT_EQ(report.count(Disagreement::InodeUsedButFree), 1u) << describe(report);
    EXPECT_EQ(report.count(Disagreement::GroupFreeInodes), 1u) << describe(report);
    EXPECT_EQ(report.disagreements(), 2u) << describe(report);
    auto const items = of_kind(report, Disagreement::InodeUsedButFree);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].inode, ino);
    EXPECT_NE(items[0].text.find("inode " + std::to_string(ino) + " is in use"), std::string::npos);
}

TEST_P(Ext4CheckCorrupt, MarkedFreeInodeIsMarkedButUnused) {
    uint32_t const ino = uint32_t(number_after(debugfs(m_image, "ffi"), "Free inode found: "));
    ASSERT_NE(ino, 0u);
    debugfs(m_image, "seti <" + std::to_string(ino) + ">", true);
    CheckReport const report = check(m_image);
    EXPECT_EQ(report.count(Disagreement::InodeMarkedButUnused), 1u) << describe(report);
    EXPECT_EQ(report.count(Disagreement::GroupFreeInodes), 1u) << describe(report);
    EXPECT_EQ(report.disagreements(), 2u) << describe(report);
    auto const items = of_kind(report, Disagreement::InodeMarkedButUnused);
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].inode, ino);
}

TEST_P(Ext4CheckCorrupt, TwoInodesOneBlock) {
    uint64_t const shared = blocks_of(m_image, "/a").at(0);
    uint64_t const old = blocks_of(m_image, "/b").at(0);
    uint32_t const a = inode_of(m_image, "/a"), b = inode_of(m_image, "/b");
    point_first_block("/b", shared);
    CheckReport const report = check(m_image);
    EXPECT_EQ(report.count(Disagreement::BlockMultiplyClaimed), 1u) << describe(report);
    EXPECT_EQ(report.count(Disagreement::BlockLeaked), 1u) << describe(report); // /b's own block, owned by nothing now
    EXPECT_EQ(report.disagreements(), 2u) << describe(report);
    auto const claimed = of_kind(report, Disagreement::BlockMultiplyClaimed);
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].block, shared);
    EXPECT_EQ(std::min(claimed[0].owner.inode, claimed[0].other.inode), std::min(a, b));
    EXPECT_EQ(std::max(claimed[0].owner.inode, claimed[0].other.inode), std::max(a, b));
    EXPECT_EQ(claimed[0].owner.role, BlockRole::Data);
    EXPECT_EQ(claimed[0].other.role, BlockRole::Data);
    auto const leaked = of_kind(report, Disagreement::BlockLeaked);
    ASSERT_EQ(leaked.size(), 1u);
    EXPECT_EQ(leaked[0].block, old);
}

TEST_P(Ext4CheckCorrupt, FileBlockOnABitmapIsClaimedTwice) {
    std::string const stats = debugfs(m_image, "stats");
    uint64_t const bitmap = number_after(stats, "block bitmap at ");
    ASSERT_NE(bitmap, 0u) << stats.substr(0, 2000);
    uint32_t const a = inode_of(m_image, "/a");
    point_first_block("/a", bitmap);
    CheckReport const report = check(m_image);
    auto const claimed = of_kind(report, Disagreement::BlockMultiplyClaimed);
    ASSERT_EQ(claimed.size(), 1u) << describe(report);
    EXPECT_EQ(claimed[0].block, bitmap);
    EXPECT_EQ(claimed[0].owner.inode, a);
    EXPECT_EQ(claimed[0].other.role, BlockRole::BlockBitmap); // the file system's own, claimed first
    EXPECT_EQ(claimed[0].other.group, 0u);
    EXPECT_NE(claimed[0].text.find("group 0's block bitmap"), std::string::npos) << claimed[0].text;
}

// Linux shares one xattr block among inodes with the same attributes:
// a second xattr user is no double claim, a file's data there is.
TEST_P(Ext4CheckCorrupt, SharedXattrBlock) {
    uint64_t const xattr = number_after(debugfs(m_image, "stat /small"), "File ACL: ");
    ASSERT_NE(xattr, 0u) << "the host gave /small no xattr block";
    debugfs(m_image, "sif /b file_acl " + std::to_string(xattr), true);
    CheckReport const shared = check(m_image);
    EXPECT_EQ(shared.disagreements(), 0u) << describe(shared);
    uint32_t const a = inode_of(m_image, "/a");
    point_first_block("/a", xattr);
    CheckReport const report = check(m_image);
    // /a's data is claimed first (the lowest inode); each xattr user after
    // it is a second claim.
    auto const claimed = of_kind(report, Disagreement::BlockMultiplyClaimed);
    ASSERT_EQ(claimed.size(), 2u) << describe(report);
    for (auto const& item : claimed) {
        EXPECT_EQ(item.block, xattr);
        EXPECT_EQ(item.owner.role, BlockRole::Xattr);
        EXPECT_EQ(item.other.inode, a);
        EXPECT_EQ(item.other.role, BlockRole::Data);
    }
}

TEST_P(Ext4CheckCorrupt, GroupCountsAgainstTheBitmaps) {
    debugfs(m_image, "set_bg 0 free_blocks_count 3", true);
    debugfs(m_image, "set_bg 0 free_inodes_count 5", true);
    CheckReport const report = check(m_image);
    EXPECT_EQ(report.count(Disagreement::GroupFreeBlocks), 1u) << describe(report);
    EXPECT_EQ(report.count(Disagreement::GroupFreeInodes), 1u) << describe(report);
    EXPECT_EQ(report.disagreements(), 2u) << describe(report);
    for (auto const& item : report.items) {
        EXPECT_EQ(item.group, 0u);
        EXPECT_EQ(item.recorded, item.kind == Disagreement::GroupFreeBlocks ? 3u : 5u);
        EXPECT_NE(item.counted, item.recorded);
    }
}

TEST_P(Ext4CheckCorrupt, PointerPastTheEnd) {
    uint32_t const a = inode_of(m_image, "/a");
    point_first_block("/a", 0x7fffffff);
    CheckReport const report = check(m_image);
    auto const bad = of_kind(report, Disagreement::BadBlockPointer);
    ASSERT_EQ(bad.size(), 1u) << describe(report);
    EXPECT_EQ(bad[0].inode, a);
    EXPECT_EQ(bad[0].block, 0x7fffffffu);
    EXPECT_EQ(report.count(Disagreement::BlockLeaked), 1u) << describe(report); // its real block
}

TEST_P(Ext4CheckCorrupt, ListsTheFirstAndCountsAll) {
    std::vector<uint64_t> const blocks = blocks_of(m_image, "/big");
    ASSERT_GT(blocks.size(), 20u);
    for (int i = 0; i < 20; i++) debugfs(m_image, "freeb " + std::to_string(blocks[i]), true);
    CheckReport const report = check(m_image, 5);
    EXPECT_EQ(report.count(Disagreement::BlockUsedButFree), 20u) << describe(report);
    EXPECT_EQ(report.count(Disagreement::GroupFreeBlocks), 1u) << describe(report);
    // The dangerous kind first, in the order found; the group's count,
    // found before them, is not listed.
    ASSERT_EQ(report.items.size(), 5u);
    for (int i = 0; i < 5; i++) {
        EXPECT_EQ(report.items[i].kind, Disagreement::BlockUsedButFree);
        EXPECT_EQ(report.items[i].owner.logical, uint64_t(i));
    }
}

INSTANTIATE_TEST_SUITE_P(Layouts, Ext4CheckCorrupt,
                         testing::Values("-t ext4 -b 4096", "-t ext4 -b 1024", "-t ext2 -b 4096", "-t ext2 -b 1024"));

// ---- the dirty-block overlay

// The guest's changes sit dirty in its cache until written: the image
// alone is then inconsistent, and the image overlaid with them is the file
// system. Here the change is a file debugfs writes; the "disk" is the image
// from before it, and the dirty blocks are those that differ after.
TEST_F(Ext4CheckTree, OverlayOfDirtyBlocksIsTheTruth) {
    std::string const before = image("-t ext4 -b 1024");
    std::string const after = m_dir / "after.img";
    std::filesystem::copy_file(before, after);
    std::string const source = m_dir / "new-file";
    write_file(source, std::string(20000, 'n'));
    debugfs(after, "write " + source + " new-file", true);
    uint32_t const block_size = 1024;
    auto const old_bytes = read_all(before), new_bytes = read_all(after);
    ASSERT_EQ(old_bytes.size(), new_bytes.size());
    std::vector<uint64_t> changed;
    for (uint64_t b = 0; b < old_bytes.size() / block_size; b++)
        if (std::memcmp(old_bytes.data() + b * block_size, new_bytes.data() + b * block_size, block_size))
            changed.push_back(b);
    ASSERT_GT(changed.size(), 3u); // data, inode table, bitmaps, directory, descriptors, superblock
    auto dirty = [&](uint64_t b) {
        return std::vector<uint8_t>(new_bytes.begin() + long(b * block_size), new_bytes.begin() + long((b + 1) * block_size));
    };

    auto disk = ImageFile::open(before);
    ASSERT_TRUE(disk);
    OverlaySource whole(*disk, block_size);
    for (uint64_t b : changed) whole.put(b, dirty(b));
    EXPECT_EQ(whole.blocks(), changed.size());
    std::vector<uint8_t> bytes(new_bytes.size());
    ASSERT_TRUE(whole.read(0, bytes));
    EXPECT_TRUE(bytes == new_bytes); // the overlay reads as the changed image
    std::vector<uint8_t> middle(3000);
    ASSERT_TRUE(whole.read(changed[1] * block_size - 1000, middle)); // across block edges
    EXPECT_EQ(std::memcmp(middle.data(), new_bytes.data() + changed[1] * block_size - 1000, middle.size()), 0);
    CheckReport const report = check_ext4_bitmaps(whole);
    EXPECT_EQ(report.disagreements(), 0u) << describe(report);
    EXPECT_EQ(report.inodes_used, check(before).inodes_used + 1);

    // Without the block that holds the new inode's record, the bitmap
    // marks an inode no record uses.
    uint32_t const ino = inode_of(after, "/new-file");
    uint64_t const record_block = inode_offset(after, ino, block_size) / block_size;
    OverlaySource partial(*disk, block_size);
    for (uint64_t b : changed)
        if (b != record_block) partial.put(b, dirty(b));
    CheckReport const torn = check_ext4_bitmaps(partial);
    EXPECT_EQ(torn.count(Disagreement::InodeMarkedButUnused), 1u) << describe(torn);
    EXPECT_GT(torn.count(Disagreement::BlockLeaked), 0u) << describe(torn);
}

// ---- corrupt metadata: a report or an error, never a crash

class Ext4CheckMetadata : public Ext4CheckTree {
protected:
    void SetUp() override {
        m_image = image("-t ext4 -b 1024 -O 64bit,meta_bg,^resize_inode", "8M");
        m_clean = read_all(m_image);
        ASSERT_EQ(check(m_image).disagreements(), 0u);
    }
    // The superblock, changed by `change`, in memory.
    template<typename Change>
    CheckReport with_superblock(Change change) {
        MemorySource source(m_clean);
        ext4::Superblock sb;
        std::memcpy(&sb, source.bytes().data() + 1024, sizeof(sb));
        change(sb);
        std::memcpy(source.bytes().data() + 1024, &sb, sizeof(sb));
        return check_ext4_bitmaps(source);
    }

    std::string m_image;
    std::vector<uint8_t> m_clean;
};

TEST_F(Ext4CheckMetadata, AbsurdSuperblocksAreErrors) {
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_magic = 0x1234; }).error.find("magic"), std::string::npos);
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_log_block_size = 20; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_blocks_count_lo = 0xfffffff0; }).error.find("larger"),
              std::string::npos);
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_blocks_count_hi = 7; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_inodes_per_group = 0; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_inodes_per_group = 0xffffffff; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_blocks_per_group = 0; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_first_data_block = 5; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_desc_size = 48; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_first_meta_bg = 1000; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_inode_size = 100; }).error, "");
    EXPECT_NE(with_superblock([](ext4::Superblock& sb) { sb.s_feature_ro_compat |= ext4::kRoCompatBigalloc; }).error
                  .find("bigalloc"),
              std::string::npos);
    // Far more inodes than the groups hold: noted, and the groups' own count used.
    CheckReport const more = with_superblock([](ext4::Superblock& sb) { sb.s_inodes_count = 0x7fffffff; });
    EXPECT_EQ(more.error, "");
    EXPECT_EQ(more.note_count, 1u) << describe(more);
    MemorySource tiny(std::vector<uint8_t>(1500));
    EXPECT_NE(check_ext4_bitmaps(tiny).error.find("cannot read a superblock"), std::string::npos);
}

// A descriptor whose bitmaps and inode table point anywhere.
TEST_F(Ext4CheckMetadata, DescriptorsPointingOutside) {
    MemorySource source(m_clean);
    // meta_bg with 1 KiB blocks: group 0's descriptors at block 2.
    ext4::GroupDescriptor d;
    std::memcpy(&d, source.bytes().data() + 2048, sizeof(d));
    d.bg_block_bitmap_hi = 0x100;
    d.bg_inode_bitmap_lo = 0xfffffff0;
    d.bg_inode_table_hi = 3;
    std::memcpy(source.bytes().data() + 2048, &d, sizeof(d));
    CheckReport const report = check_ext4_bitmaps(source);
    EXPECT_EQ(report.error, "");
    EXPECT_FALSE(report.complete);
    EXPECT_GE(report.note_count, 3u) << describe(report);
}

// An extent tree whose index entries point at its own leaf twice, at
// itself, at data: each claim is checked before it is descended into.
TEST_F(Ext4CheckMetadata, ExtentTreeLoopsAndLies) {
    uint32_t const ino = inode_of(m_image, "/fragmented");
    uint64_t const record = inode_offset(m_image, ino, 1024);
    ext4::DiskInode inode;
    std::memcpy(&inode, m_clean.data() + record, sizeof(inode));
    ext4::ExtentHeader header;
    std::memcpy(&header, inode.i_block, sizeof(header));
    ASSERT_EQ(header.eh_depth, 1u) << "mke2fs gave /fragmented no leaf block";
    ext4::ExtentIndex index;
    std::memcpy(&index, reinterpret_cast<uint8_t*>(inode.i_block) + 12, sizeof(index));
    uint64_t const leaf = index.ei_leaf_lo;

    auto with = [&](auto change) {
        MemorySource source(m_clean);
        change(source.bytes());
        return check_ext4_bitmaps(source);
    };
    // The root's two entries, both to the leaf.
    CheckReport twice = with([&](std::vector<uint8_t>& bytes) {
        ext4::ExtentHeader h = header;
        h.eh_entries = 2;
        std::memcpy(bytes.data() + record + 40, &h, sizeof(h));
        std::memcpy(bytes.data() + record + 40 + 24, &index, sizeof(index));
    });
    EXPECT_EQ(twice.error, "");
    EXPECT_EQ(twice.count(Disagreement::BlockMultiplyClaimed), 1u) << describe(twice);
    // The leaf says it is an index (depth 1) pointing at itself.
    CheckReport self = with([&](std::vector<uint8_t>& bytes) {
        ext4::ExtentHeader h;
        std::memcpy(&h, bytes.data() + leaf * 1024, sizeof(h));
        h.eh_depth = 1;
        h.eh_entries = 1;
        std::memcpy(bytes.data() + leaf * 1024, &h, sizeof(h));
        std::memcpy(bytes.data() + leaf * 1024 + 12, &index, sizeof(index));
    });
    EXPECT_EQ(self.count(Disagreement::BadBlockPointer), 1u) << describe(self);
    // A depth of 5 everywhere, each level's one entry its own block.
    CheckReport deep = with([&](std::vector<uint8_t>& bytes) {
        ext4::ExtentHeader h = header;
        h.eh_depth = 5;
        std::memcpy(bytes.data() + record + 40, &h, sizeof(h));
        std::memcpy(bytes.data() + leaf * 1024, &h, sizeof(h));
        std::memcpy(bytes.data() + leaf * 1024 + 12, &index, sizeof(index));
    });
    EXPECT_EQ(deep.error, "");
    EXPECT_GE(deep.disagreements(), 1u) << describe(deep);
    // An extent of 30000 blocks from block 10: far past the end of an
    // 8 MiB file system.
    CheckReport past = with([&](std::vector<uint8_t>& bytes) {
        ext4::ExtentHeader h { ext4::kExtentMagic, 1, 4, 0, 0 };
        ext4::Extent e { 0, 30000, 0, 10 };
        std::memcpy(bytes.data() + record + 40, &h, sizeof(h));
        std::memcpy(bytes.data() + record + 40 + 12, &e, sizeof(e));
    });
    EXPECT_EQ(past.count(Disagreement::BadBlockPointer), 1u) << describe(past);
}

// Every inode of group 0 claims nearly the whole file system, thousands of
// times over: the claim budget ends the walk, and says so.
TEST_F(Ext4CheckMetadata, ClaimBudgetEndsTheWalk) {
    MemorySource source(m_clean);
    // Every record of group 0 is read: none is past "never used".
    ext4::GroupDescriptor d;
    std::memcpy(&d, source.bytes().data() + 2048, sizeof(d));
    d.bg_itable_unused_lo = d.bg_itable_unused_hi = 0;
    std::memcpy(source.bytes().data() + 2048, &d, sizeof(d));
    uint32_t const ino = inode_of(m_image, "/a");
    uint64_t const table = inode_offset(m_image, ino, 1024) - (ino - 1) * 256;
    std::string const stats = debugfs(m_image, "stats");
    uint64_t const per_group = number_after(stats, "Inodes per group:");
    uint64_t const blocks = number_after(stats, "Block count:");
    for (uint64_t i = 11; i < per_group; i++) {
        ext4::DiskInode inode {};
        inode.i_mode = 0100644;
        inode.i_links_count = 1;
        inode.i_flags = ext4::kExtentsFlag;
        ext4::ExtentHeader h { ext4::kExtentMagic, 4, 4, 0, 0 };
        std::memcpy(inode.i_block, &h, sizeof(h));
        for (int e = 0; e < 4; e++) {
            ext4::Extent extent { uint32_t(e) * 32768, uint16_t(blocks - 200), 0, 100 };
            std::memcpy(reinterpret_cast<uint8_t*>(inode.i_block) + 12 + e * 12, &extent, sizeof(extent));
        }
        std::memcpy(source.bytes().data() + table + i * 256, &inode, sizeof(inode));
    }
    auto const start = std::chrono::steady_clock::now();
    CheckReport const report = check_ext4_bitmaps(source);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    EXPECT_EQ(report.error, "");
    EXPECT_FALSE(report.complete);
    EXPECT_GT(report.count(Disagreement::BlockMultiplyClaimed), 1000u);
    EXPECT_LE(report.items.size(), 64u);
    bool said = false;
    for (auto const& note : report.notes) said |= note.find("budget") != std::string::npos;
    EXPECT_TRUE(said) << describe(report);
}

// Random bytes over the file system's metadata blocks, many times: the
// check ends every time with a report or an error.
TEST_F(Ext4CheckMetadata, RandomMetadataCorruption) {
    std::mt19937 random(1234);
    // The first 400 blocks hold the superblock, descriptors, bitmaps, inode
    // tables and the first directories and extent blocks.
    for (int round = 0; round < 300; round++) {
        MemorySource source(m_clean);
        auto& bytes = source.bytes();
        int const changes = 1 + int(random() % 40);
        for (int i = 0; i < changes; i++) {
            uint64_t const block = 1 + random() % 400;
            if (random() % 4 == 0) {
                for (int j = 0; j < 1024; j++) bytes[block * 1024 + j] = uint8_t(random());
            } else {
                uint64_t const at = block * 1024 + random() % 1024;
                bytes[at] = uint8_t(random() % 3 == 0 ? 0xff : random());
            }
        }
        CheckReport const report = check_ext4_bitmaps(source);
        EXPECT_LE(report.items.size(), 64u);
        EXPECT_LE(report.notes.size(), 32u);
    }
}

// The same on an ext2 image, whose indirect blocks are followed instead.
TEST_F(Ext4CheckTree, RandomIndirectCorruption) {
    std::string const path = image("-t ext2 -b 1024", "8M");
    MemorySource const clean(read_all(path));
    std::mt19937 random(99);
    uint64_t const blocks = clean.size() / 1024;
    for (int round = 0; round < 100; round++) {
        MemorySource source(std::vector<uint8_t>(clean.size()));
        ASSERT_TRUE(clean.read(0, source.bytes()));
        for (int i = 0; i < 20; i++) {
            uint64_t const block = 1 + random() % (blocks - 1);
            for (int j = 0; j < 64; j++) source.bytes()[block * 1024 + random() % 1024] = uint8_t(random());
        }
        CheckReport const report = check_ext4_bitmaps(source);
        EXPECT_LE(report.items.size(), 64u);
    }
}

} // namespace
