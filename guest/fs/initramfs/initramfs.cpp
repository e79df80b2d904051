#include <fs/initramfs/cpio.h>
#include <fs/initramfs/initramfs.h>
#include <fs/vfs/vfs.h>
#include <kernel/debug/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>

namespace initramfs {

namespace {

// Creates the missing directories above `path` (some archives omit them).
void make_parents(vfs::Context const& c, char* path, usize length) {
    for (usize i = 1; i < length; i++) {
        if (path[i] != '/') continue;
        path[i] = 0;
        (void)vfs::mkdir(c, StringView(path, i), 0755);
        path[i] = '/';
    }
}

// Page-aligned data of whole pages (mkinitramfs aligns large files) becomes
// the file's own pages: no copy, and under PVM no first touch of either page
// (~20 us each). The last, partial page is copied into a zeroed page, so
// that the bytes past the end of the file read as zero.
bool adopted(File& file, cpio::Entry const& e) {
    u64 const data = mm::virt_to_phys(e.data);
    if (data % mm::kPageSize || e.size < mm::kPageSize) return false;
    usize const whole = e.size / mm::kPageSize;
    usize const count = (e.size + mm::kPageSize - 1) / mm::kPageSize;
    auto* frames = static_cast<u64*>(kmalloc(count * sizeof(u64)));
    if (!frames) return false;
    u64 tail = 0;
    if (count > whole) {
        auto page = mm::allocate_pages(0, true);
        if (page.is_error()) {
            kfree(frames);
            return false;
        }
        tail = page.value();
        __builtin_memcpy(mm::phys_to_ptr(tail), e.data + whole * mm::kPageSize, e.size % mm::kPageSize);
        frames[whole] = tail;
    }
    for (usize i = 0; i < whole; i++) frames[i] = data + i * mm::kPageSize;
    bool const ok = file.inode() && !file.inode()->adopt_pages(frames, count, e.size).is_error();
    if (ok) {
        for (usize i = 0; i < whole; i++) mm::claim_reserved_page(frames[i]);
    } else if (tail) {
        mm::free_pages(tail);
    }
    kfree(frames);
    return ok;
}

Result<void> unpack_entry(vfs::Context const& c, cpio::Entry const& e, char* path) {
    // "./bin/sh", "/bin/sh" and "bin/sh" all mean /bin/sh.
    StringView name = e.name;
    while (name.starts_with("./")) name = name.substring(2);
    while (name.starts_with("/")) name = name.substring(1);
    if (name.is_empty() || name == ".") return {};
    if (name.length() + 1 >= vfs::kPathMax) return Errno(ENAMETOOLONG);
    path[0] = '/';
    __builtin_memcpy(path + 1, name.data(), name.length());
    usize const length = name.length() + 1;
    path[length] = 0;
    StringView const full(path, length);
    make_parents(c, path, length);

    u32 const type = e.mode & vfs::kModeTypeMask;
    u32 const permissions = e.mode & vfs::kModePermissions;
    if (type == vfs::kModeDirectory) {
        auto made = vfs::mkdir(c, full, permissions);
        if (made.is_error() && made.error().code() != EEXIST) return made.error();
    } else if (type == vfs::kModeSymlink) {
        (void)vfs::unlink(c, full, false);
        TRY(vfs::symlink(c, StringView(reinterpret_cast<char const*>(e.data), e.size), full));
    } else if (type == vfs::kModeRegular) {
        auto file = TRY(vfs::open(c, full, vfs::kCreate | vfs::kWriteOnly | vfs::kTruncate, permissions));
        if (e.size && !adopted(*file, e)) {
            if (TRY(file->write(IoBuffer::kernel(e.data), e.size)) != e.size) return Errno(EIO);
        }
    } else if (type == vfs::kModeCharacter || type == vfs::kModeBlock || type == vfs::kModeFifo
               || type == vfs::kModeSocket) {
        (void)vfs::unlink(c, full, false);
        TRY(vfs::mknod(c, full, e.mode, vfs::make_device(e.rdev_major, e.rdev_minor)));
    } else {
        return Errno(EINVAL);
    }
    auto custody = TRY(vfs::resolve(c, full, vfs::kResolveNoFollow));
    Inode& inode = custody->inode();
    if (type != vfs::kModeSymlink) TRY(inode.set_mode(e.mode));
    TRY(inode.set_owner(e.uid, e.gid));
    Timespec mtime { i64(e.mtime), 0 };
    TRY(inode.set_times(&mtime, &mtime));
    return {};
}

} // namespace

Result<usize> unpack(u8 const* archive, usize size) {
    vfs::KernelContext const kernel;
    vfs::Context const c = kernel.context();
    char* path = static_cast<char*>(kmalloc(vfs::kPathMax));
    if (!path) return Errno(ENOMEM);
    cpio::Reader reader(archive, size);
    cpio::Entry entry;
    usize count = 0;
    for (;;) {
        auto more = reader.next(entry);
        if (more.is_error()) {
            log_warn("initramfs: malformed archive at byte %lu; stopped there", reader.position());
            break;
        }
        if (!more.value()) break;
        auto unpacked = unpack_entry(c, entry, path);
        if (unpacked.is_error())
            log_warn("initramfs: cannot unpack %.*s: errno %d", int(entry.name.length()), entry.name.data(),
                     unpacked.error().code());
        else count++;
    }
    // Directory times last: creating entries inside a directory touches its
    // mtime, so Linux sets them after everything (init/initramfs.c dir_utime).
    cpio::Reader again(archive, size);
    while (true) {
        auto more = again.next(entry);
        if (more.is_error() || !more.value()) break;
        if ((entry.mode & vfs::kModeTypeMask) != vfs::kModeDirectory) continue;
        StringView name = entry.name;
        while (name.starts_with("./")) name = name.substring(2);
        while (name.starts_with("/")) name = name.substring(1);
        if (name.is_empty() || name == "." || name.length() + 1 >= vfs::kPathMax) continue;
        path[0] = '/';
        __builtin_memcpy(path + 1, name.data(), name.length());
        auto custody = vfs::resolve(c, StringView(path, name.length() + 1), vfs::kResolveNoFollow);
        if (custody.is_error()) continue;
        Timespec mtime { i64(entry.mtime), 0 };
        (void)custody.value()->inode().set_times(&mtime, &mtime);
    }
    kfree(path);
    return count;
}

} // namespace initramfs
