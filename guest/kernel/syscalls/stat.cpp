// stat and friends, statfs, access.
#include <kernel/syscalls/helpers.h>
#include <uapi/stat.h>

namespace {

using Stat = uapi::stat;
using Statx = uapi::statx;

// st_dev: the file system's (a disk's number for ext*); files without an
// inode (pipes, sockets) share one anonymous device, as on Linux (pipefs).
u64 device_of(File& file) {
    auto inode = file.inode();
    return inode ? inode->fs().device() : vfs::make_device(0, 12);
}

Stat to_stat(InodeMetadata const& m, u64 dev) {
    Stat s {};
    s.st_dev = dev;
    s.st_ino = m.ino;
    s.st_nlink = m.nlink;
    s.st_mode = m.mode;
    s.st_uid = m.uid;
    s.st_gid = m.gid;
    s.st_rdev = m.rdev;
    s.st_size = i64(m.size);
    s.st_blksize = 4096;
    s.st_blocks = i64(m.blocks());
    s.st_atim = { m.atime.sec, m.atime.nsec };
    s.st_mtim = { m.mtime.sec, m.mtime.nsec };
    s.st_ctim = { m.ctime.sec, m.ctime.nsec };
    return s;
}

// What a path names: its metadata and device. `flags` are AT_* flags.
Result<u64> stat_path(int dirfd, UserCString user_path, UserPtr<Stat> out, u32 flags) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 /* AT_NO_AUTOMOUNT */)) return Errno(EINVAL);
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty()) {
        if (!(flags & AT_EMPTY_PATH)) return Errno(ENOENT);
        RefPtr<File> file = dirfd == AT_FDCWD ? RefPtr<File>() : TRY(file_for(dirfd));
        if (!file) {
            auto& cwd = current_process().fs().cwd->inode();
            TRY(mm::copy_to_user(out, to_stat(cwd.metadata(), cwd.fs().device())));
            return u64(0);
        }
        TRY(mm::copy_to_user(out, to_stat(file->metadata(), device_of(*file))));
        return u64(0);
    }
    auto start = TRY(PathStart::create(dirfd, path.view()));
    auto custody = TRY(vfs::resolve(start.context(), path.view(), (flags & AT_SYMLINK_NOFOLLOW) ? vfs::kResolveNoFollow : vfs::kResolveFollow));
    Inode& inode = custody->inode();
    TRY(mm::copy_to_user(out, to_stat(inode.metadata(), inode.fs().device())));
    return u64(0);
}

Result<u64> access_path(int dirfd, UserCString user_path, int mode, u32 flags) {
    constexpr int F_OK = 0, R_OK = 4, W_OK = 2, X_OK = 1;
    if (mode & ~(F_OK | R_OK | W_OK | X_OK)) return Errno(EINVAL);
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty() && !(flags & AT_EMPTY_PATH)) return Errno(ENOENT);
    // access() checks with the real ids unless AT_EACCESS asks for the effective ones.
    Process& p = current_process();
    Credentials checking = p.credentials();
    if (!(flags & AT_EACCESS)) {
        checking.fsuid = checking.uid;
        checking.fsgid = checking.gid;
    }
    auto start = TRY(PathStart::create(dirfd, path.view()));
    vfs::Context c { checking, *p.fs().root, start.base() };
    RefPtr<Inode> inode;
    if (path.is_empty()) {
        auto file = TRY(file_for(dirfd));
        inode = file->inode();
        if (!inode) return u64(0);
    } else {
        auto custody = TRY(vfs::resolve(c, path.view(), (flags & AT_SYMLINK_NOFOLLOW) ? vfs::kResolveNoFollow : vfs::kResolveFollow));
        inode = custody->inode_ref();
    }
    if (mode == F_OK) return u64(0);
    // W_OK on a read-only mount is EROFS, before the permission bits (Linux's
    // inode_permission), except for device nodes, fifos and sockets.
    TRY(vfs::check_permission(checking, *inode, mode));
    return u64(0);
}

} // namespace

SYSCALL_HANDLER(stat, UserCString path, UserPtr<Stat> out) { return stat_path(AT_FDCWD, path, out, 0); }
SYSCALL_HANDLER(lstat, UserCString path, UserPtr<Stat> out) {
    return stat_path(AT_FDCWD, path, out, AT_SYMLINK_NOFOLLOW);
}
SYSCALL_HANDLER(newfstatat, int dirfd, UserCString path, UserPtr<Stat> out, u32 flags) {
    return stat_path(dirfd, path, out, flags);
}

