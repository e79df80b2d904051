// The physical page allocator: a buddy allocator over the RAM the memory map
// reports, with one Page record per 4 KiB frame (refcounts for copy-on-write,
// slab ownership for the heap).
//
// Locking: one spinlock (rank kPhysicalAllocator); callable with interrupts
// disabled, never from the allocation paths of the heap's own locks in a
// way that inverts the ranks (heap > physical).
#pragma once

#include <kernel/boot_info.h>
#include <lib/result.h>
#include <lib/types.h>

namespace mm {

struct Page {
    Page* next;     // free list (buddy), slab list (heap)
    Page* prev;
    u32 refcount;   // 0 while free
    u8 order;       // block order while free or allocated as a block head
    u8 flags;
    u16 slab_class; // heap: size-class index + 1, or 0
    void* slab_free;  // heap: first free object in this slab page
    u32 slab_in_use;
    u32 reserved;
};

inline constexpr u8 kPageFree = 1 << 0;
inline constexpr u8 kPageHead = 1 << 2;     // first page of an allocated block

// Large, so that freeing all of RAM at boot writes few block heads (each a
// first touch of a page of the page array, ~10 us under PVM); splitting
// happens lazily as memory is allocated.
inline constexpr unsigned kMaxOrder = 18; // 1 GiB blocks

// Builds the page array and the free lists from the boot memory map; the
// kernel image, low memory, the initramfs and `reserved_end` (early page
// tables) stay reserved. Needs the direct map.
void physical_init(BootInfo const& boot, u64 early_reserved_start, u64 early_reserved_end);

// 2^order contiguous, naturally aligned frames; zeroed if `zero`.
Result<u64> allocate_pages(unsigned order = 0, bool zero = true);
void free_pages(u64 paddr, unsigned order = 0);
// Releases a reserved range (e.g. the initramfs once unpacked) to the
// allocator, except pages claimed from it meanwhile.
void release_range(u64 start, u64 end);
// Takes reserved (never freed) frames as allocated ones, refcount 1, so
// that they can be freed or shared like any page: initramfs file data
// becomes tmpfs pages without a copy.
void claim_reserved_page(u64 paddr);

Page* page_of(u64 paddr);
u64 page_address(Page const* page);

struct PhysicalStats {
    u64 total_pages;
    u64 free_pages;
    u64 reserved_pages;
};
PhysicalStats physical_stats();

} // namespace mm
