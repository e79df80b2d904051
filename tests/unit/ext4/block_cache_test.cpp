// BlockCache on a backend in memory: hits and misses, LRU eviction, pinned
// blocks staying put, and errors leaving the cache usable.
#include "memory_disk.h"

#include <fs/block_cache.h>

#include <gtest/gtest.h>

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

TEST(BlockCache, DirtyBlocksStayCached)
{
    MemoryDisk backend(8);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    {
        auto a = cache->get(0).release_value();
        a.mark_dirty();
    }
    (void)cache->get(1).release_value();
    (void)cache->get(2).release_value(); // must evict 1, not the dirty 0
    usize const before = backend.requests.size();
    (void)cache->get(0).release_value();
    EXPECT_EQ(backend.requests.size(), before);
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
