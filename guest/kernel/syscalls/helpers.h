// Helpers shared by the syscall families: descriptors (and descriptor pairs),
// user paths, and the starting point of *at() path resolution.
#pragma once

#include <fs/vfs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/syscalls/syscall.h>

inline constexpr int AT_FDCWD = -100;
inline constexpr u32 AT_SYMLINK_NOFOLLOW = 0x100;
inline constexpr u32 AT_REMOVEDIR = 0x200;
inline constexpr u32 AT_SYMLINK_FOLLOW = 0x400;
inline constexpr u32 AT_EACCESS = 0x200;
inline constexpr u32 AT_EMPTY_PATH = 0x1000;

inline Result<RefPtr<File>> file_for(int fd) { return current_process().fds().get(fd); }

// pipe2 and socketpair: installs two files as the lowest free descriptors
// and copies the pair out. On failure neither descriptor stays open: an
// error from the second allocation is returned as is, and a bad `pair_out`
// is EFAULT (Linux copies out before installing, so leaves none either).
inline Result<u64> install_pair(RefPtr<File> first, RefPtr<File> second, bool close_on_exec, UserPtr<int> pair_out) {
    auto& fds = current_process().fds();
    int pair[2];
    pair[0] = TRY(fds.allocate(first, close_on_exec));
    auto allocated = fds.allocate(second, close_on_exec);
    if (allocated.is_error()) {
        (void)fds.close(pair[0]);
        return allocated.error();
    }
    pair[1] = allocated.value();
    if (mm::copy_to_user(pair_out.address, pair, sizeof(pair)).is_error()) {
        (void)fds.close(pair[0]);
        (void)fds.close(pair[1]);
        return Errno(EFAULT);
    }
    return u64(0);
}

// A path copied in from user memory (up to PATH_MAX, on the heap).
class UserPath {
public:
    static Result<UserPath> copy(UserCString source) {
        UserPath path;
        path.m_buffer = static_cast<char*>(kmalloc(vfs::kPathMax));
        if (!path.m_buffer) return Errno(ENOMEM);
        auto length = mm::copy_string_from_user(source, path.m_buffer, vfs::kPathMax - 1);
        if (length.is_error()) return length.error();
        path.m_length = length.value();
        return path;
    }
    UserPath(UserPath&& other) : m_buffer(other.m_buffer), m_length(other.m_length) { other.m_buffer = nullptr; }
    UserPath(UserPath const&) = delete;
    ~UserPath() { kfree(m_buffer); }
    StringView view() const { return StringView(m_buffer, m_length); }
    bool is_empty() const { return m_length == 0; }

private:
    UserPath() = default;
    char* m_buffer { nullptr };
    usize m_length { 0 };
};

// Where an *at() path starts: the working directory for AT_FDCWD (or an
// absolute path), else the directory open as dirfd.
class PathStart {
public:
    static Result<PathStart> create(int dirfd, StringView path) {
        Process& p = current_process();
        PathStart start;
        start.m_root = p.fs().root;
        if (!path.is_empty() && path[0] == '/') {
            start.m_base = p.fs().root;
        } else if (dirfd == AT_FDCWD) {
            start.m_base = p.fs().cwd;
        } else {
            auto file = TRY(p.fds().get(dirfd));
            if (!file->custody()) return Errno(ENOTDIR);
            if (!path.is_empty() && !file->custody()->inode().is_directory()) return Errno(ENOTDIR);
            start.m_base = RefPtr<Custody>(file->custody());
        }
        return start;
    }
    vfs::Context context() const { return { current_process().credentials(), *m_root, *m_base }; }
    Custody& base() const { return *m_base; }

private:
    PathStart() = default;
    RefPtr<Custody> m_root;
    RefPtr<Custody> m_base;
};
