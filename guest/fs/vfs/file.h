// File: an open file description -- what a file descriptor refers to. dup()
// and fork() share one File (and so its offset and status flags); each
// open() makes a new one. Kinds: InodeFile (regular files and directories),
// pipes, ttys, devices, sockets, eventfd, epoll.
#pragma once

#include <fs/vfs/custody.h>
#include <fs/vfs/inode.h>
#include <lib/ref_ptr.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>

class WaitQueue;

namespace vfs {
// open(2) flags and poll(2) events, as the VFS names them (uapi values).
inline constexpr u32 kAccessModeMask = uapi::O_ACCMODE;
inline constexpr u32 kReadOnly = uapi::O_RDONLY;
inline constexpr u32 kWriteOnly = uapi::O_WRONLY;
inline constexpr u32 kReadWrite = uapi::O_RDWR;
inline constexpr u32 kCreate = uapi::O_CREAT;
inline constexpr u32 kExclusive = uapi::O_EXCL;
inline constexpr u32 kNoControllingTty = uapi::O_NOCTTY;
inline constexpr u32 kTruncate = uapi::O_TRUNC;
inline constexpr u32 kAppend = uapi::O_APPEND;
inline constexpr u32 kNonBlocking = uapi::O_NONBLOCK;
inline constexpr u32 kDirectory = uapi::O_DIRECTORY;
inline constexpr u32 kNoFollow = uapi::O_NOFOLLOW;
inline constexpr u32 kCloseOnExec = uapi::O_CLOEXEC;
inline constexpr u32 kPath = uapi::O_PATH;
// Status flags F_SETFL may change.
inline constexpr u32 kSettableStatusFlags = kAppend | kNonBlocking;
inline constexpr u32 kPollIn = uapi::POLLIN;
inline constexpr u32 kPollPri = uapi::POLLPRI;
inline constexpr u32 kPollOut = uapi::POLLOUT;
inline constexpr u32 kPollError = uapi::POLLERR;
inline constexpr u32 kPollHangup = uapi::POLLHUP;
inline constexpr u32 kPollInvalid = uapi::POLLNVAL;
inline constexpr u32 kPollReadNormal = uapi::POLLRDNORM;
inline constexpr u32 kPollWriteNormal = uapi::POLLWRNORM;
inline constexpr u32 kPollReadHangup = uapi::POLLRDHUP;
} // namespace vfs

enum class FileKind { Inode, Pipe, Tty, Device, EventFd, Epoll, Socket, TimerFd, Other };

class File : public RefCounted<File> {
public:
    virtual ~File() = default;
    // What this file is, for the syscalls that only accept one kind
    // (epoll_ctl needs an epoll, socket calls a socket).
    virtual FileKind kind() const { return FileKind::Other; }

    u32 status_flags() const { return m_flags & ~vfs::kCloseOnExec; }
    void set_status_flags(u32 flags) {
        m_flags = (m_flags & ~vfs::kSettableStatusFlags) | (flags & vfs::kSettableStatusFlags);
    }
    bool readable() const { return (m_flags & vfs::kAccessModeMask) != vfs::kWriteOnly && !(m_flags & vfs::kPath); }
    bool writable() const { return (m_flags & vfs::kAccessModeMask) != vfs::kReadOnly && !(m_flags & vfs::kPath); }
    bool non_blocking() const { return m_flags & vfs::kNonBlocking; }

    // At the current offset (files that have one).
    virtual Result<usize> read(IoBuffer buffer, usize length);
    virtual Result<usize> write(IoBuffer buffer, usize length);
    virtual Result<usize> pread(u64 offset, IoBuffer buffer, usize length);
    virtual Result<usize> pwrite(u64 offset, IoBuffer buffer, usize length);
    // whence: 0 SEEK_SET, 1 SEEK_CUR, 2 SEEK_END.
    virtual Result<u64> seek(i64 offset, int whence);
    virtual Result<u64> ioctl(u32 request, u64 argument);
    virtual Result<void> truncate(u64 size);
    // fsync(2)/fdatasync(2): makes what was written durable. Files kept in
    // memory have nothing to do; a block device flushes its disk's cache.
    virtual Result<void> sync();
    // getdents64: fills `buffer` with linux_dirent64 records.
    virtual Result<usize> read_directory(IoBuffer buffer, usize length);

    // Readiness for poll/select/epoll, and the queue woken when it changes.
    virtual u32 poll_events();
    virtual WaitQueue* wait_queue() { return nullptr; }

    virtual RefPtr<Inode> inode() { return nullptr; }
    virtual InodeMetadata metadata();
    // What /proc/<pid>/fd/N points at: the path, or e.g. "pipe:[12]".
    virtual void describe(char* buffer, usize size);

    Custody* custody() const { return m_custody.ptr(); }
    void set_custody(RefPtr<Custody> custody) { m_custody = static_cast<RefPtr<Custody>&&>(custody); }

protected:
    // Flags that only act during open(2) are not kept (F_GETFL omits them).
    explicit File(u32 flags) : m_flags(flags & ~(vfs::kCreate | vfs::kExclusive | vfs::kNoControllingTty | vfs::kTruncate)) { }
    u32 m_flags;
    RefPtr<Custody> m_custody;
};

// A regular file, directory or symlink (O_PATH) of a file system.
class InodeFile final : public File {
public:
    static Result<RefPtr<File>> create(Inode& inode, u32 flags);
    Result<usize> read(IoBuffer buffer, usize length) override;
    Result<usize> write(IoBuffer buffer, usize length) override;
    Result<usize> pread(u64 offset, IoBuffer buffer, usize length) override;
    Result<usize> pwrite(u64 offset, IoBuffer buffer, usize length) override;
    Result<u64> seek(i64 offset, int whence) override;
    Result<void> truncate(u64 size) override;
    Result<usize> read_directory(IoBuffer buffer, usize length) override;
    // The file's file system writes what it holds (a disk file system all
    // of it: simpler than one file's blocks, and as durable).
    Result<void> sync() override { return m_inode->fs().sync(); }
    RefPtr<Inode> inode() override { return m_inode; }
    InodeMetadata metadata() override { return m_inode->metadata(); }
    FileKind kind() const override { return FileKind::Inode; }

private:
    InodeFile(Inode& inode, u32 flags) : File(flags), m_inode(inode) { }
    RefPtr<Inode> m_inode;
    u64 m_offset { 0 };
};
