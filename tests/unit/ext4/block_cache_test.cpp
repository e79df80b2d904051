// BlockCache on a backend in memory: hits and misses, LRU eviction, pinned
// blocks staying put, errors leaving the cache usable, and write-back
// (before a slot is reused, and by sync) that never loses a dirty block.
#include "memory_disk.h"

#include <fs/block_cache.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace {

TEST(BlockCache, RefusesBadBlockSizesAndZeroCapacity)
{
    MemoryDisk backend(4);
    EXPECT_EQ(BlockCache::create(backend, 1000, 4).error().code(), EINVAL);
    EXPECT_EQ(BlockCache::create(backend, 256, 4).error().code(), EINVAL);
    EXPECT_EQ(BlockCache::create(backend, 131072, 4).error().code(), EINVAL);
    EXPECT_EQ(BlockCache::create(backend, 1024, 0).error().code(), EINVAL);
}

TEST(BlockCache, ReadsOnceThenHits)
{
    MemoryDisk backend(8);
    auto cache = BlockCache::create(backend, kBlock, 4).release_value();
    {
        auto a = cache->get(3).release_value();
        EXPECT_EQ(a.data()[0], 4);
        EXPECT_EQ(a.data()[kBlock - 1], 4);
        EXPECT_EQ(a.size(), kBlock);
        EXPECT_EQ(a.block(), 3u);
    }
    auto again = cache->get(3).release_value();
    EXPECT_EQ(again.data()[0], 4);
    EXPECT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(cache->hits(), 1u);
    EXPECT_EQ(cache->misses(), 1u);
}

TEST(BlockCache, PastTheEndIsEinval)
{
    MemoryDisk backend(8);
    auto cache = BlockCache::create(backend, kBlock, 4).release_value();
    EXPECT_EQ(cache->get(8).error().code(), EINVAL);
    EXPECT_EQ(cache->get(~0ull).error().code(), EINVAL);
    EXPECT_EQ(backend.requests.size(), 0u);
}

TEST(BlockCache, EvictsTheLeastRecentlyUsed)
{
    MemoryDisk backend(16);
    auto cache = BlockCache::create(backend, kBlock, 3).release_value();
    for (u64 b : { 0, 1, 2 }) (void)cache->get(b).release_value();
    (void)cache->get(0).release_value(); // 0 is now the most recent; 1 the least
    (void)cache->get(5).release_value(); // evicts 1
    EXPECT_EQ(cache->cached(), 3u);
    usize const before = backend.requests.size();
    (void)cache->get(0).release_value();
    (void)cache->get(2).release_value();
    EXPECT_EQ(backend.requests.size(), before);
    (void)cache->get(1).release_value();
    EXPECT_EQ(backend.requests.size(), before + 1);
}

TEST(BlockCache, PinnedBlocksAreNeverEvicted)
{
    MemoryDisk backend(16);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    auto a = cache->get(0).release_value();
    auto b = cache->get(1).release_value();
    EXPECT_EQ(cache->pinned(), 2u);
    // Every slot pinned: no room, and the pinned bytes stay what they were.
    EXPECT_EQ(cache->get(2).error().code(), ENOMEM);
    EXPECT_EQ(a.data()[0], 1);
    EXPECT_EQ(b.data()[0], 2);
    b = BlockHandle();
    auto c = cache->get(2).release_value(); // reuses 1's slot, not 0's
    EXPECT_EQ(c.data()[0], 3);
    EXPECT_EQ(a.data()[0], 1);
    EXPECT_EQ(cache->pinned(), 2u);
}

TEST(BlockCache, HandlesMoveTheirPin)
{
    MemoryDisk backend(4);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    auto a = cache->get(0).release_value();
    BlockHandle moved(static_cast<BlockHandle&&>(a));
    EXPECT_FALSE(a);
    EXPECT_TRUE(moved);
    EXPECT_EQ(cache->pinned(), 1u);
    moved = BlockHandle();
    EXPECT_EQ(cache->pinned(), 0u);
}

// Fills block `number` with `value` through a handle, leaving it unpinned.
void dirty(BlockCache& cache, u64 number, u8 value)
{
    auto handle = cache.get(number).release_value();
    std::fill(handle.mutable_data(), handle.mutable_data() + kBlock, value);
}

bool disk_holds(MemoryDisk const& disk, u64 number, u8 value)
{
    for (usize i = 0; i < kBlock; i++)
        if (disk.byte(number * kBlock + i) != value) return false;
    return true;
}

