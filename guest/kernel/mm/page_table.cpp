#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/page_table.h>
#include <kernel/mm/physical.h>
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/proc/process.h>

extern "C" char __kernel_start[], __rodata_start[], __data_start[], __kernel_end[], __image_end[];
extern "C" char __entry_ro_start[], __entry_ro_end[], __entry_rw_start[], __entry_rw_end[];
extern "C" char boot_stack_guard[];

namespace mm {

namespace {

// Page tables paging_init needs before the physical allocator exists. They
// are part of the image, so they are reserved automatically.
constexpr usize kEarlyTables = 48;
alignas(8192) u8 g_early_tables[kEarlyTables][kPageSize];
usize g_early_used;
bool g_direct_map_ready;

RootPair g_kernel_roots;
u64 g_user_entry_pdpt; // slot 511 of every user root: the .entry pages only
u64 g_mmio_next = kMmioBase;

u64 image_to_phys(u64 va) { return va - kKernelImageBase; }

// Before the switch, tables are reached through the image alias of the
// first GiB (boot tables); afterwards through the direct map.
u64* table(u64 paddr) {
    if (g_direct_map_ready) return phys_to_ptr<u64>(paddr);
    return reinterpret_cast<u64*>(paddr + kKernelImageBase);
}

Result<u64> allocate_table() {
    if (!g_direct_map_ready) {
        if (g_early_used == kEarlyTables) panic("paging: early page-table pool exhausted");
        u8* t = g_early_tables[g_early_used++];
        __builtin_memset(t, 0, kPageSize);
        return image_to_phys(u64(t));
    }
    return allocate_pages(0, true);
}

unsigned index_at(u64 va, int level) { return (va >> (12 + 9 * (level - 1))) & 511; }

// Table entries above the leaves: present, writable, and U=1 for user-half
// trees (and for everything under PVM, where the kernel runs in ring 3).
u64 table_flags(u64 va) {
    u64 flags = kPtePresent | kPteWritable;
    if (va < kLowerHalfEnd || platform::is_pvm()) flags |= kPteUser;
    return flags;
}

Result<u64*> walk_from(u64 root, u64 va, int leaf_level, bool create, RootPair const* pair) {
    u64* t = table(root);
    for (int level = 4; level > leaf_level; level--) {
        u64& entry = t[index_at(va, level)];
        if (!(entry & kPtePresent)) {
            if (!create) return Errno(ENOENT);
            u64 fresh = TRY(allocate_table());
            entry = fresh | table_flags(va);
            // The user half of the pair shares its lower levels.
            if (level == 4 && pair && va < kLowerHalfEnd) table(pair->user_root())[index_at(va, 4)] = entry;
        } else if (entry & kPteHuge) {
            return Errno(EEXIST);
        }
        t = table(entry & kPteAddressMask);
    }
    return &t[index_at(va, leaf_level)];
}

void map_range_4k(u64 root, u64 va_start, u64 va_end, u64 flags) {
    for (u64 va = va_start; va < va_end; va += kPageSize) {
        u64* pte = walk_from(root, va, 1, true, nullptr).release_value();
        *pte = image_to_phys(va) | flags | kPtePresent;
    }
}

} // namespace

void early_table_range(u64& start, u64& end) {
    start = image_to_phys(u64(g_early_tables));
    end = start + sizeof(g_early_tables);
}

RootPair kernel_roots() { return g_kernel_roots; }

void paging_init(BootInfo const& boot) {
    u64 const k = platform::kernel_pte_flags();
    // The kernel's pair: 8 KiB aligned because the pool is.
    g_kernel_roots.kernel_root = allocate_table().release_value();
    u64 user_root = allocate_table().release_value();
    if (user_root != g_kernel_roots.user_root()) panic("paging: root pair not adjacent");
    u64 const root = g_kernel_roots.kernel_root;

    // Direct map of all RAM, 2 MiB pages.
    u64 ram_end = 0;
    for (usize i = 0; i < boot.ram_count; i++) ram_end = lib::max(ram_end, boot.ram[i].end());
    for (u64 pa = 0; pa < align_up(ram_end, kLargePageSize); pa += kLargePageSize) {
        u64* pde = walk_from(root, kDirectMapBase + pa, 2, true, nullptr).release_value();
        *pde = pa | kPtePresent | kPteWritable | kPteHuge | kPteNoExecute | k;
    }

    // The image, W^X: text RX, rodata R, data RW. The page below the boot
    // stack stays unmapped: its guard.
    map_range_4k(root, u64(__kernel_start), u64(__rodata_start), k);
    map_range_4k(root, u64(__rodata_start), u64(__data_start), kPteNoExecute | k);
    map_range_4k(root, u64(__data_start), u64(boot_stack_guard), kPteWritable | kPteNoExecute | k);
    map_range_4k(root, u64(boot_stack_guard) + kPageSize, u64(__kernel_end), kPteWritable | kPteNoExecute | k);
    map_range_4k(root, u64(__kernel_end), u64(__image_end), kPteNoExecute | k);

    // Kernel-half slots every root shares; their PDPTs exist from now on.
    for (u64 base : { kKernelStackBase, kMmioBase }) {
        u64& slot = table(root)[index_at(base, 4)];
        slot = allocate_table().release_value() | table_flags(base);
    }

    // The user-root template: only the .entry pages, tables read-only.
    u64 const user = g_kernel_roots.user_root();
    map_range_4k(user, u64(__entry_ro_start), u64(__entry_ro_end), kPteNoExecute | k);
    map_range_4k(user, u64(__entry_rw_start), u64(__entry_rw_end), kPteWritable | kPteNoExecute | k);
    g_user_entry_pdpt = table(user)[511];

    load_roots(g_kernel_roots);
    g_direct_map_ready = true;
    log_info("paging: kernel root %#lx, %lu early tables, direct map %lu MiB", root, g_early_used, ram_end >> 20);
}

Result<RootPair> create_roots() {
    RootPair pair { TRY(allocate_pages(1, true)) };
    u64* kernel = table(pair.kernel_root);
    u64* user = table(pair.user_root());
    u64 const* master = table(g_kernel_roots.kernel_root);
    for (int i = 256; i < 512; i++) kernel[i] = master[i];
    user[511] = g_user_entry_pdpt;
    return pair;
}

void destroy_roots(RootPair roots) {
    u64* pml4 = table(roots.kernel_root);
    for (int i = 0; i < 256; i++) {
        if (!(pml4[i] & kPtePresent)) continue;
        u64* pdpt = table(pml4[i] & kPteAddressMask);
        for (int j = 0; j < 512; j++) {
            if (!(pdpt[j] & kPtePresent) || (pdpt[j] & kPteHuge)) continue;
            u64* pd = table(pdpt[j] & kPteAddressMask);
            for (int l = 0; l < 512; l++)
                if ((pd[l] & kPtePresent) && !(pd[l] & kPteHuge)) free_pages(pd[l] & kPteAddressMask);
            free_pages(pdpt[j] & kPteAddressMask);
        }
        free_pages(pml4[i] & kPteAddressMask);
    }
    free_pages(roots.kernel_root, 1);
}

bool user_half_reusable(RootPair roots, u64 keep_from, usize max_tables) {
    usize tables = 0;
    u64 const* pml4 = table(roots.kernel_root);
    for (u64 i = 0; i < 256; i++) {
        if (!(pml4[i] & kPtePresent)) continue;
        u64 const* pdpt = table(pml4[i] & kPteAddressMask);
        if (++tables > max_tables) return false;
        for (u64 j = 0; j < 512; j++) {
            if (!(pdpt[j] & kPtePresent)) continue;
            if (pdpt[j] & kPteHuge) return false;
            u64 const* pd = table(pdpt[j] & kPteAddressMask);
            if (++tables > max_tables) return false;
            for (u64 l = 0; l < 512; l++) {
                if (!(pd[l] & kPtePresent)) continue;
                if (pd[l] & kPteHuge) return false;
                u64 const* pt = table(pd[l] & kPteAddressMask);
                if (++tables > max_tables) return false;
                u64 const base = (i << 39) | (j << 30) | (l << 21);
                for (u64 m = 0; m < 512; m++)
                    if (pt[m] && base + (m << 12) < keep_from) return false;
            }
        }
    }
    return true;
}

Result<u64*> walk(RootPair roots, u64 va, bool create) { return walk_from(roots.kernel_root, va, 1, create, &roots); }

u64* table_of(u64 paddr) { return table(paddr); }

u64* kernel_pte(u64 va) {
    auto r = walk_from(g_kernel_roots.kernel_root, va, 1, false, nullptr);
    return r.is_error() ? nullptr : r.value();
}

Result<void> map_kernel_page(u64 va, u64 paddr, u64 flags) {
    u64* pte = TRY(walk_from(g_kernel_roots.kernel_root, va, 1, true, nullptr));
    *pte = paddr | flags | kPtePresent | platform::kernel_pte_flags();
    return {};
}

void unmap_kernel_page(u64 va) {
    if (u64* pte = kernel_pte(va)) {
        *pte = 0;
        flush_tlb_page(va);
    }
}

Result<u64> map_mmio(u64 paddr, u64 size) {
    u64 const offset = paddr & (kPageSize - 1);
    u64 const va = g_mmio_next;
    u64 const pages = align_up(size + offset, kPageSize) / kPageSize;
    for (u64 i = 0; i < pages; i++)
        TRY(map_kernel_page(va + i * kPageSize, align_down(paddr, kPageSize) + i * kPageSize,
                            kPteWritable | kPteNoCache | kPteWriteThrough | kPteNoExecute));
    g_mmio_next += (pages + 1) * kPageSize; // one unmapped page between mappings
    return va + offset;
}

namespace {
// What load_roots() last put in CR3 (one CPU). Reading CR3 back would trap
// under PVM (~10 µs), so the kernel remembers it instead.
u64 g_loaded_root;
} // namespace

void load_roots(RootPair roots) {
    x86::write_cr3(roots.kernel_root);
    g_loaded_root = roots.kernel_root;
}
u64 loaded_root() { return g_loaded_root ? g_loaded_root : x86::read_cr3(); }
void flush_tlb_page(u64 va) { x86::invlpg(va); }
void flush_tlb_all() { x86::write_cr3(loaded_root()); }

} // namespace mm
