// BlockCache: file-system blocks (1-64 KiB) of one device, read and written
// through a small bounded cache.
//
// The model: a cache holds at most `capacity` blocks of one size, each in
// its own heap buffer. get() returns a BlockHandle, a move-only reference
// that pins the block: a pinned block is never evicted or reused, so the
// bytes a handle shows stay valid for as long as the handle lives. When the
// last handle goes, the block joins the LRU list of unpinned blocks and is
// what gets reused first once the cache is full.
//
// The bytes come from a BlockBackend: a byte-addressed reader and writer.
// The kernel plugs in a disk (block_cache_disk.h); the host unit tests plug
// in an image file or memory, which is why this file depends on guest/lib
// alone.
//
// Read-ahead: every request to a disk is a VM exit (tens of microseconds)
// whatever its size, so get() can be told how many blocks from `number` on
// the caller is about to want (a file's contiguous run, say). On a miss it
// then reads the missing blocks of that run in one backend request (up to
// read_ahead_limit() blocks) and caches them unpinned, at the recent end of
// the LRU list. Read-ahead only ever takes slots that are unused, or
// unpinned and clean (it never writes back), and is kept to a quarter of the
// cache, so it cannot push out what is pinned nor most of what is hot. If
// the run's request fails, get() retries the one block asked for: a bad
// sector further on fails only the read that needs it.
//
// Write-back: a handle's mutable_data() marks its block dirty. A dirty block
// is written when get() needs its slot (with the dirty blocks next to it on
// the disk, in one request: a file written sequentially leaves long dirty
// runs) and by sync(), which writes every dirty block in ascending order,
// contiguous ones coalesced up to one backend request, then flushes the
// device. A write that fails keeps its blocks dirty: get() tries the next
// slot, and sync() the next run, then reports the error; nothing is lost
// that a later sync() could still write. A pinned block stays dirty even
// once written, because its holder may still be changing the bytes through
// the pointer mutable_data() gave it. Blocks are written in no particular
// order between syncs, so a caller that needs one write to reach the disk
// before another (there is no journal) has to sync() between them. The
// owner sync()s before it drops the cache: what is dirty then is lost.
//
// Concurrency: one CPU and a non-preemptive kernel, and the disk driver
// polls (get() does not sleep), so there is no lock. A driver that sleeps
// will need a Mutex here and a "being read" state so that two readers of one
// missing block do not both fill it.
#pragma once

#include <lib/own_ptr.h>
#include <lib/result.h>

class BlockBackend {
public:
    virtual ~BlockBackend() = default;
    // Reads `length` bytes at byte `offset` into `buffer`. Offsets and
    // lengths are multiples of 512. EIO when the device fails, EINVAL past
    // its end.
    virtual Result<void> read(u64 offset, u8* buffer, usize length) = 0;
    // The device's size in bytes.
    virtual u64 size() const = 0;
    // The most bytes one request moves: what read-ahead asks for at once.
    virtual usize max_request() const { return 64 * 1024; }
    // One request of `count` blocks of `block_size` bytes from byte
    // `offset`, into `blocks[0..count)` (one buffer each; count *
    // block_size is at most max_request()). Errors as read(). This default
    // reads into a temporary buffer; a disk overrides it to copy from its
    // DMA buffer straight into the blocks.
    virtual Result<void> read_blocks(u64 offset, usize block_size, u8* const* blocks, usize count);
    // Writes `length` bytes from `buffer` at byte `offset` (multiples of
    // 512). EROFS from a read-only device; errors as read().
    virtual Result<void> write(u64 offset, u8 const* buffer, usize length)
    {
        (void)offset, (void)buffer, (void)length;
        return Errno(EROFS);
    }
    // Makes what was written durable (a disk's FLUSH).
    virtual Result<void> flush() { return {}; }
};

class BlockCache;

// One slot of a BlockCache (its internals; only BlockCache touches them).
struct BlockCacheEntry {
    u64 number { 0 };
    u8* data { nullptr };
    unsigned pins { 0 };
    bool dirty { false };
    BlockCacheEntry* hash_next { nullptr }; // bucket chain (cached entries)
    BlockCacheEntry* lru_prev { nullptr }; // LRU list of unpinned cached entries; head = most recent
    BlockCacheEntry* lru_next { nullptr };
};

class BlockHandle {
public:
    BlockHandle() = default;
    BlockHandle(BlockHandle&& other);
    BlockHandle& operator=(BlockHandle&& other);
    BlockHandle(BlockHandle const&) = delete;
    BlockHandle& operator=(BlockHandle const&) = delete;
    ~BlockHandle() { release(); }

