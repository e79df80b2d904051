// Opening an ext2/3/4 image for writing, and the metadata every write
// leans on: the superblock's state and checksum, the group descriptors'
// checksums (crc32c or crc16), inode checksums and update_inode. The
// oracles are mke2fs (a checksum we compute must equal the one it wrote,
// so rewriting unchanged metadata leaves the image's bytes as they were),
// e2fsck -fn and debugfs.
#include "image.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

using namespace ext4_test;

constexpr uint16_t kStateValid = 1;

struct Made {
    std::string image;
    bool ok;
};

// An image made by mke2fs from a small tree: a few files, a directory.
Made make_small(TempDir& dir, std::string const& options, std::string const& size = "4M")
{
    std::string const source = dir / "src";
    run("mkdir -p '" + source + "/sub'");
    write_file(source + "/a", "alpha\n");
    write_file(source + "/sub/b", std::string(5000, 'b'));
    write_file(source + "/c", std::string(70000, 'c'));
    std::string const image = dir / "image";
    return { image, make_image(image, source, options, size) == 0 };
}

ext4::Superblock superblock(std::string const& image)
{
    return peek_value<ext4::Superblock>(image, ext4::kSuperblockOffset);
}

TEST(Ext4Writable, OpenMarksInUseAndCloseRestoresTheState)
{
    TempDir dir;
    auto made = make_small(dir, "-t ext4");
    ASSERT_TRUE(made.ok);
    auto const before = superblock(made.image);
    ASSERT_TRUE(before.s_state & kStateValid);
    {
        auto opened = open_image_writable(made.image, ext4::Time { 1700000000, 0 });
        ASSERT_EQ(opened.error, 0);
        EXPECT_TRUE(opened.volume->writable());
        // On the disk already, before any other write.
        auto const during = superblock(made.image);
        EXPECT_FALSE(during.s_state & kStateValid);
        EXPECT_EQ(during.s_mnt_count, before.s_mnt_count + 1);
        EXPECT_EQ(during.s_mtime, 1700000000u);
        unsigned const flushes = opened.backend->flushes();
        ASSERT_FALSE(opened.volume->close().is_error());
        EXPECT_FALSE(opened.volume->writable());
        // Two: everything else reaches the disk (flushed) before the clean
        // superblock does.
        EXPECT_EQ(opened.backend->flushes(), flushes + 2);
    }
    auto const after = superblock(made.image);
    EXPECT_EQ(after.s_state, before.s_state);
    EXPECT_EQ(after.s_mnt_count, before.s_mnt_count + 1);
    EXPECT_EQ(fsck_output(made.image), "");
}

TEST(Ext4Writable, ReadOnlyVolumesRefuseWrites)
{
    TempDir dir;
    auto made = make_small(dir, "-t ext4");
    ASSERT_TRUE(made.ok);
    auto opened = open_image(made.image);
    ASSERT_EQ(opened.error, 0);
    EXPECT_FALSE(opened.volume->writable());
    auto inode = lookup_path(*opened.volume, "a").release_value();
    EXPECT_EQ(opened.volume->update_inode(inode).error().code(), EROFS);
    EXPECT_FALSE(opened.volume->close().is_error());
}

struct Refusal {
    char const* options;
    char const* feature;
    char const* tune { nullptr }; // tune2fs options, for what mke2fs -d cannot make
};

// Features whose metadata the writer would leave stale, or that say the
// image is not ours to write: refused with EROFS, named, while a
// read-only open still works.
TEST(Ext4Writable, RefusesFeaturesItCannotKeepConsistent)
{
    Refusal const refusals[] = {
        { "-t ext4 -O quota", "quota" },
        { "-t ext4 -O project,quota -I 256", "quota" },
        { "-t ext4 -O bigalloc -C 16384", "bigalloc" },
        { "-t ext4 -O mmp", "mmp" },
        { "-t ext4 -O verity", "verity" },
        { "-t ext4", "readonly", "-O read-only" },
        { "-t ext4 -O orphan_file", "orphan_file" },
        { "-t ext4 -O ea_inode", "ea_inode" },
    };
    for (auto const& refusal : refusals) {
        TempDir dir;
        auto made = make_small(dir, refusal.options, "16M");
        ASSERT_TRUE(made.ok) << refusal.options;
        if (refusal.tune) {
            ASSERT_EQ(run(std::string("tune2fs ") + refusal.tune + " '" + made.image + "' >/dev/null"), 0);
        }
        auto writable = open_image_writable(made.image);
        EXPECT_EQ(writable.error, EROFS) << refusal.options;
        ASSERT_NE(writable.report.refused_feature, nullptr) << refusal.options;
        EXPECT_STREQ(writable.report.refused_feature, refusal.feature) << refusal.options;
        EXPECT_EQ(open_image(made.image).error, 0) << refusal.options;
        // Nothing was written: the image is as mke2fs left it.
        EXPECT_TRUE(superblock(made.image).s_state & kStateValid) << refusal.options;
    }
}