SYSCALL_HANDLER(fstat, int fd, UserPtr<Stat> out) {
    auto file = TRY(file_for(fd));
    TRY(mm::copy_to_user(out, to_stat(file->metadata(), device_of(*file))));
    return u64(0);
}

SYSCALL_HANDLER(statx, int dirfd, UserCString user_path, u32 flags, u32 mask, UserPtr<Statx> out) {
    (void)mask;
    constexpr u32 AT_STATX_SYNC_TYPE = 0x6000;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 | AT_STATX_SYNC_TYPE)) return Errno(EINVAL);
    auto path = TRY(UserPath::copy(user_path));
    InodeMetadata m;
    u64 dev;
    if (path.is_empty()) {
        if (!(flags & AT_EMPTY_PATH)) return Errno(ENOENT);
        if (dirfd == AT_FDCWD) {
            auto& cwd = current_process().fs().cwd->inode();
            m = cwd.metadata();
            dev = cwd.fs().device();
        } else {
            auto file = TRY(file_for(dirfd));
            m = file->metadata();
            dev = device_of(*file);
        }
    } else {
        auto start = TRY(PathStart::create(dirfd, path.view()));
        auto custody = TRY(vfs::resolve(start.context(), path.view(), (flags & AT_SYMLINK_NOFOLLOW) ? vfs::kResolveNoFollow : vfs::kResolveFollow));
        m = custody->inode().metadata();
        dev = custody->inode().fs().device();
    }
    Statx s {};
    s.stx_mask = 0x7ff; // STATX_BASIC_STATS
    s.stx_blksize = 4096;
    s.stx_nlink = m.nlink;
    s.stx_uid = m.uid;
    s.stx_gid = m.gid;
    s.stx_mode = u16(m.mode);
    s.stx_ino = m.ino;
    s.stx_size = m.size;
    s.stx_blocks = m.blocks();
    s.stx_atime = { m.atime.sec, u32(m.atime.nsec), 0 };
    s.stx_mtime = { m.mtime.sec, u32(m.mtime.nsec), 0 };
    s.stx_ctime = { m.ctime.sec, u32(m.ctime.nsec), 0 };
    s.stx_rdev_major = vfs::device_major(m.rdev);
    s.stx_rdev_minor = vfs::device_minor(m.rdev);
    s.stx_dev_major = vfs::device_major(dev);
    s.stx_dev_minor = vfs::device_minor(dev);
    TRY(mm::copy_to_user(out, s));
    return u64(0);
}

namespace {
struct StatFs {
    i64 f_type, f_bsize;
    u64 f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    i32 f_fsid[2];
    i64 f_namelen, f_frsize, f_flags, f_spare[4];
};
static_assert(sizeof(StatFs) == 120);

StatFs memory_statfs(Inode& inode) {
    StatFs s {};
    s.f_type = 0x01021994; // TMPFS_MAGIC
    s.f_bsize = 4096;
    s.f_frsize = 4096;
    s.f_blocks = s.f_bfree = s.f_bavail = 65536;
    s.f_files = s.f_ffree = 65536;
    s.f_fsid[0] = i32(vfs::device_minor(inode.fs().device()));
    s.f_namelen = 255;
    return s;
}
} // namespace

SYSCALL_HANDLER(statfs, UserCString user_path, UserPtr<StatFs> out) {
    auto path = TRY(UserPath::copy(user_path));
    auto start = TRY(PathStart::create(AT_FDCWD, path.view()));
    auto custody = TRY(vfs::resolve(start.context(), path.view()));
    TRY(mm::copy_to_user(out, memory_statfs(custody->inode())));
    return u64(0);
}

SYSCALL_HANDLER(fstatfs, int fd, UserPtr<StatFs> out) {
    auto file = TRY(file_for(fd));
    auto inode = file->inode();
    if (!inode) return Errno(EINVAL);
    TRY(mm::copy_to_user(out, memory_statfs(*inode)));
    return u64(0);
}

SYSCALL_HANDLER(access, UserCString path, int mode) { return access_path(AT_FDCWD, path, mode, 0); }
SYSCALL_HANDLER(faccessat, int dirfd, UserCString path, int mode) { return access_path(dirfd, path, mode, 0); }
SYSCALL_HANDLER(faccessat2, int dirfd, UserCString path, int mode, u32 flags) {
    return access_path(dirfd, path, mode, flags);
}