TEST(BlockCache, WritesADirtyBlockBackBeforeReusingItsSlot)
{
    MemoryDisk backend(8);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    dirty(*cache, 0, 0xaa);
    (void)cache->get(1).release_value();
    EXPECT_TRUE(backend.writes.empty());
    (void)cache->get(2).release_value(); // 0 is the least recent: written, then reused
    ASSERT_EQ(backend.writes.size(), 1u);
    EXPECT_EQ(backend.writes[0].offset, 0u);
    EXPECT_EQ(backend.writes[0].length, kBlock);
    EXPECT_TRUE(disk_holds(backend, 0, 0xaa));
    EXPECT_EQ(cache->get(0).release_value().data()[0], 0xaa); // read back from the disk
    EXPECT_EQ(cache->written(), 1u);
}

TEST(BlockCache, EvictionWritesTheDirtyNeighboursInOneRequest)
{
    MemoryDisk backend(32);
    auto cache = BlockCache::create(backend, kBlock, 4).release_value();
    for (u64 b = 0; b < 4; b++) dirty(*cache, b, u8(0x10 + b));
    (void)cache->get(10).release_value();
    ASSERT_EQ(backend.writes.size(), 1u);
    EXPECT_EQ(backend.writes[0].offset, 0u);
    EXPECT_EQ(backend.writes[0].length, 4 * kBlock);
    for (u64 b = 0; b < 4; b++) EXPECT_TRUE(disk_holds(backend, b, u8(0x10 + b))) << b;
    EXPECT_EQ(cache->dirty(), 0u);
    // The rest were written, so reusing their slots writes nothing more.
    for (u64 b = 11; b < 14; b++) (void)cache->get(b).release_value();
    EXPECT_EQ(backend.writes.size(), 1u);
}

TEST(BlockCache, SyncWritesRunsInOrderThenFlushes)
{
    MemoryDisk backend(32);
    auto cache = BlockCache::create(backend, kBlock, 16).release_value();
    for (u64 b : { 9, 4, 7, 3, 5 }) dirty(*cache, b, u8(0x40 + b));
    (void)cache->get(6).release_value(); // clean: splits the runs
    EXPECT_EQ(cache->dirty(), 5u);
    ASSERT_FALSE(cache->sync().is_error());
    ASSERT_EQ(backend.writes.size(), 3u);
    EXPECT_EQ(backend.writes[0].offset, 3 * kBlock);
    EXPECT_EQ(backend.writes[0].length, 3 * kBlock);
    EXPECT_EQ(backend.writes[1].offset, 7 * kBlock);
    EXPECT_EQ(backend.writes[1].length, kBlock);
    EXPECT_EQ(backend.writes[2].offset, 9 * kBlock);
    EXPECT_EQ(backend.flushes, 1u);
    for (u64 b : { 3, 4, 5, 7, 9 }) EXPECT_TRUE(disk_holds(backend, b, u8(0x40 + b))) << b;
    EXPECT_TRUE(disk_holds(backend, 6, 7));
    EXPECT_EQ(cache->dirty(), 0u);
    EXPECT_EQ(cache->write_requests(), 3u);
    // Nothing dirty: a second sync only flushes.
    ASSERT_FALSE(cache->sync().is_error());
    EXPECT_EQ(backend.writes.size(), 3u);
    EXPECT_EQ(backend.flushes, 2u);
}

TEST(BlockCache, SyncSplitsALongRunAtTheRequestLimit)
{
    MemoryDisk backend(200);
    auto cache = BlockCache::create(backend, kBlock, 100).release_value();
    EXPECT_EQ(cache->write_limit(), 64u); // 64 KiB requests
    for (u64 b = 0; b < 100; b++) dirty(*cache, b, u8(b));
    ASSERT_FALSE(cache->sync().is_error());
    ASSERT_EQ(backend.writes.size(), 2u);
    EXPECT_EQ(backend.writes[0].length, 64 * kBlock);
    EXPECT_EQ(backend.writes[1].offset, 64 * kBlock);
    EXPECT_EQ(backend.writes[1].length, 36 * kBlock);
    for (u64 b = 0; b < 100; b++) EXPECT_TRUE(disk_holds(backend, b, u8(b))) << b;
}

