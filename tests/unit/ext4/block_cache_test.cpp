// BlockCache on a backend in memory: hits and misses, LRU eviction, pinned
// blocks staying put, and errors leaving the cache usable.
#include <fs/block_cache.h>

#include <gtest/gtest.h>

#include <vector>

namespace {

// Block i of size kBlock is filled with the byte i+1.
constexpr usize kBlock = 1024;

class MemoryBackend final : public BlockBackend {
public:
    explicit MemoryBackend(usize blocks)
        : m_data(blocks * kBlock)
    {
        for (usize i = 0; i < m_data.size(); i++) m_data[i] = u8(i / kBlock + 1);
    }
    Result<void> read(u64 offset, u8* buffer, usize length) override
    {
        reads++;
        if (fail) return Errno(EIO);
        if (offset + length > m_data.size()) return Errno(EINVAL);
        std::copy(m_data.begin() + long(offset), m_data.begin() + long(offset + length), buffer);
        return {};
    }
    u64 size() const override { return m_data.size(); }
    unsigned reads { 0 };
    bool fail { false };

private:
    std::vector<u8> m_data;
};

TEST(BlockCache, RefusesBadBlockSizesAndZeroCapacity)
{
    MemoryBackend backend(4);
    EXPECT_EQ(BlockCache::create(backend, 1000, 4).error().code(), EINVAL);
    EXPECT_EQ(BlockCache::create(backend, 256, 4).error().code(), EINVAL);
    EXPECT_EQ(BlockCache::create(backend, 131072, 4).error().code(), EINVAL);
    EXPECT_EQ(BlockCache::create(backend, 1024, 0).error().code(), EINVAL);
}

TEST(BlockCache, ReadsOnceThenHits)
{
    MemoryBackend backend(8);
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
    EXPECT_EQ(backend.reads, 1u);
    EXPECT_EQ(cache->hits(), 1u);
    EXPECT_EQ(cache->misses(), 1u);
}

TEST(BlockCache, PastTheEndIsEinval)
{
    MemoryBackend backend(8);
    auto cache = BlockCache::create(backend, kBlock, 4).release_value();
    EXPECT_EQ(cache->get(8).error().code(), EINVAL);
    EXPECT_EQ(cache->get(~0ull).error().code(), EINVAL);
    EXPECT_EQ(backend.reads, 0u);
}

TEST(BlockCache, EvictsTheLeastRecentlyUsed)
{
    MemoryBackend backend(16);
    auto cache = BlockCache::create(backend, kBlock, 3).release_value();
    for (u64 b : { 0, 1, 2 }) (void)cache->get(b).release_value();
    (void)cache->get(0).release_value(); // 0 is now the most recent; 1 the least
    (void)cache->get(5).release_value(); // evicts 1
    EXPECT_EQ(cache->cached(), 3u);
    unsigned const before = backend.reads;
    (void)cache->get(0).release_value();
    (void)cache->get(2).release_value();
    EXPECT_EQ(backend.reads, before);
    (void)cache->get(1).release_value();
    EXPECT_EQ(backend.reads, before + 1);
}

TEST(BlockCache, PinnedBlocksAreNeverEvicted)
{
    MemoryBackend backend(16);
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
    MemoryBackend backend(4);
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
    MemoryBackend backend(8);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    {
        auto a = cache->get(0).release_value();
        a.mark_dirty();
    }
    (void)cache->get(1).release_value();
    (void)cache->get(2).release_value(); // must evict 1, not the dirty 0
    unsigned const before = backend.reads;
    (void)cache->get(0).release_value();
    EXPECT_EQ(backend.reads, before);
}

TEST(BlockCache, AReadErrorLeavesTheCacheUsable)
{
    MemoryBackend backend(8);
    auto cache = BlockCache::create(backend, kBlock, 2).release_value();
    backend.fail = true;
    EXPECT_EQ(cache->get(4).error().code(), EIO);
    EXPECT_EQ(cache->get(4).error().code(), EIO); // not cached as if it had worked
    backend.fail = false;
    EXPECT_EQ(cache->get(4).release_value().data()[0], 5);
    EXPECT_EQ(cache->get(5).release_value().data()[0], 6);
    EXPECT_EQ(cache->get(6).release_value().data()[0], 7);
    EXPECT_EQ(cache->pinned(), 0u);
}

} // namespace
