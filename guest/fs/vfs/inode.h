// Inode and FileSystem: the VFS object model.
//
// An Inode is one file, directory, symlink or device node of a file system,
// reference-counted (directories hold their children; open files and
// custodies hold what they use). Directory operations take a name in this
// directory; permission checks happen in the VFS layer above (vfs.h), not
// here. File systems override what they support; the defaults return the
// errno Linux gives for an object that cannot do it.
//
// Concurrency: one CPU and a non-preemptive kernel. Inode operations do not
// block (tmpfs, devfs and procfs live in memory), so they run without locks;
// code that blocks (pipes, ttys) uses wait queues. SMP will need a per-inode
// lock here.
#pragma once

#include <fs/vfs/io_buffer.h>
#include <fs/vfs/mode.h>
#include <kernel/sched/clock.h>
#include <lib/ref_ptr.h>
#include <lib/result.h>
#include <lib/string_view.h>

class File;
class Pipe;
class FileSystem;

struct InodeMetadata {
    u64 ino { 0 };
    u32 mode { 0 };
    u32 nlink { 1 };
    u32 uid { 0 };
    u32 gid { 0 };
    u64 size { 0 };
    u64 rdev { 0 };
    Timespec atime, mtime, ctime;
    // st_blocks: 512-byte units allocated. A disk file system sets what its
    // inode records (holes take none; indirect and extent-tree blocks
    // count); memory file systems leave it, and the size rounded up stands.
    static constexpr u64 kBlocksFromSize = ~u64(0);
    u64 block_count { kBlocksFromSize };
    u64 blocks() const { return block_count != kBlocksFromSize ? block_count : (size + 511) / 512; }
};

// One directory entry as read_directory reports it.
struct DirectoryEntry {
    StringView name;
    u64 ino;
    u32 mode;      // only the type bits matter
    u64 position;  // where a listing that starts here begins with this entry
};

class Inode : public RefCounted<Inode> {
public:
    virtual ~Inode();

    FileSystem& fs() const { return *m_fs; }
    InodeMetadata const& metadata() const { return m_metadata; }
    u32 mode() const { return m_metadata.mode; }
    u64 size() const { return m_metadata.size; }
    bool is_directory() const { return vfs::is_directory(m_metadata.mode); }
    bool is_symlink() const { return vfs::is_symlink(m_metadata.mode); }
    bool is_regular() const { return vfs::is_regular(m_metadata.mode); }

    // ---- directories
    virtual Result<RefPtr<Inode>> lookup(StringView name);
    // Creates a regular file, directory, device node or fifo named `name`.
    virtual Result<RefPtr<Inode>> create(StringView name, u32 mode, u32 uid, u32 gid, u64 rdev);
    virtual Result<RefPtr<Inode>> create_symlink(StringView name, StringView target, u32 uid, u32 gid);
    virtual Result<void> link(StringView name, Inode& target);
    // Removes the entry `name`; `directory` selects rmdir semantics.
    virtual Result<void> remove(StringView name, bool directory);
    // Moves `name` to `new_parent`/`new_name`, replacing what is there.
    virtual Result<void> rename(StringView name, Inode& new_parent, StringView new_name);
    // RENAME_EXCHANGE: swaps what `name` and `other_parent`/`other_name` name.
    virtual Result<void> exchange(StringView name, Inode& other_parent, StringView other_name);
    // Calls f(DirectoryEntry) for the entries from position `start` until f
    // returns false; "." and ".." come first. A position is the file
    // system's own cookie (getdents64's d_off, lseek's offset, as Linux lets
    // each file system choose: an index for memory file systems, the byte
    // offset for ext*), so a listing continues where it stopped without
    // walking what came before. 0 is the beginning; any other value is one
    // an entry gave as its position or this function returned. Returns where
    // to continue: the position of the entry f refused, or the end's.
    virtual Result<u64> read_directory(u64 start, bool (*f)(DirectoryEntry const&, void*), void* context);

    // ---- file contents
    virtual Result<usize> read(u64 offset, IoBuffer buffer, usize length);
    virtual Result<usize> write(u64 offset, IoBuffer buffer, usize length);
    virtual Result<void> truncate(u64 size);
    // The frame holding the whole page at `offset` (page aligned, inside the
    // file), with a reference for the caller, so mmap and exec can map it
    // instead of copying. `shared`: for a MAP_SHARED mapping, which may
    // write to it (a disk file system writes such pages back). ENOENT if
    // this file system cannot; ENXIO past the end of the file.
    virtual Result<u64> page_frame(u64 offset, bool shared) {
        (void)offset, (void)shared;
        return Errno(ENOENT);
    }
    // The frame that already holds the page at `offset`, with a reference
    // for the caller, without reading or making one: ENOENT if there is none
    // (what exec maps ahead of the program's touch is only what costs nothing).
    virtual Result<u64> cached_page_frame(u64 offset) {
        (void)offset;
        return Errno(ENOENT);
    }
    // Makes `count` page frames (already filled, owned by the caller until
    // this succeeds) the contents of an empty regular file of `size` bytes.
    // ENOTSUP where the file system keeps data otherwise.
    virtual Result<void> adopt_pages(u64 const* frames, usize count, u64 size) {
        (void)frames, (void)count, (void)size;
        return Errno(ENOTSUP);
    }
    // ---- symlinks: copies the target into buffer (up to size), returns its length
    virtual Result<usize> read_link(char* buffer, usize size);

