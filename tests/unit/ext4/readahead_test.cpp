// Read-ahead: BlockCache::get's `ahead`, and ext4::Volume asking for it.
// A sequential read must cost about one backend request per 64 KiB, not
// one per block; what it reads must stay inside the device and the file's
// physical run; pinned blocks stay put; a failing request fails only the
// reads that need its bad block, and never leaves wrong bytes cached.
#include "image.h"
#include "memory_disk.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

namespace {

using namespace ext4_test;

// ---- the cache on a device in memory

bool holds(BlockHandle const& handle, u64 block)
{
    for (usize i = 0; i < kBlock; i++)
        if (handle.data()[i] != u8(block + 1)) return false;
    return true;
}

// A get() that failed holds nothing (rather than crashing the test).
bool holds(Result<BlockHandle> result, u64 block) { return !result.is_error() && holds(result.value(), block); }

TEST(Readahead, ARunIsOneRequest)
{
    MemoryDisk disk(256);
    auto cache = BlockCache::create(disk, kBlock, 128).release_value();
    // 64 KiB per request, and a quarter of 128 blocks: 32 blocks.
    EXPECT_EQ(cache->read_ahead_limit(), 32u);
    for (u64 b = 0; b < 100; b++) {
        auto handle = cache->get(b, 100 - b).release_value();
        EXPECT_TRUE(holds(handle, b)) << b;
    }
    // 100 blocks in runs of 32: 4 requests, not 100.
    ASSERT_EQ(disk.requests.size(), 4u);
    EXPECT_EQ(disk.requests[0].offset, 0u);
    EXPECT_EQ(disk.requests[0].length, 32 * kBlock);
    EXPECT_EQ(disk.requests[3].offset, 96 * kBlock);
    EXPECT_EQ(disk.requests[3].length, 4 * kBlock); // only what was asked for
    EXPECT_EQ(cache->read_ahead(), 96u);
    EXPECT_EQ(cache->misses(), 4u);
}

TEST(Readahead, NeverPastTheDeviceNorACachedBlock)
{
    MemoryDisk disk(40);
    auto cache = BlockCache::create(disk, kBlock, 128).release_value();
    EXPECT_TRUE(holds(cache->get(37, 1000), 37));
    ASSERT_EQ(disk.requests.size(), 1u);
    EXPECT_EQ(disk.requests[0].offset, 37 * kBlock);
    EXPECT_EQ(disk.requests[0].length, 3 * kBlock); // blocks 37-39, the last ones
    EXPECT_TRUE(holds(cache->get(39), 39));

    // Block 5 is cached: a run from 2 stops before it.
    (void)cache->get(5).release_value();
    disk.requests.clear();
    EXPECT_TRUE(holds(cache->get(2, 10), 2));
    ASSERT_EQ(disk.requests.size(), 1u);
    EXPECT_EQ(disk.requests[0].offset, 2 * kBlock);
    EXPECT_EQ(disk.requests[0].length, 3 * kBlock);
}

TEST(Readahead, TakesOnlyWhatGetCouldTake)
{
    MemoryDisk disk(200);
    auto cache = BlockCache::create(disk, kBlock, 16).release_value();
    EXPECT_EQ(cache->read_ahead_limit(), 4u); // a quarter of the cache
    std::vector<BlockHandle> pinned;
    for (u64 b = 0; b < 14; b++) pinned.push_back(cache->get(b).release_value());
    // Two slots left: the run shrinks to them, the pinned blocks stay.
    EXPECT_TRUE(holds(cache->get(100, 4), 100));
    EXPECT_EQ(cache->read_ahead(), 1u);
    EXPECT_TRUE(holds(cache->get(101), 101));
    for (u64 b = 0; b < 14; b++) EXPECT_TRUE(holds(pinned[b], b)) << b;
    // More read-ahead recycles the two unpinned slots, never a pinned one.
    for (u64 b = 150; b < 160; b++) EXPECT_TRUE(holds(cache->get(b, 160 - b), b)) << b;
    for (u64 b = 0; b < 14; b++) EXPECT_TRUE(holds(pinned[b], b)) << b;
    usize const before = disk.requests.size();
    for (u64 b = 0; b < 14; b++) (void)cache->get(b).release_value();
    EXPECT_EQ(disk.requests.size(), before); // all still cached
    EXPECT_EQ(cache->pinned(), 14u);
}

TEST(Readahead, AFailedRunFailsOnlyTheBadBlock)
{
    MemoryDisk disk(64);
    disk.bad_begin = 6 * kBlock;
    disk.bad_end = 7 * kBlock;
    auto cache = BlockCache::create(disk, kBlock, 64).release_value();
    // The run 3-10 fails at 6; block 3 alone does not.
    EXPECT_TRUE(holds(cache->get(3, 8), 3));
    EXPECT_TRUE(holds(cache->get(4, 7), 4));
    EXPECT_TRUE(holds(cache->get(5, 6), 5));
    EXPECT_EQ(cache->get(6, 5).error().code(), EIO);
    EXPECT_EQ(cache->get(6).error().code(), EIO); // not cached as if it had worked
    EXPECT_TRUE(holds(cache->get(7, 4), 7));
    for (u64 b = 8; b < 11; b++) EXPECT_TRUE(holds(cache->get(b), b)) << b;
    EXPECT_EQ(cache->pinned(), 0u);
    // The device mends: block 6 reads.
    disk.bad_end = 0;
    EXPECT_TRUE(holds(cache->get(6), 6));
}

// ---- the reader on mke2fs images

std::string random_bytes(size_t size, unsigned seed)
{
    std::string s(size, '\0');
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s[i] = char(x);
    }
    return s;
}

