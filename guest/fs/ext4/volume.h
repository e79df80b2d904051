// ext4::Volume: the reader and writer of an ext2, ext3 or ext4 file system
// -- superblock and features, group descriptors, inodes, extent trees and
// indirect blocks, directories and symlinks. It knows nothing of the VFS:
// the kernel wraps it in Ext4FileSystem (ext4_fs.h); the host unit tests
// drive it directly on image files. It reads and writes through a
// BlockCache over a BlockBackend, and depends on guest/lib alone.
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
// FLEX_BG, META_BG, RECOVER (opened anyway: open() does not replay the
// journal, recover_journal() does, and open_writable() calls it first), and those that change nothing for a reader (MMP, EA_INODE,
// CSUM_SEED, LARGEDIR); any ro_compat feature for reading. Refused:
// COMPRESSION, JOURNAL_DEV, DIRDATA, INLINE_DATA, ENCRYPT, CASEFOLD and
// unknown incompat bits. A reader verifies no checksum.
//
// Writing (open_writable; volume.cpp, allocator.cpp, file_write.cpp,
// directory_write.cpp, xattr.cpp) is in place and unjournaled: the
// superblock says "not clean" from open_writable to close(), so a crash in
// between sends the next mount to e2fsck, as ext2 does. A journal may be
// present if it is clean (it is never used nor marked). Refused for
// writing (EROFS, named in OpenReport::refused_feature): needs_recovery
// that recover_journal could not clear, MMP, EA_INODE, orphan_file, and ro_compat bigalloc, quota, project,
// verity, readonly, shared_blocks, replica, snapshot, btree_dir,
// orphan_present and unknown bits. Every checksum the writer rewrites is
// verified first (superblock, descriptors at open; bitmaps, inodes, extent
// and xattr blocks as they are changed): a wrong one is EUCLEAN, never
// re-sealed.
//
// The orphan list, as Linux's ext4 keeps it without orphan_file
// (fs/ext4/orphan.c): an inode whose last link goes (unlink, rename over
// it) while the VFS may still use it joins the list -- s_last_orphan names
// the first, each one's i_dtime the next -- and release() takes it off
// before freeing it. So the disk is consistent between the two: e2fsck
// (not -n, which skips orphan processing) finishes the deletions the way
// Linux's mount does, quietly. open_writable does what Linux's
// ext4_orphan_cleanup does with a list left by a crash or a VM that
// stopped with such files open: an inode without links is released, one
// with links (a truncate Linux did not finish) loses what lies past its
// size, and each is taken off; as Linux, a file system marked with errors
// has its list dropped unprocessed (e2fsck is due). The list is checked
// first (numbers in range, inodes in use, checksums, no loop); a bad one
// refuses the writable open (EUCLEAN, report.problem) before anything is
// written -- where Linux abandons the list and marks the file system with
// errors. A read-only open leaves the list alone. Every walk of the list
// is bounded (Brent's loop check); release() walks it whole for the
// predecessor (Linux keeps the list in memory too), so it costs the
// list's length: the unlinked inodes still open.
//
// Reads ask the cache for read-ahead (BlockCache::get's `ahead`) where what
// comes next is known: the rest of a file's physically contiguous run, up to
// its end; the rest of a directory's run; the rest of a group's inode table.
//
// Concurrency: none of its own; see BlockCache.
#pragma once

#include <fs/block_cache.h>
#include <fs/ext4/format.h>
#include <fs/ext4/journal.h>
#include <lib/string_view.h>

