// Name-space operations: mkdir, unlink, rename, links, modes, owners,
// times, the working directory, umask.
#include <kernel/syscalls/helpers.h>
#include <uapi/stat.h>
#include <uapi/time.h>

namespace {

struct Resolved {
    UserPath path;
    PathStart start;
};

Result<Resolved> resolve_start(int dirfd, UserCString user_path) {
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty()) return Errno(ENOENT);
    auto start = TRY(PathStart::create(dirfd, path.view()));
    return Resolved { static_cast<UserPath&&>(path), static_cast<PathStart&&>(start) };
}

Result<u64> do_mkdir(int dirfd, UserCString user_path, u32 mode) {
    auto r = TRY(resolve_start(dirfd, user_path));
    TRY(vfs::mkdir(r.start.context(), r.path.view(), mode & ~current_process().fs().umask));
    return u64(0);
}

Result<u64> do_unlink(int dirfd, UserCString user_path, u32 flags) {
    if (flags & ~AT_REMOVEDIR) return Errno(EINVAL);
    auto r = TRY(resolve_start(dirfd, user_path));
    TRY(vfs::unlink(r.start.context(), r.path.view(), flags & AT_REMOVEDIR));
    return u64(0);
}

Result<u64> do_rename(int old_dirfd, UserCString old_path, int new_dirfd, UserCString new_path, u32 flags) {
    auto from = TRY(resolve_start(old_dirfd, old_path));
    auto to = TRY(resolve_start(new_dirfd, new_path));
    TRY(vfs::rename(from.start.context(), from.path.view(), to.start.context(), to.path.view(), flags));
    return u64(0);
}

Result<u64> do_link(int old_dirfd, UserCString old_path, int new_dirfd, UserCString new_path, u32 flags) {
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
    auto from = TRY(resolve_start(old_dirfd, old_path));
    auto to = TRY(resolve_start(new_dirfd, new_path));
    TRY(vfs::link(from.start.context(), from.path.view(), to.start.context(), to.path.view(), flags & AT_SYMLINK_FOLLOW));
    return u64(0);
}

Result<u64> do_symlink(UserCString user_target, int dirfd, UserCString user_path) {
    auto target = TRY(UserPath::copy(user_target));
    auto r = TRY(resolve_start(dirfd, user_path));
    TRY(vfs::symlink(r.start.context(), target.view(), r.path.view()));
    return u64(0);
}

Result<u64> do_readlink(int dirfd, UserCString user_path, UserPtr<char> buffer, int size) {
    if (size <= 0) return Errno(EINVAL);
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty()) return Errno(ENOENT);
    auto start = TRY(PathStart::create(dirfd, path.view()));
    char* target = static_cast<char*>(kmalloc(vfs::kPathMax));
    if (!target) return Errno(ENOMEM);
    auto length = vfs::readlink(start.context(), path.view(), target, vfs::kPathMax);
    if (length.is_error()) {
        kfree(target);
        return length.error();
    }
    usize n = lib::min(length.value(), usize(size));
    auto copied = mm::copy_to_user(buffer.address, target, n);
    kfree(target);
    TRY(copied);
    return n;
}

// The inode a path (or, with AT_EMPTY_PATH, a descriptor) names.
Result<RefPtr<Inode>> inode_at(int dirfd, UserCString user_path, u32 flags, bool follow_default) {
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty()) {
        if (!(flags & AT_EMPTY_PATH)) return Errno(ENOENT);
        if (dirfd == AT_FDCWD) return current_process().fs().cwd->inode_ref();
        auto file = TRY(file_for(dirfd));
        if (!file->inode()) return Errno(EBADF);
        return file->inode();
    }
    auto start = TRY(PathStart::create(dirfd, path.view()));
    bool follow = follow_default && !(flags & AT_SYMLINK_NOFOLLOW);
    auto custody = TRY(vfs::resolve(start.context(), path.view(), follow ? vfs::kResolveFollow : vfs::kResolveNoFollow));
    return custody->inode_ref();
}

Result<u64> do_chmod(RefPtr<Inode> inode, u32 mode) {
    TRY(vfs::chmod(current_process().credentials(), *inode, mode & 07777));
    return u64(0);
}

Result<u64> do_chown(RefPtr<Inode> inode, u32 uid, u32 gid) {
    TRY(vfs::chown(current_process().credentials(), *inode, uid, gid));
    return u64(0);
}

using uapi::UTIME_NOW, uapi::UTIME_OMIT;

using UserTimespec = uapi::timespec;