    // ---- extended attributes (xattr(7)). `name` is whole ("user.mime"),
    // 1 to 255 bytes. The syscalls decide who may ask (Linux's
    // xattr_permission, on the namespace) and answer for the POSIX ACL
    // names; the file system checks the rest of the name
    // (vfs::check_xattr_name). The defaults are an inode that keeps no
    // attributes, as procfs, pipes and sockets on Linux: EOPNOTSUPP, and an
    // empty list.
    //
    // The value of `name` goes into `buffer` if `size` bytes hold it;
    // returns its length (only the length when `size` is 0). ENODATA if
    // there is none, ERANGE if `size` is too small.
    virtual Result<usize> get_xattr(StringView name, u8* buffer, usize size);
    // Calls f with each name until f returns false.
    virtual Result<void> list_xattrs(bool (*f)(StringView name, void*), void* context);
    // `flags`: uapi::XATTR_CREATE (EEXIST if it exists), XATTR_REPLACE
    // (ENODATA if not). Changes ctime.
    virtual Result<void> set_xattr(StringView name, u8 const* value, usize size, u32 flags);
    // ENODATA if there is none. Changes ctime.
    virtual Result<void> remove_xattr(StringView name);

    // ---- metadata
    virtual Result<void> set_mode(u32 mode);
    virtual Result<void> set_owner(u32 uid, u32 gid);
    virtual Result<void> set_times(Timespec const* atime, Timespec const* mtime);

    // Opens this inode. The default opens device nodes as their device and
    // fifos as the pipe this inode keeps while it lives (so readers and
    // writers meet here), and anything else as an InodeFile (seekable file
    // or directory).
    virtual Result<RefPtr<File>> open(u32 flags);

    // Set by a file system when it creates the inode.
    void set_fs(FileSystem* fs) { m_fs = fs; }

protected:
    Inode();
    InodeMetadata m_metadata;
    FileSystem* m_fs { nullptr };
    void touch_modified();

private:
    RefPtr<Pipe> m_fifo; // a fifo's pipe, once opened
};

namespace vfs {
// <linux/mount.h>'s MS_NOSUID, MS_NODEV and MS_NOEXEC.
inline constexpr u32 kMountNoSuid = 2, kMountNoDev = 4, kMountNoExec = 8;
} // namespace vfs

class FileSystem : public RefCounted<FileSystem> {
public:
    virtual ~FileSystem() = default;
    virtual char const* name() const = 0;
    virtual RefPtr<Inode> root() = 0;
    // st_dev of its files (dev_t encoding): the disk's number for a disk
    // file system, an anonymous (0, N) one for those in memory, as Linux.
    virtual u64 device() const { return vfs::make_device(0, m_anonymous_minor); }
    u64 allocate_ino() { return m_next_ino++; }

    // Mounted read-only. Linux keeps the flag on the superblock and on each
    // mount; here a file system is mounted once, so one flag serves both.
    // vfs::mount sets it.
    bool read_only() const { return m_read_only; }
    void set_read_only(bool read_only) { m_read_only = read_only; }
    // The mount's nosuid, nodev and noexec (vfs::kMountNoSuid ...), which
    // exec, open and mmap enforce as Linux's; mount(2) and remount set them.
    u32 mount_flags() const { return m_mount_flags; }
    void set_mount_flags(u32 flags) { m_mount_flags = flags; }

    // Whether its inodes keep extended attributes (Linux: the superblock
    // has xattr handlers). Such a file system knows the POSIX ACL names,
    // though none keeps an ACL here: the syscalls answer for them.
    virtual bool has_xattrs() const { return false; }

    // Writes what the file system keeps in memory for its disk: sync(2),
    // syncfs(2), fsync(2). Memory file systems have nothing to write.
    virtual Result<void> sync() { return {}; }
    // mount(2) with MS_REMOUNT: becomes read-only or writable. The caller
    // has checked that no file is open for writing on it. Memory file
    // systems accept it and stay writable (as their mount does).
    virtual Result<void> remount(bool read_only) {
        (void)read_only;
        return {};
    }
    // The kernel is stopping (the VM exits): the last sync, and a disk file
    // system marks itself cleanly unmounted. Nothing is written after.
    virtual void shutdown() { }

protected:
    FileSystem();
    u32 m_anonymous_minor;
    u64 m_next_ino { 2 };
    bool m_read_only { false };
    u32 m_mount_flags { 0 };
};

namespace vfs {

// An extended attribute's namespace: the part of its name up to the first
// dot (xattr(7)). It decides who may read and change the attribute (the
// syscalls, as Linux's xattr_permission) and whether a file system keeps
// it. "Other" is any name outside the four, which no file system here
// keeps but ext4 (its "gnu.").
enum class XattrNamespace : u8 { User, Trusted, Security, System, Other };
XattrNamespace xattr_namespace(StringView name);
// A file system that keeps user., trusted. and security. attributes
// checks a name with this, as Linux's xattr_resolve_name: EOPNOTSUPP for
// any other namespace, EINVAL for a bare prefix ("user.").
Result<void> check_xattr_name(StringView name);
// system.posix_acl_access and system.posix_acl_default.
bool is_posix_acl_name(StringView name);

} // namespace vfs