namespace ext4 {

// What open() has to say beyond its Result: the caller logs it.
struct OpenReport {
    char const* problem { nullptr }; // why the superblock was refused (EINVAL)
    char const* refused_feature { nullptr }; // the unsupported feature's name (EINVAL)
    u32 unknown_incompat { 0 }; // unknown incompat bits, if that was the reason
    bool needs_recovery { false }; // RECOVER: opened without replaying the journal
    journal::Report journal;       // what recover_journal() replayed
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
    u32 generation { 0 }; // i_generation: inode and directory-block checksums use it
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

// Where write() takes file bytes from: kernel memory, user memory (EFAULT),
// a test buffer.
class DataSource {
public:
    virtual Result<void> read(usize offset, u8* data, usize length) = 0;
    virtual ~DataSource() = default;
};

// One live directory entry (inode != 0), at byte `offset` of the directory.
struct DirectoryRecord {
    StringView name;
    u32 ino;
    u8 file_type; // kFileType*, kFileTypeUnknown without FILETYPE
    u64 offset;
    u64 next_offset;
};

// xattr.cpp's: a name as ext4 stores it, an area of entries, and where an
// inode's areas are.
struct XattrKey;
struct XattrArea;
struct XattrSources;

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
    // recover_journal's replay, on a volume opened read-only.
    Result<void> replay_journal(OpenReport& report);

    // ---- Writing (a volume opened writable). Each operation leaves the
    // file system consistent once its dirty blocks are written (sync());
    // nothing is journaled. The caller passes every inode an operation
    // changes as the InodeData it keeps (the VFS keeps one per live inode),
    // and the operation updates it and the disk together, so no stale copy
    // is written back later. Errors: ENOSPC, EUCLEAN (corruption met),
    // EIO, ENOMEM; the names ones as Linux (EEXIST, ENOENT, ENOTEMPTY,
    // ENAMETOOLONG, EMLINK). Permission and file-type checks are the
    // caller's (the VFS).

    // Opens writable: refuses (EROFS, report.refused_feature naming it) a
    // file system with a feature it cannot keep consistent while writing;
    // marks the superblock not cleanly unmounted until close().
    // `now`, if set, is the mount time (s_mtime).
    static Result<OwnPtr<Volume>> open_writable(BlockBackend& backend, OpenReport& report, Time now = {});
    // A file system marked needs_recovery: replays its journal (journal.h)
    // through a volume of its own and clears the flag, so that open()
    // afterwards sees what the last committed transactions wrote. Nothing
    // to do (and no error) without the flag. EROFS (report.refused_feature)
    // for a journal it cannot replay (an external one, unsupported journal
    // features): the caller may still open the volume read-only, as
    // before. report.journal says what was replayed. open_writable does it
    // first; a read-only mount of a writable disk should too, as Linux's.
    static Result<void> recover_journal(BlockBackend& backend, OpenReport& report);
    bool writable() const { return m_writable; }
    // A volume opened read-only (or closed) becomes writable, with the
    // checks and the marking open_writable does (remount,rw).
    Result<void> make_writable(OpenReport& report, Time now) { return prepare_writing(report, now); }

    // Writes `length` bytes from `source` at `offset`, allocating blocks,
    // growing the size; sets mtime and ctime to `now`. Returns the bytes
    // written (short only if an error came after some were).
    Result<usize> write(InodeData& inode, u64 offset, usize length, DataSource& source, Time now);
    // Sets the size; blocks past it are freed, a grown file reads zeros.
    Result<void> truncate(InodeData& inode, u64 size, Time now);
    // Writes the inode's metadata (mode, uid, gid, links, size, flags,
    // times) back to its slot.
    Result<void> update_inode(InodeData const& inode);
    // An inode with no links and no users: frees its blocks, takes it off
    // the orphan list (if it is there) and frees its number.
    Result<void> release(InodeData& inode, Time now);

