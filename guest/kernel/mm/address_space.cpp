#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/address_space.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/physical.h>
#include <kernel/mm/user.h>
#include <kernel/mm/vdso.h>
#include <lib/vector.h>

#include <new>

namespace mm {

namespace {

void copy_name(char* destination, char const* source) {
    usize i = 0;
    for (; source && source[i] && i + 1 < sizeof(Region::name); i++) destination[i] = source[i];
    destination[i] = 0;
}

Region* clone_region(Region const& r) {
    auto* copy = new (std::nothrow) Region;
    if (!copy) return nullptr;
    copy->start = r.start;
    copy->end = r.end;
    copy->access = r.access;
    copy->max_access = r.max_access;
    copy->shared = r.shared;
    copy->source = r.source;
    copy->source_offset = r.source_offset;
    copy->memory = r.memory;
    copy->memory_offset = r.memory_offset;
    copy_name(copy->name, r.name);
    return copy;
}

// Moves the part of `r` from `at` on into a new region (r keeps [start, at)).
Region* split_region(Region& r, u64 at) {
    Region* tail = clone_region(r);
    if (!tail) return nullptr;
    tail->start = at;
    if (tail->source) tail->source_offset += at - r.start;
    if (tail->memory) tail->memory_offset += (at - r.start) / kPageSize;
    r.end = at;
    return tail;
}

} // namespace

// ---- page reference counts -------------------------------------------------

void page_ref(u64 paddr) { __atomic_add_fetch(&page_of(paddr)->refcount, 1, __ATOMIC_RELAXED); }

void page_unref(u64 paddr) {
    Page* page = page_of(paddr);
    if (__atomic_sub_fetch(&page->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
        page->refcount = 1; // free_pages expects an allocated head
        free_pages(paddr, 0);
    }
}

u32 page_refcount(u64 paddr) { return __atomic_load_n(&page_of(paddr)->refcount, __ATOMIC_RELAXED); }

// ---- SharedMemory ----------------------------------------------------------

Result<RefPtr<SharedMemory>> SharedMemory::create(u64 pages) {
    if (pages > (1ull << 40) / sizeof(u64)) return Errno(ENOMEM);
    auto* frames = static_cast<u64*>(kzalloc(pages * sizeof(u64)));
    if (!frames) return Errno(ENOMEM);
    auto* memory = new (std::nothrow) SharedMemory(frames, pages);
    if (!memory) {
        kfree(frames);
        return Errno(ENOMEM);
    }
    return RefPtr<SharedMemory>::adopt(memory);
}

SharedMemory::~SharedMemory() {
    for (u64 i = 0; i < m_count; i++)
        if (m_frames[i]) page_unref(m_frames[i]);
    kfree(m_frames);
}

Result<u64> SharedMemory::frame(u64 index) {
    if (index >= m_count) return Errno(EFAULT);
    if (!m_frames[index]) m_frames[index] = TRY(allocate_pages(0, true));
    return m_frames[index];
}

namespace {
// Where a region may be: user space below the vDSO and the trampoline.
bool is_mappable(u64 start, u64 length) { return is_user_range(start, length) && start + length <= kUserMapEnd; }

// Every address space, for revoke_file_pages. The rank is the process
// table's: the processes own these, and the lock is taken before any
// address space's own.
Spinlock<LockRank::ProcessTable> g_all_lock;
IntrusiveList<AddressSpace, &AddressSpace::m_all_node> g_all;
} // namespace

void revoke_file_pages(void const* file, u64 first_index, u64 const* frames, u64 count) {
    if (!file || !count) return;
    SpinlockGuard guard(g_all_lock);
    for (AddressSpace& space : g_all) space.revoke(file, first_index, frames, count);
}

// ---- AddressSpace ----------------------------------------------------------

namespace {

// Page-table trees of dead address spaces, kept for new ones (under
// g_all_lock). Under PVM the host's shadow MMU write-protects every page
// that was a page table: a new address space built from freshly freed
// frames traps on its first writes to each of them (~10 us each), so that
// creating one cost ~100 us. A kept tree has its kernel half, its tables
// and the vDSO and trampoline pages already in place, and maps nothing
// else (user_half_reusable checks it); its upper levels are never written.
constexpr usize kKeptTrees = 8;
constexpr usize kMaxKeptTreeTables = 16;
RootPair g_kept_trees[kKeptTrees];
usize g_kept_count;

} // namespace

Result<OwnPtr<AddressSpace>> AddressSpace::create() {
    {
        SpinlockGuard guard(g_all_lock);
        if (g_kept_count) {
            auto* space = new (std::nothrow) AddressSpace(g_kept_trees[g_kept_count - 1]);
            if (!space) return Errno(ENOMEM);
            g_kept_count--;
            g_all.append(*space);
            return adopt_own(space);
        }
    }
    RootPair roots = TRY(create_roots());
    auto* space = new (std::nothrow) AddressSpace(roots);
    if (!space) {
        destroy_roots(roots);
        return Errno(ENOMEM);
    }
    if (platform::is_pvm()) {
        // The return trampoline: a kernel page, read-only and executable for
        // user mode, outside every region (so munmap and fork ignore it).
        auto pte = walk(roots, PVM_TRAMPOLINE_VA, true);
        if (pte.is_error()) {
            delete space;
            return pte.error();
        }
        *pte.value() = platform::trampoline_frame() | kPtePresent | kPteUser;
    }
    if (auto mapped = vdso::map(roots); mapped.is_error()) {
        delete space;
        return mapped.error();
    }
    {
        SpinlockGuard guard(g_all_lock);
        g_all.append(*space);
    }
    return adopt_own(space);
}

AddressSpace::~AddressSpace() {
    // Dropped while loaded (its last thread exiting): one CR3 write to the
    // kernel's roots, rather than a TLB flush per region below.
    if (m_roots.kernel_root == loaded_root()) load_roots(kernel_roots());
    if (m_all_node.is_linked()) {
        SpinlockGuard guard(g_all_lock);
        g_all.remove(*this);
    }
    while (Region* r = m_regions.take_first()) {
        unmap_pages(r->start, r->end);
        delete r;
    }
    if (user_half_reusable(m_roots, kUserMapEnd, kMaxKeptTreeTables)) {
        SpinlockGuard guard(g_all_lock);
        if (g_kept_count < kKeptTrees) {
            g_kept_trees[g_kept_count++] = m_roots;
            return;
        }
    }
    destroy_roots(m_roots);
}

void AddressSpace::activate() { load_roots(m_roots); }

u64 AddressSpace::pte_flags(Region const& region, bool writable) const {
    // PROT_NONE: not present, so that reads fault too (x86 has no "present
    // but inaccessible" user page); the frame stays in the entry.
    if (!(region.access & (kAccessRead | kAccessWrite | kAccessExec))) return kPteProtNone;
    u64 flags = kPtePresent | kPteUser;
    if (writable) flags |= kPteWritable;
    if (!(region.access & kAccessExec)) flags |= kPteNoExecute;
    return flags;
}

Region* AddressSpace::find_region(u64 address) {
    for (Region& r : m_regions) {
        if (r.start > address) return nullptr;
        if (r.contains(address)) return &r;
    }
    return nullptr;
}

void AddressSpace::insert_region(Region* region) {
    for (Region& r : m_regions) {
        if (r.start > region->start) {
            m_regions.insert_before(r, *region);
            return;
        }
    }
    m_regions.append(*region);
}

namespace {

// The TLB entries a change made stale: a few INVLPGs or one full flush.
// Each traps under PVM (~10 us), so flush only pages that were mapped, and
// switch to a full flush early.
class StaleEntries {
public:
    void add(u64 va) {
        if (m_count < kMaxSingleFlushes) m_pages[m_count] = va;
        m_count++;
    }
    void flush() const {
        if (m_count > kMaxSingleFlushes) flush_tlb_all();
        else
            for (u64 i = 0; i < m_count; i++) flush_tlb_page(m_pages[i]);
    }

private:
    static constexpr u64 kMaxSingleFlushes = 8;
    u64 m_pages[kMaxSingleFlushes];
    u64 m_count { 0 };
};

// Whether a TLB entry made from `old` allows an access that `now` does not.
// Only such entries need flushing: an entry that allows less than its PTE
// at worst faults once, and the fault handler sees the PTE already allows
// the access (a stale TLB entry; Linux relies on the same).
bool loses_rights(u64 old, u64 now) {
    if (!(old & kPtePresent)) return false;
    if (!(now & kPtePresent)) return true;
    return ((old & kPteWritable) && !(now & kPteWritable)) || (!(old & kPteNoExecute) && (now & kPteNoExecute));
}

// A present entry as the CPU leaves it once touched: accessed, and dirty if
// writable. Set ahead for pages the kernel maps before the program touches
// them: a shadow MMU (PVM's, KVM's) would otherwise set them on the first
// touch, and KVM prefetches only guest entries marked accessed -- with them
// set, one host fault maps a group of neighbours instead of one page.
u64 as_touched(u64 pte) {
    if (!(pte & kPtePresent)) return pte;
    return pte | kPteAccessed | ((pte & kPteWritable) ? kPteDirty : 0);
}

} // namespace

void AddressSpace::unmap_pages(u64 start, u64 end) {
    StaleEntries stale;
    for_each_mapped_pte(m_roots, start, end, [&](u64 va, u64& pte) {
        page_unref(pte & kPteAddressMask);
        pte = 0;
        stale.add(va);
    });
    // A tree that is not loaded has no entries in the TLB: loading it
    // (a CR3 write) flushes them. Exec and exit drop address spaces that
    // are no longer loaded, a flush (~10 us) a region.
    if (m_roots.kernel_root == loaded_root()) stale.flush();
}

Result<void> AddressSpace::carve(u64 start, u64 end) {
    IntrusiveList<Region, &Region::node> kept;
    Result<void> result;
    while (Region* r = m_regions.take_first()) {
        if (r->end <= start || r->start >= end) {
            kept.append(*r);
            continue;
        }
        if (r->start < start && r->end > end) {
            Region* tail = split_region(*r, end);
            if (!tail) {
                kept.append(*r);
                result = Errno(ENOMEM);
                continue;
            }
            unmap_pages(start, end);
            r->end = start;
            kept.append(*r);
            kept.append(*tail);
        } else if (r->start < start) {
            unmap_pages(start, r->end);
            r->end = start;
            kept.append(*r);
        } else if (r->end > end) {
            unmap_pages(r->start, end);
            if (r->source) r->source_offset += end - r->start;
            if (r->memory) r->memory_offset += (end - r->start) / kPageSize;
            r->start = end;
            kept.append(*r);
        } else {
            unmap_pages(r->start, r->end);
            delete r;
        }
    }
    while (Region* r = kept.take_first()) m_regions.append(*r);
    return result;
}

Result<u64> AddressSpace::find_free(u64 hint, u64 length) {
    auto is_free = [&](u64 start) {
        if (start < kMmapMin || !is_mappable(start, length)) return false;
        for (Region& r : m_regions)
            if (r.start < start + length && start < r.end) return false;
        return true;
    };
    if (hint && is_free(align_down(hint, kPageSize))) return align_down(hint, kPageSize);
    // Top-down from kMmapBase: the highest gap that fits.
    u64 best = 0;
    u64 gap_start = kMmapMin;
    for (Region& r : m_regions) {
        u64 gap_end = lib::min(r.start, kMmapBase);
        if (gap_end > gap_start && gap_end - gap_start >= length) best = gap_end - length;
        gap_start = lib::max(gap_start, r.end);
    }
    if (kMmapBase > gap_start && kMmapBase - gap_start >= length) best = kMmapBase - length;
    if (!best) return Errno(ENOMEM);
    return best;
}

Result<u64> AddressSpace::map(MapRequest const& request) {
    if (request.length == 0) return Errno(EINVAL);
    u64 const length = align_up(request.length, kPageSize);
    if (length < request.length) return Errno(ENOMEM);
    SpinlockGuard guard(m_lock);
    u64 start;
    if (request.fixed || request.fixed_noreplace) {
        start = request.address;
        if (start & (kPageSize - 1)) return Errno(EINVAL);
        if (!is_mappable(start, length)) return Errno(request.fixed_noreplace ? EEXIST : EINVAL);
        if (request.fixed_noreplace) {
            for (Region& r : m_regions)
                if (r.start < start + length && start < r.end) return Errno(EEXIST);
        } else {
            TRY(carve(start, start + length));
        }
    } else {
        start = TRY(find_free(request.address, length));
    }
    auto* region = new (std::nothrow) Region;
    if (!region) return Errno(ENOMEM);
    region->start = start;
    region->end = start + length;
    region->access = request.access;
    region->max_access = request.max_access;
    region->shared = request.shared;
    region->source = request.source;
    region->source_offset = request.offset;
    copy_name(region->name, request.name);
    if (request.shared && !request.source) {
        auto memory = SharedMemory::create(length / kPageSize);
        if (memory.is_error()) {
            delete region;
            return memory.error();
        }
        region->memory = memory.release_value();
    }
    insert_region(region);
    return start;
}

Result<void> AddressSpace::unmap(u64 address, u64 length) {
    if ((address & (kPageSize - 1)) || length == 0) return Errno(EINVAL);
    u64 const end = align_up(address + length, kPageSize);
    if (!is_user_range(address, end - address)) return Errno(EINVAL);
    SpinlockGuard guard(m_lock);
    return carve(address, end);
}

Result<void> AddressSpace::protect(u64 address, u64 length, u8 access) {
    if (address & (kPageSize - 1)) return Errno(EINVAL);
    u64 const end = align_up(address + length, kPageSize);
    if (end < address || !is_user_range(address, end - address)) return Errno(ENOMEM);
    SpinlockGuard guard(m_lock);
    TRY(check_mapped_locked(address, end)); // every page must be mapped, as on Linux
    // A shared mapping of a file opened read-only cannot become writable.
    for (Region& r : m_regions)
        if (r.start < end && address < r.end && (access & ~r.max_access)) return Errno(EACCES);
    // Split at the boundaries, then change the regions inside.
    for (Region& r : m_regions) {
        if (r.contains(address) && r.start < address) {
            Region* tail = split_region(r, address);
            if (!tail) return Errno(ENOMEM);
            insert_region(tail);
            break;
        }
    }
    for (Region& r : m_regions) {
        if (r.contains(end) && r.start < end) {
            Region* tail = split_region(r, end);
            if (!tail) return Errno(ENOMEM);
            insert_region(tail);
            break;
        }
    }
    StaleEntries stale;
    for (Region& r : m_regions) {
        if (r.start < address || r.end > end) continue;
        r.access = access;
        for_each_mapped_pte(m_roots, r.start, r.end, [&](u64 va, u64& pte) {
            bool writable = (access & kAccessWrite) && !(pte & kPteCopyOnWrite);
            u64 const old = pte;
            pte = (pte & (kPteAddressMask | kPteCopyOnWrite)) | pte_flags(r, writable);
            if (loses_rights(old, pte)) stale.add(va);
        });
    }
    stale.flush();
    return {};
}

Result<u64> AddressSpace::remap(u64 address, u64 old_length, u64 new_length, bool may_move) {
    if ((address & (kPageSize - 1)) || new_length == 0) return Errno(EINVAL);
    old_length = align_up(old_length, kPageSize);
    new_length = align_up(new_length, kPageSize);
    SpinlockGuard guard(m_lock);
    Region* r = find_region(address);
    if (!r || address + old_length > r->end) return Errno(EFAULT);
    if (new_length <= old_length) {
        TRY(carve(address + new_length, address + old_length));
        return address;
    }
    // Grow in place if the region ends here and the space above is free.
    u64 const grown_end = address + new_length;
    bool in_place = r->end == address + old_length && is_mappable(address, new_length);
    for (Region& other : m_regions)
        if (&other != r && other.start < grown_end && address + old_length < other.end) in_place = false;
    if (in_place && !r->memory) {
        r->end = grown_end;
        return address;
    }
    if (!may_move || r->memory) return Errno(ENOMEM);
    u64 const target = TRY(find_free(0, new_length));
    Region* moved = clone_region(*r);
    if (!moved) return Errno(ENOMEM);
    if (moved->source) moved->source_offset += address - r->start;
    moved->start = target;
    moved->end = target + new_length;
    // Move the present pages' PTEs; no data is copied.
    Result<void> moved_ok;
    for_each_mapped_pte(m_roots, address, address + old_length, [&](u64 va, u64& pte) {
        auto destination = walk(m_roots, target + (va - address), true);
        if (destination.is_error()) {
            moved_ok = destination.error();
            return;
        }
        *destination.value() = pte;
        pte = 0;
    });
    if (moved_ok.is_error()) {
        delete moved;
        return moved_ok.error();
    }
    flush_tlb_all();
    // The old range's pages now belong to the new one: drop the region only.
    if (r->start == address && r->end == address + old_length) {
        m_regions.remove(*r);
        delete r;
    } else {
        TRY(carve(address, address + old_length));
    }
    insert_region(moved);
    return target;
}

void AddressSpace::revoke(void const* file, u64 first_index, u64 const* frames, u64 count) {
    SpinlockGuard guard(m_lock);
    bool dropped = false;
    for (Region& r : m_regions) {
        if (!r.source || r.source->file() != file) continue;
        // The region's pages from file page `first_index` to the last dropped one.
        u64 const first = first_index * kPageSize, last = (first_index + count) * kPageSize;
        if (r.source_offset >= last || r.source_offset + r.size() <= first) continue;
        u64 const start = r.start + (first > r.source_offset ? first - r.source_offset : 0);
        u64 const end = r.start + lib::min(r.size(), last - r.source_offset);
        for_each_mapped_pte(m_roots, start, end, [&](u64 va, u64& pte) {
            u64 const frame = pte & kPteAddressMask;
            u64 const index = (r.source_offset + (va - r.start)) / kPageSize - first_index;
            if (!frames[index] || frames[index] != frame) return; // a private copy stays
            page_unref(frame);
            pte = 0;
            dropped = true;
        });
    }
    // Another address space's stale entries go when CR3 is next loaded.
    if (dropped && m_roots.kernel_root == loaded_root()) flush_tlb_all();
}

Result<void> AddressSpace::discard(u64 address, u64 length, bool private_anonymous_only) {
    SpinlockGuard guard(m_lock);
    u64 const end = address + length;
    for (Region& r : m_regions) {
        if (r.end <= address || r.start >= end) continue;
        if (private_anonymous_only && (r.shared || r.source)) return Errno(EINVAL);
    }
    for (Region& r : m_regions)
        if (r.end > address && r.start < end) unmap_pages(lib::max(r.start, address), lib::min(r.end, end));
    return check_mapped_locked(address, end);
}

Result<void> AddressSpace::check_mapped(u64 address, u64 length) {
    SpinlockGuard guard(m_lock);
    return check_mapped_locked(address, address + length);
}

Result<void> AddressSpace::sync_range(u64 address, u64 length) {
    Vector<RefPtr<PageSource>> sources;
    {
        SpinlockGuard guard(m_lock);
        for (Region& r : m_regions)
            if (r.shared && r.source && r.end > address && r.start < address + length)
                TRY(sources.try_append(r.source));
    }
    for (auto& source : sources) TRY(source->sync());
    return check_mapped(address, length);
}

Result<void> AddressSpace::check_mapped_locked(u64 start, u64 end) {
    for (u64 at = start; at < end;) {
        Region* r = find_region(at);
        if (!r) return Errno(ENOMEM);
        at = r->end;
    }
    return {};
}

Result<u64> AddressSpace::set_brk(u64 address) {
    if (address < m_brk_base) return m_brk;
    u64 const old_end = align_up(m_brk, kPageSize), new_end = align_up(address, kPageSize);
    if (new_end > old_end) {
        MapRequest request;
        request.address = old_end;
        request.length = new_end - old_end;
        request.access = kAccessRead | kAccessWrite;
        request.fixed_noreplace = true;
        request.name = "[heap]";
        if (map(request).is_error()) return m_brk;
    } else if (new_end < old_end) {
        SpinlockGuard guard(m_lock);
        (void)carve(new_end, old_end);
    }
    m_brk = address;
    return m_brk;
}

FaultResult AddressSpace::handle_fault(u64 address, u8 access) {
    SpinlockGuard guard(m_lock);
    return fault_locked(address, access);
}

FaultResult AddressSpace::fault_locked(u64 address, u8 access) {
    Region* region = find_region(address);
    if (!region) return FaultResult::NoMapping;
    if (access & ~region->access) return FaultResult::AccessDenied;
    u64 const page = align_down(address, kPageSize);
    auto walked = walk(m_roots, page, true);
    if (walked.is_error()) return FaultResult::OutOfMemory;
    u64& pte = *walked.value();
    bool const writable = region->access & kAccessWrite;

    if (pte & kPteProtNone) {
        // Kept from a PROT_NONE time; protect() normally rewrites these.
        bool const may_write = writable && !(pte & kPteCopyOnWrite);
        pte = (pte & (kPteAddressMask | kPteCopyOnWrite)) | pte_flags(*region, may_write);
    }
    if (pte & kPtePresent) {
        if (!(access & kAccessWrite) || !(pte & kPteCopyOnWrite)) return FaultResult::Handled; // stale TLB
        u64 const frame = pte & kPteAddressMask;
        if (page_refcount(frame) == 1) {
            pte = frame | pte_flags(*region, true);
        } else {
            auto copy = allocate_pages(0, false);
            if (copy.is_error()) return FaultResult::OutOfMemory;
            __builtin_memcpy(phys_to_ptr(copy.value()), phys_to_ptr(frame), kPageSize);
            pte = copy.value() | pte_flags(*region, true);
            page_unref(frame);
        }
        flush_tlb_page(page);
        return FaultResult::Handled;
    }

    u64 frame;
    if (region->memory) {
        auto shared = region->memory->frame(region->memory_offset + (page - region->start) / kPageSize);
        if (shared.is_error()) return FaultResult::OutOfMemory;
        frame = shared.value();
        page_ref(frame);
    } else if (region->source) {
        u64 const offset = region->source_offset + (page - region->start);
        if (region->source->past_end(offset)) return FaultResult::PastEndOfFile;
        if (region->shared) {
            // MAP_SHARED: the file's own page, writable if the mapping is.
            auto shared = region->source->shared_frame(offset);
            if (shared.is_error())
                return shared.error().code() == ENXIO ? FaultResult::PastEndOfFile : FaultResult::OutOfMemory;
            pte = shared.value() | pte_flags(*region, writable);
            return FaultResult::Handled;
        }
        // Private: map the file's page itself when possible, copy-on-write: even
        // in a read-only mapping, since mprotect may make it writable and
        // a private write must never reach the file.
        auto shared = region->source->shared_frame(offset);
        if (!shared.is_error() && !(access & kAccessWrite)) {
            pte = shared.value() | pte_flags(*region, false) | kPteCopyOnWrite;
            fault_around_file(*region, page, pte);
            return FaultResult::Handled;
        }
        // A write copies at once, from the file's frame if there is one.
        // The entry was empty, so no TLB holds it: no flush (an INVLPG is
        // a trip to the host under PVM).
        auto fresh = allocate_pages(0, false);
        if (fresh.is_error()) {
            if (!shared.is_error()) page_unref(shared.value());
            return FaultResult::OutOfMemory;
        }
        frame = fresh.value();
        if (!shared.is_error()) {
            __builtin_memcpy(phys_to_ptr(frame), phys_to_ptr(shared.value()), kPageSize);
            page_unref(shared.value());
        } else if (region->source->read_page(offset, phys_to_ptr<u8>(frame)).is_error()) {
            free_pages(frame, 0);
            return FaultResult::OutOfMemory;
        }
    } else {
        auto fresh = allocate_pages(0, true);
        if (fresh.is_error()) return FaultResult::OutOfMemory;
        frame = fresh.value();
        if (!region->shared) fault_around(*region, page, pte);
    }
    pte = frame | pte_flags(*region, writable);
    return FaultResult::Handled;
}

namespace {

// Fault-around maps guesses only while memory is plentiful: a guess must
// never take the frames a real fault or the kernel needs.
bool memory_to_spare() {
    auto const stats = physical_stats();
    return stats.free_pages >= stats.total_pages / kFaultAroundReserveFraction + kFaultAroundPages;
}

// The empty entries of the fault-around window of `page` in `region`:
// calls f(va, entry) for each (a present page, a PROT_NONE-kept frame or a
// copy-on-write one is never replaced) until f returns false.
template<typename F>
void for_each_empty_around(Region const& region, u64 page, u64& pte, u64 pages, F f) {
    u64 const window = pages * kPageSize;
    u64 const start = lib::max(region.start, align_down(page, window));
    u64 const end = lib::min(region.end, align_down(page, window) + window);
    // The window is aligned and smaller than 2 MiB, so it lies in the page
    // table that holds `pte`.
    u64* const table = &pte - ((page / kPageSize) & 511);
    for (u64 va = start; va < end; va += kPageSize) {
        u64& entry = table[(va / kPageSize) & 511];
        if (va == page || entry) continue;
        if (!f(va, entry)) return;
    }
}

} // namespace

void AddressSpace::fault_around(Region const& region, u64 page, u64& pte) {
    if (!memory_to_spare()) return;
    u64 const flags = as_touched(pte_flags(region, region.access & kAccessWrite));
    for_each_empty_around(region, page, pte, kFaultAroundPages, [&](u64, u64& entry) {
        auto fresh = allocate_pages(0, true);
        if (fresh.is_error()) return false;
        entry = fresh.value() | flags;
        return true;
    });
}

void AddressSpace::fault_around_file(Region const& region, u64 page, u64& pte) {
    // Under PVM a fault the guest kernel must see costs tens of
    // microseconds, the host's own fill of an entry already set a few: a
    // program's first pass over a library takes one fault per window.
    if (!memory_to_spare()) return;
    u64 const flags = as_touched(pte_flags(region, false)) | kPteCopyOnWrite;
    for_each_empty_around(region, page, pte, kFileFaultAroundPages, [&](u64 va, u64& entry) {
        u64 const offset = region.source_offset + (va - region.start);
        if (region.source->past_end(offset)) return false; // SIGBUS there, not a page
        // A page the source cannot share (an exec segment's partial last
        // page) is left to its own fault.
        auto frame = region.source->shared_frame(offset);
        if (!frame.is_error()) entry = frame.value() | flags;
        return true;
    });
}

Result<void> AddressSpace::populate(u64 start, u64 end) {
    SpinlockGuard guard(m_lock);
    for (u64 va = align_down(start, kPageSize); va < end; va += kPageSize) {
        Region* region = find_region(va);
        if (!region) return Errno(EFAULT);
        u8 access = region->access & (kAccessRead | kAccessWrite);
        switch (fault_locked(va, access ? access : u8(kAccessRead))) {
        case FaultResult::Handled:
            if (auto pte = walk(m_roots, va, false); !pte.is_error()) *pte.value() = as_touched(*pte.value());
            break;
        case FaultResult::OutOfMemory: return Errno(ENOMEM);
        default: return Errno(EFAULT);
        }
    }
    return {};
}

Result<void> AddressSpace::populate_cached(u64 start, u64 end) {
    SpinlockGuard guard(m_lock);
    for (u64 va = align_down(start, kPageSize); va < end; va += kPageSize) {
        Region* region = find_region(va);
        if (!region || region->shared || !region->source) continue;
        auto frame = region->source->cached_frame(region->source_offset + (va - region->start));
        if (frame.is_error()) continue;
        auto walked = walk(m_roots, va, true);
        if (walked.is_error() || *walked.value()) {
            page_unref(frame.value());
            if (walked.is_error()) return Errno(ENOMEM);
            continue;
        }
        *walked.value() = as_touched(frame.value() | pte_flags(*region, false) | kPteCopyOnWrite);
    }
    return {};
}

Result<OwnPtr<AddressSpace>> AddressSpace::fork() {
    auto child = TRY(AddressSpace::create());
    SpinlockGuard guard(m_lock);
    child->m_brk_base = m_brk_base;
    child->m_brk = m_brk;
    bool parent_changed = false;
    for (Region& r : m_regions) {
        Region* copy = clone_region(r);
        if (!copy) return Errno(ENOMEM);
        child->m_regions.append(*copy);
        // Small private writable regions are copied now: under PVM a
        // copy-on-write fault costs ~40 us on each side, a page copy ~1 us,
        // and a fork is usually followed by writes to the stack and data
        // in both processes. Large regions share their pages copy-on-write.
        u64 present = 0;
        if (!r.shared && (r.access & kAccessWrite))
            for_each_mapped_pte(m_roots, r.start, r.end, [&](u64, u64&) { present++; });
        bool const eager = !r.shared && (r.access & kAccessWrite) && present <= kEagerForkPages;
        Result<void> ok;
        for_each_mapped_pte(m_roots, r.start, r.end, [&](u64 va, u64& pte) {
            if (ok.is_error()) return;
            auto destination = walk(child->m_roots, va, true);
            if (destination.is_error()) {
                ok = destination.error();
                return;
            }
            u64 const frame = pte & kPteAddressMask;
            if (eager && (pte & (kPteWritable | kPteCopyOnWrite))) {
                auto fresh = allocate_pages(0, false);
                if (fresh.is_error()) {
                    ok = fresh.error();
                    return;
                }
                __builtin_memcpy(phys_to_ptr(fresh.value()), phys_to_ptr(frame), kPageSize);
                *destination.value() = as_touched(fresh.value() | pte_flags(r, true));
                return;
            }
            // Every private page becomes copy-on-write, not only the
            // writable ones: mprotect may make a read-only page writable
            // later, and the two processes must not share the write.
            if (!r.shared) {
                if (pte & kPteWritable) parent_changed = true;
                pte = (pte & ~kPteWritable) | kPteCopyOnWrite;
            }
            // Accessed, for the host's prefetch (as_touched); the shared
            // page keeps the parent's dirty bit.
            *destination.value() = (pte & kPtePresent) ? pte | kPteAccessed : pte;
            page_ref(frame);
        });
        if (ok.is_error()) return ok.error();
    }
    if (parent_changed) flush_tlb_all(); // some of the parent's pages just became read-only
    return child;
}

u64 AddressSpace::mapped_bytes() {
    SpinlockGuard guard(m_lock);
    u64 total = 0;
    for (Region& r : m_regions) total += r.size();
    return total;
}

u64 AddressSpace::resident_pages() {
    SpinlockGuard guard(m_lock);
    u64 pages = 0;
    for (Region& r : m_regions) for_each_mapped_pte(m_roots, r.start, r.end, [&](u64, u64&) { pages++; });
    return pages;
}

} // namespace mm
