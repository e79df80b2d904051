// ext4::Volume: the read-only reader of an ext2, ext3 or ext4 file system --
// superblock and features, group descriptors, inodes, extent trees and
// indirect blocks, directories and symlinks. It knows nothing of the VFS:
// the kernel wraps it in Ext4FileSystem (ext4_fs.h); the host unit tests
// drive it directly on image files. It reads through a BlockCache over a
// BlockBackend, and depends on guest/lib alone.
//
// The image is untrusted. Every number read from it (block numbers and
// counts, depths, record lengths, name lengths, inode numbers, sizes) is
// checked before it is used; walks are bounded (extent trees by their depth,
// which must fall by one per level, so a loop of index blocks ends; directory
// walks by the directory's size). Errors, as Linux gives them:
//   EINVAL  at open: not an ext2/3/4 file system, a superblock whose
//           geometry makes no sense, or an unsupported feature (Linux's
//           "couldn't mount because of unsupported optional features");
//   EUCLEAN corrupt metadata met later (Linux's EFSCORRUPTED);
//   EIO     the device failed.
//
// Supported: block sizes 1-64 KiB; incompat FILETYPE, EXTENTS, 64BIT,
// FLEX_BG, META_BG, RECOVER (opened anyway: the journal is not replayed, the
// caller warns), and those that change nothing for a reader (MMP, EA_INODE,
// CSUM_SEED, LARGEDIR); any ro_compat feature (nothing is written).
// Refused: COMPRESSION, JOURNAL_DEV, DIRDATA, INLINE_DATA, ENCRYPT,
// CASEFOLD and unknown incompat bits. Checksums are not verified.
//
// Reads ask the cache for read-ahead (BlockCache::get's `ahead`) where what
// comes next is known: the rest of a file's physically contiguous run, up to
// its end; the rest of a directory's run; the rest of a group's inode table.
//
// Concurrency: none of its own; see BlockCache.
#pragma once

#include <fs/block_cache.h>
#include <fs/ext4/format.h>
#include <lib/string_view.h>

namespace ext4 {

// What open() has to say beyond its Result: the caller logs it.
struct OpenReport {
    char const* problem { nullptr }; // why the superblock was refused (EINVAL)
    char const* refused_feature { nullptr }; // the unsupported feature's name (EINVAL)
    u32 unknown_incompat { 0 }; // unknown incompat bits, if that was the reason
    bool needs_recovery { false }; // RECOVER: opened without replaying the journal
};

struct Time {
    i64 sec { 0 };
    u32 nsec { 0 };
};

// An inode as read from disk, decoded and checked.
struct InodeData {
    u32 ino { 0 };
    u32 mode { 0 };
    u32 uid { 0 };
    u32 gid { 0 };
    u32 links { 0 };
    u32 flags { 0 };
    u64 size { 0 };
    u64 blocks { 0 }; // i_blocks in 512-byte units
    u64 rdev { 0 }; // character and block devices (Linux's dev_t encoding)
    Time atime, mtime, ctime;
    u32 block[kBlockPointers] {}; // i_block as on disk
};

// Where read() puts file bytes: kernel memory, user memory, a test buffer.
class DataSink {
public:
    virtual Result<void> write(usize offset, u8 const* data, usize length) = 0;
    virtual Result<void> zero(usize offset, usize length) = 0;
    virtual ~DataSink() = default;
};

// One live directory entry (inode != 0), at byte `offset` of the directory.
struct DirectoryRecord {
    StringView name;
    u32 ino;
    u8 file_type; // kFileType*, kFileTypeUnknown without FILETYPE
    u64 offset;
    u64 next_offset;
};

class Volume {
public:
    // Reads and checks the superblock and the root inode. The backend must
    // outlive the volume.
    static Result<OwnPtr<Volume>> open(BlockBackend& backend, OpenReport& report);

    Result<InodeData> read_inode(u32 ino);

    // File contents: up to `length` bytes at `offset` (stops at EOF).
    // Holes and uninitialized extents read as zeros.
    Result<usize> read(InodeData const& inode, u64 offset, usize length, DataSink& sink);

    // A symlink's target, up to `size` bytes; returns its full length
    // clipped to `size`.
    Result<usize> read_link(InodeData const& inode, char* buffer, usize size);

    // Calls f for each live entry at byte offset >= start, in disk order,
    // until f returns false. Returns the offset of the entry f refused, or
    // the directory's end.
    Result<u64> read_directory(
        InodeData const& dir, u64 start, bool (*f)(DirectoryRecord const&, void*), void* context);
    // The inode number `name` names in `dir`; ENOENT if none.
    Result<u32> lookup(InodeData const& dir, StringView name);

    // Logical block -> physical run. `physical` 0 is a hole; `zero` an
    // uninitialized extent (reads as zeros too). `count` >= 1 blocks share
    // the answer.
    struct Mapping {
        u64 physical { 0 };
        u64 count { 1 };
        bool zero { false };
    };
    Result<Mapping> map(InodeData const& inode, u64 logical);

    usize block_size() const { return m_block_size; }
    u64 block_count() const { return m_block_count; }
    u32 inode_count() const { return m_inodes_count; }
    u32 group_count() const { return m_group_count; }
    u32 incompat() const { return m_incompat; }
    bool has_filetype() const { return m_incompat & kIncompatFiletype; }
    Superblock const& superblock() const { return m_super; }
    BlockCache& cache() { return *m_cache; }

private:
    Volume() = default;
    Result<void> check_superblock(OpenReport& report, u64 device_size);
    struct InodeTable {
        u64 first; // its first block
        u64 blocks;
    };
    Result<InodeTable> inode_table(u32 group);
    bool group_has_superblock(u64 group) const;
    Result<Mapping> map_extent(InodeData const& inode, u64 logical);
    Result<Mapping> map_indirect(InodeData const& inode, u64 logical);
    bool valid_range(u64 block, u64 count) const
    {
        // Block 0 holds the boot sector and superblock, never file data;
        // a 0 in a map means a hole.
        return block != 0 && block >= m_first_data_block && count <= m_block_count && block <= m_block_count - count;
    }

    Superblock m_super {};
    OwnPtr<BlockCache> m_cache;
    usize m_block_size { 0 };
    u32 m_block_shift { 0 };
    u64 m_block_count { 0 };
    u32 m_first_data_block { 0 };
    u32 m_blocks_per_group { 0 };
    u32 m_inodes_per_group { 0 };
    u32 m_inodes_count { 0 };
    u32 m_group_count { 0 };
    u32 m_inode_size { 0 };
    u32 m_desc_size { 0 };
    u32 m_incompat { 0 };
    u32 m_ro_compat { 0 };
    u32 m_compat { 0 };
};

// The st_mode type bits a directory entry's file_type stands for (0 if unknown).
u32 mode_for_file_type(u8 file_type);

} // namespace ext4
