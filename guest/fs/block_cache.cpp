#include <fs/block_cache.h>

#include <new>
#include <utility>

Result<void> BlockBackend::read_blocks(u64 offset, usize block_size, u8* const* blocks, usize count)
{
    usize const length = block_size * count;
    auto* buffer = new (std::nothrow) u8[length];
    if (!buffer) return Errno(ENOMEM);
    auto result = read(offset, buffer, length);
    if (!result.is_error())
        for (usize i = 0; i < count; i++) __builtin_memcpy(blocks[i], buffer + i * block_size, block_size);
    delete[] buffer;
    return result;
}

BlockHandle::BlockHandle(BlockHandle&& other)
    : m_cache(std::exchange(other.m_cache, nullptr))
    , m_entry(std::exchange(other.m_entry, nullptr))
{
}

BlockHandle& BlockHandle::operator=(BlockHandle&& other)
{
    if (this != &other) {
        release();
        m_cache = std::exchange(other.m_cache, nullptr);
        m_entry = std::exchange(other.m_entry, nullptr);
    }
    return *this;
}

usize BlockHandle::size() const { return m_cache->block_size(); }

void BlockHandle::release()
{
    if (m_entry) m_cache->unpin(*m_entry);
    m_entry = nullptr;
    m_cache = nullptr;
}

Result<OwnPtr<BlockCache>> BlockCache::create(BlockBackend& backend, usize block_size, usize capacity)
{
    if (block_size < 512 || block_size > 65536 || (block_size & (block_size - 1)) || capacity == 0)
        return Errno(EINVAL);
    auto cache = adopt_own(new (std::nothrow) BlockCache(backend, block_size, capacity));
    if (!cache) return Errno(ENOMEM);
    cache->m_entries = new (std::nothrow) Entry[capacity];
    usize buckets = 1;
    while (buckets < capacity * 2) buckets *= 2;
    cache->m_buckets = new (std::nothrow) Entry* [buckets] {};
    if (!cache->m_entries || !cache->m_buckets) return Errno(ENOMEM);
    cache->m_bucket_count = buckets;
    // A quarter of the cache at most: a long sequential read then cycles
    // through a part of the cache, and what else is hot keeps the rest.
    usize const limit = lib::min(backend.max_request() / block_size, capacity / 4);
    cache->m_read_ahead_limit = lib::max(limit, usize(1));
    cache->m_run_entries = new (std::nothrow) Entry*[cache->m_read_ahead_limit];
    cache->m_run_buffers = new (std::nothrow) u8*[cache->m_read_ahead_limit];
    cache->m_write_limit = lib::max(lib::min(backend.max_request() / block_size, capacity), usize(1));
    cache->m_write_entries = new (std::nothrow) Entry*[capacity];
    if (!cache->m_run_entries || !cache->m_run_buffers || !cache->m_write_entries) return Errno(ENOMEM);
    return cache;
}

BlockCache::~BlockCache()
{
    // Handles must not outlive their cache: the owner (a file system) drops
    // every handle before it drops the cache.
    for (usize i = 0; i < m_used; i++) delete[] m_entries[i].data;
    delete[] m_entries;
    delete[] m_buckets;
    delete[] m_run_entries;
    delete[] m_run_buffers;
    delete[] m_write_entries;
    delete[] m_write_buffer;
}

BlockCache::Entry* BlockCache::find(u64 number)
{
    for (Entry* e = m_buckets[bucket_of(number)]; e; e = e->hash_next)
        if (e->number == number) return e;
    return nullptr;
}

void BlockCache::hash_insert(Entry& entry)
{
    Entry*& head = m_buckets[bucket_of(entry.number)];
    entry.hash_next = head;
    head = &entry;
}

void BlockCache::hash_remove(Entry& entry)
{
    for (Entry** link = &m_buckets[bucket_of(entry.number)]; *link; link = &(*link)->hash_next) {
        if (*link == &entry) {
            *link = entry.hash_next;
            entry.hash_next = nullptr;
            return;
        }
    }
}

void BlockCache::lru_push_front(Entry& entry)
{
    entry.lru_prev = nullptr;
    entry.lru_next = m_lru_head;
    if (m_lru_head)
        m_lru_head->lru_prev = &entry;
    else
        m_lru_tail = &entry;
    m_lru_head = &entry;
}

