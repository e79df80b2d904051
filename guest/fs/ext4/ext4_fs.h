// Ext4FileSystem: an ext2, ext3 or ext4 file system on a disk, mounted
// read-only. The on-disk reading is ext4::Volume (volume.h); this is the VFS
// side: Ext4Inode objects for the inodes in use, and EROFS for every change.
//
// Inodes are made on lookup and live while something references them
// (custodies, open files, mappings of an executable). The file system keeps
// a small table of the live ones, not owning them, so that one inode number
// is one Inode object while it is in use -- which a fifo's pipe and
// umount's busy check need. An Ext4Inode takes itself out of the table when
// it dies. The root inode is held by the file system for as long as it is
// mounted.
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
    // shows; one driver reads all three). EINVAL for a file system it
    // cannot read (with a log line saying why).
    static Result<RefPtr<Ext4FileSystem>> create(BlockDevice& device, char const* type);
    ~Ext4FileSystem() override;

    char const* name() const override { return m_type; }
    RefPtr<Inode> root() override { return m_root; }
    // st_dev is the disk's, as on Linux (254:0 for /dev/vda).
    u64 device() const override { return device_object().rdev(); }

    BlockDevice& device_object() const { return m_backend->device(); }
    ext4::Volume& volume() { return *m_volume; }
    // The live Inode for `ino`, made if there is none.
    Result<RefPtr<Inode>> inode(u32 ino);
    void forget(Ext4Inode& inode);
    // Whether anything but the mount (and `extra_root_references` the
    // caller holds) uses the tree: umount's EBUSY.
    bool busy(unsigned extra_root_references) const;

private:
    Ext4FileSystem() = default;
    char const* m_type { "ext4" };
    OwnPtr<DiskBackend> m_backend;
    OwnPtr<ext4::Volume> m_volume;
    Vector<Ext4Inode*> m_live; // not owning
    RefPtr<Inode> m_root;
};
