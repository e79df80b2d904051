// read, write and their vector and positional forms; lseek; sendfile.
#include <kernel/syscalls/helpers.h>
#include <net/unix_socket.h>
#include <uapi/uio.h>

namespace {

using IoVec = uapi::iovec;
constexpr int kMaxIoVec = uapi::UIO_MAXIOV;

// A write that fails with EPIPE also raises SIGPIPE, as on Linux. Sockets
// decide for themselves (only a stream socket raises it).
Result<u64> raise_sigpipe_on_epipe(File const& file, Result<usize> result) {
    if (result.is_error() && result.error().code() == EPIPE && file.kind() != FileKind::Socket) {
        signals::Info info;
        info.signo = signals::SIGPIPE;
        info.code = signals::SI_USER;
        info.pid = current_process().pid();
        signals::send_to_thread(current_thread(), info);
    }
    if (result.is_error()) return result.error();
    return u64(result.value());
}

Result<u64> check_count(usize count) {
    if (i64(count) < 0) return Errno(EINVAL);
    return u64(count);
}

// A blocking read or write interrupted by a signal restarts under SA_RESTART.
Result<usize> restartable(Result<usize> result) {
    if (result.is_error() && result.error().code() == EINTR) return Errno(ERESTARTSYS);
    return result;
}

// Sockets choose for themselves: EINTR when they have a timeout
// (SO_RCVTIMEO/SO_SNDTIMEO), else ERESTARTSYS (signal(7)).
Result<usize> restartable(File const& file, Result<usize> result) {
    if (file.kind() == FileKind::Socket) return result;
    return restartable(static_cast<Result<usize>&&>(result));
}

template<typename Op>
Result<u64> vector_io(RefPtr<File> const& file, UserPtr<IoVec> vectors, int count, bool writing, Op op) {
    if (writing ? !file->writable() : !file->readable()) return Errno(EBADF);
    if (count < 0 || count > kMaxIoVec) return Errno(EINVAL);
    u64 total = 0;
    for (int i = 0; i < count; i++) {
        IoVec v = TRY(mm::copy_from_user(vectors.offset(u64(i))));
        if (i64(v.iov_len) < 0 || total + v.iov_len < total || i64(total + v.iov_len) < 0) return Errno(EINVAL);
        total += v.iov_len;
    }
    u64 done = 0;
    for (int i = 0; i < count; i++) {
        IoVec v = TRY(mm::copy_from_user(vectors.offset(u64(i))));
        if (!v.iov_len) continue;
        auto n = op(*file, IoBuffer::user(v.iov_base), usize(v.iov_len), done);
        if (n.is_error()) {
            if (done) break;
            return n.error();
        }
        done += n.value();
        if (n.value() < v.iov_len) break;
    }
    return done;
}

// On a socket, readv/writev are one recvmsg/sendmsg: one datagram for all
// the vectors, as Linux's sock_read_iter/sock_write_iter.
Result<u64> socket_vector_io(File& file, UserPtr<IoVec> vectors, int count, bool writing) {
    if (count < 0 || count > kMaxIoVec) return Errno(EINVAL);
    auto data = TRY(net::DataVector::from_user(vectors.address, usize(count)));
    auto& socket = static_cast<net::SocketFile&>(file);
    return TRY(writing ? socket.write_vector(data) : socket.read_vector(data));
}

} // namespace

SYSCALL_HANDLER(read, int fd, UserPtr<u8> buffer, usize count) {
    TRY(check_count(count));
    auto file = TRY(file_for(fd));
    if (!file->readable()) return Errno(EBADF);
    if (file->inode() && file->inode()->is_directory()) return Errno(EISDIR);
    return TRY(restartable(*file, file->read(IoBuffer::user(buffer.address), count)));
}

SYSCALL_HANDLER(write, int fd, UserPtr<u8> buffer, usize count) {
    TRY(check_count(count));
    auto file = TRY(file_for(fd));
    if (!file->writable()) return Errno(EBADF);
    return raise_sigpipe_on_epipe(*file, restartable(*file, file->write(IoBuffer::user(buffer.address), count)));
}

SYSCALL_HANDLER(pread64, int fd, UserPtr<u8> buffer, usize count, i64 offset) {
    TRY(check_count(count));
    if (offset < 0) return Errno(EINVAL);
    auto file = TRY(file_for(fd));
    if (!file->readable()) return Errno(EBADF);
    return TRY(file->pread(u64(offset), IoBuffer::user(buffer.address), count));
}