void BlockCache::lru_push_back(Entry& entry)
{
    entry.lru_next = nullptr;
    entry.lru_prev = m_lru_tail;
    if (m_lru_tail)
        m_lru_tail->lru_next = &entry;
    else
        m_lru_head = &entry;
    m_lru_tail = &entry;
}

void BlockCache::lru_remove(Entry& entry)
{
    if (entry.lru_prev)
        entry.lru_prev->lru_next = entry.lru_next;
    else
        m_lru_head = entry.lru_next;
    if (entry.lru_next)
        entry.lru_next->lru_prev = entry.lru_prev;
    else
        m_lru_tail = entry.lru_prev;
    entry.lru_prev = entry.lru_next = nullptr;
}

// A slot for a block about to be read: a never-used one while there are
// any, else the least recently used unpinned block, forgotten. A dirty one
// is written back first if `write_back`, else skipped; one whose write
// fails stays as it is, and the next is tried.
Result<BlockCache::Entry*> BlockCache::take_slot(bool write_back)
{
    if (m_used < m_capacity) {
        Entry& fresh = m_entries[m_used];
        fresh.data = new (std::nothrow) u8[m_block_size];
        if (!fresh.data) return Errno(ENOMEM);
        m_used++;
        return &fresh;
    }
    Errno failure(ENOMEM);
    for (Entry* victim = m_lru_tail; victim; victim = victim->lru_prev) {
        if (victim->dirty) {
            if (!write_back) continue;
            if (auto written = write_around(*victim); written.is_error()) {
                failure = written.error();
                continue;
            }
        }
        lru_remove(*victim);
        hash_remove(*victim);
        return victim;
    }
    return failure;
}

Result<BlockHandle> BlockCache::get(u64 number, u64 ahead)
{
    if (number >= block_count()) return Errno(EINVAL);
    if (Entry* e = find(number)) {
        m_hits++;
        pin(*e);
        return BlockHandle(this, e);
    }
    m_misses++;
    // The run to read: up to the first block already cached, so that it is
    // one request and nothing cached is read twice.
    u64 count = lib::min(lib::min(ahead, u64(m_read_ahead_limit)), block_count() - number);
    for (u64 i = 1; i < count; i++) {
        if (find(number + i)) {
            count = i;
            break;
        }
    }
    if (count > 1 && !read_run(number, usize(count)).is_error()) {
        Entry* e = find(number);
        pin(*e);
        return BlockHandle(this, e);
    }
    // One block alone: no read-ahead asked for, or the run failed (one more
    // request, so that only the block wanted now can fail its reader).
    Entry* e = TRY(take_slot(true));
    auto read = m_backend.read(number * m_block_size, e->data, m_block_size);
    if (read.is_error()) {
        discard(*e);
        return read.error();
    }
    e->number = number;
    e->pins = 1;
    e->dirty = false;
    hash_insert(*e);
    m_pinned++;
    return BlockHandle(this, e);
}

// Reads blocks [first, first + count), none of them cached, in one backend
// request and caches them unpinned. Fewer when slots run out, as long as
// there is one; nothing is cached when the request fails.
Result<void> BlockCache::read_run(u64 first, usize count)
{
    usize taken = 0;
    while (taken < count) {
        auto slot = take_slot(false);
        if (slot.is_error()) {
            if (taken == 0) return slot.error();
            break;
        }
        m_run_entries[taken] = slot.value();
        m_run_buffers[taken] = slot.value()->data;
        taken++;
    }
    auto read = m_backend.read_blocks(first * m_block_size, m_block_size, m_run_buffers, taken);
    for (usize i = 0; i < taken; i++) {
        Entry& e = *m_run_entries[i];
        if (read.is_error()) {
            discard(e);
            continue;
        }
        e.number = first + i;
        e.pins = 0;
        e.dirty = false;
        hash_insert(e);
        lru_push_front(e);
    }
    if (read.is_error()) return read.error();
    m_read_ahead += taken - 1;
    return {};
}

// A slot whose read failed goes back at the cold end, under a number no
// get() asks for (get() refuses numbers past the end), to be reused first.
void BlockCache::discard(Entry& entry)
{
    entry.number = ~0ull;
    entry.pins = 0;
    entry.dirty = false;
    hash_insert(entry);
    lru_push_back(entry);
}