// An image file, recording every request and failing those that touch a
// bad byte range.
class ImageDisk final : public BlockBackend {
public:
    explicit ImageDisk(std::string const& path)
    {
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_fd >= 0) m_size = u64(::lseek(m_fd, 0, SEEK_END));
    }
    ~ImageDisk() override
    {
        if (m_fd >= 0) ::close(m_fd);
    }
    Result<void> read(u64 offset, u8* buffer, usize length) override
    {
        requests.push_back({ offset, length });
        if (offset < bad_end && offset + length > bad_begin) return Errno(EIO);
        if (offset > m_size || length > m_size - offset) return Errno(EINVAL);
        if (::pread(m_fd, buffer, length, off_t(offset)) != ssize_t(length)) return Errno(EIO);
        return {};
    }
    u64 size() const override { return m_size; }
    std::vector<Request> requests;
    u64 bad_begin { 0 };
    u64 bad_end { 0 };

private:
    int m_fd { -1 };
    u64 m_size { 0 };
};

// Reads [offset, offset + length) of a file in `chunk`-byte reads, as cat
// does.
Result<std::string> read_range(ext4::Volume& volume, ext4::InodeData const& inode, u64 offset, u64 length, usize chunk)
{
    std::string out;
    for (u64 done = 0; done < length;) {
        std::string piece;
        VectorSink sink(piece);
        usize const n = TRY(volume.read(inode, offset + done, usize(std::min<u64>(chunk, length - done)), sink));
        if (n == 0) break;
        out.append(piece, 0, n);
        done += n;
    }
    return out;
}

constexpr size_t kBig = 3 * 1024 * 1024;

struct Fixture {
    TempDir dir;
    std::string image;
    std::string big;
    std::string small;
    std::unique_ptr<ImageDisk> disk;
    OwnPtr<ext4::Volume> volume;

    explicit Fixture(std::string const& options)
    {
        std::string const src = dir / "src";
        run("mkdir -p '" + src + "/many'");
        big = random_bytes(kBig, 1);
        small = random_bytes(40 * 1024, 2);
        write_file(src + "/big", big);
        write_file(src + "/small", small);
        // After "small" on the disk, so that reading past small's end would
        // read neighbour's blocks.
        write_file(src + "/neighbour", random_bytes(64 * 1024, 3));
        for (int i = 0; i < 200; i++) write_file(src + "/many/f" + std::to_string(i), "x");
        image = dir / "image";
        EXPECT_EQ(make_image(image, src, options, "32M"), 0);
        disk = std::make_unique<ImageDisk>(image);
        ext4::OpenReport report;
        auto opened = ext4::Volume::open(*disk, report);
        EXPECT_FALSE(opened.is_error());
        if (!opened.is_error()) volume = opened.release_value();
    }
};

class ReadaheadVolume : public testing::TestWithParam<char const*> { };

TEST_P(ReadaheadVolume, ASequentialReadIsAboutOneRequestPer64KiB)
{
    Fixture f(GetParam());
    ASSERT_TRUE(f.volume);
    auto inode = lookup_path(*f.volume, "big").release_value();
    f.disk->requests.clear();
    auto data = read_range(*f.volume, inode, 0, inode.size, 4096).release_value();
    EXPECT_TRUE(data == f.big);
    // 48 runs of 64 KiB, plus the odd index or indirect block and the runs
    // those break; one request per 4 KiB block would be 768.
    EXPECT_LE(f.disk->requests.size(), kBig / 65536 + 12);
    for (auto const& request : f.disk->requests) EXPECT_LE(request.length, 65536u);
}

