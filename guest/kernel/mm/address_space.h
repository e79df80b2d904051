// AddressSpace: a process's user half -- its regions (mappings) and the page
// tables under its KPTI root pair.
//
// User pages are physical frames with a reference count (Page::refcount):
// fork shares private pages read-only with the copy-on-write PTE bit set,
// and the first write copies (or, for the last reference, just re-enables
// writing). Pages come in on demand; exec and the stack map eagerly, since
// a user page fault costs about 40 us under PVM against a few for a copy,
// and a fault on private anonymous memory maps its neighbours too
// (fault-around, kFaultAroundPages).
//
// File mappings map the file's own frames where its file system has them
// (tmpfs): MAP_SHARED ones as they are, so that the mapping and read/write
// see the same bytes, private ones copy-on-write. A PTE holds a reference
// on its frame, so munmap, exit and truncate free a page only when no one
// else uses it. A file that shrinks calls revoke_file_pages to unmap its
// dropped pages everywhere; touching them again is SIGBUS, as on Linux.
//
// Locking: one spinlock per address space (rank AddressSpace), held while
// regions or page tables change, including inside fault handling. The list
// of all address spaces (for revoke_file_pages) has its own lock, taken
// before any address space's.
#pragma once

#include <kernel/mm/page_table.h>
#include <kernel/sync/spinlock.h>
#include <lib/intrusive_list.h>
#include <lib/own_ptr.h>
#include <lib/ref_ptr.h>
#include <lib/result.h>

namespace mm {

enum Access : u8 {
    kAccessRead = 1,
    kAccessWrite = 2,
    kAccessExec = 4,
};

// Where the contents of a file mapping come from (an open file).
class PageSource : public RefCounted<PageSource> {
public:
    virtual ~PageSource() = default;
    // Fills `page` (4 KiB) with the bytes at `offset`, zero past the end.
    virtual Result<void> read_page(u64 offset, u8* page) = 0;
    // The file's own frame for the page at `offset`, with a reference taken
    // for the caller, if it can be mapped directly (copy-on-write for a
    // private mapping, as is for a shared one) instead of copied. ENOENT
    // when it cannot; a source for MAP_SHARED must always give one.
    virtual Result<u64> shared_frame(u64 offset) { (void)offset; return Errno(ENOENT); }
    // The same, only if the frame exists already (no reading, no making):
    // ENOENT otherwise.
    virtual Result<u64> cached_frame(u64 offset) { (void)offset; return Errno(ENOENT); }
    // Whether the page at `offset` lies wholly past the end of the file, so
    // that touching it is SIGBUS.
    virtual bool past_end(u64 offset) { (void)offset; return false; }
    // The file, as revoke_file_pages names it (null: never revoked).
    virtual void const* file() const { return nullptr; }
    // msync(MS_SYNC) of a shared mapping: what the mapping changed reaches
    // the file's disk. Nothing to do for memory file systems.
    virtual Result<void> sync() { return {}; }
    virtual char const* name() const = 0;
    // The file's device and inode number, as /proc/<pid>/maps shows them
    // (0 for none).
    virtual void identity(u64& device, u64& inode) const { device = inode = 0; }
};

// The frames of a MAP_SHARED|MAP_ANONYMOUS mapping, shared across fork.
class SharedMemory : public RefCounted<SharedMemory> {
public:
    static Result<RefPtr<SharedMemory>> create(u64 pages);
    ~SharedMemory();
    // The frame for page `index`, allocated (zeroed) on first use.
    Result<u64> frame(u64 index);
    u64 page_count() const { return m_count; }

private:
    SharedMemory(u64* frames, u64 count) : m_frames(frames), m_count(count) { }
    u64* m_frames;
    u64 m_count;
};

struct Region {
    IntrusiveListNode node;
    u64 start { 0 };
    u64 end { 0 };
    u8 access { 0 };
    u8 max_access { kAccessRead | kAccessWrite | kAccessExec }; // what mprotect may grant
    bool shared { false };
    RefPtr<PageSource> source;    // file mapping (private or shared)
    u64 source_offset { 0 };
    RefPtr<SharedMemory> memory;  // shared anonymous mapping
    u64 memory_offset { 0 };      // in pages
    char name[32] {};             // for /proc/<pid>/maps

    bool contains(u64 address) const { return address >= start && address < end; }
    u64 size() const { return end - start; }
};

// What a fault became: Handled, or the signal it raises -- NoMapping is
// SIGSEGV SEGV_MAPERR, AccessDenied SIGSEGV SEGV_ACCERR (the region's
// protection forbids the access), PastEndOfFile SIGBUS BUS_ADRERR (a file
// mapping's page beyond the one holding EOF).
enum class FaultResult { Handled, NoMapping, AccessDenied, PastEndOfFile, OutOfMemory };

struct MapRequest {
    u64 address { 0 };  // a hint, or exact with `fixed`
    u64 length { 0 };
    u8 access { 0 };
    u8 max_access { kAccessRead | kAccessWrite | kAccessExec };
    bool fixed { false };
    bool fixed_noreplace { false };
    bool shared { false };
    RefPtr<PageSource> source; // null: anonymous
    u64 offset { 0 };
    char const* name { "" };
};

class AddressSpace {
public:
    static Result<OwnPtr<AddressSpace>> create();
    ~AddressSpace();