// needs_recovery is replayed (journal_test.cpp) where there is a journal to
// replay; without one it cannot be cleared, and the disk stays unwritten.
TEST(Ext4Writable, RefusesRecoveryWithoutAJournalAndUnknownBits)
{
    TempDir dir;
    auto made = make_small(dir, "-t ext3");
    ASSERT_TRUE(made.ok);
    uint64_t const compat = ext4::kSuperblockOffset + offsetof(ext4::Superblock, s_feature_compat);
    uint64_t const incompat = ext4::kSuperblockOffset + offsetof(ext4::Superblock, s_feature_incompat);
    uint64_t const ro_compat = ext4::kSuperblockOffset + offsetof(ext4::Superblock, s_feature_ro_compat);
    auto const super = superblock(made.image);

    patch_value<uint32_t>(made.image, incompat, super.s_feature_incompat | ext4::kIncompatRecover);
    patch_value<uint32_t>(made.image, compat, super.s_feature_compat & ~ext4::kCompatHasJournal);
    std::string const before = read_host_file(made.image);
    auto recovering = open_image_writable(made.image);
    EXPECT_EQ(recovering.error, EROFS);
    EXPECT_STREQ(recovering.report.refused_feature, "needs_recovery without a journal");
    EXPECT_EQ(read_host_file(made.image), before);
    patch_value<uint32_t>(made.image, compat, super.s_feature_compat);

    // With the journal, empty: nothing to replay, the flag goes.
    {
        auto recovered = open_image_writable(made.image);
        EXPECT_EQ(recovered.error, 0);
        EXPECT_EQ(recovered.report.journal.transactions, 0u);
        ASSERT_FALSE(recovered.volume->close().is_error());
    }
    EXPECT_FALSE(superblock(made.image).s_feature_incompat & ext4::kIncompatRecover);
    EXPECT_EQ(fsck_output(made.image), "");
    patch_value<uint32_t>(made.image, incompat, super.s_feature_incompat);

    patch_value<uint32_t>(made.image, ro_compat, super.s_feature_ro_compat | 0x40000000);
    auto unknown = open_image_writable(made.image);
    EXPECT_EQ(unknown.error, EROFS);
    EXPECT_STREQ(unknown.report.refused_feature, "unknown ro_compat bits");
    EXPECT_EQ(open_image(made.image).error, 0); // a reader does not care
    patch_value<uint32_t>(made.image, ro_compat, super.s_feature_ro_compat);

    // A clean journal is fine: we write in place and never set RECOVER.
    auto clean = open_image_writable(made.image);
    ASSERT_EQ(clean.error, 0);
    ASSERT_FALSE(clean.volume->close().is_error());
    EXPECT_FALSE(superblock(made.image).s_feature_incompat & ext4::kIncompatRecover);
    EXPECT_EQ(fsck_output(made.image), "");
}