Result<u64> set_times(RefPtr<Inode> inode, UserTimespec const* times) {
    Timespec now = clock::realtime();
    if (!times) {
        TRY(vfs::set_times(current_process().credentials(), *inode, &now, &now, true));
        return u64(0);
    }
    Timespec values[2];
    Timespec const* pointers[2];
    bool all_now = true;
    for (int i = 0; i < 2; i++) {
        if (times[i].tv_nsec == UTIME_OMIT) {
            pointers[i] = nullptr;
            continue;
        }
        if (times[i].tv_nsec == UTIME_NOW) {
            values[i] = now;
        } else {
            if (times[i].tv_nsec < 0 || times[i].tv_nsec >= 1000000000) return Errno(EINVAL);
            values[i] = { times[i].tv_sec, times[i].tv_nsec };
            all_now = false;
        }
        pointers[i] = &values[i];
    }
    if (!pointers[0] && !pointers[1]) return u64(0);
    TRY(vfs::set_times(current_process().credentials(), *inode, pointers[0], pointers[1], all_now));
    return u64(0);
}

} // namespace

SYSCALL_HANDLER(mkdir, UserCString path, u32 mode) { return do_mkdir(AT_FDCWD, path, mode); }
SYSCALL_HANDLER(mkdirat, int dirfd, UserCString path, u32 mode) { return do_mkdir(dirfd, path, mode); }
SYSCALL_HANDLER(rmdir, UserCString path) { return do_unlink(AT_FDCWD, path, AT_REMOVEDIR); }
SYSCALL_HANDLER(unlink, UserCString path) { return do_unlink(AT_FDCWD, path, 0); }
SYSCALL_HANDLER(unlinkat, int dirfd, UserCString path, u32 flags) { return do_unlink(dirfd, path, flags); }
SYSCALL_HANDLER(rename, UserCString old_path, UserCString new_path) {
    return do_rename(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}
SYSCALL_HANDLER(renameat, int old_dirfd, UserCString old_path, int new_dirfd, UserCString new_path) {
    return do_rename(old_dirfd, old_path, new_dirfd, new_path, 0);
}
SYSCALL_HANDLER(renameat2, int old_dirfd, UserCString old_path, int new_dirfd, UserCString new_path, u32 flags) {
    return do_rename(old_dirfd, old_path, new_dirfd, new_path, flags);
}
SYSCALL_HANDLER(link, UserCString old_path, UserCString new_path) {
    return do_link(AT_FDCWD, old_path, AT_FDCWD, new_path, 0);
}
SYSCALL_HANDLER(linkat, int old_dirfd, UserCString old_path, int new_dirfd, UserCString new_path, u32 flags) {
    return do_link(old_dirfd, old_path, new_dirfd, new_path, flags);
}
SYSCALL_HANDLER(symlink, UserCString target, UserCString path) { return do_symlink(target, AT_FDCWD, path); }
SYSCALL_HANDLER(symlinkat, UserCString target, int dirfd, UserCString path) { return do_symlink(target, dirfd, path); }
SYSCALL_HANDLER(readlink, UserCString path, UserPtr<char> buffer, int size) {
    return do_readlink(AT_FDCWD, path, buffer, size);
}
SYSCALL_HANDLER(readlinkat, int dirfd, UserCString path, UserPtr<char> buffer, int size) {
    return do_readlink(dirfd, path, buffer, size);
}

SYSCALL_HANDLER(chmod, UserCString path, u32 mode) { return do_chmod(TRY(inode_at(AT_FDCWD, path, 0, true)), mode); }
SYSCALL_HANDLER(fchmodat, int dirfd, UserCString path, u32 mode) {
    return do_chmod(TRY(inode_at(dirfd, path, 0, true)), mode);
}
SYSCALL_HANDLER(fchmod, int fd, u32 mode) {
    auto file = TRY(file_for(fd));
    if (!file->inode()) return Errno(EINVAL);
    return do_chmod(file->inode(), mode);
}
SYSCALL_HANDLER(chown, UserCString path, u32 uid, u32 gid) {
    return do_chown(TRY(inode_at(AT_FDCWD, path, 0, true)), uid, gid);
}
SYSCALL_HANDLER(lchown, UserCString path, u32 uid, u32 gid) {
    return do_chown(TRY(inode_at(AT_FDCWD, path, 0, false)), uid, gid);
}
SYSCALL_HANDLER(fchownat, int dirfd, UserCString path, u32 uid, u32 gid, u32 flags) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
    return do_chown(TRY(inode_at(dirfd, path, flags, true)), uid, gid);
}
SYSCALL_HANDLER(fchown, int fd, u32 uid, u32 gid) {
    auto file = TRY(file_for(fd));
    if (!file->inode()) return Errno(EINVAL);
    return do_chown(file->inode(), uid, gid);
}

SYSCALL_HANDLER(utimensat, int dirfd, UserCString path, UserPtr<UserTimespec> times, u32 flags) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno(EINVAL);
    RefPtr<Inode> inode;
    if (path.is_null()) {
        // utimensat(fd, NULL, ...) is futimens.
        auto file = TRY(file_for(dirfd));
        if (!file->inode()) return Errno(EINVAL);
        inode = file->inode();
    } else {
        inode = TRY(inode_at(dirfd, path, flags, true));
    }
    if (times.is_null()) return set_times(inode, nullptr);
    UserTimespec values[2];
    TRY(mm::copy_from_user(values, times.address, sizeof(values)));
    return set_times(inode, values);
}