TEST_P(ReadaheadVolume, ASmallFileIsOneRequestAndNothingPastIt)
{
    Fixture f(GetParam());
    ASSERT_TRUE(f.volume);
    auto inode = lookup_path(*f.volume, "small").release_value();
    auto first = f.volume->map(inode, 0).release_value();
    u64 const blocks = (inode.size + f.volume->block_size() - 1) / f.volume->block_size();
    ASSERT_GE(first.count, blocks); // mke2fs laid it out contiguously
    f.disk->requests.clear();
    // Read from the middle to the end, in small pieces.
    u64 const from = inode.size - 10000;
    auto data = read_range(*f.volume, inode, from, inode.size, 1000).release_value();
    EXPECT_TRUE(data == f.small.substr(from));
    u64 const begin = first.physical * f.volume->block_size();
    u64 const end = begin + blocks * f.volume->block_size();
    for (auto const& request : f.disk->requests) {
        EXPECT_GE(request.offset, begin);
        EXPECT_LE(request.offset + request.length, end) << "read past the file's last block";
    }
    // The whole file from the start: one request (the indirect block too on ext2).
    auto fresh = Fixture(GetParam());
    auto again = lookup_path(*fresh.volume, "small").release_value();
    fresh.disk->requests.clear();
    EXPECT_TRUE(read_range(*fresh.volume, again, 0, again.size, 4096).release_value() == f.small);
    EXPECT_LE(fresh.disk->requests.size(), 2u);
}

TEST_P(ReadaheadVolume, InodesOfABigDirectoryComeInFewRequests)
{
    Fixture f(GetParam());
    ASSERT_TRUE(f.volume);
    auto dir = lookup_path(*f.volume, "many").release_value();
    f.disk->requests.clear();
    auto entries = list_directory(*f.volume, dir).release_value();
    ASSERT_EQ(entries.size(), 202u);
    for (auto const& [name, entry] : entries) ASSERT_FALSE(f.volume->read_inode(entry.ino).is_error()) << name;
    // 200 inodes of 256 bytes fill 13 blocks of 4 KiB: one request per 16
    // blocks of table, instead of 13, plus the directory's blocks.
    EXPECT_LE(f.disk->requests.size(), 4u);
}

TEST_P(ReadaheadVolume, ADeviceErrorFailsOnlyTheReadsThatNeedTheBadBlock)
{
    Fixture f(GetParam());
    ASSERT_TRUE(f.volume);
    auto inode = lookup_path(*f.volume, "big").release_value();
    usize const block_size = f.volume->block_size();
    // A bad block 100 blocks into the file, inside a 64 KiB run.
    auto mapping = f.volume->map(inode, 100).release_value();
    ASSERT_NE(mapping.physical, 0u);
    f.disk->bad_begin = mapping.physical * block_size;
    f.disk->bad_end = f.disk->bad_begin + block_size;
    EXPECT_EQ(read_range(*f.volume, inode, 0, inode.size, 4096).error().code(), EIO);
    // Everything before it and after it reads, and right.
    u64 const bad = 100 * block_size;
    auto before = read_range(*f.volume, inode, 0, bad, 4096).release_value();
    EXPECT_TRUE(before == f.big.substr(0, bad));
    auto after = read_range(*f.volume, inode, bad + block_size, inode.size, 4096).release_value();
    EXPECT_TRUE(after == f.big.substr(bad + block_size));
    EXPECT_EQ(read_range(*f.volume, inode, bad, block_size, 4096).error().code(), EIO);
    // Mended, the whole file reads as it is.
    f.disk->bad_end = 0;
    EXPECT_TRUE(read_range(*f.volume, inode, 0, inode.size, 65536).release_value() == f.big);
}

// ext4 (extents) and ext2 (indirect blocks: runs of consecutive pointers).
INSTANTIATE_TEST_SUITE_P(Layouts, ReadaheadVolume, testing::Values("-t ext4 -b 4096 -I 256", "-t ext2 -b 4096 -I 256"),
    [](testing::TestParamInfo<char const*> const& info) { return info.index == 0 ? "ext4" : "ext2"; });

} // namespace
