// Memory: mmap, munmap, mprotect, mremap, brk, madvise, msync.
#include <fs/vfs/file_page_source.h>
#include <kernel/syscalls/helpers.h>

namespace {

constexpr u32 PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
constexpr u32 MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_SHARED_VALIDATE = 3, MAP_TYPE = 0xf, MAP_FIXED = 0x10,
              MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000,
              MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000,
              MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000, MAP_FIXED_NOREPLACE = 0x100000;
constexpr u32 kKnownMapFlags = MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE
    | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_FIXED_NOREPLACE | 0xfc000000;

u8 access_from(u32 prot) {
    // x86 cannot map write-only or exec-only: they imply read, as on Linux.
    u8 access = 0;
    if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) access |= mm::kAccessRead;
    if (prot & PROT_WRITE) access |= mm::kAccessWrite;
    if (prot & PROT_EXEC) access |= mm::kAccessExec;
    return access;
}

} // namespace

SYSCALL_HANDLER(mmap, u64 address, u64 length, u32 prot, u32 flags, int fd, i64 offset) {
    if (length == 0) return Errno(EINVAL);
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return Errno(EINVAL);
    u32 const type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) return Errno(EINVAL);
    if (type == MAP_SHARED_VALIDATE && (flags & ~kKnownMapFlags)) return Errno(EOPNOTSUPP);
    if (flags & MAP_HUGETLB) return Errno(EINVAL);
    if (offset & 0xfff) return Errno(EINVAL);
    if (align_up(length, u64(4096)) < length || length > mm::kUserEnd) return Errno(ENOMEM);
    if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (address & 0xfff)) return Errno(EINVAL);

    mm::MapRequest request;
    request.address = address;
    request.length = length;
    request.access = access_from(prot);
    request.fixed = flags & MAP_FIXED;
    request.fixed_noreplace = (flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED);
    request.shared = type != MAP_PRIVATE;
    request.name = (flags & MAP_STACK) ? "[stack]" : "";

    char name[64] = {};
    if (!(flags & MAP_ANONYMOUS)) {
        auto file = TRY(file_for(fd));
        auto inode = file->inode();
        if (!inode || !inode->is_regular()) return Errno(ENODEV);
        if (!file->readable()) return Errno(EACCES);
        if (request.shared && !file->writable()) {
            // Nor may mprotect make it writable later.
            if (prot & PROT_WRITE) return Errno(EACCES);
            request.max_access = mm::kAccessRead | mm::kAccessExec;
        }
        if (offset < 0) return Errno(EINVAL);
        // A file on a noexec mount is never executable: EPERM now, and
        // mprotect cannot add it later (Linux's do_mmap drops VM_MAYEXEC).
        if (inode->fs().mount_flags() & vfs::kMountNoExec) {
            if (prot & PROT_EXEC) return Errno(EPERM);
            request.max_access &= u8(~mm::kAccessExec);
        }
        if (file->custody()) file->custody()->path_from(*current_process().fs().root, name, sizeof(name));
        request.source = TRY(FilePageSource::create_for_mmap(inode, request.shared, name));
        request.offset = u64(offset);
        request.name = name;
    }
    auto& space = current_process().address_space();
    u64 start = TRY(space.map(request));
    if (flags & MAP_POPULATE) {
        (void)space.populate(start, start + align_up(length, u64(4096)));
    } else if (request.source && !request.shared && (prot & PROT_EXEC)) {
        // A library's text (the dynamic loader maps it so): the pages the
        // file has in memory already are mapped now, a few microseconds
        // against a fault's tens under PVM. Bounded: a huge mapping keeps
        // its faults.
        constexpr u64 kPopulateLimit = 4 * 1024 * 1024;
        (void)space.populate_cached(start, start + lib::min(align_up(length, u64(4096)), kPopulateLimit));
    }
    return start;
}

SYSCALL_HANDLER(munmap, u64 address, u64 length) {
    TRY(current_process().address_space().unmap(address, length));
    return u64(0);
}

SYSCALL_HANDLER(mprotect, u64 address, u64 length, u32 prot) {
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return Errno(EINVAL);
    if (address & 0xfff) return Errno(EINVAL);
    if (length == 0) return u64(0);
    TRY(current_process().address_space().protect(address, length, access_from(prot)));
    return u64(0);
}

SYSCALL_HANDLER(mremap, u64 address, u64 old_length, u64 new_length, u32 flags, u64) {
    constexpr u32 MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return Errno(EINVAL);
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) return Errno(EINVAL);
    if (address & 0xfff) return Errno(EINVAL);
    return current_process().address_space().remap(address, old_length, new_length, flags & MREMAP_MAYMOVE);
}

SYSCALL_HANDLER(brk, u64 address) { return current_process().address_space().set_brk(address); }

SYSCALL_HANDLER(madvise, u64 address, u64 length, int advice) {
    constexpr int MADV_NORMAL = 0, MADV_WILLNEED = 3, MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9,
                  MADV_DOFORK = 11, MADV_HUGEPAGE = 14, MADV_DONTNEED_LOCKED = 24,
                  MADV_COLLAPSE = 25;
    if (address & 0xfff) return Errno(EINVAL);
    // Linux's list, less MERGEABLE/UNMERGEABLE (12, 13: no KSM here) and the
    // hwpoison ones (100, 101: root only, need CONFIG_MEMORY_FAILURE).
    bool const known = (advice >= MADV_NORMAL && advice <= MADV_WILLNEED) || advice == MADV_DONTNEED
        || (advice >= MADV_FREE && advice <= MADV_DOFORK)
        || (advice >= MADV_HUGEPAGE && advice <= MADV_COLLAPSE);
    if (!known) return Errno(EINVAL);
    u64 const end = align_up(address + length, u64(4096));
    if (end < address || (length && end == address)) return Errno(EINVAL);
    if (end == address) return u64(0);
    if (!mm::is_user_range(address, end - address)) return Errno(ENOMEM);
    auto& space = current_process().address_space();
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED: TRY(space.discard(address, end - address, false)); break;
    case MADV_FREE: TRY(space.discard(address, end - address, true)); break;
    case MADV_REMOVE: return Errno(EOPNOTSUPP); // would punch a hole in the file
    default: TRY(space.check_mapped(address, end - address)); break; // hints: nothing to do
    }
    return u64(0);
}

SYSCALL_HANDLER(msync, u64 address, u64 length, int flags) {
    constexpr int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    if ((address & 0xfff) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))) return Errno(EINVAL);
    if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return Errno(EINVAL);
    u64 const end = align_up(address + length, u64(4096));
    if (end < address) return Errno(ENOMEM);
    if (end == address) return u64(0);
    if (!mm::is_user_range(address, end - address)) return Errno(ENOMEM);
    // Shared file mappings map the file's own frames, so the file shows
    // every write at once; MS_SYNC also makes a disk file system write them
    // back (MS_ASYNC leaves that to the next sync, as Linux's writeback).
    if (flags & MS_SYNC) TRY(current_process().address_space().sync_range(address, end - address));
    else TRY(current_process().address_space().check_mapped(address, end - address));
    return u64(0);
}