TEST(BlockCache, AFailedEvictionWriteLosesNothing)
{
    MemoryDisk backend(16);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    dirty(*cache, 0, 0xa0);
    dirty(*cache, 1, 0xa1);
    // Writes that touch block 0 fail: the slot of 0 (the least recent)
    // cannot be freed, nor can the run 0-1; 1 alone is written and reused.
    backend.bad_write_begin = 0;
    backend.bad_write_end = kBlock;
    dirty(*cache, 2, 0xa2);
    EXPECT_EQ(cache->get(0).release_value().data()[0], 0xa0); // still cached, still dirty
    EXPECT_TRUE(disk_holds(backend, 1, 0xa1));
    // Every write fails and both slots are dirty: no slot, the write's error.
    backend.bad_write_end = ~0ull;
    EXPECT_EQ(cache->get(9).error().code(), EIO);
    EXPECT_EQ(cache->sync().error().code(), EIO);
    EXPECT_EQ(cache->dirty(), 2u);
    backend.bad_write_end = 0;
    ASSERT_FALSE(cache->sync().is_error());
    EXPECT_TRUE(disk_holds(backend, 0, 0xa0));
    EXPECT_TRUE(disk_holds(backend, 2, 0xa2));
    EXPECT_EQ(cache->dirty(), 0u);
}

TEST(BlockCache, SyncWritesWhatItCanAndReportsTheFailure)
{
    MemoryDisk backend(16);
    auto cache = BlockCache::create(backend, kBlock, 8).release_value();
    dirty(*cache, 2, 0xb2);
    dirty(*cache, 5, 0xb5);
    backend.bad_write_begin = 2 * kBlock;
    backend.bad_write_end = 3 * kBlock;
    EXPECT_EQ(cache->sync().error().code(), EIO);
    EXPECT_TRUE(disk_holds(backend, 5, 0xb5));
    EXPECT_TRUE(disk_holds(backend, 2, 3));
    EXPECT_EQ(cache->dirty(), 1u);
    backend.bad_write_end = 0;
    ASSERT_FALSE(cache->sync().is_error());
    EXPECT_TRUE(disk_holds(backend, 2, 0xb2));
}

TEST(BlockCache, APinnedBlockStaysDirtyAfterSync)
{
    MemoryDisk backend(8);
    auto cache = BlockCache::create(backend, kBlock, 4).release_value();
    auto handle = cache->get(1).release_value();
    u8* bytes = handle.mutable_data();
    bytes[0] = 0xc1;
    ASSERT_FALSE(cache->sync().is_error());
    EXPECT_EQ(backend.byte(kBlock), 0xc1);
    // The holder changes it again through the same pointer.
    bytes[0] = 0xc2;
    handle = BlockHandle();
    ASSERT_FALSE(cache->sync().is_error());
    EXPECT_EQ(backend.byte(kBlock), 0xc2);
    EXPECT_EQ(cache->dirty(), 0u);
}

TEST(BlockCache, GetZeroedReadsNothing)
{
    MemoryDisk backend(8);
    auto cache = BlockCache::create(backend, kBlock, 4).release_value();
    {
        auto handle = cache->get_zeroed(3).release_value();
        EXPECT_TRUE(std::all_of(handle.data(), handle.data() + kBlock, [](u8 b) { return b == 0; }));
    }
    EXPECT_TRUE(backend.requests.empty());
    EXPECT_EQ(cache->dirty(), 1u);
    // A cached block is zeroed in place.
    (void)cache->get(4).release_value();
    EXPECT_EQ(cache->get_zeroed(4).release_value().data()[0], 0);
    ASSERT_FALSE(cache->sync().is_error());
    EXPECT_TRUE(disk_holds(backend, 3, 0));
    EXPECT_TRUE(disk_holds(backend, 4, 0));
    EXPECT_EQ(cache->get_zeroed(8).error().code(), EINVAL);
}

TEST(BlockCache, ReadAheadNeverWritesBack)
{
    MemoryDisk backend(64);
    auto cache = BlockCache::create(backend, kBlock, 8).release_value(); // read-ahead limit 2
    for (u64 b = 0; b < 8; b++) dirty(*cache, b, 0xd0);
    // Every slot dirty: the miss writes back one run for its own block, and
    // the read-ahead takes no slot that would need another write.
    EXPECT_EQ(cache->get(40, 2).release_value().data()[0], 41);
    EXPECT_EQ(backend.requests.back().length, kBlock);
    EXPECT_EQ(cache->read_ahead(), 0u);
}

TEST(BlockCache, AReadErrorLeavesTheCacheUsable)
{
    MemoryDisk backend(8);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    backend.bad_end = ~0ull; // every request fails
    EXPECT_EQ(cache->get(4).error().code(), EIO);
    EXPECT_EQ(cache->get(4).error().code(), EIO); // not cached as if it had worked
    backend.bad_end = 0;
    EXPECT_EQ(cache->get(4).release_value().data()[0], 5);
    EXPECT_EQ(cache->get(5).release_value().data()[0], 6);
    EXPECT_EQ(cache->get(6).release_value().data()[0], 7);
    EXPECT_EQ(cache->pinned(), 0u);
}

} // namespace