SYSCALL_HANDLER(utimes, UserCString path, UserPtr<i64> times) {
    auto inode = TRY(inode_at(AT_FDCWD, path, 0, true));
    if (times.is_null()) return set_times(inode, nullptr);
    i64 values[4]; // two struct timeval
    TRY(mm::copy_from_user(values, times.address, sizeof(values)));
    if (values[1] < 0 || values[1] >= 1000000 || values[3] < 0 || values[3] >= 1000000) return Errno(EINVAL);
    UserTimespec t[2] = { { values[0], values[1] * 1000 }, { values[2], values[3] * 1000 } };
    return set_times(inode, t);
}

SYSCALL_HANDLER(utime, UserCString path, UserPtr<i64> times) {
    auto inode = TRY(inode_at(AT_FDCWD, path, 0, true));
    if (times.is_null()) return set_times(inode, nullptr);
    i64 values[2]; // struct utimbuf
    TRY(mm::copy_from_user(values, times.address, sizeof(values)));
    UserTimespec t[2] = { { values[0], 0 }, { values[1], 0 } };
    return set_times(inode, t);
}

static Result<u64> do_mknod(int dirfd, UserCString user_path, u32 mode, u64 device) {
    u32 type = mode & vfs::kModeTypeMask;
    if (type == 0) type = vfs::kModeRegular;
    if (type == vfs::kModeDirectory) return Errno(EPERM);
    bool const privileged = type == vfs::kModeCharacter || type == vfs::kModeBlock;
    if (privileged && !current_process().credentials().is_superuser()) return Errno(EPERM);
    auto r = TRY(resolve_start(dirfd, user_path));
    u32 const permissions = mode & 07777 & ~current_process().fs().umask;
    // Linux's dev_t from the user is the "new" encoding already.
    TRY(vfs::mknod(r.start.context(), r.path.view(), type | permissions, device));
    return u64(0);
}

SYSCALL_HANDLER(mknod, UserCString path, u32 mode, u64 device) { return do_mknod(AT_FDCWD, path, mode, device); }
SYSCALL_HANDLER(mknodat, int dirfd, UserCString path, u32 mode, u64 device) {
    return do_mknod(dirfd, path, mode, device);
}

SYSCALL_HANDLER(chdir, UserCString user_path) {
    auto r = TRY(resolve_start(AT_FDCWD, user_path));
    auto custody = TRY(vfs::resolve(r.start.context(), r.path.view()));
    if (!custody->inode().is_directory()) return Errno(ENOTDIR);
    TRY(vfs::check_access(current_process().credentials(), custody->inode().metadata(), 1));
    current_process().fs().cwd = custody;
    return u64(0);
}

SYSCALL_HANDLER(fchdir, int fd) {
    auto file = TRY(file_for(fd));
    Custody* custody = file->custody();
    if (!custody || !custody->inode().is_directory()) return Errno(ENOTDIR);
    TRY(vfs::check_access(current_process().credentials(), custody->inode().metadata(), 1));
    current_process().fs().cwd = RefPtr<Custody>(custody);
    return u64(0);
}

SYSCALL_HANDLER(chroot, UserCString user_path) {
    if (!current_process().credentials().is_superuser()) return Errno(EPERM);
    auto r = TRY(resolve_start(AT_FDCWD, user_path));
    auto custody = TRY(vfs::resolve(r.start.context(), r.path.view()));
    if (!custody->inode().is_directory()) return Errno(ENOTDIR);
    current_process().fs().root = custody;
    return u64(0);
}

SYSCALL_HANDLER(getcwd, UserPtr<char> buffer, usize size) {
    // A removed working directory has no path any more (Linux: ENOENT).
    if (current_process().fs().cwd->inode().metadata().nlink == 0) return Errno(ENOENT);
    char* path = static_cast<char*>(kmalloc(vfs::kPathMax));
    if (!path) return Errno(ENOMEM);
    // Outside the root (a chroot left behind it), Linux's "(unreachable)" prefix.
    static constexpr char kUnreachable[] = "(unreachable)";
    constexpr usize kPrefix = sizeof(kUnreachable) - 1;
    bool reachable = true;
    auto const& fs = current_process().fs();
    usize length = fs.cwd->path_from(*fs.root, path + kPrefix, vfs::kPathMax - kPrefix, &reachable);
    char const* start = path + kPrefix;
    if (!reachable) {
        __builtin_memcpy(path, kUnreachable, kPrefix);
        start = path;
        length += kPrefix;
    }
    Result<u64> result = u64(length + 1);
    if (length + 1 > size) result = Errno(ERANGE);
    else if (mm::copy_to_user(buffer.address, start, length + 1).is_error()) result = Errno(EFAULT);
    kfree(path);
    return result;
}

SYSCALL_HANDLER(umask, u32 mask) {
    auto& fs = current_process().fs();
    u32 old = fs.umask;
    fs.umask = mask & 0777;
    return old;
}