    // Names (directory_write.cpp). `dir` is the directory holding `name`.
    // A new regular file, directory (with "." and ".."), device node, fifo
    // or socket; `mode` carries the type bits.
    Result<InodeData> create(InodeData& dir, StringView name, u32 mode, u32 uid, u32 gid, u64 rdev, Time now);
    Result<InodeData> create_symlink(InodeData& dir, StringView name, StringView target, u32 uid, u32 gid, Time now);
    // A new name for `target` (not a directory; ENOENT if it has no
    // links left, as Linux's vfs_link).
    Result<void> link(InodeData& dir, StringView name, InodeData& target, Time now);
    // Removes `name`, which names `target`; a directory must be empty.
    // target.links drops (to 0 for a directory); at 0 it joins the orphan
    // list, and the caller release()s it when it has no users left.
    Result<void> unlink(InodeData& dir, StringView name, InodeData& target, Time now);
    // Moves `name` (naming `moved`) to `new_name` in `new_dir`, replacing
    // `replaced` (what new_name named, or null), whose links drop as
    // unlink's (and it joins the orphan list likewise). `old_dir` and
    // `new_dir` may be one object.
    Result<void> rename(InodeData& old_dir, StringView name, InodeData& moved, InodeData& new_dir,
        StringView new_name, InodeData* replaced, Time now);
    // RENAME_EXCHANGE: `name_a` in `dir_a` (naming `a`) and `name_b` in
    // `dir_b` (naming `b`) swap what they name. The directories may be one.
    Result<void> exchange(InodeData& dir_a, StringView name_a, InodeData& a, InodeData& dir_b, StringView name_b,
        InodeData& b, Time now);

    // Extended attributes (xattr.cpp), as Linux's ext4 keeps them: in the
    // inode body past i_extra_isize when they fit, else in the inode's
    // xattr block, which is copied before a change if other inodes share
    // it (new blocks are never shared: Linux's mbcache sharing is left
    // out). Names are whole ("user.mime") in the namespaces ext4 keeps --
    // user., trusted., security. and gnu. -- any other is EOPNOTSUPP, a
    // bare prefix EINVAL. Who may ask is the caller's business. Not read
    // nor changed here: POSIX ACLs (the caller answers for their names)
    // and values in EA inodes (EOPNOTSUPP; such a volume is read-only).
    // A corrupt area is EUCLEAN.
    //
    // The value's length; the value goes into `buffer` if `size` (> 0)
    // holds it, else ERANGE. ENODATA if there is none.
    Result<usize> get_xattr(InodeData const& inode, StringView name, u8* buffer, usize size);
    // Calls f with each name (the body's, then the block's, each in its
    // order) until it returns false.
    Result<void> list_xattrs(InodeData const& inode, bool (*f)(StringView name, void*), void* context);
    // `flags`: Linux's XATTR_CREATE (1; EEXIST if it exists) and
    // XATTR_REPLACE (2; ENODATA if not). ENOSPC when it fits neither the
    // body nor a block. ctime becomes `now`, unless the attribute already
    // had that value: then nothing is written (as Linux).
    Result<void> set_xattr(InodeData& inode, StringView name, u8 const* value, usize size, u32 flags, Time now);
    // ENODATA if there is none; a block left empty is freed.
    Result<void> remove_xattr(InodeData& inode, StringView name, Time now);

    // Writes every dirty block and the superblock, then flushes the device.
    Result<void> sync();
    // sync(), and marks the file system cleanly unmounted.
    Result<void> close();

    usize block_size() const { return m_block_size; }
    u64 block_count() const { return m_block_count; }
    u32 inode_count() const { return m_inodes_count; }
    u32 group_count() const { return m_group_count; }
    u32 incompat() const { return m_incompat; }
    bool has_filetype() const { return m_incompat & kIncompatFiletype; }
    Superblock const& superblock() const { return m_super; }
    BlockCache& cache() { return *m_cache; }

private:
    friend struct VolumeTestPeer; // the host unit tests' access to the allocator
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

