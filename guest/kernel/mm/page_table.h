// x86-64 4-level page tables and the KPTI pair.
//
// Every address space (the kernel's own and each process's) has a pair of
// roots in one 8 KiB-aligned block: the kernel root at its start (GPA bit 12
// clear) and the user root 4 KiB above it (bit 12 set). Under PVM the host
// reads CR3 bit 12 as "user mode", and since every kernel mapping must carry
// U=1 there (the kernel runs in hardware ring 3), the user root is what keeps
// user code away from the kernel: it maps the user half plus only the .entry
// pages the host touches while delivering an event. Natively the user root
// is built the same way but never loaded; kernel mappings have U=0.
//
// The kernel half's PML4 entries are created at boot and shared by every
// root, so kernel mappings made later (stacks, MMIO) are visible everywhere.
#pragma once

#include <kernel/boot_info.h>
#include <lib/result.h>
#include <lib/types.h>

namespace mm {

inline constexpr u64 kPtePresent = 1ull << 0;
inline constexpr u64 kPteWritable = 1ull << 1;
inline constexpr u64 kPteUser = 1ull << 2;
inline constexpr u64 kPteWriteThrough = 1ull << 3;
inline constexpr u64 kPteNoCache = 1ull << 4;
inline constexpr u64 kPteAccessed = 1ull << 5;
inline constexpr u64 kPteDirty = 1ull << 6;
inline constexpr u64 kPteHuge = 1ull << 7;
inline constexpr u64 kPteCopyOnWrite = 1ull << 9; // software bit
// Software bit on a not-present leaf: the frame stays mapped while its
// region is PROT_NONE, so that every access faults and the data survives
// until mprotect gives access back.
inline constexpr u64 kPteProtNone = 1ull << 10;
inline constexpr u64 kPteNoExecute = 1ull << 63;
inline constexpr u64 kPteAddressMask = 0x000ffffffffff000ull;

struct RootPair {
    u64 kernel_root { 0 }; // 8 KiB aligned
    u64 user_root() const { return kernel_root + 4096; }
};

// Builds the kernel's page tables (direct map, image with W^X, the user-root
// template) and switches to them. Before this only the boot tables exist.
void paging_init(BootInfo const& boot);
// The range of early page-table pages paging_init used (inside the image).
void early_table_range(u64& start, u64& end);

// The kernel's own root pair (kernel threads run on it).
RootPair kernel_roots();

// A new pair: kernel half shared, user half empty.
Result<RootPair> create_roots();
// Frees the roots and every user-half table (not the mapped pages).
void destroy_roots(RootPair roots);
// Whether the user half under `roots` maps nothing below `keep_from` and
// has at most `max_tables` tables: a tree another address space may reuse.
bool user_half_reusable(RootPair roots, u64 keep_from, usize max_tables);

// Maps one 4 KiB page in the kernel half (shared by all roots).
Result<void> map_kernel_page(u64 va, u64 paddr, u64 flags);
void unmap_kernel_page(u64 va);
// Maps [paddr, paddr + size) uncached into the MMIO area; returns the VA.
Result<u64> map_mmio(u64 paddr, u64 size);

// The PTE for `va` in the tree under `roots`, creating tables if `create`.
// User-half PML4 entries are written to both roots of the pair.
Result<u64*> walk(RootPair roots, u64 va, bool create);
// The PTE for `va` in the kernel half, or nullptr.
u64* kernel_pte(u64 va);

void load_roots(RootPair roots);
// The kernel root in CR3 now, without reading CR3 (a trap under PVM).
u64 loaded_root();
void flush_tlb_page(u64 va);
void flush_tlb_all();

} // namespace mm

namespace mm {
// Calls f(va, pte&) for every 4 KiB leaf in [start, end) of the user half
// that holds a frame (present, or kept by kPteProtNone), skipping empty
// upper-level tables.
template<typename F>
void for_each_mapped_pte(RootPair roots, u64 start, u64 end, F f);
u64* table_of(u64 paddr); // a page-table page through the direct map
} // namespace mm

template<typename F>
void mm::for_each_mapped_pte(RootPair roots, u64 start, u64 end, F f) {
    u64* pml4 = table_of(roots.kernel_root);
    u64 va = start;
    while (va < end) {
        u64 const l4 = (va >> 39) & 511, l3 = (va >> 30) & 511, l2 = (va >> 21) & 511, l1 = (va >> 12) & 511;
        if (!(pml4[l4] & kPtePresent)) {
            va = ((va >> 39) + 1) << 39;
            continue;
        }
        u64* pdpt = table_of(pml4[l4] & kPteAddressMask);
        if (!(pdpt[l3] & kPtePresent)) {
            va = ((va >> 30) + 1) << 30;
            continue;
        }
        u64* pd = table_of(pdpt[l3] & kPteAddressMask);
        if (!(pd[l2] & kPtePresent)) {
            va = ((va >> 21) + 1) << 21;
            continue;
        }
        u64* pt = table_of(pd[l2] & kPteAddressMask);
        for (u64 i = l1; i < 512 && va < end; i++, va += 4096)
            if (pt[i] & (kPtePresent | kPteProtNone)) f(va, pt[i]);
    }
}