    u8 const* data() const { return m_entry->data; }
    usize size() const;
    u64 block() const { return m_entry->number; }
    // The bytes, to change: marks the block dirty (written back by
    // BlockCache::sync or before the slot is reused).
    u8* mutable_data()
    {
        m_entry->dirty = true;
        return m_entry->data;
    }
    explicit operator bool() const { return m_entry != nullptr; }

private:
    friend class BlockCache;
    BlockHandle(BlockCache* cache, BlockCacheEntry* entry)
        : m_cache(cache)
        , m_entry(entry)
    {
    }
    void release();
    BlockCache* m_cache { nullptr };
    BlockCacheEntry* m_entry { nullptr };
};

class BlockCache {
public:
    // `block_size` is a power of two from 512 to 64 KiB; `capacity` at
    // least 1. Nothing is read yet.
    static Result<OwnPtr<BlockCache>> create(BlockBackend& backend, usize block_size, usize capacity);
    ~BlockCache();
    BlockCache(BlockCache const&) = delete;
    BlockCache& operator=(BlockCache const&) = delete;

    // Block `number` (in units of block_size), pinned. EINVAL past the end
    // of the device; EIO from the device (a read, or the write-back of the
    // only slot there was to take); ENOMEM when every slot is pinned, or
    // memory is short. `ahead` > 1: the caller will want
    // blocks number+1 .. number+ahead-1 next, so a miss reads them too, in
    // the same request (see the top of this file); it is clipped to the
    // device, read_ahead_limit() and the first block already cached.
    Result<BlockHandle> get(u64 number, u64 ahead = 1);
    // Block `number` about to be overwritten whole (a block just
    // allocated): zero-filled and dirty, pinned, without reading the
    // device. A cached copy is zeroed in place, under any other holder:
    // only for a block nobody else is using. Errors as get().
    Result<BlockHandle> get_zeroed(u64 number);
    // Writes every dirty block, then flushes the backend. The first error
    // met; what failed stays dirty.
    Result<void> sync();

    usize block_size() const { return m_block_size; }
    usize capacity() const { return m_capacity; }
    u64 block_count() const { return m_backend.size() / m_block_size; }
    // The most blocks one miss reads: one backend request, and a quarter
    // of the cache. At least 1.
    usize read_ahead_limit() const { return m_read_ahead_limit; }
    // The most blocks one write-back request moves: one backend request,
    // and never more than the cache.
    usize write_limit() const { return m_write_limit; }

    // Counters, for tests and the monitor.
    u64 hits() const { return m_hits; }
    u64 misses() const { return m_misses; }
    u64 read_ahead() const { return m_read_ahead; } // blocks read beyond the one a miss asked for
    usize cached() const { return m_used; }
    usize pinned() const { return m_pinned; }
    // The capacity() slots, for the monitor (kernel/debug/debug_table.h); they never move.
    BlockCacheEntry const* entries() const { return m_entries; }
    u64 written() const { return m_written; } // blocks written back
    u64 write_requests() const { return m_write_requests; }
    usize dirty() const; // blocks dirty now (counted, for tests)

private:
    friend class BlockHandle;
    using Entry = BlockCacheEntry;

    BlockCache(BlockBackend& backend, usize block_size, usize capacity)
        : m_backend(backend)
        , m_block_size(block_size)
        , m_capacity(capacity)
    {
    }
    usize bucket_of(u64 number) const { return usize((number * 0x9e3779b97f4a7c15ull) >> 40) & (m_bucket_count - 1); }
    Entry* find(u64 number);
    void hash_insert(Entry& entry);
    void hash_remove(Entry& entry);
    void lru_push_front(Entry& entry);
    void lru_push_back(Entry& entry);
    void lru_remove(Entry& entry);
    // `write_back`: a dirty victim may be written to free its slot.
    Result<Entry*> take_slot(bool write_back);
    Result<void> write_around(Entry& entry);
    Result<void> write_entries(Entry* const* entries, usize count);
    void pin(Entry& entry);
    void unpin(Entry& entry);
    void discard(Entry& entry);
    Result<void> read_run(u64 first, usize count);

    BlockBackend& m_backend;
    usize m_block_size;
    usize m_capacity;
    Entry* m_entries { nullptr }; // m_capacity slots; the first m_used have been used
    usize m_used { 0 };
    Entry** m_buckets { nullptr };
    usize m_bucket_count { 0 };
    Entry* m_lru_head { nullptr };
    Entry* m_lru_tail { nullptr };
    usize m_pinned { 0 };
    usize m_read_ahead_limit { 1 };
    // Scratch for read_run: the slots of the run being read, and their
    // buffers (m_read_ahead_limit of each; on the heap, not the stack).
    Entry** m_run_entries { nullptr };
    u8** m_run_buffers { nullptr };
    usize m_write_limit { 1 };
    // Scratch for writes: the entries of a run (m_capacity, for sync's
    // sorted list too), and one request's bytes (allocated at the first
    // write of more than one block; without it, blocks go one at a time).
    Entry** m_write_entries { nullptr };
    u8* m_write_buffer { nullptr };
    u64 m_written { 0 };
    u64 m_write_requests { 0 };
    u64 m_hits { 0 };
    u64 m_misses { 0 };
    u64 m_read_ahead { 0 };
};