    // ---- Shared by the writers (allocator.cpp, file_write.cpp,
    // directory_write.cpp).
    // A free inode near `parent`'s group (a directory spreads out),
    // marked used; counts updated.
    Result<u32> allocate_inode(u32 parent, bool directory);
    // A fresh on-disk inode: zeroed, times `now`, extents flag where the
    // file system has extents, a new generation; written.
    Result<InodeData> initialize_inode(u32 ino, u32 mode, u32 uid, u32 gid, Time now);
    // The physical block behind `logical`, allocated (zeroed) if it is a hole.
    Result<u64> block_for_write(InodeData& inode, u64 logical);

    // names: directory_write.cpp's helpers.
    struct DirectorySlot;
    struct DirectoryEntryLocation;
    // The seed of `dir`'s directory-block checksums: the volume's, its
    // inode number, its generation.
    u32 directory_seed(InodeData const& dir) const;
    // Where `name` can go in `dir` (EEXIST if it is there); an htree
    // directory becomes linear first.
    Result<DirectorySlot> find_slot(InodeData& dir, StringView name);
    // Writes the entry there, appending a block if the slot says so.
    Result<void> fill_slot(InodeData& dir, DirectorySlot const& slot, StringView name, u32 ino, u8 file_type);
    Result<void> add_entry(InodeData& dir, StringView name, u32 ino, u8 file_type);
    Result<DirectoryEntryLocation> find_entry(InodeData const& dir, StringView name);
    Result<void> remove_entry(InodeData& dir, StringView name, u32 ino);
    // Points `name` at `new_ino` (old_ino 0: whatever it named).
    Result<void> replace_entry(InodeData& dir, StringView name, u32 old_ino, u32 new_ino, u8 file_type);
    Result<void> make_linear(InodeData& dir);
    // One name of `inode` went: its link count and the orphan list.
    Result<void> drop_link(InodeData& inode, Time now);
    Result<bool> is_empty_directory(InodeData const& dir);
    Result<void> touch_directories(InodeData& first, InodeData& second, Time now);
    Result<InodeData> new_inode(InodeData const& dir, u32 mode, u32 uid, u32 gid, Time now);
    void discard_new_inode(InodeData& inode, Time now);

    // blocks: volume.cpp's writing helpers (checksums, descriptors, inode
    // slots, the superblock).
    bool has_metadata_csum() const { return m_ro_compat & kRoCompatMetadataCsum; }
    // Descriptors carry a checksum: metadata_csum (crc32c) or gdt_csum (crc16).
    bool has_group_csum() const { return m_ro_compat & (kRoCompatMetadataCsum | kRoCompatGdtCsum); }
    u64 group_first_block(u32 group) const { return m_first_data_block + u64(group) * m_blocks_per_group; }
    u64 blocks_in_group(u32 group) const
    {
        return lib::min(u64(m_blocks_per_group), m_block_count - group_first_block(group));
    }
    // A cached block and a byte offset in it: a group descriptor, an inode slot.
    struct BlockSlot {
        BlockHandle handle;
        usize offset;
    };
    u64 descriptor_location(u32 group) const;
    Result<BlockSlot> descriptor(u32 group);
    Result<BlockSlot> inode_slot(u32 ino);
    u16 descriptor_checksum(u32 group, u8 const* raw) const;
    // Sets the descriptor's checksum (after any change to it).
    void seal_descriptor(u32 group, u8* raw) const;
    u32 inode_checksum(u32 ino, u8 const* slot) const;
    // Sets the inode's checksum (after any change to its slot).
    void seal_inode(u32 ino, u8* slot) const;
    Result<void> prepare_writing(OpenReport& report, Time now);
    Result<void> write_superblock();
    // Whether the slot's stored checksum is the one its bytes give (true
    // without metadata_csum).
    bool inode_checksum_matches(u32 ino, u8 const* slot) const;
    u32 first_ino() const { return m_super.s_rev_level >= 1 ? m_super.s_first_ino : kGoodOldFirstIno; }