SYSCALL_HANDLER(pwrite64, int fd, UserPtr<u8> buffer, usize count, i64 offset) {
    TRY(check_count(count));
    if (offset < 0) return Errno(EINVAL);
    auto file = TRY(file_for(fd));
    if (!file->writable()) return Errno(EBADF);
    return raise_sigpipe_on_epipe(*file, file->pwrite(u64(offset), IoBuffer::user(buffer.address), count));
}

SYSCALL_HANDLER(readv, int fd, UserPtr<IoVec> vectors, int count) {
    auto file = TRY(file_for(fd));
    if (file->kind() == FileKind::Socket) return socket_vector_io(*file, vectors, count, false);
    return vector_io(file, vectors, count, false, [](File& f, IoBuffer b, usize n, u64) { return restartable(f.read(b, n)); });
}

SYSCALL_HANDLER(writev, int fd, UserPtr<IoVec> vectors, int count) {
    auto file = TRY(file_for(fd));
    if (file->kind() == FileKind::Socket) return socket_vector_io(*file, vectors, count, true);
    auto result = vector_io(file, vectors, count, true, [](File& f, IoBuffer b, usize n, u64) { return restartable(f.write(b, n)); });
    if (result.is_error()) return raise_sigpipe_on_epipe(*file, Result<usize>(result.error()));
    return result;
}

// The positional forms: the offset is the low word alone on x86-64 (the
// high word exists for 32-bit callers).
SYSCALL_HANDLER(preadv, int fd, UserPtr<IoVec> vectors, int count, i64 offset) {
    if (offset < 0) return Errno(EINVAL);
    auto file = TRY(file_for(fd));
    return vector_io(file, vectors, count, false,
                     [offset](File& f, IoBuffer b, usize n, u64 done) { return f.pread(u64(offset) + done, b, n); });
}

SYSCALL_HANDLER(pwritev, int fd, UserPtr<IoVec> vectors, int count, i64 offset) {
    if (offset < 0) return Errno(EINVAL);
    auto file = TRY(file_for(fd));
    auto result = vector_io(file, vectors, count, true,
                            [offset](File& f, IoBuffer b, usize n, u64 done) { return f.pwrite(u64(offset) + done, b, n); });
    if (result.is_error()) return raise_sigpipe_on_epipe(*file, Result<usize>(result.error()));
    return result;
}

// preadv2/pwritev2: offset -1 is the file position; no RWF_* flags yet.
SYSCALL_HANDLER(preadv2, int fd, UserPtr<IoVec> vectors, int count, i64 offset, u64, int flags) {
    if (flags) return Errno(EOPNOTSUPP);
    if (offset == -1) return sys_readv(fd, vectors, count);
    return sys_preadv(fd, vectors, count, offset);
}

SYSCALL_HANDLER(pwritev2, int fd, UserPtr<IoVec> vectors, int count, i64 offset, u64, int flags) {
    if (flags) return Errno(EOPNOTSUPP);
    if (offset == -1) return sys_writev(fd, vectors, count);
    return sys_pwritev(fd, vectors, count, offset);
}

SYSCALL_HANDLER(lseek, int fd, i64 offset, int whence) {
    auto file = TRY(file_for(fd));
    return file->seek(offset, whence);
}

SYSCALL_HANDLER(sendfile, int out_fd, int in_fd, UserPtr<i64> offset_pointer, usize count) {
    auto in = TRY(file_for(in_fd));
    auto out = TRY(file_for(out_fd));
    if (!in->readable() || !out->writable()) return Errno(EBADF);
    i64 offset = 0;
    if (!offset_pointer.is_null()) {
        offset = TRY(mm::copy_from_user(offset_pointer));
        if (offset < 0) return Errno(EINVAL);
    }
    u8* chunk = static_cast<u8*>(kmalloc(4096));
    if (!chunk) return Errno(ENOMEM);
    u64 done = 0;
    Result<u64> result = u64(0);
    while (done < count) {
        usize want = lib::min(count - done, usize(4096));
        auto got = offset_pointer.is_null() ? in->read(IoBuffer::kernel(chunk), want)
                                            : in->pread(u64(offset) + done, IoBuffer::kernel(chunk), want);
        if (got.is_error()) {
            if (!done) result = got.error();
            break;
        }
        if (got.value() == 0) break;
        auto put = out->write(IoBuffer::kernel(chunk), got.value());
        if (put.is_error()) {
            if (!done) result = raise_sigpipe_on_epipe(*out, Result<usize>(put.error()));
            break;
        }
        done += put.value();
        if (put.value() < got.value()) break;
    }
    kfree(chunk);
    if (result.is_error()) return result;
    if (!offset_pointer.is_null()) TRY(mm::copy_to_user(offset_pointer, i64(offset + i64(done))));
    return done;
}

