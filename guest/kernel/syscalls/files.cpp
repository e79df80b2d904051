// Descriptors and open files: open*, close, dup*, fcntl, ioctl, pipes,
// truncation, sync, getdents64.
#include <fs/pipe.h>
#include <kernel/drivers/block_device.h>
#include <kernel/syscalls/helpers.h>

namespace {

constexpr u32 kOpenFlagsKnown = 0x7fffffff;
constexpr u32 O_TMPFILE = 020000000;

Result<u64> do_open(int dirfd, UserCString user_path, u32 flags, u32 mode) {
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty()) return Errno(ENOENT);
    if ((flags & O_TMPFILE) == O_TMPFILE) return Errno(EOPNOTSUPP);
    auto start = TRY(PathStart::create(dirfd, path.view()));
    Process& p = current_process();
    u32 const effective_mode = mode & ~p.fs().umask & 07777;
    auto file = TRY(vfs::open(start.context(), path.view(), flags & kOpenFlagsKnown, effective_mode));
    return TRY(p.fds().allocate(file, flags & vfs::kCloseOnExec));
}

} // namespace

SYSCALL_HANDLER(open, UserCString path, u32 flags, u32 mode) { return do_open(AT_FDCWD, path, flags, mode); }
SYSCALL_HANDLER(openat, int dirfd, UserCString path, u32 flags, u32 mode) { return do_open(dirfd, path, flags, mode); }
SYSCALL_HANDLER(creat, UserCString path, u32 mode) {
    return do_open(AT_FDCWD, path, vfs::kCreate | vfs::kWriteOnly | vfs::kTruncate, mode);
}

SYSCALL_HANDLER(close, int fd) {
    TRY(current_process().fds().close(fd));
    return u64(0);
}

SYSCALL_HANDLER(dup, int fd) {
    auto& fds = current_process().fds();
    auto file = TRY(fds.get(fd));
    return TRY(fds.allocate(file, false));
}

SYSCALL_HANDLER(dup2, int old_fd, int new_fd) {
    auto& fds = current_process().fds();
    auto file = TRY(fds.get(old_fd));
    if (old_fd == new_fd) return u64(new_fd);
    TRY(fds.install(new_fd, file, false));
    return u64(new_fd);
}

SYSCALL_HANDLER(dup3, int old_fd, int new_fd, u32 flags) {
    if (flags & ~vfs::kCloseOnExec) return Errno(EINVAL);
    if (old_fd == new_fd) return Errno(EINVAL);
    auto& fds = current_process().fds();
    auto file = TRY(fds.get(old_fd));
    TRY(fds.install(new_fd, file, flags & vfs::kCloseOnExec));
    return u64(new_fd);
}

SYSCALL_HANDLER(fcntl, int fd, int command, u64 argument) {
    constexpr int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6,
                  F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_DUPFD_CLOEXEC = 1030, F_GETPIPE_SZ = 1032,
                  F_SETPIPE_SZ = 1031;
    auto& fds = current_process().fds();
    auto file = TRY(fds.get(fd));
    switch (command) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (i64(argument) < 0 || argument >= u64(fds.limit())) return Errno(EINVAL);
        return TRY(fds.allocate(file, command == F_DUPFD_CLOEXEC, int(argument)));
    case F_GETFD: return TRY(fds.close_on_exec(fd)) ? 1 : 0;
    case F_SETFD: TRY(fds.set_close_on_exec(fd, argument & 1)); return u64(0);
    case F_GETFL: return file->status_flags();
    case F_SETFL: file->set_status_flags(u32(argument)); return u64(0);
    case F_GETLK: {
        // struct flock { short l_type; ... }: report "unlocked" (F_UNLCK = 2).
        short unlocked = 2;
        TRY(mm::copy_to_user(argument, &unlocked, sizeof(unlocked)));
        return u64(0);
    }
    case F_SETLK:
    case F_SETLKW: return u64(0); // advisory locks are not enforced yet
    case F_SETOWN:
    case F_GETOWN: return u64(0);
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ: return u64(Pipe::kCapacity);
    }
    return Errno(EINVAL);
}

