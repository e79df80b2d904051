// Volume's allocator: blocks and inodes, in the groups' bitmaps.
//
// Every change to a bitmap updates, in the same call, the bitmap's checksum
// and the free counts in its group descriptor (then the descriptor's
// checksum) and in the superblock (written at sync()), so the dirty blocks
// of one call together leave the counts right.
//
// Lazy initialization (gdt_csum or metadata_csum): a BLOCK_UNINIT group's
// block bitmap was never written, so it is built the first time it is
// needed, as Linux's ext4_init_block_bitmap (the superblock backup and
// descriptors at the group's start, the bitmaps and inode tables that lie
// in it -- with flex_bg those of its whole flex group -- and the bits past
// the group's end); an INODE_UNINIT group's inode bitmap starts all free.
// The flag goes once the bitmap is written.
//
// Placement, after Linux's, simplified:
//  - blocks: a run from the goal on (the block after the file's previous
//    one, or its group's start), else the first group after it with free
//    blocks; only what is free right there (no search for a longer run);
//  - a file's inode: its parent's group, then a quadratic probe of the
//    groups, then any group;
//  - a directory's inode (Orlov-lite): a group with at least the average
//    free inodes and free blocks, searched from the parent's group; under
//    the root, the one of those with the fewest directories, so that the
//    top-level trees spread over the disk.
// Where we differ from Linux: no reserved blocks (s_r_blocks_count) are
// kept back, as the volume does not know who asks; no preallocation.
#include <fs/ext4/checksum.h>
#include <fs/ext4/group_descriptor.h>
#include <fs/ext4/volume.h>
#include <fs/vfs/mode.h>

