// Ext4FileSystem: an ext2, ext3 or ext4 file system on a disk, mounted
// read-only or read-write. The on-disk work is ext4::Volume (volume.h);
// this is the VFS side: Ext4Inode objects for the inodes in use.
//
// Inodes are made on lookup and live while something references them
// (custodies, open files, mappings of an executable). The file system keeps
// a small table of the live ones, not owning them, so that one inode number
// is one Inode object while it is in use -- which a fifo's pipe, umount's
// busy check and writing need: every change goes through the one
// ext4::InodeData the live object keeps, so no stale copy is ever written
// back. An Ext4Inode takes itself out of the table when it dies, and an
// inode that has lost its last link is freed on disk then (Linux's orphan
// rule: an unlinked file stays readable while it is open). The root inode
// is held by the file system for as long as it is mounted.
//
// Writes stay in the block cache until sync(2), syncfs(2), fsync(2), the
// unmount or the VM's exit (FileSystem::shutdown) write them; nothing is
// journaled (see volume.h). Pages that mappings and executables share are
// kept as frames by their inode (FilePages) while it lives; those a
// MAP_SHARED mapping may have changed are written back at the same points
// and when the inode goes.
//
// umount's rule (busy()): the file system is in use while any inode other
// than the root is alive, or the root has references beyond the file
// system's own and the caller's. Every path into the tree (cwd, root, an
// open file, an executable's mapping) holds such a reference.
//
// Concurrency: one CPU and a non-preemptive kernel; the disk is polled, so
// nothing here sleeps. See BlockCache.
#pragma once

#include <fs/block_cache_disk.h>
#include <fs/ext4/volume.h>
#include <fs/vfs/inode.h>
#include <lib/vector.h>

class Ext4Inode;

class Ext4FileSystem final : public FileSystem {
public:
    // Reads `device` as `type` ("ext2", "ext3" or "ext4": what /proc/mounts
    // shows; one driver serves all three), writable unless `read_only`.
    // EINVAL for a file system it cannot read, EROFS for one it can read
    // but not write, EACCES for a writable mount of a read-only disk (each
    // with a log line saying why, as Linux), EBUSY for a disk that is
    // mounted already (Linux would share the one file system). A journal
    // that needs recovery is replayed unless `no_load` (the noload or
    // norecovery option; then the mount must be read-only, else EINVAL);
    // on a read-only disk that is the only way to mount it (else EROFS).
    static Result<RefPtr<Ext4FileSystem>> create(BlockDevice& device, char const* type, bool read_only,
                                                 bool no_load = false);
    // The type name this driver mounts as ("ext2", "ext3" or "ext4", a
    // string that lives on), or null for any other type.
    static char const* type_name(StringView type)
    {
        for (char const* name : { "ext2", "ext3", "ext4" })
            if (type == StringView(name)) return name;
        return nullptr;
    }
    ~Ext4FileSystem() override;

    char const* name() const override { return m_type; }
    RefPtr<Inode> root() override { return m_root; }
    // st_dev is the disk's, as on Linux (254:0 for /dev/vda).
    u64 device() const override { return device_object().rdev(); }
    bool has_xattrs() const override { return true; }
    Result<void> sync() override;
    Result<void> remount(bool read_only) override;
    void shutdown() override;

    BlockDevice& device_object() const { return m_backend->device(); }
    ext4::Volume& volume() { return *m_volume; }
    // The live Inode for `ino`, made if there is none.
    Result<RefPtr<Inode>> inode(u32 ino);
    // The live Inode for a just-created inode.
    Result<RefPtr<Inode>> adopt(ext4::InodeData const& data);
    void forget(Ext4Inode& inode);
    // Whether anything but the mount (and `extra_root_references` the
    // caller holds) uses the tree: umount's EBUSY.
    bool busy(unsigned extra_root_references) const;
    // shutdown() has marked the disk cleanly unmounted: nothing more is written.
    bool closed() const { return m_closed; }

private:
    Ext4FileSystem() = default;
    Result<void> write_back_mapped_pages();
    char const* m_type { "ext4" };
    OwnPtr<DiskBackend> m_backend;
    OwnPtr<ext4::Volume> m_volume;
    Vector<Ext4Inode*> m_live; // not owning
    RefPtr<Inode> m_root;
    bool m_closed { false }; // marked cleanly unmounted: nothing more is written
    BlockDevice* m_device { nullptr }; // claimed while this exists
};
