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
    u64 blocks() const { return (size + 511) / 512; }
};

// One directory entry as read_directory reports it.
struct DirectoryEntry {
    StringView name;
    u64 ino;
    u32 mode; // only the type bits matter
};

class Inode : public RefCounted<Inode> {
public:
    virtual ~Inode() = default;

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
    // Calls f(DirectoryEntry) for entries from index `start` ("." is 0, ".."
    // is 1) until f returns false. Returns the index after the last one f
    // accepted.
    virtual Result<u64> read_directory(u64 start, bool (*f)(DirectoryEntry const&, void*), void* context);

    // ---- file contents
    virtual Result<usize> read(u64 offset, IoBuffer buffer, usize length);
    virtual Result<usize> write(u64 offset, IoBuffer buffer, usize length);
    virtual Result<void> truncate(u64 size);
    // The frame holding the whole page at `offset` (page aligned, inside the
    // file), with a reference for the caller, so mmap and exec can map it
    // instead of copying. ENOENT if this file system cannot.
    virtual Result<u64> page_frame(u64 offset) {
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

    // ---- metadata
    virtual Result<void> set_mode(u32 mode);
    virtual Result<void> set_owner(u32 uid, u32 gid);
    virtual Result<void> set_times(Timespec const* atime, Timespec const* mtime);

    // Opens this inode. The default gives an InodeFile (seekable file or
    // directory); devices and fifos return their own kind of File.
    virtual Result<RefPtr<File>> open(u32 flags);

    // Set by a file system when it creates the inode.
    void set_fs(FileSystem* fs) { m_fs = fs; }

protected:
    Inode() = default;
    InodeMetadata m_metadata;
    FileSystem* m_fs { nullptr };
    void touch_modified();
};

class FileSystem : public RefCounted<FileSystem> {
public:
    virtual ~FileSystem() = default;
    virtual char const* name() const = 0;
    virtual RefPtr<Inode> root() = 0;
    u64 device() const { return m_device; }
    u64 allocate_ino() { return m_next_ino++; }

protected:
    FileSystem();
    u64 m_device;
    u64 m_next_ino { 2 };
};
