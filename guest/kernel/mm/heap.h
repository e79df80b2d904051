// The kernel heap: kmalloc/kfree, and operator new/delete on top of them.
//
// Small objects (up to 2 KiB) come from per-size-class slabs of one page;
// larger ones are whole buddy blocks. Everything is in the direct map.
// Fallible allocation is explicit: `new (std::nothrow) T` or kmalloc return
// nullptr, which callers turn into ENOMEM. Plain `new` panics on failure and
// is only for boot-time objects the kernel cannot run without.
#pragma once

#include <lib/types.h>

void* kmalloc(usize size);
void* kzalloc(usize size);
void kfree(void* p);

struct HeapStats {
    u64 bytes_in_use; // requested sizes rounded to their class
    u64 allocations;
    u64 frees;
    u64 slab_pages;
    u64 large_pages;
};
HeapStats heap_stats();

// A temporary heap block of `bytes`, freed when it goes out of scope: what
// would be too big for a 16 KiB kernel stack. Null (test it) when memory is
// short.
template<typename T = u8>
class HeapBuffer {
public:
    explicit HeapBuffer(usize bytes, bool zeroed = false)
        : m_data(static_cast<T*>(zeroed ? kzalloc(bytes) : kmalloc(bytes))) { }
    HeapBuffer() : m_data(nullptr) { }
    ~HeapBuffer() { kfree(m_data); }
    HeapBuffer(HeapBuffer const&) = delete;
    HeapBuffer& operator=(HeapBuffer const&) = delete;
    HeapBuffer(HeapBuffer&& other) : m_data(other.m_data) { other.m_data = nullptr; }
    HeapBuffer& operator=(HeapBuffer&& other) {
        if (this != &other) {
            kfree(m_data);
            m_data = other.m_data;
            other.m_data = nullptr;
        }
        return *this;
    }

    T* data() const { return m_data; }
    explicit operator bool() const { return m_data != nullptr; }

private:
    T* m_data;
};