    // The orphan list (volume.cpp; see the top of this file).
    // Puts `inode` (its links just dropped to 0) at the head.
    Result<void> add_orphan(InodeData const& inode);
    // Where `ino` is on the list: whether it is, and the inode before it
    // (0: it is the head). A walk of the whole list; EUCLEAN for a loop or
    // a number out of range anywhere on it. Nothing is written.
    struct OrphanPlace {
        bool listed;
        u32 previous;
    };
    Result<OrphanPlace> find_orphan(u32 ino);
    Result<void> take_off_orphan_list(u32 ino, OrphanPlace place);
    // The orphan after `ino` (its i_dtime), 0 at the end; EUCLEAN if `ino`
    // cannot be an orphan.
    Result<u32> next_orphan(u32 ino);
    Result<void> set_next_orphan(u32 ino, u32 next);
    // At a writable open, before anything is written: the list's length,
    // or EUCLEAN (report.problem says why) if it cannot be trusted.
    Result<u32> check_orphan_list(OpenReport& report);
    // Linux's ext4_orphan_cleanup, on a list check_orphan_list passed.
    Result<void> process_orphans(u32 count, Time now);
    // The latest time an operation was told: what s_wtime says.
    void note_time(Time now)
    {
        if (now.sec > m_latest.sec) m_latest = now;
    }

    // blocks: allocator.cpp.
    struct BlockRun {
        u64 first;
        u64 count;
    };
    // Up to `wanted` free blocks in one run, at or after `goal` if it can
    // (else anywhere), marked used; counts updated. ENOSPC when none.
    Result<BlockRun> allocate_blocks(u64 goal, u64 wanted);
    // Marks blocks free (the run may cross groups); EUCLEAN if one is
    // already free or holds metadata.
    Result<void> free_blocks(u64 first, u64 count);
    Result<void> free_inode(u32 ino, bool directory);
    // Whether `ino`'s bit is set in its group's inode bitmap (an
    // INODE_UNINIT group has none set); the bitmap's checksum checked.
    Result<bool> inode_in_use(u32 ino);
    // Where a file's first block should go (Linux's ext4_inode_to_goal_block).
    u64 goal_for(InodeData const& inode) const;
    // The block bitmap of `group`, pinned, built first if BLOCK_UNINIT
    // (the descriptor is then updated too); its checksum checked.
    Result<BlockHandle> block_bitmap(u32 group);
    Result<BlockHandle> inode_bitmap(u32 group);
    // Blocks at the start of `group` held by a superblock backup and group
    // descriptors (with the reserved GDT blocks): Linux's
    // ext4_num_base_meta_clusters.
    u64 base_metadata_blocks(u32 group) const;
    // Whether [first, first + count), inside `group`, holds file-system
    // metadata (a superblock, descriptors, bitmaps or an inode table): a
    // free bit there is corruption.
    Result<bool> holds_metadata(u32 group, u64 first, u64 count);
    u64 free_block_total() const;
    void set_free_block_total(u64 count);
    u32 next_generation();
    // Writes `inode`'s fields into its slot's bytes, and the checksum.
    Result<void> store_inode(InodeData const& inode, u8* slot);

