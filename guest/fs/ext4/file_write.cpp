// Volume's file writer: write, truncate, release, block_for_write, over
// both block maps.
//
// Extent files (ext4_extents.c, simplified): a new run of blocks becomes an
// extent, merged into its neighbour where it continues it on the disk. A
// full leaf or index node is split -- at the insertion point when
// appending (so that a file written in order fills its leaves), in halves
// otherwise -- after making room in its parent the same way; a full root
// (four entries in i_block) moves into a new block and the tree grows a
// level. An index's key is always its child's first key (e2fsck checks).
// Tree blocks end in a crc32c (ext4_extent_block_csum) with metadata_csum.
// Truncation frees extents from the end, and tree blocks left empty; a
// root left empty becomes an empty leaf again.
//
// Uninitialized extents (fallocate) read as zeros; writing into one splits
// it, and the written blocks become an initialized extent (written whole:
// zeros where the write has no bytes), as Linux's
// ext4_ext_convert_to_initialized without its zero-out shortcut.
//
// Indirect maps (ext2, ext3, ext4 inodes without EXTENTS): 12 direct
// pointers and single, double and triple indirect blocks, allocated as
// the file grows and freed when truncation empties them. Their 32-bit
// pointers cannot hold a block past 2^32 (ENOSPC there).
//
// i_blocks counts 512-byte units of data, tree and indirect blocks (and
// the xattr block), as Linux; update_inode encodes it (huge_file).
//
// Nothing past i_size stays allocated and initialized after an operation:
// e2fsck calls that a wrong size. A write that fails after allocating
// gives back what lies past the size it reached.
#include <fs/ext4/checksum.h>
#include <fs/ext4/volume.h>
#include <fs/vfs/mode.h>

#include <utility>