    RootPair roots() const { return m_roots; }
    // A copy-on-write copy for fork.
    Result<OwnPtr<AddressSpace>> fork();

    Result<u64> map(MapRequest const& request);
    Result<void> unmap(u64 address, u64 length);
    Result<void> protect(u64 address, u64 length, u8 access);
    Result<u64> remap(u64 address, u64 old_length, u64 new_length, bool may_move);
    // MADV_DONTNEED: drops the pages of [address, address + length), so that
    // private ones read zero (anonymous) or the file again; shared ones keep
    // their data in the shared object. With `private_anonymous_only`
    // (MADV_FREE) any other region is EINVAL. ENOMEM if part of the range is
    // unmapped (the mapped parts are still dropped), as on Linux.
    Result<void> discard(u64 address, u64 length, bool private_anonymous_only);
    // ENOMEM unless every page of [address, address + length) is mapped.
    Result<void> check_mapped(u64 address, u64 length);
    // msync(MS_SYNC): each shared file mapping in the range sync()s its
    // source (outside the lock: a disk write may take a while); then
    // check_mapped's answer.
    Result<void> sync_range(u64 address, u64 length);

    // brk: the heap ends at brk(); set_brk grows or shrinks it.
    void set_brk_base(u64 base) { m_brk_base = m_brk = base; }
    u64 brk() const { return m_brk; }
    Result<u64> set_brk(u64 address);

    FaultResult handle_fault(u64 address, u8 access);
    // Maps every page of [start, end) now (exec, stacks), as a fault would.
    Result<void> populate(u64 start, u64 end);
    // Maps, in private file regions of [start, end), the pages whose frames
    // the file already has (copy-on-write), as a read fault would; leaves
    // the rest to their faults. Nothing is read or allocated but page tables.
    Result<void> populate_cached(u64 start, u64 end);

    template<typename F>
    void for_each_region(F f) {
        SpinlockGuard guard(m_lock);
        for (Region& r : m_regions) f(r);
    }
    // Total mapped bytes and resident pages (for /proc).
    u64 mapped_bytes();
    u64 resident_pages();

    // Makes this address space the current one (loads the kernel root).
    void activate();

    // See revoke_file_pages.
    void revoke(void const* file, u64 first_index, u64 const* frames, u64 count);

    IntrusiveListNode m_all_node; // on the list of every address space

private:
    explicit AddressSpace(RootPair roots) : m_roots(roots) { }
    Region* find_region(u64 address);
    Result<u64> find_free(u64 hint, u64 length);
    // Removes [start, end) from every region (splitting) and frees the pages.
    Result<void> carve(u64 start, u64 end);
    void insert_region(Region* region);
    FaultResult fault_locked(u64 address, u8 access);
    // After a demand fault on `page` of a private anonymous region: maps
    // fresh zeroed pages at the empty entries of its fault-around window.
    void fault_around(Region const& region, u64 page, u64& pte);
    // After a read fault on `page` of a private file mapping: maps the
    // file's frames (copy-on-write) at the empty entries of its window.
    void fault_around_file(Region const& region, u64 page, u64& pte);
    Result<void> check_mapped_locked(u64 start, u64 end);
    void unmap_pages(u64 start, u64 end);
    u64 pte_flags(Region const& region, bool writable) const;

    Spinlock<LockRank::AddressSpace> m_lock;
    RootPair m_roots;
    IntrusiveList<Region, &Region::node> m_regions; // sorted by start
    u64 m_brk_base { 0 };
    u64 m_brk { 0 };
};

// A file dropped its pages from index `first_index` on (frames[i] was page
// first_index + i, 0 for a hole): every mapping of `file` (PageSource::
// file()) that maps one of these frames loses it, so that the next access
// faults -- SIGBUS past the new EOF. Called by the file system before it
// lets go of the frames; private copies already made are kept.
void revoke_file_pages(void const* file, u64 first_index, u64 const* frames, u64 count);

// Page reference counts for user frames.
void page_ref(u64 paddr);
void page_unref(u64 paddr);
u32 page_refcount(u64 paddr);

// fork() copies a private writable region at once if it has at most this
// many pages present; larger regions are shared copy-on-write.
inline constexpr u64 kEagerForkPages = 256;

// Fault-around: a demand fault on private anonymous memory also maps the
// not-yet-present pages of the aligned window of this many pages around it
// (clipped to the region), zeroed, as the fault itself would. Under PVM a
// user page fault costs 20-40 us and zeroing a page well under one, so a
// sequential first touch faults once per window instead of once per page.
// Linux does fault-around only for file pages (fault_around_bytes, 64 KiB);
// anonymous memory there gets one page per fault, or a THP. The window is
// skipped while free memory is below 1/kFaultAroundReserveFraction of RAM.
inline constexpr u64 kFaultAroundPages = 16;
inline constexpr u64 kFaultAroundReserveFraction = 16;
// Read faults on private file mappings map the file's own frames (no
// memory taken): a wider window, 256 KiB.
inline constexpr u64 kFileFaultAroundPages = 64;

// The lowest address mmap hands out and where its search starts.
inline constexpr u64 kMmapMin = 0x10000;
inline constexpr u64 kMmapBase = 0x7f0000000000;

} // namespace mm
