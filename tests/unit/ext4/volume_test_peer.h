// The host unit tests' way into Volume's private writer helpers (Volume
// names this struct its friend): the allocator, block_for_write and the
// orphan list's links, which the public operations use but do not expose.
#pragma once

#include <fs/ext4/volume.h>

namespace ext4 {

struct VolumeTestPeer {
    static Result<u64> block_for_write(Volume& volume, InodeData& inode, u64 logical)
    {
        return volume.block_for_write(inode, logical);
    }
    static Result<u32> allocate_inode(Volume& volume, u32 parent, bool directory)
    {
        return volume.allocate_inode(parent, directory);
    }
    static Result<InodeData> initialize_inode(Volume& volume, u32 ino, u32 mode, u32 uid, u32 gid, Time now)
    {
        return volume.initialize_inode(ino, mode, uid, gid, now);
    }
    static Result<void> free_inode(Volume& volume, u32 ino, bool directory) { return volume.free_inode(ino, directory); }
    struct Run {
        u64 first;
        u64 count;
    };
    static Result<Run> allocate_blocks(Volume& volume, u64 goal, u64 wanted)
    {
        auto run = TRY(volume.allocate_blocks(goal, wanted));
        return Run { run.first, run.count };
    }
    static Result<void> free_blocks(Volume& volume, u64 first, u64 count) { return volume.free_blocks(first, count); }
    // The orphan list's link from `ino` (its i_dtime), to corrupt it in memory.
    static Result<void> set_next_orphan(Volume& volume, u32 ino, u32 next) { return volume.set_next_orphan(ino, next); }
};

} // namespace ext4