// Descriptor checksums of every kind, on images with several groups (some
// BLOCK_UNINIT or INODE_UNINIT): open_writable checks them all, so opening
// is the test; a changed descriptor must then fail it.
TEST(Ext4Writable, DescriptorChecksumsMatchMke2fs)
{
    struct Variant {
        char const* options;
        char const* size;
    };
    Variant const variants[] = {
        { "-t ext4 -b 1024 -g 1024 -N 512", "8M" }, // crc32c, 64-byte descriptors
        { "-t ext4 -O ^64bit -b 1024 -g 1024 -N 512", "8M" }, // crc32c, 32-byte descriptors
        { "-t ext4 -O ^metadata_csum,uninit_bg -b 1024 -g 1024 -N 512", "8M" }, // crc16, 64-byte
        { "-t ext4 -O ^metadata_csum,^64bit,uninit_bg -b 1024 -g 1024 -N 512", "8M" }, // crc16, 32-byte
        { "-t ext4 -O metadata_csum_seed -b 1024 -g 1024", "8M" }, // the seed from s_checksum_seed
        { "-t ext4 -b 4096 -g 4096", "128M" }, // 4 KiB blocks, 8 groups
        { "-t ext2 -b 1024 -g 1024", "8M" }, // no checksums at all
    };
    for (auto const& [options, size] : variants) {
        TempDir dir;
        auto made = make_small(dir, options, size);
        ASSERT_TRUE(made.ok) << options;
        auto const super = superblock(made.image);
        bool const checksummed = super.s_feature_ro_compat & (ext4::kRoCompatMetadataCsum | ext4::kRoCompatGdtCsum);
        {
            auto opened = open_image_writable(made.image);
            ASSERT_EQ(opened.error, 0) << options << " " << (opened.report.problem ? opened.report.problem : "");
            ASSERT_GE(opened.volume->group_count(), 8u) << options;
            ASSERT_FALSE(opened.volume->close().is_error());
        }
        EXPECT_EQ(fsck_output(made.image), "") << options;
        // Group 3's free inode count, changed behind our back.
        uint64_t const block_size = 1024u << super.s_log_block_size;
        uint64_t const desc_size = (super.s_feature_incompat & ext4::kIncompat64Bit) ? super.s_desc_size : 32;
        uint64_t const field = (ext4::kSuperblockOffset / block_size + 1) * block_size + 3 * desc_size
            + offsetof(ext4::GroupDescriptor, bg_free_inodes_count_lo);
        patch_value<uint16_t>(made.image, field, peek_value<uint16_t>(made.image, field) - 1);
        auto corrupted = open_image_writable(made.image);
        if (checksummed) {
            EXPECT_EQ(corrupted.error, EUCLEAN) << options;
            EXPECT_STREQ(corrupted.report.problem, "group descriptor checksum") << options;
        } else {
            EXPECT_EQ(corrupted.error, 0) << options;
        }
    }
}

TEST(Ext4Writable, ASuperblockWithABadChecksumIsRefused)
{
    TempDir dir;
    auto made = make_small(dir, "-t ext4");
    ASSERT_TRUE(made.ok);
    uint64_t const label = ext4::kSuperblockOffset + offsetof(ext4::Superblock, s_volume_name);
    patch_value<char>(made.image, label, 'x');
    auto opened = open_image_writable(made.image);
    EXPECT_EQ(opened.error, EUCLEAN);
    EXPECT_STREQ(opened.report.problem, "superblock checksum");
}

// Every inode in use, read and written back unchanged: the inode tables
// must come out byte for byte as mke2fs wrote them (same fields, same
// checksum), with inodes of 256 and 128 bytes and either seed.
TEST(Ext4Writable, RewritingInodesLeavesTheirBytes)
{
    char const* const variants[] = {
        "-t ext4",
        "-t ext4 -I 128",
        "-t ext4 -O metadata_csum_seed",
        "-t ext4 -b 1024 -g 1024 -N 512",
        "-t ext3",
        "-t ext2 -I 128",
    };
    for (char const* options : variants) {
        TempDir dir;
        auto made = make_small(dir, options, "8M");
        ASSERT_TRUE(made.ok) << options;
        auto const super = superblock(made.image);
        uint32_t const inode_size = super.s_inode_size;
        std::vector<std::string> slots;
        auto slot_bytes = [&](uint32_t ino) {
            std::string bytes(inode_size, '\0');
            peek(made.image, inode_offset(made.image, ino), bytes.data(), bytes.size());
            return bytes;
        };
        // The first group's inodes: the reserved ones and mke2fs's files.
        uint32_t const last = std::min(super.s_inodes_per_group, super.s_first_ino + 8);
        for (uint32_t ino = 1; ino <= last; ino++) slots.push_back(slot_bytes(ino));
        {
            auto opened = open_image_writable(made.image);
            ASSERT_EQ(opened.error, 0) << options;
            unsigned rewritten = 0;
            for (uint32_t ino = 1; ino <= last; ino++) {
                auto inode = opened.volume->read_inode(ino);
                if (inode.is_error()) continue; // free, or the bad-blocks inode (mode 0)
                ASSERT_FALSE(opened.volume->update_inode(inode.value()).is_error()) << options << " " << ino;
                rewritten++;
            }
            EXPECT_GE(rewritten, 5u) << options; // root, lost+found, a, sub, sub/b, c
            ASSERT_FALSE(opened.volume->close().is_error());
        }
        for (uint32_t ino = 1; ino <= last; ino++)
            EXPECT_TRUE(slot_bytes(ino) == slots[ino - 1]) << options << " inode " << ino;
        EXPECT_EQ(fsck_output(made.image), "") << options;
    }
}