namespace ext4 {

namespace {

constexpr u16 kRootCapacity = (kInlineBytes - sizeof(ExtentHeader)) / sizeof(Extent); // 4
// Linux's EXT_INIT_MAX_LEN and EXT_UNWRITTEN_MAX_LEN.
constexpr u64 kMaxInitializedLength = kInitializedExtentMax;
constexpr u64 kMaxUninitializedLength = kInitializedExtentMax - 1;

ExtentHeader& header_of(u8* node) { return *reinterpret_cast<ExtentHeader*>(node); }
Extent* extents_of(u8* node) { return reinterpret_cast<Extent*>(node + sizeof(ExtentHeader)); }
ExtentIndex* indexes_of(u8* node) { return reinterpret_cast<ExtentIndex*>(node + sizeof(ExtentHeader)); }

bool is_uninitialized(Extent const& e) { return e.ee_len > kInitializedExtentMax; }
u64 length_of(Extent const& e) { return is_uninitialized(e) ? e.ee_len - kInitializedExtentMax : e.ee_len; }
u64 physical_of(Extent const& e) { return u64(e.ee_start_hi) << 32 | e.ee_start_lo; }
void set_extent(Extent& e, u64 logical, u64 physical, u64 length, bool uninitialized)
{
    e.ee_block = u32(logical);
    e.ee_start_lo = u32(physical);
    e.ee_start_hi = u16(physical >> 32);
    e.ee_len = u16(uninitialized ? length + kInitializedExtentMax : length);
}
u64 child_of(ExtentIndex const& index) { return u64(index.ei_leaf_hi) << 32 | index.ei_leaf_lo; }
void set_index(ExtentIndex& index, u64 logical, u64 child)
{
    index.ei_block = u32(logical);
    index.ei_leaf_lo = u32(child);
    index.ei_leaf_hi = u16(child >> 32);
    index.ei_unused = 0;
}
// The first key of a node with entries (extent or index: both start with it).
u32 first_key(u8* node) { return *reinterpret_cast<u32*>(node + sizeof(ExtentHeader)); }

bool header_ok(ExtentHeader const& header, usize capacity)
{
    return header.eh_magic == kExtentMagic && header.eh_entries <= header.eh_max && header.eh_max <= capacity
        && header.eh_depth <= kMaxExtentDepth;
}

bool is_fast_symlink(InodeData const& inode)
{
    // The reader's rule (Volume::read_link).
    return (inode.mode & vfs::kModeTypeMask) == vfs::kModeSymlink && inode.size < kInlineBytes
        && !(inode.flags & (kExtentsFlag | kInlineDataFlag));
}

// Whether the inode's i_block is a block map at all.
bool has_block_map(InodeData const& inode)
{
    u32 const type = inode.mode & vfs::kModeTypeMask;
    if (type == vfs::kModeRegular || type == vfs::kModeDirectory) return true;
    return type == vfs::kModeSymlink && !is_fast_symlink(inode);
}

} // namespace

struct Volume::ExtentPath {
    struct Level {
        BlockHandle handle; // empty at the root, which is the inode's i_block
        u8* node { nullptr };
        u64 block { 0 };
        int position { -1 }; // the entry chosen (-1: before the first, in a leaf)
    };
    Level levels[kMaxExtentDepth + 1];
    u16 depth { 0 };
};

struct Volume::FreeRun {
    u64 first { 0 };
    u64 count { 0 };
};

void Volume::add_inode_blocks(InodeData& inode, i64 fs_blocks)
{
    i64 const units = fs_blocks * (i64(1) << (m_block_shift - 9));
    inode.blocks = (units < 0 && u64(-units) > inode.blocks) ? 0 : u64(i64(inode.blocks) + units);
}

u64 Volume::max_size(InodeData const& inode) const
{
    bool const huge = m_ro_compat & kRoCompatHugeFile;
    u64 limit;
    if (inode.flags & kExtentsFlag) {
        // ext4_max_size: ee_block is 32 bits, less one block so that an
        // extent's end fits too; without huge_file, i_blocks's 32 bits.
        limit = ((u64(1) << 32) - 1) << m_block_shift;
        if (!huge) limit = lib::min(limit, (((u64(1) << 32) - 1) >> (m_block_shift - 9)) << m_block_shift);
    } else {
        // ext4_max_bitmap_size: what the map addresses, less what its
        // indirect blocks take of i_blocks's limit.
        u64 const per_block = u64(1) << (m_block_shift - 2);
        u64 upper = huge ? (u64(1) << 48) - 1 : ((u64(1) << 32) - 1) >> (m_block_shift - 9);
        u64 blocks = kDirectBlocks + per_block + per_block * per_block + per_block * per_block * per_block;
        u64 meta = 1 + (1 + per_block) + (1 + per_block + per_block * per_block);
        if (blocks + meta > upper) {
            blocks = upper;
            upper -= kDirectBlocks;
            meta = 1;
            upper -= per_block;
            if (upper < per_block * per_block) {
                meta += 1 + (upper + per_block - 1) / per_block;
            } else {
                meta += 1 + per_block;
                upper -= per_block * per_block;
                meta += 1 + (upper + per_block - 1) / per_block
                    + (upper + per_block * per_block - 1) / (per_block * per_block);
            }
            blocks -= meta;
        }
        limit = blocks << m_block_shift;
    }
    if (m_super.s_rev_level == 0) limit = lib::min(limit, u64(0x7fffffff)); // no LARGE_FILE to set
    return limit;
}

u32 Volume::extent_block_checksum(InodeData const& inode, u8 const* block) const
{
    auto const& header = *reinterpret_cast<ExtentHeader const*>(block);
    u32 const seed = crc32c_u32(crc32c_u32(m_checksum_seed, inode.ino), inode.generation);
    return crc32c(seed, block, sizeof(ExtentHeader) + usize(header.eh_max) * sizeof(Extent));
}

void Volume::seal_extent_node(InodeData const& inode, ExtentPath& path, u16 level)
{
    auto& at = path.levels[level];
    if (at.block == 0 || !has_metadata_csum()) return;
    u8* node = at.handle.mutable_data();
    usize const tail = sizeof(ExtentHeader) + usize(header_of(node).eh_max) * sizeof(Extent);
    reinterpret_cast<ExtentTail*>(node + tail)->et_checksum = extent_block_checksum(inode, node);
}

Result<void> Volume::find_extent_path(InodeData& inode, u64 logical, ExtentPath& path)
{
    u8* root = reinterpret_cast<u8*>(inode.block);
    if (!header_ok(header_of(root), kRootCapacity)) return Errno(EUCLEAN);
    path.depth = header_of(root).eh_depth;
    path.levels[0] = ExtentPath::Level {};
    path.levels[0].node = root;
    usize const block_capacity = (m_block_size - sizeof(ExtentHeader)) / sizeof(Extent);
    for (u16 level = 0;; level++) {
        auto& at = path.levels[level];
        auto const& header = header_of(at.node);
        usize const entries = header.eh_entries;
        if (level == path.depth) {
            at.position = -1;
            for (usize i = 0; i < entries && extents_of(at.node)[i].ee_block <= logical; i++) at.position = int(i);
            return {};
        }
        // The last index at or before `logical`; the first if none is (an
        // insertion before the tree's first key goes there).
        if (entries == 0) return Errno(EUCLEAN);
        at.position = 0;
        for (usize i = 1; i < entries && indexes_of(at.node)[i].ei_block <= logical; i++) at.position = int(i);
        u64 const child = child_of(indexes_of(at.node)[at.position]);
        if (!valid_range(child, 1)) return Errno(EUCLEAN);
        auto& next = path.levels[level + 1];
        next.handle = TRY(m_cache->get(child));
        next.node = const_cast<u8*>(next.handle.data()); // written through mutable_data() only
        next.block = child;
        next.position = -1;
        auto const& child_header = header_of(next.node);
        if (!header_ok(child_header, block_capacity) || child_header.eh_depth != path.depth - level - 1)
            return Errno(EUCLEAN);
        if (has_metadata_csum()) {
            usize const tail = sizeof(ExtentHeader) + usize(child_header.eh_max) * sizeof(Extent);
            if (reinterpret_cast<ExtentTail const*>(next.node + tail)->et_checksum
                != extent_block_checksum(inode, next.node))
                return Errno(EUCLEAN);
        }
    }
}

// After the first key of the node at `level` changed: its parents' keys
// follow (ext4_ext_correct_indexes).
void Volume::fix_extent_keys(InodeData const& inode, ExtentPath& path, u16 level)
{
    if (header_of(path.levels[level].node).eh_entries == 0) return;
    u32 const key = first_key(path.levels[level].node);
    for (u16 l = level; l > 0; l--) {
        auto& parent = path.levels[l - 1];
        auto& index = indexes_of(parent.node)[parent.position];
        if (index.ei_block == key) return;
        if (parent.block) parent.handle.mutable_data();
        index.ei_block = key;
        seal_extent_node(inode, path, u16(l - 1));
        if (parent.position != 0) return;
    }
}

// The root is full: its entries move to a new block, and the root becomes
// an index of one entry above it (ext4_ext_grow_indepth).
Result<void> Volume::grow_extent_tree(InodeData& inode, u64 goal)
{
    u8* root = reinterpret_cast<u8*>(inode.block);
    auto& root_header = header_of(root);
    if (root_header.eh_depth >= kMaxExtentDepth) return Errno(EFBIG);
    auto run = TRY(allocate_blocks(goal, 1));
    auto handle = m_cache->get_zeroed(run.first);
    if (handle.is_error()) {
        (void)free_blocks(run.first, 1);
        return handle.error();
    }
    add_inode_blocks(inode, 1);
    u8* node = handle.value().mutable_data();
    usize const used = sizeof(ExtentHeader) + usize(root_header.eh_entries) * sizeof(Extent);
    __builtin_memcpy(node, root, used);
    header_of(node).eh_max = u16((m_block_size - sizeof(ExtentHeader)) / sizeof(Extent));
    if (has_metadata_csum()) {
        usize const tail = sizeof(ExtentHeader) + usize(header_of(node).eh_max) * sizeof(Extent);
        reinterpret_cast<ExtentTail*>(node + tail)->et_checksum = extent_block_checksum(inode, node);
    }
    u32 const key = root_header.eh_entries ? first_key(root) : 0;
    root_header.eh_depth++;
    root_header.eh_entries = 1;
    root_header.eh_max = kRootCapacity;
    set_index(indexes_of(root)[0], key, run.first);
    return {};
}

// The node at `level` is full: splits it into a new block, after making
// room in its parent first (then the caller walks again and retries).
Result<void> Volume::split_extent_node(InodeData& inode, ExtentPath& path, u16 level, u64 logical, u64 goal)
{
    if (level == 0) return grow_extent_tree(inode, goal);
    auto& parent = path.levels[level - 1];
    if (header_of(parent.node).eh_entries >= header_of(parent.node).eh_max)
        return split_extent_node(inode, path, u16(level - 1), logical, goal);

    auto& at = path.levels[level];
    auto& header = header_of(at.node);
    usize const entries = header.eh_entries;
    // Appending past the leaf's last extent: the new leaf starts empty and
    // the full one stays full; otherwise halves.
    usize cut = entries / 2;
    if (header.eh_depth == 0 && at.position == int(entries) - 1 && entries > 0
        && logical > extents_of(at.node)[entries - 1].ee_block)
        cut = entries;
    if (cut == 0) return Errno(EUCLEAN);

    auto run = TRY(allocate_blocks(goal, 1));
    auto handle = m_cache->get_zeroed(run.first);
    if (handle.is_error()) {
        (void)free_blocks(run.first, 1);
        return handle.error();
    }
    add_inode_blocks(inode, 1);
    u8* node = handle.value().mutable_data();
    auto& new_header = header_of(node);
    new_header.eh_magic = kExtentMagic;
    new_header.eh_depth = header.eh_depth;
    new_header.eh_max = u16((m_block_size - sizeof(ExtentHeader)) / sizeof(Extent));
    new_header.eh_entries = u16(entries - cut);
    new_header.eh_generation = 0;
    at.handle.mutable_data();
    __builtin_memcpy(node + sizeof(ExtentHeader), at.node + sizeof(ExtentHeader) + cut * sizeof(Extent),
        (entries - cut) * sizeof(Extent));
    header.eh_entries = u16(cut);
    u32 const key = cut < entries ? first_key(node) : u32(logical);
    if (has_metadata_csum()) {
        usize const tail = sizeof(ExtentHeader) + usize(new_header.eh_max) * sizeof(Extent);
        reinterpret_cast<ExtentTail*>(node + tail)->et_checksum = extent_block_checksum(inode, node);
    }
    seal_extent_node(inode, path, level);

    // The new node's index, right after the old one's.
    if (parent.block) parent.handle.mutable_data();
    auto& parent_header = header_of(parent.node);
    ExtentIndex* indexes = indexes_of(parent.node);
    usize const slot = usize(parent.position) + 1;
    for (usize i = parent_header.eh_entries; i > slot; i--) indexes[i] = indexes[i - 1];
    set_index(indexes[slot], key, run.first);
    parent_header.eh_entries++;
    seal_extent_node(inode, path, u16(level - 1));
    return {};
}

// Maps [logical, logical + length) to [physical, ...): merged into the
// extent before or after it where it continues it, else a new entry,
// splitting nodes for room.
Result<void> Volume::insert_extent(InodeData& inode, u64 logical, u64 physical, u64 length, bool uninitialized)
{
    u64 const max_length = uninitialized ? kMaxUninitializedLength : kMaxInitializedLength;
    if (length == 0 || length > max_length || logical + length > (u64(1) << 32)) return Errno(EINVAL);
    // Each round either inserts or splits one node; a split at every level
    // and a new root is the most one insertion needs.
    for (unsigned round = 0; round < 2 * (kMaxExtentDepth + 2); round++) {
        ExtentPath path;
        TRY(find_extent_path(inode, logical, path));
        u16 const depth = path.depth;
        auto& leaf = path.levels[depth];
        auto& header = header_of(leaf.node);
        Extent* extents = extents_of(leaf.node);
        usize const entries = header.eh_entries;
        int const position = leaf.position;
        if (position >= 0) {
            Extent& before = extents[position];
            if (before.ee_block + length_of(before) > logical) return Errno(EUCLEAN); // overlap
            if (before.ee_block + length_of(before) == logical && is_uninitialized(before) == uninitialized
                && physical_of(before) + length_of(before) == physical && length_of(before) + length <= max_length) {
                if (leaf.block) leaf.handle.mutable_data();
                set_extent(before, before.ee_block, physical_of(before), length_of(before) + length, uninitialized);
                seal_extent_node(inode, path, depth);
                return {};
            }
        }
        usize const slot = usize(position + 1);
        if (slot < entries) {
            Extent& after = extents[slot];
            if (logical + length > after.ee_block) return Errno(EUCLEAN); // overlap
            if (logical + length == after.ee_block && is_uninitialized(after) == uninitialized
                && physical + length == physical_of(after) && length_of(after) + length <= max_length) {
                if (leaf.block) leaf.handle.mutable_data();
                set_extent(after, logical, physical, length_of(after) + length, uninitialized);
                seal_extent_node(inode, path, depth);
                if (slot == 0) fix_extent_keys(inode, path, depth);
                return {};
            }
        }
        if (entries < header.eh_max) {
            if (leaf.block) leaf.handle.mutable_data();
            for (usize i = entries; i > slot; i--) extents[i] = extents[i - 1];
            set_extent(extents[slot], logical, physical, length, uninitialized);
            header.eh_entries++;
            seal_extent_node(inode, path, depth);
            if (slot == 0) fix_extent_keys(inode, path, depth);
            return {};
        }
        TRY(split_extent_node(inode, path, depth, logical, physical));
    }
    return Errno(EUCLEAN);
}

// Part of an uninitialized extent becomes initialized: the extent splits
// in up to three. Room for the two insertions is checked first, so that a
// failure cannot leave blocks mapped by nothing.
Result<void> Volume::convert_to_initialized(InodeData& inode, u64 logical, u64 count)
{
    ExtentPath path;
    TRY(find_extent_path(inode, logical, path));
    auto& leaf = path.levels[path.depth];
    if (leaf.position < 0) return Errno(EUCLEAN);
    Extent& extent = extents_of(leaf.node)[leaf.position];
    u64 const start = extent.ee_block;
    u64 const length = length_of(extent);
    u64 const physical = physical_of(extent);
    u64 const end = start + length;
    if (!is_uninitialized(extent) || logical < start || logical + count > end) return Errno(EUCLEAN);
    if (free_block_total() < 2 * (u64(path.depth) + 2)) return Errno(ENOSPC);
    u64 const from = logical - start;
    if (leaf.block) leaf.handle.mutable_data();
    if (from == 0) {
        set_extent(extent, start, physical, count, false);
        seal_extent_node(inode, path, path.depth);
    } else {
        set_extent(extent, start, physical, from, true);
        seal_extent_node(inode, path, path.depth);
        TRY(insert_extent(inode, logical, physical + from, count, false));
    }
    if (from + count < length)
        TRY(insert_extent(inode, logical + count, physical + from + count, length - from - count, true));
    return {};
}

Result<Volume::BlockRun> Volume::extent_map_for_write(InodeData& inode, u64 logical, u64 wanted, bool& fresh)
{
    Mapping const mapping = TRY(map_extent(inode, logical));
    if (mapping.physical && !mapping.zero) {
        fresh = false;
        return BlockRun { mapping.physical, lib::min(wanted, mapping.count) };
    }
    if (mapping.physical) {
        u64 const count = lib::min(wanted, mapping.count);
        TRY(convert_to_initialized(inode, logical, count));
        fresh = true;
        return BlockRun { mapping.physical, count };
    }
    // A hole: a run after the block before it, if any.
    u64 goal = goal_for(inode);
    if (logical > 0) {
        Mapping const before = TRY(map_extent(inode, logical - 1));
        if (before.physical) goal = before.physical + 1;
    }
    u64 const count = lib::min(lib::min(wanted, mapping.count), kMaxInitializedLength);
    auto run = TRY(allocate_blocks(goal, count));
    if (auto inserted = insert_extent(inode, logical, run.first, run.count, false); inserted.is_error()) {
        (void)free_blocks(run.first, run.count);
        return inserted.error();
    }
    add_inode_blocks(inode, i64(run.count));
    fresh = true;
    return run;
}

Result<Volume::BlockRun> Volume::indirect_map_for_write(InodeData& inode, u64 logical, u64 wanted, bool& fresh)
{
    u32 const per_block_shift = m_block_shift - 2;
    u64 const per_block = u64(1) << per_block_shift;
    // The array of pointers holding `logical`'s: i_block's direct ones, or
    // a single-indirect block found (and made) on the way down.
    u32* pointers = inode.block;
    usize slot = usize(logical);
    usize slots = kDirectBlocks;
    BlockHandle holder; // pins the block `pointers` lies in, if any
    u64 goal = goal_for(inode);
    if (logical >= kDirectBlocks) {
        u64 rest = logical - kDirectBlocks;
        unsigned levels = 0;
        for (unsigned level = 1; level <= 3; level++) {
            u64 const span = u64(1) << (per_block_shift * level);
            if (rest < span) {
                levels = level;
                break;
            }
            rest -= span;
        }
        if (!levels) return Errno(EFBIG);
        u32* pointer = &inode.block[kSingleIndirect + levels - 1];
        for (unsigned level = levels; level >= 1; level--) {
            if (*pointer == 0) {
                auto run = TRY(allocate_blocks(goal, 1));
                if (run.first >> 32) {
                    (void)free_blocks(run.first, 1);
                    return Errno(ENOSPC);
                }
                auto zeroed = m_cache->get_zeroed(run.first);
                if (zeroed.is_error()) {
                    (void)free_blocks(run.first, 1);
                    return zeroed.error();
                }
                if (holder) holder.mutable_data();
                *pointer = u32(run.first);
                add_inode_blocks(inode, 1);
            }
            if (!valid_range(*pointer, 1)) return Errno(EUCLEAN);
            goal = u64(*pointer) + 1;
            BlockHandle next = TRY(m_cache->get(*pointer));
            holder = static_cast<BlockHandle&&>(next); // `pointer` is set; its block may go
            auto* entries = reinterpret_cast<u32*>(const_cast<u8*>(holder.data()));
            usize const index = usize((rest >> (per_block_shift * (level - 1))) & (per_block - 1));
            if (level == 1) {
                pointers = entries;
                slot = index;
                slots = usize(per_block);
                break;
            }
            pointer = &entries[index];
        }
    }

    if (pointers[slot] != 0) {
        u64 const block = pointers[slot];
        u64 count = 1;
        while (count < wanted && slot + count < slots && pointers[slot + count] == block + count) count++;
        if (!valid_range(block, count)) return Errno(EUCLEAN);
        fresh = false;
        return BlockRun { block, count };
    }
    u64 count = 1;
    while (count < wanted && slot + count < slots && pointers[slot + count] == 0) count++;
    if (slot > 0 && pointers[slot - 1]) goal = u64(pointers[slot - 1]) + 1;
    auto run = TRY(allocate_blocks(goal, count));
    if ((run.first + run.count - 1) >> 32) {
        (void)free_blocks(run.first, run.count);
        return Errno(ENOSPC);
    }
    if (holder) holder.mutable_data();
    for (u64 i = 0; i < run.count; i++) pointers[slot + i] = u32(run.first + i);
    add_inode_blocks(inode, i64(run.count));
    fresh = true;
    return run;
}

Result<Volume::BlockRun> Volume::map_for_write(InodeData& inode, u64 logical, u64 wanted, bool& fresh)
{
    if (inode.flags & kExtentsFlag) return extent_map_for_write(inode, logical, wanted, fresh);
    return indirect_map_for_write(inode, logical, wanted, fresh);
}

Result<u64> Volume::block_for_write(InodeData& inode, u64 logical)
{
    if (!m_writable) return Errno(EROFS);
    if ((logical + 1) << m_block_shift > max_size(inode)) return Errno(EFBIG);
    bool fresh = false;
    auto const run = TRY(map_for_write(inode, logical, 1, fresh));
    if (fresh) (void)TRY(m_cache->get_zeroed(run.first));
    TRY(update_inode(inode));
    return run.first;
}

// ---- Freeing.

Result<void> Volume::flush_free_run(InodeData& inode, FreeRun& pending)
{
    if (pending.count == 0) return {};
    TRY(free_blocks(pending.first, pending.count));
    add_inode_blocks(inode, -i64(pending.count));
    pending = FreeRun {};
    return {};
}

Result<void> Volume::extent_free_node(
    InodeData& inode, u8* node, BlockHandle* handle, u16 depth, u64 first_logical, bool& empty, bool& changed)
{
    // `node` is the root in the inode (`handle` null) or the bytes of the
    // block `handle` pins, read-only until something in it changes: a node
    // truncation leaves alone is not dirtied.
    auto change = [&] {
        if (!changed && handle) handle->mutable_data();
        changed = true;
    };
    auto& header = header_of(node);
    usize entries = header.eh_entries;
    if (depth == 0) {
        while (entries > 0) {
            Extent& extent = extents_of(node)[entries - 1];
            u64 const start = extent.ee_block;
            u64 const length = length_of(extent);
            u64 const physical = physical_of(extent);
            if (length == 0 || !valid_range(physical, length)) return Errno(EUCLEAN);
            if (start + length <= first_logical) break;
            change();
            if (start >= first_logical) {
                TRY(free_blocks(physical, length));
                add_inode_blocks(inode, -i64(length));
                entries--;
                header.eh_entries = u16(entries);
                continue;
            }
            u64 const keep = first_logical - start;
            TRY(free_blocks(physical + keep, length - keep));
            add_inode_blocks(inode, -i64(length - keep));
            set_extent(extent, start, physical, keep, is_uninitialized(extent));
            break;
        }
    } else {
        usize const block_capacity = (m_block_size - sizeof(ExtentHeader)) / sizeof(Extent);
        while (entries > 0) {
            ExtentIndex& index = indexes_of(node)[entries - 1];
            u64 const child = child_of(index);
            if (!valid_range(child, 1)) return Errno(EUCLEAN);
            auto child_handle = TRY(m_cache->get(child));
            u8* child_node = const_cast<u8*>(child_handle.data()); // written through mutable_data() only
            auto const& child_header = header_of(child_node);
            if (!header_ok(child_header, block_capacity) || child_header.eh_depth != depth - 1) return Errno(EUCLEAN);
            // As find_extent_path: a node that changed behind our back is
            // not resealed (blessed) with a fresh checksum.
            usize const tail = sizeof(ExtentHeader) + usize(child_header.eh_max) * sizeof(Extent);
            if (has_metadata_csum()
                && reinterpret_cast<ExtentTail const*>(child_node + tail)->et_checksum
                    != extent_block_checksum(inode, child_node))
                return Errno(EUCLEAN);
            bool child_empty = false;
            bool child_changed = false;
            TRY(extent_free_node(
                inode, child_node, &child_handle, u16(depth - 1), first_logical, child_empty, child_changed));
            if (!child_empty) {
                if (child_changed && has_metadata_csum()) {
                    reinterpret_cast<ExtentTail*>(child_node + tail)->et_checksum
                        = extent_block_checksum(inode, child_node);
                }
                // An index before `first_logical` holds what stays: the
                // indexes before it hold only earlier blocks.
                if (index.ei_block < first_logical) break;
                // Its first key is at or past `first_logical`, yet it keeps
                // something: keys and extents disagree.
                return Errno(EUCLEAN);
            }
            child_handle = BlockHandle();
            change();
            TRY(free_blocks(child, 1));
            add_inode_blocks(inode, -1);
            entries--;
            header.eh_entries = u16(entries);
        }
    }
    empty = entries == 0;
    return {};
}

Result<void> Volume::indirect_free_from(InodeData& inode, u64 first_logical)
{
    u32 const per_block_shift = m_block_shift - 2;
    FreeRun pending;
    for (u64 i = first_logical; i < kDirectBlocks; i++) {
        u64 const block = inode.block[i];
        if (block == 0) continue;
        if (pending.count && pending.first + pending.count == block) {
            pending.count++;
        } else {
            TRY(flush_free_run(inode, pending));
            pending = FreeRun { block, 1 };
        }
        inode.block[i] = 0;
    }
    u64 base = kDirectBlocks;
    for (unsigned level = 1; level <= 3; level++) {
        TRY(free_indirect(inode, inode.block[kSingleIndirect + level - 1], level, base, first_logical, pending));
        base += u64(1) << (per_block_shift * level);
    }
    return flush_free_run(inode, pending);
}

// The subtree under `pointer` maps logical blocks [base, base + its span);
// frees what it maps from `first_logical` on, and itself if that is all.
Result<void> Volume::free_indirect(
    InodeData& inode, u32& pointer, unsigned level, u64 base, u64 first_logical, FreeRun& pending)
{
    u32 const per_block_shift = m_block_shift - 2;
    u64 const per_block = u64(1) << per_block_shift;
    u64 const span = u64(1) << (per_block_shift * level);
    if (pointer == 0 || first_logical >= base + span) return {};
    if (!valid_range(pointer, 1)) return Errno(EUCLEAN);
    auto handle = TRY(m_cache->get(pointer));
    auto* entries = reinterpret_cast<u32*>(handle.mutable_data());
    u64 const child_span = span / per_block;
    u64 const first = first_logical <= base ? 0 : (first_logical - base) / child_span;
    for (u64 i = first; i < per_block; i++) {
        if (level == 1) {
            u64 const block = entries[i];
            if (block == 0 || base + i < first_logical) continue;
            if (!valid_range(block, 1)) return Errno(EUCLEAN);
            if (pending.count && pending.first + pending.count == block) {
                pending.count++;
            } else {
                TRY(flush_free_run(inode, pending));
                pending = FreeRun { block, 1 };
            }
            entries[i] = 0;
        } else {
            TRY(free_indirect(inode, entries[i], level - 1, base + i * child_span, first_logical, pending));
        }
    }
    if (first_logical <= base) {
        // Nothing under it is left: the indirect block goes too.
        TRY(flush_free_run(inode, pending));
        u64 const block = pointer;
        handle = BlockHandle();
        TRY(free_blocks(block, 1));
        add_inode_blocks(inode, -1);
        pointer = 0;
    }
    return {};
}

Result<void> Volume::free_from(InodeData& inode, u64 first_logical)
{
    if (!has_block_map(inode)) return {};
    if (!(inode.flags & kExtentsFlag)) return indirect_free_from(inode, first_logical);
    if (first_logical >= (u64(1) << 32)) return {};
    u8* root = reinterpret_cast<u8*>(inode.block);
    if (!header_ok(header_of(root), kRootCapacity)) return Errno(EUCLEAN);
    bool empty = false;
    bool changed = false;
    TRY(extent_free_node(inode, root, nullptr, header_of(root).eh_depth, first_logical, empty, changed));
    if (empty) {
        // An empty tree is an empty leaf in the root (ext4_ext_tree_init).
        header_of(root).eh_depth = 0;
        header_of(root).eh_max = kRootCapacity;
    }
    return {};
}

Result<void> Volume::zero_tail(InodeData& inode, u64 size)
{
    usize const in_block = usize(size & (m_block_size - 1));
    if (in_block == 0 || !has_block_map(inode)) return {};
    Mapping const mapping = TRY(map(inode, size >> m_block_shift));
    if (mapping.physical == 0 || mapping.zero) return {};
    auto handle = TRY(m_cache->get(mapping.physical));
    __builtin_memset(handle.mutable_data() + in_block, 0, m_block_size - in_block);
    return {};
}

// ---- The public operations.

Result<usize> Volume::write(InodeData& inode, u64 offset, usize length, DataSource& source, Time now)
{
    if (!m_writable) return Errno(EROFS);
    if (length == 0) return usize(0);
    if (!has_block_map(inode) && !((inode.mode & vfs::kModeTypeMask) == vfs::kModeSymlink && inode.size == 0))
        return Errno(EINVAL);
    u64 const limit = max_size(inode);
    if (offset >= limit) return Errno(EFBIG);
    length = usize(lib::min(u64(length), limit - offset));
    note_time(now);
    if (offset > inode.size) TRY(zero_tail(inode, inode.size));

    usize done = 0;
    Result<void> failure;
    u64 allocated_end = 0; // the logical block after the last one allocated
    while (done < length && !failure.is_error()) {
        u64 const position = offset + done;
        u64 const logical = position >> m_block_shift;
        usize const in_block = usize(position & (m_block_size - 1));
        u64 const wanted = (u64(in_block) + (length - done) + m_block_size - 1) >> m_block_shift;
        bool fresh = false;
        auto run = map_for_write(inode, logical, wanted, fresh);
        if (run.is_error()) {
            failure = run.error();
            break;
        }
        if (fresh) allocated_end = lib::max(allocated_end, logical + run.value().count);
        u64 i = 0;
        for (; i < run.value().count && done < length; i++) {
            usize const skip = i == 0 ? in_block : 0;
            usize const chunk = lib::min(m_block_size - skip, length - done);
            // A block that held data is read first even when overwritten
            // whole: if the source fails midway, it keeps its old bytes.
            auto handle = fresh ? m_cache->get_zeroed(run.value().first + i)
                                : m_cache->get(run.value().first + i, run.value().count - i);
            if (handle.is_error()) {
                failure = handle.error();
                break;
            }
            u8* const bytes = handle.value().mutable_data();
            auto read = source.read(done, bytes + skip, chunk);
            if (read.is_error()) {
                failure = read.error();
                // What the source did copy is not counted: a fresh block
                // stays all zero.
                if (fresh) __builtin_memset(bytes, 0, m_block_size);
                i++;
                break;
            }
            done += chunk;
        }
        // A fresh run (a hole, or uninitialized blocks now initialized) is
        // mapped whole; the blocks the failed source never reached were not
        // zeroed yet and hold whatever the disk did (a deleted file's data).
        // Those inside i_size would show it, as Linux's zeroed pages don't.
        if (fresh && failure.is_error()) {
            for (; i < run.value().count; i++) {
                auto handle = m_cache->get_zeroed(run.value().first + i);
                if (handle.is_error()) break; // the first error stays the one returned
            }
        }
    }
    if (done > 0) {
        inode.size = lib::max(inode.size, offset + done);
        inode.mtime = inode.ctime = now;
    }
    if (failure.is_error()) {
        // Blocks allocated past what was written go again.
        u64 const end = (inode.size + m_block_size - 1) >> m_block_shift;
        if (allocated_end > end) (void)free_from(inode, end);
    }
    TRY(update_inode(inode));
    if (done == 0 && failure.is_error()) return failure.error();
    return done;
}

Result<void> Volume::truncate(InodeData& inode, u64 size, Time now)
{
    if (!m_writable) return Errno(EROFS);
    if (size > max_size(inode)) return Errno(EFBIG);
    note_time(now);
    Result<void> result;
    if (size <= inode.size) {
        // Also what lies past the end already (fallocate's KEEP_SIZE), as
        // Linux's ext4_truncate.
        result = free_from(inode, (size + m_block_size - 1) >> m_block_shift);
        if (!result.is_error()) result = zero_tail(inode, size);
    } else {
        result = zero_tail(inode, inode.size);
    }
    if (!result.is_error()) inode.size = size;
    inode.mtime = inode.ctime = now;
    TRY(update_inode(inode));
    return result;
}

Result<void> Volume::release(InodeData& inode, Time now)
{
    if (!m_writable) return Errno(EROFS);
    if (inode.links != 0) return Errno(EINVAL);
    note_time(now);
    // Where it is on the orphan list, found before anything changes: a
    // list that cannot be walked (EUCLEAN) frees nothing.
    auto const place = TRY(find_orphan(inode.ino));
    TRY(free_from(inode, 0));
    inode.size = 0;

    // What InodeData does not carry: the xattr block, dtime.
    auto slot = TRY(inode_slot(inode.ino));
    if (u64 const xattr = xattr_block_of(slot.handle.data() + slot.offset)) TRY(release_xattr_block(inode, xattr));
    inode.ctime = now;
    TRY(update_inode(inode));
    // Off the orphan list once nothing is left to free (ext4_evict_inode's
    // order): a crash before this point leaves it there for the next mount.
    TRY(take_off_orphan_list(inode.ino, place));
    u8* bytes = slot.handle.mutable_data() + slot.offset;
    auto& changed = *reinterpret_cast<DiskInode*>(bytes);
    changed.i_dtime = u32(now.sec);
    changed.i_file_acl_lo = 0;
    changed.l_i_file_acl_high = 0;
    seal_inode(inode.ino, bytes);
    return free_inode(inode.ino, (inode.mode & vfs::kModeTypeMask) == vfs::kModeDirectory);
}

} // namespace ext4