void BlockCache::pin(Entry& entry)
{
    if (entry.pins++ == 0) {
        lru_remove(entry);
        m_pinned++;
    }
}

void BlockCache::unpin(Entry& entry)
{
    if (--entry.pins == 0) {
        m_pinned--;
        lru_push_front(entry);
    }
}

Result<BlockHandle> BlockCache::get_zeroed(u64 number)
{
    if (number >= block_count()) return Errno(EINVAL);
    Entry* e = find(number);
    if (e) {
        m_hits++;
        pin(*e);
    } else {
        m_misses++;
        e = TRY(take_slot(true));
        e->number = number;
        e->pins = 1;
        hash_insert(*e);
        m_pinned++;
    }
    __builtin_memset(e->data, 0, m_block_size);
    e->dirty = true;
    return BlockHandle(this, e);
}

usize BlockCache::dirty() const
{
    usize count = 0;
    for (usize i = 0; i < m_used; i++) count += m_entries[i].dirty;
    return count;
}

// Writes `entry` and the dirty cached blocks next to it on the disk, as one
// request of at most m_write_limit blocks that holds `entry`.
Result<void> BlockCache::write_around(Entry& entry)
{
    u64 first = entry.number;
    while (first > 0 && entry.number - (first - 1) < m_write_limit) {
        Entry* before = find(first - 1);
        if (!before || !before->dirty) break;
        first--;
    }
    usize count = 0;
    while (count < m_write_limit) {
        Entry* e = find(first + count);
        if (!e || !e->dirty) break;
        m_write_entries[count++] = e;
    }
    auto written = write_entries(m_write_entries, count);
    if (!written.is_error() || count == 1) return written;
    // The run failed: one more request, so that a bad sector further on
    // keeps only its own block from being written (as get()'s reads).
    Entry* alone = &entry;
    return write_entries(&alone, 1);
}

// Writes `count` cached blocks with consecutive numbers (at most
// m_write_limit) in one request, and marks them clean but for the pinned.
Result<void> BlockCache::write_entries(Entry* const* entries, usize count)
{
    if (count > 1 && !m_write_buffer) m_write_buffer = new (std::nothrow) u8[m_write_limit * m_block_size];
    u64 const offset = entries[0]->number * m_block_size;
    if (count == 1 || !m_write_buffer) {
        // One block, or no memory for a bigger request: one at a time.
        for (usize i = 0; i < count; i++) {
            TRY(m_backend.write(offset + i * m_block_size, entries[i]->data, m_block_size));
            m_write_requests++;
        }
    } else {
        for (usize i = 0; i < count; i++)
            __builtin_memcpy(m_write_buffer + i * m_block_size, entries[i]->data, m_block_size);
        TRY(m_backend.write(offset, m_write_buffer, count * m_block_size));
        m_write_requests++;
    }
    for (usize i = 0; i < count; i++) {
        if (entries[i]->pins == 0) entries[i]->dirty = false;
    }
    m_written += count;
    return {};
}

Result<void> BlockCache::sync()
{
    // The dirty blocks, sorted by number (a heap sort: no recursion, no
    // allocation), so that runs are found and the disk is written in order.
    usize count = 0;
    for (usize i = 0; i < m_used; i++)
        if (m_entries[i].dirty) m_write_entries[count++] = &m_entries[i];
    Entry** list = m_write_entries;
    auto sift_down = [list](usize root, usize end) {
        while (2 * root + 1 < end) {
            usize child = 2 * root + 1;
            if (child + 1 < end && list[child + 1]->number > list[child]->number) child++;
            if (list[root]->number >= list[child]->number) return;
            std::swap(list[root], list[child]);
            root = child;
        }
    };
    for (usize i = count / 2; i-- > 0;) sift_down(i, count);
    for (usize end = count; end > 1; end--) {
        std::swap(list[0], list[end - 1]);
        sift_down(0, end - 1);
    }

    Result<void> result;
    for (usize start = 0; start < count;) {
        usize run = 1;
        while (start + run < count && run < m_write_limit
            && list[start + run]->number == list[start]->number + run)
            run++;
        auto written = write_entries(list + start, run);
        if (written.is_error() && !result.is_error()) result = written.error();
        start += run;
    }
    auto flushed = m_backend.flush();
    if (result.is_error()) return result;
    return flushed;
}