    // blocks: file_write.cpp.
    // A walk from the extent tree's root (in i_block) to the leaf for one
    // logical block: each level's node, pinned, and the entry chosen.
    struct ExtentPath;
    struct FreeRun;
    // The largest size `inode` may have (EFBIG past it): Linux's
    // ext4_max_size or ext4_max_bitmap_size.
    u64 max_size(InodeData const& inode) const;
    // The physical run behind `logical` (up to `wanted` blocks), allocated
    // where it is a hole. `fresh`: its blocks hold nothing yet (just
    // allocated, or an uninitialized extent now initialized) and must be
    // written whole, zeros where the caller has nothing.
    Result<BlockRun> map_for_write(InodeData& inode, u64 logical, u64 wanted, bool& fresh);
    Result<BlockRun> extent_map_for_write(InodeData& inode, u64 logical, u64 wanted, bool& fresh);
    Result<BlockRun> indirect_map_for_write(InodeData& inode, u64 logical, u64 wanted, bool& fresh);
    // Frees every block from `first_logical` on, and the tree or indirect
    // blocks left empty.
    Result<void> free_from(InodeData& inode, u64 first_logical);
    Result<void> indirect_free_from(InodeData& inode, u64 first_logical);
    Result<void> free_indirect(InodeData& inode, u32& pointer, unsigned level, u64 base, u64 first_logical,
        FreeRun& pending);
    Result<void> flush_free_run(InodeData& inode, FreeRun& pending);
    Result<void> find_extent_path(InodeData& inode, u64 logical, ExtentPath& path);
    Result<void> insert_extent(InodeData& inode, u64 logical, u64 physical, u64 length, bool uninitialized);
    Result<void> split_extent_node(InodeData& inode, ExtentPath& path, u16 level, u64 logical, u64 goal);
    Result<void> grow_extent_tree(InodeData& inode, u64 goal);
    void fix_extent_keys(InodeData const& inode, ExtentPath& path, u16 level);
    void seal_extent_node(InodeData const& inode, ExtentPath& path, u16 level);
    Result<void> convert_to_initialized(InodeData& inode, u64 logical, u64 count);
    // Frees what a tree node holds from `first_logical` on; `empty` says
    // whether it holds nothing more, `changed` whether it changed (a
    // child node is dirtied through `handle` only then).
    Result<void> extent_free_node(
        InodeData& inode, u8* node, BlockHandle* handle, u16 depth, u64 first_logical, bool& empty, bool& changed);
    u32 extent_block_checksum(InodeData const& inode, u8 const* block) const;
    void add_inode_blocks(InodeData& inode, i64 fs_blocks);
    // Zeros the bytes of the block holding `size` past it, so that what a
    // size increase exposes reads as zeros.
    Result<void> zero_tail(InodeData& inode, u64 size);

    // extended attributes: xattr.cpp.
    // i_file_acl of an inode slot.
    u64 xattr_block_of(u8 const* slot) const;
    // The body's area of an inode slot, and its offset in the slot; false
    // if it has none (128-byte inodes, an i_extra_isize of 0, no room). An
    // area without the magic holds no entries.
    Result<bool> body_xattr_area(u8 const* slot, XattrArea& area, usize& offset) const;
    // Linux's check_xattrs: the entries and values lie inside the area.
    Result<void> check_xattr_area(XattrArea const& area) const;
    // The xattr block `block`, its header checked; with `verify`, its
    // checksum and reference count too (before a change).
    Result<BlockHandle> xattr_block(u64 block, bool verify);
    // The areas of inode `ino`, checked (the slot and the block pinned in
    // `sources`); `verify`: the checksums too.
    Result<void> read_xattrs(u32 ino, XattrSources& sources, bool verify);
    u32 xattr_block_checksum(u64 block, u8 const* bytes) const;
    // Sets a block's header (one user), hash and checksum.
    void seal_xattr_block(u64 block, u8* bytes) const;
    // set_xattr and remove_xattr (`value` null).
    Result<void> change_xattr(InodeData& inode, XattrKey const& key, u8 const* value, usize size, u32 flags, Time now);
    // The block's part of a change: in place, into a new block (none yet,
    // or a shared one), or the block let go when it ends up empty.
    Result<void> change_xattr_block(InodeData& inode, u8* slot, XattrSources& sources, XattrKey const& key,
        u8 const* value, usize size, u8* scratch);
    // An xattr block loses one of its users (ext4_xattr_release_block);
    // i_blocks drops, i_file_acl is the caller's.
    Result<void> release_xattr_block(InodeData& inode, u64 block);

    bool m_writable { false };
    u32 m_checksum_seed { 0 };
    u16 m_state_at_open { 0 };
    Time m_latest {};
    u64 m_written_at_sync { 0 };
    u32 m_generation { 0 };
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