TEST(Ext4Writable, AnInodeChangedBehindOurBackIsNotBlessed)
{
    TempDir dir;
    auto made = make_small(dir, "-t ext4");
    ASSERT_TRUE(made.ok);
    uint64_t offset;
    {
        auto opened = open_image(made.image);
        ASSERT_EQ(opened.error, 0);
        auto inode = lookup_path(*opened.volume, "a").release_value();
        offset = inode_offset(made.image, inode.ino);
    }
    auto opened = open_image_writable(made.image);
    ASSERT_EQ(opened.error, 0);
    auto inode = lookup_path(*opened.volume, "a").release_value();
    // A stray change to the slot in the cache, not resealed.
    auto handle = opened.volume->cache().get(offset / opened.volume->block_size()).release_value();
    handle.mutable_data()[offset % opened.volume->block_size() + offsetof(ext4::DiskInode, i_dtime)] ^= 1;
    handle = BlockHandle();
    EXPECT_EQ(opened.volume->update_inode(inode).error().code(), EUCLEAN);
}

TEST(Ext4Writable, UpdateInodeWritesWhatItModels)
{
    TempDir dir;
    auto made = make_small(dir, "-t ext4");
    ASSERT_TRUE(made.ok);
    uint32_t ino;
    {
        auto opened = open_image_writable(made.image);
        ASSERT_EQ(opened.error, 0);
        auto inode = lookup_path(*opened.volume, "a").release_value();
        ino = inode.ino;
        inode.mode = 0100600;
        inode.uid = 70000; // past 16 bits: l_i_uid_high
        inode.gid = 80000;
        inode.atime = { 1600000000, 5 };
        inode.mtime = { 1700000000, 123456789 };
        inode.ctime = { (int64_t(1) << 32) + 10, 999999999 }; // past 2038: the epoch bits
        inode.links = 1;
        ASSERT_FALSE(opened.volume->update_inode(inode).is_error());
        ASSERT_FALSE(opened.volume->close().is_error());
    }
    EXPECT_EQ(fsck_output(made.image), "");
    auto opened = open_image(made.image);
    ASSERT_EQ(opened.error, 0);
    auto inode = opened.volume->read_inode(ino).release_value();
    EXPECT_EQ(inode.mode, 0100600u);
    EXPECT_EQ(inode.uid, 70000u);
    EXPECT_EQ(inode.gid, 80000u);
    EXPECT_EQ(inode.atime.sec, 1600000000);
    EXPECT_EQ(inode.atime.nsec, 5u);
    EXPECT_EQ(inode.mtime.sec, 1700000000);
    EXPECT_EQ(inode.mtime.nsec, 123456789u);
    EXPECT_EQ(inode.ctime.sec, (int64_t(1) << 32) + 10);
    EXPECT_EQ(inode.ctime.nsec, 999999999u);
    EXPECT_EQ(read_file(*opened.volume, inode).release_value(), "alpha\n");
    std::string const stat = debugfs_output(made.image, "stat /a");
    EXPECT_NE(stat.find("User: 70000"), std::string::npos) << stat;
    EXPECT_NE(stat.find("Group: 80000"), std::string::npos) << stat;
    EXPECT_NE(stat.find("Mode:  0600"), std::string::npos) << stat;
}

} // namespace
