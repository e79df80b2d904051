#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>
#include <kernel/sync/spinlock.h>
#include <proto/vm_abi.h>

extern "C" char __kernel_start[], __image_end[];

namespace mm {

namespace {

Page* g_pages;
u64 g_page_count;
Page* g_free_lists[kMaxOrder + 1];
Spinlock<LockRank::PhysicalAllocator> g_lock;
PhysicalStats g_stats;

u64 pfn_of(Page const* p) { return u64(p - g_pages); }

void list_push(unsigned order, Page* p) {
    p->prev = nullptr;
    p->next = g_free_lists[order];
    if (p->next) p->next->prev = p;
    g_free_lists[order] = p;
}

void list_remove(unsigned order, Page* p) {
    if (p->prev) p->prev->next = p->next;
    else g_free_lists[order] = p->next;
    if (p->next) p->next->prev = p->prev;
    p->next = p->prev = nullptr;
}

// Frees the block of 2^order frames at pfn, merging with free buddies.
void free_block(u64 pfn, unsigned order) {
    while (order < kMaxOrder) {
        u64 buddy = pfn ^ (1ull << order);
        if (buddy + (1ull << order) > g_page_count) break;
        Page* b = &g_pages[buddy];
        if (!(b->flags & kPageFree) || b->order != order) break;
        list_remove(order, b);
        b->flags &= u8(~kPageFree);
        pfn = pfn < buddy ? pfn : buddy;
        order++;
    }
    Page* p = &g_pages[pfn];
    p->flags = kPageFree;
    p->order = u8(order);
    p->refcount = 0;
    list_push(order, p);
}

// Frees [start_pfn, end_pfn) in maximal naturally aligned blocks.
void free_range(u64 start_pfn, u64 end_pfn) {
    while (start_pfn < end_pfn) {
        unsigned order = 0;
        while (order < kMaxOrder && (start_pfn & ((2ull << order) - 1)) == 0 && start_pfn + (2ull << order) <= end_pfn)
            order++;
        free_block(start_pfn, order);
        g_stats.free_pages += 1ull << order;
        g_stats.reserved_pages -= 1ull << order;
        start_pfn += 1ull << order;
    }
}

struct Reserved {
    u64 start, end;
};

} // namespace

Page* page_of(u64 paddr) {
    u64 pfn = paddr / kPageSize;
    return pfn < g_page_count ? &g_pages[pfn] : nullptr;
}

u64 page_address(Page const* page) { return pfn_of(page) * kPageSize; }

void physical_init(BootInfo const& boot, u64 early_start, u64 early_end) {
    u64 ram_end = 0;
    for (usize i = 0; i < boot.ram_count; i++) ram_end = lib::max(ram_end, boot.ram[i].end());
    g_page_count = ram_end / kPageSize;

    Reserved const reserved[] = {
        { 0, aramid::abi::kLowMemoryEnd },
        { u64(__kernel_start) - kKernelImageBase, u64(__image_end) - kKernelImageBase },
        { early_start, early_end },
        { align_down(boot.initrd.base, kPageSize), align_up(boot.initrd.end(), kPageSize) },
    };
    auto is_reserved = [&](u64 start, u64 end) {
        for (auto const& r : reserved)
            if (start < r.end && r.start < end) return true;
        return false;
    };

    // The page array goes into the first free stretch of RAM big enough.
    u64 const array_bytes = align_up(g_page_count * sizeof(Page), kPageSize);
    u64 array_base = 0;
    for (usize i = 0; i < boot.ram_count && !array_base; i++) {
        u64 start = align_up(boot.ram[i].base, kPageSize), end = align_down(boot.ram[i].end(), kPageSize);
        for (u64 at = start; at + array_bytes <= end; at += kPageSize) {
            if (!is_reserved(at, at + array_bytes)) {
                array_base = at;
                break;
            }
        }
    }
    if (!array_base) panic("physical memory: no room for the page array (%lu bytes)", array_bytes);
    // The array is not cleared: the boot contract gives zeroed RAM, and all-zero
    // records mean "in use, not a free-block head", which is what they must be
    // until free_range() hands them out. Clearing it would touch every page of
    // it, and under PVM each first touch costs a shadow-MMU fault (~10 us):
    // 8 ms for 256 MiB of RAM. Only the heads of free blocks are written.
    g_pages = phys_to_ptr<Page>(array_base);
    g_stats.total_pages = g_page_count;
    g_stats.reserved_pages = g_page_count;

    // Free each RAM range minus the reserved ranges, walking the reserved
    // ranges in address order (interval arithmetic, not a per-page test).
    Reserved holes[5] = { reserved[0], reserved[1], reserved[2], reserved[3], { array_base, array_base + array_bytes } };
    for (usize i = 0; i < 5; i++)
        for (usize j = i + 1; j < 5; j++)
            if (holes[j].start < holes[i].start) {
                Reserved t = holes[i];
                holes[i] = holes[j];
                holes[j] = t;
            }
    for (usize i = 0; i < boot.ram_count; i++) {
        u64 at = align_up(boot.ram[i].base, kPageSize);
        u64 const end = align_down(boot.ram[i].end(), kPageSize);
        for (auto const& hole : holes) {
            if (hole.end <= at || hole.start >= hole.end) continue;
            if (hole.start >= end) break;
            if (hole.start > at) free_range(at / kPageSize, align_down(hole.start, kPageSize) / kPageSize);
            at = lib::max(at, align_up(hole.end, kPageSize));
        }
        if (at < end) free_range(at / kPageSize, end / kPageSize);
    }
    log_info("memory: %lu MiB RAM, %lu MiB free, page array %lu KiB at %#lx", g_page_count * kPageSize >> 20,
             g_stats.free_pages * kPageSize >> 20, array_bytes >> 10, array_base);
}

Result<u64> allocate_pages(unsigned order, bool zero) {
    if (order > kMaxOrder) return Errno(ENOMEM);
    u64 paddr;
    {
        SpinlockGuard guard(g_lock);
        unsigned o = order;
        while (o <= kMaxOrder && !g_free_lists[o]) o++;
        if (o > kMaxOrder) return Errno(ENOMEM);
        Page* p = g_free_lists[o];
        list_remove(o, p);
        u64 pfn = pfn_of(p);
        // Split: the upper halves go back to the smaller lists.
        while (o > order) {
            o--;
            Page* upper = &g_pages[pfn + (1ull << o)];
            upper->flags = kPageFree;
            upper->order = u8(o);
            list_push(o, upper);
        }
        p->flags = kPageHead;
        p->order = u8(order);
        p->refcount = 1;
        g_stats.free_pages -= 1ull << order;
        paddr = pfn * kPageSize;
    }
    if (zero) __builtin_memset(phys_to_ptr(paddr), 0, kPageSize << order);
    return paddr;
}

void free_pages(u64 paddr, unsigned order) {
    SpinlockGuard guard(g_lock);
    Page* p = page_of(paddr);
    if (!p || (p->flags & kPageFree) || !(p->flags & kPageHead) || p->order != order)
        panic("free_pages: bad free of %#lx order %u (flags %#x order %u)", paddr, order, p ? p->flags : 0,
              p ? p->order : 0);
    p->flags = 0;
    p->slab_class = 0;
    free_block(pfn_of(p), order);
    g_stats.free_pages += 1ull << order;
}

void release_range(u64 start, u64 end) {
    SpinlockGuard guard(g_lock);
    u64 first = align_up(start, kPageSize) / kPageSize, last = align_down(end, kPageSize) / kPageSize;
    for (u64 pfn = first; pfn < last && pfn < g_page_count; pfn++) {
        if (g_pages[pfn].flags & (kPageFree | kPageHead)) continue; // free, or claimed
        free_block(pfn, 0);
        g_stats.free_pages++;
        g_stats.reserved_pages--;
    }
}

void claim_reserved_page(u64 paddr) {
    SpinlockGuard guard(g_lock);
    Page* p = page_of(paddr);
    if (!p || (p->flags & (kPageFree | kPageHead))) panic("claim_reserved_page(%#lx): not a reserved page", paddr);
    p->flags = kPageHead;
    p->order = 0;
    p->refcount = 1;
    g_stats.reserved_pages--;
}

PhysicalStats physical_stats() {
    SpinlockGuard guard(g_lock);
    return g_stats;
}

} // namespace mm