SYSCALL_HANDLER(ioctl, int fd, u32 request, u64 argument) {
    constexpr u32 FIONBIO = 0x5421, FIOCLEX = 0x5451, FIONCLEX = 0x5450, FIOASYNC = 0x5452;
    auto& fds = current_process().fds();
    auto file = TRY(fds.get(fd));
    switch (request) {
    case FIONBIO: {
        int on = TRY(mm::copy_from_user(UserPtr<int>(argument)));
        u32 flags = file->status_flags();
        file->set_status_flags(on ? flags | vfs::kNonBlocking : flags & ~vfs::kNonBlocking);
        return u64(0);
    }
    case FIOCLEX: TRY(fds.set_close_on_exec(fd, true)); return u64(0);
    case FIONCLEX: TRY(fds.set_close_on_exec(fd, false)); return u64(0);
    case FIOASYNC: return u64(0);
    }
    return file->ioctl(request, argument);
}

static Result<u64> make_pipe(UserPtr<int> fds_out, u32 flags) {
    if (flags & ~(vfs::kCloseOnExec | vfs::kNonBlocking | 040000 /* O_DIRECT */)) return Errno(EINVAL);
    RefPtr<File> read_end, write_end;
    TRY(Pipe::create_pair(flags, read_end, write_end));
    return install_pair(read_end, write_end, flags & vfs::kCloseOnExec, fds_out);
}

SYSCALL_HANDLER(pipe, UserPtr<int> fds) { return make_pipe(fds, 0); }
SYSCALL_HANDLER(pipe2, UserPtr<int> fds, u32 flags) { return make_pipe(fds, flags); }

SYSCALL_HANDLER(fsync, int fd) {
    auto file = TRY(file_for(fd));
    TRY(file->sync());
    return u64(0);
}
// All metadata aramid has lives in memory, so fdatasync is fsync.
SYSCALL_HANDLER(fdatasync, int fd) {
    auto file = TRY(file_for(fd));
    TRY(file->sync());
    return u64(0);
}
SYSCALL_HANDLER(sync) {
    vfs::sync_all();
    block::flush_all();
    return u64(0);
}
SYSCALL_HANDLER(syncfs, int fd) {
    auto file = TRY(file_for(fd));
    Custody* custody = file->custody();
    if (!custody) return u64(0); // pipes and sockets: their file system is in memory
    TRY(custody->inode().fs().sync());
    return u64(0);
}
SYSCALL_HANDLER(flock, int fd, int) {
    TRY(file_for(fd));
    return u64(0);
}

SYSCALL_HANDLER(ftruncate, int fd, i64 length) {
    if (length < 0) return Errno(EINVAL);
    auto file = TRY(file_for(fd));
    if (!file->writable()) return Errno(EINVAL);
    auto inode = file->inode();
    if (!inode) return Errno(EINVAL);
    if (inode->is_directory()) return Errno(EISDIR);
    TRY(file->truncate(u64(length)));
    return u64(0);
}

SYSCALL_HANDLER(truncate, UserCString user_path, i64 length) {
    if (length < 0) return Errno(EINVAL);
    auto path = TRY(UserPath::copy(user_path));
    auto start = TRY(PathStart::create(AT_FDCWD, path.view()));
    auto custody = TRY(vfs::resolve(start.context(), path.view()));
    Inode& inode = custody->inode();
    if (inode.is_directory()) return Errno(EISDIR);
    if (!inode.is_regular()) return Errno(EINVAL);
    // Linux's vfs_truncate: the mount's read-only flag before permissions.
    TRY(vfs::want_write(inode));
    TRY(vfs::check_access(current_process().credentials(), inode.metadata(), 2));
    TRY(inode.truncate(u64(length)));
    return u64(0);
}

SYSCALL_HANDLER(getdents64, int fd, UserPtr<u8> buffer, u32 count) {
    auto file = TRY(file_for(fd));
    return TRY(file->read_directory(IoBuffer::user(buffer.address), count));
}