SYSCALL_HANDLER(fadvise64, int fd, i64 offset, i64 length, int advice) {
    (void)offset; // any offset, even a negative one, as Linux's generic_fadvise
    auto file = TRY(file_for(fd));
    if ((file->metadata().mode & vfs::kModeTypeMask) == vfs::kModeFifo) return Errno(ESPIPE);
    if (length < 0) return Errno(EINVAL);
    constexpr int POSIX_FADV_NOREUSE = 5; // NORMAL 0, RANDOM 1, SEQUENTIAL 2, WILLNEED 3, DONTNEED 4
    if (advice < 0 || advice > POSIX_FADV_NOREUSE) return Errno(EINVAL);
    // The page cache is the file system's own (tmpfs, ext4's mapped pages
    // and block cache): nothing to read ahead or drop on request.
    return u64(0);
}

// Checks in Linux's order (copy_file_range, generic_file_rw_checks,
// generic_copy_file_checks); copies through a kernel buffer, as the splice
// fallback Linux uses for file systems without their own copy.
SYSCALL_HANDLER(copy_file_range, int in_fd, UserPtr<i64> in_offset_pointer, int out_fd, UserPtr<i64> out_offset_pointer,
                usize length, u32 flags) {
    if (flags) return Errno(EINVAL);
    auto in = TRY(file_for(in_fd));
    auto out = TRY(file_for(out_fd));
    // Without a pointer, the file's position (a file that has none, a pipe,
    // is EINVAL below anyway).
    auto position = [](File& file) -> i64 {
        auto at = file.seek(0, uapi::SEEK_CUR);
        return at.is_error() ? 0 : i64(at.value());
    };
    i64 in_offset = in_offset_pointer.is_null() ? position(*in) : TRY(mm::copy_from_user(in_offset_pointer));
    i64 out_offset = out_offset_pointer.is_null() ? position(*out) : TRY(mm::copy_from_user(out_offset_pointer));
    RefPtr<Inode> source = in->inode(), target = out->inode();
    auto type = [](RefPtr<Inode> const& inode, File& file) {
        return (inode ? inode->metadata().mode : file.metadata().mode) & vfs::kModeTypeMask;
    };
    if (type(source, *in) == vfs::kModeDirectory || type(target, *out) == vfs::kModeDirectory) return Errno(EISDIR);
    if (!source || !target || !source->is_regular() || !target->is_regular()) return Errno(EINVAL);
    if (!in->readable() || !out->writable() || (out->status_flags() & vfs::kAppend)) return Errno(EBADF);
    if (in_offset < 0 || out_offset < 0 || u64(in_offset) + length < u64(in_offset)
        || u64(out_offset) + length < u64(out_offset))
        return Errno(EOVERFLOW);
    if (&source->fs() != &target->fs()) return Errno(EXDEV);
    u64 const size = source->size();
    u64 count = u64(in_offset) >= size ? 0 : lib::min(u64(length), size - u64(in_offset));
    if (source.ptr() == target.ptr() && u64(out_offset) + count > u64(in_offset)
        && u64(out_offset) < u64(in_offset) + count)
        return Errno(EINVAL);
    u8* chunk = static_cast<u8*>(kmalloc(4096));
    if (!chunk) return Errno(ENOMEM);
    u64 done = 0;
    Result<u64> result = u64(0);
    while (done < count) {
        usize const want = usize(lib::min(count - done, u64(4096)));
        auto got = in->pread(u64(in_offset) + done, IoBuffer::kernel(chunk), want);
        if (got.is_error() || got.value() == 0) {
            if (got.is_error() && !done) result = got.error();
            break;
        }
        auto put = out->pwrite(u64(out_offset) + done, IoBuffer::kernel(chunk), got.value());
        if (put.is_error()) {
            if (!done) result = put.error();
            break;
        }
        done += put.value();
        if (put.value() < got.value()) break;
    }
    kfree(chunk);
    if (result.is_error()) return result;
    if (in_offset_pointer.is_null()) TRY(in->seek(in_offset + i64(done), uapi::SEEK_SET));
    else TRY(mm::copy_to_user(in_offset_pointer, i64(in_offset + i64(done))));
    if (out_offset_pointer.is_null()) TRY(out->seek(out_offset + i64(done), uapi::SEEK_SET));
    else TRY(mm::copy_to_user(out_offset_pointer, i64(out_offset + i64(done))));
    return done;
}