namespace ext4 {

namespace {

bool test_bit(u8 const* bitmap, u64 bit) { return bitmap[bit >> 3] & (1u << (bit & 7)); }
void set_bit(u8* bitmap, u64 bit) { bitmap[bit >> 3] |= u8(1u << (bit & 7)); }
void clear_bit(u8* bitmap, u64 bit) { bitmap[bit >> 3] &= u8(~(1u << (bit & 7))); }

// The first clear bit in [from, end), or end.
u64 find_clear(u8 const* bitmap, u64 from, u64 end)
{
    u64 bit = from;
    while (bit < end) {
        if ((bit & 7) == 0 && bitmap[bit >> 3] == 0xff) {
            bit += 8; // a full byte at a time over used space
            continue;
        }
        if (!test_bit(bitmap, bit)) return bit;
        bit++;
    }
    return end;
}

// Linux's ext4_mark_bitmap_end: the bits past the group's end read used.
void mark_bitmap_end(u8* bitmap, u64 start, u64 end)
{
    for (u64 bit = start; bit < end; bit++) set_bit(bitmap, bit);
}

} // namespace

u64 Volume::free_block_total() const
{
    u64 total = m_super.s_free_blocks_count_lo;
    if (m_incompat & kIncompat64Bit) total |= u64(m_super.s_free_blocks_count_hi) << 32;
    return total;
}

void Volume::set_free_block_total(u64 count)
{
    m_super.s_free_blocks_count_lo = u32(count);
    if (m_incompat & kIncompat64Bit) m_super.s_free_blocks_count_hi = u32(count >> 32);
}

u32 Volume::next_generation()
{
    // xorshift32: i_generation only has to differ from what the number's
    // last owner had (NFS handles), not be secret.
    u32 x = m_generation ? m_generation : 0x9e3779b9;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    m_generation = x;
    return x;
}

u64 Volume::base_metadata_blocks(u32 group) const
{
    u64 count = group_has_superblock(group) ? 1 : 0;
    u32 const per_block = u32(m_block_size / m_desc_size);
    bool const meta_bg = m_incompat & kIncompatMetaBg;
    if (!meta_bg || group / per_block < m_super.s_first_meta_bg) {
        if (count) {
            // ext4_bg_num_gdb_nometa, and the reserved GDT blocks after them.
            u64 const gdt_blocks = meta_bg ? m_super.s_first_meta_bg : (m_group_count + per_block - 1) / per_block;
            count += gdt_blocks + m_super.s_reserved_gdt_blocks;
        }
    } else {
        // ext4_bg_num_gdb_meta: a meta group's descriptor block sits in its
        // first, second and last groups.
        u32 const first = group - group % per_block;
        if (group == first || group == first + 1 || group == first + per_block - 1) count++;
    }
    return count;
}

// The groups whose bitmaps and inode tables may lie in `group`: its flex
// group with flex_bg (mke2fs packs them at the flex group's start), else
// itself.
static void metadata_groups(u32 group, u32 group_count, bool flex_bg, u8 log_groups_per_flex, u32& first, u32& end)
{
    if (!flex_bg || log_groups_per_flex == 0 || log_groups_per_flex >= 31) {
        first = group;
        end = group + 1;
        return;
    }
    u32 const size = u32(1) << log_groups_per_flex;
    first = group & ~(size - 1);
    end = first + size < group_count ? first + size : group_count;
    if (end < first) end = group_count;
}

Result<bool> Volume::holds_metadata(u32 group, u64 first, u64 count)
{
    u64 const start = group_first_block(group);
    if (first < start + base_metadata_blocks(group)) return true;
    auto overlaps = [&](u64 block, u64 blocks) { return block < first + count && first < block + blocks; };
    u64 const table_blocks = (u64(m_inodes_per_group) * m_inode_size + m_block_size - 1) / m_block_size;
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    u32 from, end;
    metadata_groups(group, m_group_count, m_incompat & kIncompatFlexBg, m_super.s_log_groups_per_flex, from, end);
    for (u32 g = from; g < end; g++) {
        auto slot = TRY(descriptor(g));
        DescriptorView const view(slot.handle.data() + slot.offset, wide);
        if (overlaps(view.block_bitmap(), 1) || overlaps(view.inode_bitmap(), 1)
            || overlaps(view.inode_table(), table_blocks))
            return true;
    }
    return false;
}

Result<BlockHandle> Volume::block_bitmap(u32 group)
{
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    auto slot = TRY(descriptor(group));
    DescriptorView const view(slot.handle.data() + slot.offset, wide);
    u64 const location = view.block_bitmap();
    if (!valid_range(location, 1)) return Errno(EUCLEAN);
    usize const checked_bytes = m_blocks_per_group / 8;
    if (!has_group_csum() || !(view.flags() & kGroupBlockUninit)) {
        auto bitmap = TRY(m_cache->get(location));
        if (has_metadata_csum()) {
            u32 const want = crc32c(m_checksum_seed, bitmap.data(), checked_bytes);
            if (view.block_bitmap_checksum() != (wide ? want : (want & 0xffff))) return Errno(EUCLEAN);
        }
        return bitmap;
    }

    // BLOCK_UNINIT: ext4_init_block_bitmap.
    u64 const start = group_first_block(group);
    u64 const blocks = blocks_in_group(group);
    u64 const table_blocks = (u64(m_inodes_per_group) * m_inode_size + m_block_size - 1) / m_block_size;
    auto bitmap = TRY(m_cache->get_zeroed(location));
    u8* bits = bitmap.mutable_data();
    u64 const base = base_metadata_blocks(group);
    if (base > blocks) return Errno(EUCLEAN);
    for (u64 bit = 0; bit < base; bit++) set_bit(bits, bit);
    auto mark = [&](u64 block, u64 count) {
        for (u64 b = block; b < block + count; b++)
            if (b >= start && b < start + blocks) set_bit(bits, b - start);
    };
    u32 from, end;
    metadata_groups(group, m_group_count, m_incompat & kIncompatFlexBg, m_super.s_log_groups_per_flex, from, end);
    for (u32 g = from; g < end; g++) {
        auto other = TRY(descriptor(g));
        DescriptorView const other_view(other.handle.data() + other.offset, wide);
        mark(other_view.block_bitmap(), 1);
        mark(other_view.inode_bitmap(), 1);
        mark(other_view.inode_table(), table_blocks);
    }
    mark_bitmap_end(bits, blocks, u64(m_block_size) * 8);

    DescriptorView descriptor_view(slot.handle.mutable_data() + slot.offset, wide);
    descriptor_view.set_flags(descriptor_view.flags() & ~kGroupBlockUninit);
    if (has_metadata_csum()) descriptor_view.set_block_bitmap_checksum(crc32c(m_checksum_seed, bits, checked_bytes));
    seal_descriptor(group, slot.handle.mutable_data() + slot.offset);
    return bitmap;
}

Result<BlockHandle> Volume::inode_bitmap(u32 group)
{
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    auto slot = TRY(descriptor(group));
    DescriptorView const view(slot.handle.data() + slot.offset, wide);
    u64 const location = view.inode_bitmap();
    if (!valid_range(location, 1)) return Errno(EUCLEAN);
    usize const checked_bytes = m_inodes_per_group / 8;
    if (!has_group_csum() || !(view.flags() & kGroupInodeUninit)) {
        auto bitmap = TRY(m_cache->get(location));
        if (has_metadata_csum()) {
            u32 const want = crc32c(m_checksum_seed, bitmap.data(), checked_bytes);
            if (view.inode_bitmap_checksum() != (wide ? want : (want & 0xffff))) return Errno(EUCLEAN);
        }
        return bitmap;
    }
    // INODE_UNINIT: all free, and the bits past the group's inodes used
    // (ext4_read_inode_bitmap). The flag itself goes when an inode is
    // taken (allocate_inode), as Linux.
    auto bitmap = TRY(m_cache->get_zeroed(location));
    mark_bitmap_end(bitmap.mutable_data(), m_inodes_per_group, u64(m_block_size) * 8);
    return bitmap;
}

u64 Volume::goal_for(InodeData const& inode) const
{
    u32 group = (inode.ino - 1) / m_inodes_per_group;
    // ext4_inode_to_goal_block: with flex groups of 4 or more, the first
    // group of the flex group is left to directories and special files.
    u32 const log_flex = m_super.s_log_groups_per_flex;
    if ((m_incompat & kIncompatFlexBg) && log_flex >= 2 && log_flex < 31) {
        group &= ~((u32(1) << log_flex) - 1);
        if ((inode.mode & vfs::kModeTypeMask) == vfs::kModeRegular && group + 1 < m_group_count) group++;
    }
    return group_first_block(group);
}

Result<Volume::BlockRun> Volume::allocate_blocks(u64 goal, u64 wanted)
{
    if (!m_writable) return Errno(EROFS);
    if (wanted == 0) wanted = 1;
    if (free_block_total() == 0) return Errno(ENOSPC);
    if (goal < m_first_data_block || goal >= m_block_count) goal = m_first_data_block;
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    u32 const goal_group = u32((goal - m_first_data_block) / m_blocks_per_group);
    for (u32 i = 0; i <= m_group_count; i++) {
        // The goal's group twice: from the goal on first, from its start last.
        u32 const group = (goal_group + i) % m_group_count;
        {
            auto slot = TRY(descriptor(group));
            if (DescriptorView(slot.handle.data() + slot.offset, wide).free_blocks() == 0) continue;
        }
        u64 const start = group_first_block(group);
        u64 const blocks = blocks_in_group(group);
        u64 const from = i == 0 ? goal - start : 0;
        u64 const end = i == m_group_count ? goal - start : blocks;
        auto bitmap = TRY(block_bitmap(group));
        u64 const bit = find_clear(bitmap.data(), from, end);
        if (bit >= end) continue;
        u64 count = 1;
        while (count < wanted && bit + count < blocks && !test_bit(bitmap.data(), bit + count)) count++;
        // Bitmaps that call metadata free are corrupt: never hand it out.
        if (TRY(holds_metadata(group, start + bit, count))) return Errno(EUCLEAN);

        auto slot = TRY(descriptor(group));
        DescriptorView view(slot.handle.mutable_data() + slot.offset, wide);
        if (view.free_blocks() < count) return Errno(EUCLEAN);
        u8* bits = bitmap.mutable_data();
        for (u64 b = bit; b < bit + count; b++) set_bit(bits, b);
        view.set_free_blocks(u32(view.free_blocks() - count));
        if (has_metadata_csum()) view.set_block_bitmap_checksum(crc32c(m_checksum_seed, bits, m_blocks_per_group / 8));
        seal_descriptor(group, slot.handle.mutable_data() + slot.offset);
        set_free_block_total(free_block_total() >= count ? free_block_total() - count : 0);
        return BlockRun { start + bit, count };
    }
    return Errno(ENOSPC);
}

Result<void> Volume::free_blocks(u64 first, u64 count)
{
    if (!m_writable) return Errno(EROFS);
    if (count == 0) return {};
    if (!valid_range(first, count)) return Errno(EUCLEAN);
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    while (count > 0) {
        u32 const group = u32((first - m_first_data_block) / m_blocks_per_group);
        u64 const start = group_first_block(group);
        u64 const here = lib::min(count, start + blocks_in_group(group) - first);
        if (TRY(holds_metadata(group, first, here))) return Errno(EUCLEAN);
        auto bitmap = TRY(block_bitmap(group));
        for (u64 b = first - start; b < first - start + here; b++)
            if (!test_bit(bitmap.data(), b)) return Errno(EUCLEAN); // freed twice
        u8* bits = bitmap.mutable_data();
        for (u64 b = first - start; b < first - start + here; b++) clear_bit(bits, b);
        auto slot = TRY(descriptor(group));
        DescriptorView view(slot.handle.mutable_data() + slot.offset, wide);
        view.set_free_blocks(u32(view.free_blocks() + here));
        if (has_metadata_csum()) view.set_block_bitmap_checksum(crc32c(m_checksum_seed, bits, m_blocks_per_group / 8));
        seal_descriptor(group, slot.handle.mutable_data() + slot.offset);
        set_free_block_total(free_block_total() + here);
        first += here;
        count -= here;
    }
    return {};
}

Result<u32> Volume::allocate_inode(u32 parent, bool directory)
{
    if (!m_writable) return Errno(EROFS);
    if (m_super.s_free_inodes_count == 0) return Errno(ENOSPC);
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    u32 const groups = m_group_count;
    u32 const parent_group = (parent >= 1 && parent <= m_inodes_count) ? (parent - 1) / m_inodes_per_group : 0;

    struct Counts {
        u32 free_inodes;
        u32 free_blocks;
        u32 dirs;
    };
    auto counts = [&](u32 group) -> Result<Counts> {
        auto slot = TRY(descriptor(group));
        DescriptorView const view(slot.handle.data() + slot.offset, wide);
        return Counts { view.free_inodes(), view.free_blocks(), view.used_dirs() };
    };

    u32 chosen = groups;
    if (directory) {
        u64 const average_inodes = m_super.s_free_inodes_count / groups;
        u64 const average_blocks = free_block_total() / groups;
        // Under the root, start from a group of its own so that the top
        // level spreads (Linux picks at random too).
        bool const top_level = parent == kRootIno;
        u32 const first = top_level ? next_generation() % groups : parent_group;
        u32 fewest_dirs = ~0u;
        for (u32 i = 0; i < groups; i++) {
            u32 const group = (first + i) % groups;
            auto const c = TRY(counts(group));
            if (c.free_inodes == 0 || c.free_inodes < average_inodes || c.free_blocks < average_blocks) continue;
            if (!top_level) {
                chosen = group;
                break;
            }
            if (c.dirs < fewest_dirs) {
                fewest_dirs = c.dirs;
                chosen = group;
            }
        }
    } else {
        // find_group_other: the parent's group, a quadratic probe, then any.
        auto const c = TRY(counts(parent_group));
        if (c.free_inodes && c.free_blocks) chosen = parent_group;
        u32 group = parent_group;
        for (u32 step = 1; chosen == groups && step < groups; step <<= 1) {
            group = (group + step) % groups;
            auto const probe = TRY(counts(group));
            if (probe.free_inodes && probe.free_blocks) chosen = group;
        }
    }
    for (u32 i = 0; chosen == groups && i < groups; i++) {
        u32 const group = (parent_group + i) % groups;
        if (TRY(counts(group)).free_inodes) chosen = group;
    }
    if (chosen == groups) return Errno(ENOSPC);

    u32 const group = chosen;
    auto bitmap = TRY(inode_bitmap(group));
    // The reserved inodes (below s_first_ino) are never handed out.
    u32 const first_ino = m_super.s_rev_level >= 1 ? m_super.s_first_ino : kGoodOldFirstIno;
    u64 const from = group == 0 ? lib::min(first_ino - 1, m_inodes_per_group) : 0;
    u64 const bit = find_clear(bitmap.data(), from, m_inodes_per_group);
    if (bit >= m_inodes_per_group) return Errno(EUCLEAN); // the descriptor said it had free inodes
    u32 const ino = u32(group * u64(m_inodes_per_group) + bit + 1);

    // Linux's ext4_new_inode: a BLOCK_UNINIT group gets its block bitmap
    // built before it holds an inode in use.
    if (has_group_csum()) (void)TRY(block_bitmap(group));
    auto slot = TRY(descriptor(group));
    DescriptorView view(slot.handle.mutable_data() + slot.offset, wide);
    if (view.free_inodes() == 0) return Errno(EUCLEAN);
    u8* bits = bitmap.mutable_data();
    set_bit(bits, bit);
    view.set_free_inodes(view.free_inodes() - 1);
    if (directory) view.set_used_dirs(view.used_dirs() + 1);
    if (has_group_csum()) {
        // bg_itable_unused: the table's unused tail shrinks to after `ino`.
        u32 used = m_inodes_per_group - view.itable_unused();
        if (view.flags() & kGroupInodeUninit) {
            view.set_flags(view.flags() & ~kGroupInodeUninit);
            used = 0;
        }
        if (bit + 1 > used) view.set_itable_unused(u32(m_inodes_per_group - (bit + 1)));
    }
    if (has_metadata_csum()) view.set_inode_bitmap_checksum(crc32c(m_checksum_seed, bits, m_inodes_per_group / 8));
    seal_descriptor(group, slot.handle.mutable_data() + slot.offset);
    m_super.s_free_inodes_count--;
    return ino;
}

Result<void> Volume::free_inode(u32 ino, bool directory)
{
    if (!m_writable) return Errno(EROFS);
    u32 const first_ino = m_super.s_rev_level >= 1 ? m_super.s_first_ino : kGoodOldFirstIno;
    if (ino < first_ino || ino > m_inodes_count) return Errno(EUCLEAN);
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    u32 const group = (ino - 1) / m_inodes_per_group;
    u64 const bit = (ino - 1) % m_inodes_per_group;
    auto bitmap = TRY(inode_bitmap(group));
    if (!test_bit(bitmap.data(), bit)) return Errno(EUCLEAN); // freed twice
    auto slot = TRY(descriptor(group));
    DescriptorView view(slot.handle.mutable_data() + slot.offset, wide);
    u8* bits = bitmap.mutable_data();
    clear_bit(bits, bit);
    view.set_free_inodes(view.free_inodes() + 1);
    if (directory && view.used_dirs() > 0) view.set_used_dirs(view.used_dirs() - 1);
    if (has_metadata_csum()) view.set_inode_bitmap_checksum(crc32c(m_checksum_seed, bits, m_inodes_per_group / 8));
    seal_descriptor(group, slot.handle.mutable_data() + slot.offset);
    m_super.s_free_inodes_count++;
    return {};
}

Result<bool> Volume::inode_in_use(u32 ino)
{
    if (ino == 0 || ino > m_inodes_count) return Errno(EUCLEAN);
    u32 const group = (ino - 1) / m_inodes_per_group;
    auto slot = TRY(descriptor(group));
    DescriptorView const view(slot.handle.data() + slot.offset, m_desc_size >= kMinDescSize64Bit);
    // Not inode_bitmap(): an INODE_UNINIT group's bitmap is not made here.
    if (has_group_csum() && (view.flags() & kGroupInodeUninit)) return false;
    auto bitmap = TRY(inode_bitmap(group));
    return test_bit(bitmap.data(), (ino - 1) % m_inodes_per_group);
}

Result<InodeData> Volume::initialize_inode(u32 ino, u32 mode, u32 uid, u32 gid, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    InodeData inode;
    inode.ino = ino;
    inode.mode = mode;
    inode.uid = uid;
    inode.gid = gid;
    inode.atime = inode.mtime = inode.ctime = now;
    inode.generation = next_generation();
    u32 const type = mode & vfs::kModeTypeMask;
    // ext4_new_inode: only these three get an extent tree (a fast symlink
    // drops it again when its target goes into i_block).
    if ((m_incompat & kIncompatExtents)
        && (type == vfs::kModeRegular || type == vfs::kModeDirectory || type == vfs::kModeSymlink)) {
        inode.flags |= kExtentsFlag;
        // ext4_ext_tree_init: an empty root, 4 entries.
        auto& header = *reinterpret_cast<ExtentHeader*>(inode.block);
        header.eh_magic = kExtentMagic;
        header.eh_entries = 0;
        header.eh_max = u16((kInlineBytes - sizeof(ExtentHeader)) / sizeof(Extent));
        header.eh_depth = 0;
        header.eh_generation = 0;
    }

    auto slot = TRY(inode_slot(ino));
    u8* bytes = slot.handle.mutable_data() + slot.offset;
    __builtin_memset(bytes, 0, m_inode_size);
    auto& raw = *reinterpret_cast<DiskInode*>(bytes);
    if (m_inode_size > kGoodOldInodeSize) {
        // s_want_extra_isize when it is sane, else what Linux's struct holds.
        usize extra = sizeof(DiskInode) - kGoodOldInodeSize;
        usize const want = m_super.s_rev_level >= 1 ? m_super.s_want_extra_isize : 0;
        if (want >= extra && !(want & 3) && kGoodOldInodeSize + want <= m_inode_size) extra = want;
        extra = lib::min(extra, usize(m_inode_size - kGoodOldInodeSize));
        raw.i_extra_isize = u16(extra);
        if (__builtin_offsetof(DiskInode, i_crtime_extra) + 4 <= kGoodOldInodeSize + extra) {
            raw.i_crtime = u32(now.sec);
            raw.i_crtime_extra = (u32((now.sec - i64(i32(now.sec))) >> 32) & 3) | now.nsec << 2;
        }
    }
    TRY(store_inode(inode, bytes));
    return inode;
}

} // namespace ext4
