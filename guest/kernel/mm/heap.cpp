#include <kernel/debug/panic.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>
#include <kernel/sync/spinlock.h>

#include <new>

using namespace mm;

namespace {

constexpr usize kClassSizes[] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };
constexpr usize kClasses = sizeof(kClassSizes) / sizeof(kClassSizes[0]);

struct FreeObject {
    FreeObject* next;
};

// Slab pages with at least one free object, per class.
Page* g_partial[kClasses];
Spinlock<LockRank::Heap> g_lock;
HeapStats g_stats;

unsigned class_of(usize size) {
    for (unsigned c = 0; c < kClasses; c++)
        if (size <= kClassSizes[c]) return c;
    return kClasses;
}

void partial_push(unsigned c, Page* p) {
    p->prev = nullptr;
    p->next = g_partial[c];
    if (p->next) p->next->prev = p;
    g_partial[c] = p;
}

void partial_remove(unsigned c, Page* p) {
    if (p->prev) p->prev->next = p->next;
    else g_partial[c] = p->next;
    if (p->next) p->next->prev = p->prev;
    p->next = p->prev = nullptr;
}

void* slab_allocate(unsigned c) {
    Page* page = g_partial[c];
    if (!page) {
        auto pa = allocate_pages(0, false);
        if (pa.is_error()) return nullptr;
        page = page_of(pa.value());
        page->slab_class = u16(c + 1);
        page->slab_in_use = 0;
        // Thread every object onto the page's free list.
        u8* base = phys_to_ptr<u8>(pa.value());
        FreeObject* head = nullptr;
        for (usize off = kPageSize; off >= kClassSizes[c]; off -= kClassSizes[c]) {
            auto* o = reinterpret_cast<FreeObject*>(base + off - kClassSizes[c]);
            o->next = head;
            head = o;
        }
        page->slab_free = head;
        partial_push(c, page);
        g_stats.slab_pages++;
    }
    auto* o = static_cast<FreeObject*>(page->slab_free);
    page->slab_free = o->next;
    page->slab_in_use++;
    if (!page->slab_free) partial_remove(c, page);
    return o;
}

} // namespace

void* kmalloc(usize size) {
    if (size == 0) size = 1;
    unsigned c = class_of(size);
    if (c < kClasses) {
        SpinlockGuard guard(g_lock);
        void* p = slab_allocate(c);
        if (p) {
            g_stats.bytes_in_use += kClassSizes[c];
            g_stats.allocations++;
        }
        return p;
    }
    unsigned order = 0;
    while ((kPageSize << order) < size) order++;
    auto pa = allocate_pages(order, false);
    if (pa.is_error()) return nullptr;
    SpinlockGuard guard(g_lock);
    g_stats.bytes_in_use += kPageSize << order;
    g_stats.large_pages += 1ull << order;
    g_stats.allocations++;
    return phys_to_ptr(pa.value());
}

void* kzalloc(usize size) {
    void* p = kmalloc(size);
    if (p) __builtin_memset(p, 0, size);
    return p;
}

void kfree(void* p) {
    if (!p) return;
    u64 v = u64(p);
    if (!is_direct_map(v)) panic("kfree(%p): not a heap pointer", p);
    Page* page = page_of(align_down(v - kDirectMapBase, kPageSize));
    if (!page) panic("kfree(%p): outside RAM", p);
    if (page->slab_class) {
        unsigned c = page->slab_class - 1u;
        if ((v & (kPageSize - 1)) % kClassSizes[c]) panic("kfree(%p): not the start of a %lu-byte object", p, kClassSizes[c]);
        SpinlockGuard guard(g_lock);
        if (!page->slab_free) partial_push(c, page);
        auto* o = static_cast<FreeObject*>(p);
        o->next = static_cast<FreeObject*>(page->slab_free);
        page->slab_free = o;
        page->slab_in_use--;
        g_stats.bytes_in_use -= kClassSizes[c];
        g_stats.frees++;
        if (page->slab_in_use == 0 && (page->next || page->prev || g_partial[c] != page)) {
            // Keep one empty slab per class cached; give the others back.
            partial_remove(c, page);
            page->slab_class = 0;
            page->slab_free = nullptr;
            g_stats.slab_pages--;
            free_pages(page_address(page), 0);
        }
        return;
    }
    if (!(page->flags & kPageHead) || (v & (kPageSize - 1))) panic("kfree(%p): not an allocation", p);
    unsigned order = page->order;
    {
        SpinlockGuard guard(g_lock);
        g_stats.bytes_in_use -= kPageSize << order;
        g_stats.large_pages -= 1ull << order;
        g_stats.frees++;
    }
    free_pages(page_address(page), order);
}

HeapStats heap_stats() {
    SpinlockGuard guard(g_lock);
    return g_stats;
}

void* operator new(usize size) {
    void* p = kmalloc(size);
    if (!p) panic("out of memory in a boot-time allocation of %lu bytes", size);
    return p;
}
void* operator new[](usize size) { return operator new(size); }
void* operator new(usize size, std::nothrow_t const&) noexcept { return kmalloc(size); }
void* operator new[](usize size, std::nothrow_t const&) noexcept { return kmalloc(size); }
void operator delete(void* p) noexcept { kfree(p); }
void operator delete[](void* p) noexcept { kfree(p); }
void operator delete(void* p, usize) noexcept { kfree(p); }
void operator delete[](void* p, usize) noexcept { kfree(p); }

// Normally defined by libsupc++, which the kernel does not link.
namespace std {
nothrow_t const nothrow {};
}
