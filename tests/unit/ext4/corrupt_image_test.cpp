// Corrupt images: each one must give an error (EINVAL for a superblock that
// makes no sense, EUCLEAN for corrupt metadata), never a crash, a hang or an
// out-of-bounds read. Each starts from a good image and breaks one thing.
#include "image.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace ext4_test;

constexpr uint64_t kSb = ext4::kSuperblockOffset;

class CorruptImage : public testing::Test {
protected:
    void make(std::string const& options, std::string const& size = "16M")
    {
        run("mkdir -p '" + m_dir / "src/dir" + "'");
        write_file(m_dir / "src/file", std::string(3 * 4096 + 100, 'f'));
        // Data in every other block: an extent tree with index nodes.
        std::string fragmented;
        int fd = ::open((m_dir / "src/fragmented").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        for (int i = 0; i < 400; i += 2)
            (void)!::pwrite(fd, std::string(4096, char('a' + i % 26)).data(), 4096, off_t(i) * 4096);
        ::close(fd);
        for (int i = 0; i < 20; i++) write_file(m_dir / ("src/dir/f" + std::to_string(i)), "x");
        m_image = m_dir / "image";
        ASSERT_EQ(make_image(m_image, m_dir / "src", options, size), 0);
        auto opened = open_image(m_image);
        ASSERT_EQ(opened.error, 0);
        m_block_size = opened.volume->block_size();
    }
    // Opens the (now corrupted) image: the error, or 0.
    int open_error() { return open_image(m_image).error; }
    // Opens, then does `path`'s read, listing or lookup: the first error.
    int use_error(std::string const& path)
    {
        auto opened = open_image(m_image);
        if (opened.error) return opened.error;
        auto& volume = *opened.volume;
        auto inode = lookup_path(volume, path);
        if (inode.is_error()) return inode.error().code();
        if ((inode.value().mode & S_IFMT) == S_IFDIR) {
            auto listing = list_directory(volume, inode.value());
            return listing.is_error() ? listing.error().code() : 0;
        }
        auto data = read_file(volume, inode.value());
        return data.is_error() ? data.error().code() : 0;
    }
    ext4::InodeData inode(std::string const& path)
    {
        auto opened = open_image(m_image);
        return lookup_path(*opened.volume, path).release_value();
    }
    uint64_t physical(std::string const& path, uint64_t logical)
    {
        auto opened = open_image(m_image);
        auto i = lookup_path(*opened.volume, path).release_value();
        return opened.volume->map(i, logical).release_value().physical;
    }
    uint64_t i_block_offset(uint32_t ino) { return inode_offset(m_image, ino) + 40; }

    TempDir m_dir;
    std::string m_image;
    uint64_t m_block_size { 0 };
};

TEST_F(CorruptImage, GoodImageWorks)
{
    make("-t ext4");
    EXPECT_EQ(use_error("file"), 0);
    EXPECT_EQ(use_error("fragmented"), 0);
    EXPECT_EQ(use_error("dir"), 0);
}

TEST_F(CorruptImage, BadMagic)
{
    make("-t ext4");
    patch_value<uint16_t>(m_image, kSb + 0x38, 0x1234);
    EXPECT_EQ(open_error(), EINVAL);
}

TEST_F(CorruptImage, HugeLogBlockSize)
{
    make("-t ext4");
    for (uint32_t log : { 7u, 20u, 0xffffffffu }) {
        patch_value<uint32_t>(m_image, kSb + 0x18, log);
        EXPECT_EQ(open_error(), EINVAL) << log;
    }
}

TEST_F(CorruptImage, ZeroInodesCount)
{
    make("-t ext4");
    patch_value<uint32_t>(m_image, kSb + 0x0, 0);
    EXPECT_EQ(open_error(), EINVAL);
}

TEST_F(CorruptImage, AbsurdGroupCount)
{
    make("-t ext4");
    patch_value<uint32_t>(m_image, kSb + 0x20, 1); // one block per group: millions of groups
    EXPECT_EQ(open_error(), EINVAL);
    make("-t ext4");
    patch_value<uint32_t>(m_image, kSb + 0x20, 0);
    EXPECT_EQ(open_error(), EINVAL);
}

TEST_F(CorruptImage, BlockCountPastTheDevice)
{
    make("-t ext4");
    patch_value<uint32_t>(m_image, kSb + 0x4, 0xfffffff0u);
    EXPECT_EQ(open_error(), EINVAL);
}

TEST_F(CorruptImage, ZeroInodesPerGroup)
{
    make("-t ext4");
    patch_value<uint32_t>(m_image, kSb + 0x28, 0);
    EXPECT_EQ(open_error(), EINVAL);
}

TEST_F(CorruptImage, BadInodeSize)
{
    make("-t ext4");
    patch_value<uint16_t>(m_image, kSb + 0x58, 100);
    EXPECT_EQ(open_error(), EINVAL);
}

TEST_F(CorruptImage, BadDescriptorSize)
{
    make("-t ext4 -O 64bit");
    patch_value<uint16_t>(m_image, kSb + 0xfe, 48);
    EXPECT_EQ(open_error(), EINVAL);
}

TEST_F(CorruptImage, InodeTablePastTheEnd)
{
    make("-t ext4");
    uint64_t const gdt = (kSb / m_block_size + 1) * m_block_size;
    patch_value<uint32_t>(m_image, gdt + 8, 0x7ffffff0u);
    EXPECT_EQ(open_error(), EUCLEAN); // the root inode cannot be read
}

TEST_F(CorruptImage, RootNotADirectory)
{
    make("-t ext4");
    patch_value<uint16_t>(m_image, inode_offset(m_image, ext4::kRootIno), S_IFREG | 0644);
    EXPECT_EQ(open_error(), EUCLEAN);
}

TEST_F(CorruptImage, ExtentDepth200)
{
    make("-t ext4");
    uint32_t const ino = inode("file").ino;
    patch_value<uint16_t>(m_image, i_block_offset(ino) + 6, 200);
    EXPECT_EQ(use_error("file"), EUCLEAN);
}

TEST_F(CorruptImage, ExtentBadMagicAndCounts)
{
    make("-t ext4");
    uint32_t const ino = inode("file").ino;
    uint64_t const at = i_block_offset(ino);
    patch_value<uint16_t>(m_image, at, 0xdead);
    EXPECT_EQ(use_error("file"), EUCLEAN);
    patch_value<uint16_t>(m_image, at, ext4::kExtentMagic);
    patch_value<uint16_t>(m_image, at + 4, 50); // eh_max past the 4 that fit in i_block
    patch_value<uint16_t>(m_image, at + 2, 50);
    EXPECT_EQ(use_error("file"), EUCLEAN);
}

TEST_F(CorruptImage, ExtentPastTheEnd)
{
    make("-t ext4");
    uint32_t const ino = inode("file").ino;
    patch_value<uint32_t>(m_image, i_block_offset(ino) + 12 + 8, 0xfffffff0u); // ee_start_lo
    EXPECT_EQ(use_error("file"), EUCLEAN);
}

TEST_F(CorruptImage, LoopOfExtentIndexBlocks)
{
    make("-t ext4");
    auto file = inode("fragmented");
    auto const* header = reinterpret_cast<ext4::ExtentHeader const*>(file.block);
    ASSERT_EQ(header->eh_depth, 1);
    auto const* index = reinterpret_cast<ext4::ExtentIndex const*>(file.block + 3);
    uint64_t const leaf = index->ei_leaf_lo;
    // The root claims depth 2; the leaf becomes an index node of depth 1
    // pointing at itself. A walk that trusted the pointers would never end.
    patch_value<uint16_t>(m_image, i_block_offset(file.ino) + 6, 2);
    ext4::ExtentHeader looped { ext4::kExtentMagic, 1, 1, 1, 0 };
    ext4::ExtentIndex self { 0, uint32_t(leaf), 0, 0 };
    patch_value(m_image, leaf * m_block_size, looped);
    patch_value(m_image, leaf * m_block_size + 12, self);
    EXPECT_EQ(use_error("fragmented"), EUCLEAN);
    // The same loop at the root's own depth.
    patch_value<uint16_t>(m_image, i_block_offset(file.ino) + 6, 1);
    EXPECT_EQ(use_error("fragmented"), EUCLEAN);
}

TEST_F(CorruptImage, IndirectBlockPastTheEnd)
{
    make("-t ext2 -b 1024");
    uint32_t const ino = inode("fragmented").ino;
    patch_value<uint32_t>(m_image, i_block_offset(ino) + 4 * ext4::kSingleIndirect, 0xfffffff0u);
    EXPECT_EQ(use_error("fragmented"), EUCLEAN);
    patch_value<uint32_t>(m_image, i_block_offset(ino), 0xfffffff0u);
    EXPECT_EQ(use_error("fragmented"), EUCLEAN);
}

// Directory entries: dir's first block holds ".", ".." and then f0 ...
class CorruptDirectory : public CorruptImage {
protected:
    void SetUp() override
    {
        make("-t ext4");
        m_block = physical("dir", 0) * m_block_size;
    }
    uint64_t m_block { 0 };
};

TEST_F(CorruptDirectory, RecLenZero)
{
    patch_value<uint16_t>(m_image, m_block + 12 + 4, 0); // ".."'s rec_len
    EXPECT_EQ(use_error("dir"), EUCLEAN);
    EXPECT_EQ(use_error("dir/f5"), EUCLEAN);
}

TEST_F(CorruptDirectory, RecLenPastTheBlock)
{
    patch_value<uint16_t>(m_image, m_block + 12 + 4, uint16_t(m_block_size)); // ".." at 12 reaches past the end
    EXPECT_EQ(use_error("dir"), EUCLEAN);
}

TEST_F(CorruptDirectory, RecLenUnaligned)
{
    patch_value<uint16_t>(m_image, m_block + 4, 13);
    EXPECT_EQ(use_error("dir"), EUCLEAN);
}

TEST_F(CorruptDirectory, NameLenPastRecLen)
{
    patch_value<uint8_t>(m_image, m_block + 6, 200); // "." with a 200-byte name in 12 bytes
    EXPECT_EQ(use_error("dir"), EUCLEAN);
}

TEST_F(CorruptDirectory, InodeNumberPastTheCount)
{
    patch_value<uint32_t>(m_image, m_block + 24, 0x7fffffff); // the first real entry
    EXPECT_EQ(use_error("dir"), EUCLEAN);
}

TEST_F(CorruptDirectory, EntryNamingAFreeInode)
{
    auto super = peek_value<ext4::Superblock>(m_image, kSb);
    patch_value<uint32_t>(m_image, m_block + 24, super.s_inodes_count); // the last inode: never used
    auto opened = open_image(m_image);
    auto dir = lookup_path(*opened.volume, "dir").release_value();
    auto listing = list_directory(*opened.volume, dir).release_value();
    uint32_t free_ino = 0;
    for (auto& [name, entry] : listing)
        if (entry.ino == super.s_inodes_count) free_ino = entry.ino;
    ASSERT_NE(free_ino, 0u);
    EXPECT_EQ(opened.volume->read_inode(free_ino).error().code(), EUCLEAN);
}

TEST_F(CorruptImage, HugeDirectorySizeIsBoundedByItsBlocks)
{
    make("-t ext4");
    uint32_t const ino = inode("dir").ino;
    // i_size says 4 GiB: the walk meets holes (no blocks mapped) and ends.
    patch_value<uint32_t>(m_image, inode_offset(m_image, ino) + 4, 0xfffff000u);
    EXPECT_EQ(use_error("dir"), 0);
}

TEST_F(CorruptImage, DeviceErrorsAreEio)
{
    make("-t ext4");
    FileBackend backend(m_image);
    ext4::OpenReport report;
    auto volume = ext4::Volume::open(backend, report).release_value();
    auto file = lookup_path(*volume, "fragmented").release_value();
    backend.fail_reads(true);
    std::string out;
    VectorSink sink(out);
    EXPECT_EQ(volume->read(file, 300 * 4096, 4096, sink).error().code(), EIO);
    backend.fail_reads(false);
    EXPECT_FALSE(volume->read(file, 300 * 4096, 4096, sink).is_error());
}

} // namespace
