#include <fs/ext4/checksum.h>
#include <fs/ext4/group_descriptor.h>
#include <fs/ext4/volume.h>
#include <fs/vfs/mode.h>

#include <new>

namespace ext4 {

namespace {

// About 2 MiB of blocks, and never fewer than an extent walk pins at once
// (the tree's depth plus a data block) with room to spare.
usize cache_capacity(usize block_size) { return lib::max(usize(2 * 1024 * 1024) / block_size, usize(32)); }

// The largest file: 2^32 logical blocks (extent and block numbers are 32-bit).
u64 max_file_size(usize block_size) { return u64(block_size) << 32; }

template<typename T> T const& at(u8 const* data, usize offset) { return *reinterpret_cast<T const*>(data + offset); }

// Linux's old_decode_dev and new_decode_dev, into the dev_t encoding.
u64 decode_device(u32 const* block)
{
    if (block[0]) return vfs::make_device((block[0] >> 8) & 0xff, block[0] & 0xff);
    u32 const dev = block[1];
    return vfs::make_device((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
}

// `extra` (i_*time_extra) counts only if the inode is large enough to hold it.
Time decode_time(u32 seconds, bool has_extra, u32 extra)
{
    Time t { i64(i32(seconds)), 0 };
    if (has_extra) {
        t.sec += i64(extra & 3) << 32; // the epoch bits extend the signed 32-bit seconds
        t.nsec = lib::min(extra >> 2, u32(999999999));
    }
    return t;
}

bool is_power_of_two(u64 v) { return v && !(v & (v - 1)); }

using vfs::kModeBlock;
using vfs::kModeCharacter;
using vfs::kModeDirectory;
using vfs::kModeFifo;
using vfs::kModeRegular;
using vfs::kModeSocket;
using vfs::kModeSymlink;
using vfs::kModeTypeMask;

// A memory sink, for symlink targets.
class BufferSink final : public DataSink {
public:
    explicit BufferSink(u8* buffer)
        : m_buffer(buffer)
    {
    }
    Result<void> write(usize offset, u8 const* data, usize length) override
    {
        __builtin_memcpy(m_buffer + offset, data, length);
        return {};
    }
    Result<void> zero(usize offset, usize length) override
    {
        __builtin_memset(m_buffer + offset, 0, length);
        return {};
    }

private:
    u8* m_buffer;
};

} // namespace

u32 mode_for_file_type(u8 file_type)
{
    switch (file_type) {
    case kFileTypeRegular:
        return kModeRegular;
    case kFileTypeDirectory:
        return kModeDirectory;
    case kFileTypeCharacter:
        return kModeCharacter;
    case kFileTypeBlock:
        return kModeBlock;
    case kFileTypeFifo:
        return kModeFifo;
    case kFileTypeSocket:
        return kModeSocket;
    case kFileTypeSymlink:
        return kModeSymlink;
    default:
        return 0;
    }
}

Result<OwnPtr<Volume>> Volume::open(BlockBackend& backend, OpenReport& report)
{
    auto volume = adopt_own(new (std::nothrow) Volume);
    if (!volume) return Errno(ENOMEM);
    u64 const device_size = backend.size();
    if (device_size < kSuperblockOffset + sizeof(Superblock)) {
        report.problem = "device too small for a superblock";
        return Errno(EINVAL);
    }
    TRY(backend.read(kSuperblockOffset, reinterpret_cast<u8*>(&volume->m_super), sizeof(Superblock)));
    TRY(volume->check_superblock(report, device_size));
    volume->m_cache = TRY(BlockCache::create(backend, volume->m_block_size, cache_capacity(volume->m_block_size)));
    Superblock const& super = volume->m_super;
    volume->m_checksum_seed
        = checksum_seed(super.s_uuid, volume->m_incompat & kIncompatCsumSeed, super.s_checksum_seed);

    auto root = TRY(volume->read_inode(kRootIno));
    if ((root.mode & kModeTypeMask) != kModeDirectory || root.links == 0) return Errno(EUCLEAN);
    return volume;
}

// Linux's ext4_fill_super checks, in spirit: every value later arithmetic
// relies on is bounded here, once.
Result<void> Volume::check_superblock(OpenReport& report, u64 device_size)
{
    auto refuse = [&](char const* problem) {
        report.problem = problem;
        return Errno(EINVAL);
    };
    Superblock const& s = m_super;
    if (s.s_magic != kMagic) return refuse("bad magic number (not ext2/ext3/ext4)");
    if (s.s_rev_level > 1) return refuse("revision level too high");
    if (s.s_log_block_size > kMaxLogBlockSize) return refuse("invalid block size");
    m_block_shift = 10 + s.s_log_block_size;
    m_block_size = usize(1) << m_block_shift;

    if (s.s_rev_level >= 1) {
        m_compat = s.s_feature_compat;
        m_incompat = s.s_feature_incompat;
        m_ro_compat = s.s_feature_ro_compat;
    }
    struct Feature {
        u32 bit;
        char const* name;
    };
    static constexpr Feature kRefused[] = {
        { kIncompatCompression, "compression" },
        { kIncompatJournalDev, "journal_dev" },
        { kIncompatDirData, "dirdata" },
        { kIncompatInlineData, "inline_data" },
        { kIncompatEncrypt, "encrypt" },
        { kIncompatCasefold, "casefold" },
    };
    for (auto const& feature : kRefused) {
        if (m_incompat & feature.bit) {
            report.refused_feature = feature.name;
            return refuse("unsupported optional feature");
        }
    }
    constexpr u32 kSupported = kIncompatFiletype | kIncompatRecover | kIncompatMetaBg | kIncompatExtents
        | kIncompat64Bit | kIncompatMmp | kIncompatFlexBg | kIncompatEaInode | kIncompatCsumSeed | kIncompatLargeDir;
    if (m_incompat & ~kSupported) {
        report.unknown_incompat = m_incompat & ~kSupported;
        report.refused_feature = "unknown incompat bits";
        return refuse("unsupported optional feature");
    }
    report.needs_recovery = m_incompat & kIncompatRecover;

    if (s.s_rev_level == 0) {
        m_inode_size = kGoodOldInodeSize;
    } else {
        m_inode_size = s.s_inode_size;
        if (m_inode_size < kGoodOldInodeSize || m_inode_size > m_block_size || !is_power_of_two(m_inode_size))
            return refuse("unsupported inode size");
        if (s.s_first_ino < kGoodOldFirstIno) return refuse("invalid first inode");
    }
    if (m_incompat & kIncompat64Bit) {
        m_desc_size = s.s_desc_size;
        if (m_desc_size < kMinDescSize64Bit || m_desc_size > kMaxDescSize || !is_power_of_two(m_desc_size))
            return refuse("unsupported descriptor size");
    } else {
        m_desc_size = kMinDescSize;
    }
    if (m_desc_size > m_block_size) return refuse("descriptor larger than a block");

    m_block_count = s.s_blocks_count_lo;
    if (m_incompat & kIncompat64Bit) m_block_count |= u64(s.s_blocks_count_hi) << 32;
    m_first_data_block = s.s_first_data_block;
    m_blocks_per_group = s.s_blocks_per_group;
    m_inodes_per_group = s.s_inodes_per_group;
    m_inodes_count = s.s_inodes_count;
    u64 const bits_per_block = u64(m_block_size) * 8;
    // With bigalloc a group's bitmap counts clusters, so a group spans more blocks.
    u64 const cluster_ratio = (m_ro_compat & kRoCompatBigalloc) && s.s_log_cluster_size >= s.s_log_block_size
            && s.s_log_cluster_size - s.s_log_block_size < 16
        ? u64(1) << (s.s_log_cluster_size - s.s_log_block_size)
        : 1;
    if (m_blocks_per_group == 0 || m_blocks_per_group > bits_per_block * cluster_ratio)
        return refuse("invalid blocks per group");
    if (m_inodes_per_group == 0 || m_inodes_per_group > bits_per_block
        || m_inodes_per_group < m_block_size / m_inode_size)
        return refuse("invalid inodes per group");
    if (m_block_count == 0 || m_first_data_block >= m_block_count) return refuse("invalid block count");
    if (m_block_count > device_size >> m_block_shift) return refuse("block count exceeds size of device");

    u64 const groups = (m_block_count - m_first_data_block + m_blocks_per_group - 1) / m_blocks_per_group;
    if (groups == 0 || groups > 0xffffffffull) return refuse("invalid group count");
    if (groups * m_inodes_per_group != m_inodes_count) return refuse("inode count does not match the groups");
    m_group_count = u32(groups);

    u64 const descriptors_per_block = m_block_size / m_desc_size;
    u64 const gdt_blocks = (groups + descriptors_per_block - 1) / descriptors_per_block;
    if (!(m_incompat & kIncompatMetaBg) || s.s_first_meta_bg > gdt_blocks) {
        u64 const gdt_start = kSuperblockOffset / m_block_size + 1;
        if (gdt_start + gdt_blocks > m_block_count) return refuse("group descriptors past the end");
    }
    return {};
}

bool Volume::group_has_superblock(u64 group) const
{
    if (group == 0) return true;
    if (m_compat & kCompatSparseSuper2) return group == m_super.s_backup_bgs[0] || group == m_super.s_backup_bgs[1];
    if (group <= 1 || !(m_ro_compat & kRoCompatSparseSuper)) return true;
    if (!(group & 1)) return false;
    static constexpr u64 kBases[] = { 3, 5, 7 };
    for (u64 base : kBases) {
        u64 power = base;
        while (power < group) power *= base;
        if (power == group) return true;
    }
    return false;
}

// The block holding group `group`'s descriptor (Linux's descriptor_loc).
u64 Volume::descriptor_location(u32 group) const
{
    u32 const per_block = u32(m_block_size / m_desc_size);
    u32 const gdt_block_index = group / per_block;
    u64 const superblock_block = kSuperblockOffset / m_block_size;
    if (!(m_incompat & kIncompatMetaBg) || gdt_block_index < m_super.s_first_meta_bg)
        return superblock_block + 1 + gdt_block_index;
    // META_BG: each meta group's descriptors sit in its first group,
    // after that group's superblock backup if it has one.
    u64 const first_group = u64(gdt_block_index) * per_block;
    u64 has_super = group_has_superblock(first_group) ? 1 : 0;
    if (m_block_size == 1024 && gdt_block_index == 0 && m_first_data_block == 0) has_super++;
    return m_first_data_block + first_group * m_blocks_per_group + has_super;
}

Result<Volume::BlockSlot> Volume::descriptor(u32 group)
{
    if (group >= m_group_count) return Errno(EUCLEAN);
    u64 const block = descriptor_location(group);
    if (block >= m_block_count) return Errno(EUCLEAN);
    u32 const per_block = u32(m_block_size / m_desc_size);
    return BlockSlot { TRY(m_cache->get(block)), (group % per_block) * m_desc_size };
}

// Where group `group`'s inode table starts (ext4_inode_table), checked to
// lie inside the disk.
Result<Volume::InodeTable> Volume::inode_table(u32 group)
{
    auto slot = TRY(descriptor(group));
    DescriptorView const descriptor(slot.handle.data() + slot.offset, m_desc_size >= kMinDescSize64Bit);
    u64 const table = descriptor.inode_table();
    u64 const table_blocks = (u64(m_inodes_per_group) * m_inode_size + m_block_size - 1) / m_block_size;
    if (table == 0 || !valid_range(table, table_blocks)) return Errno(EUCLEAN);
    return InodeTable { table, table_blocks };
}

// The cached block holding inode `ino`'s slot, and the slot's offset in it.
Result<Volume::BlockSlot> Volume::inode_slot(u32 ino)
{
    if (ino == 0 || ino > m_inodes_count) return Errno(EUCLEAN);
    u32 const group = (ino - 1) / m_inodes_per_group;
    u64 const index = (ino - 1) % m_inodes_per_group;
    auto const table = TRY(inode_table(group));
    u64 const byte = index * m_inode_size;
    // Read-ahead through the rest of the group's table, as Linux's
    // inode_readahead_blks (32 blocks by default; the cache clips it to one
    // request): `ls -l` or a walk of a big directory stats inodes that
    // sit next to each other.
    u64 const block_index = byte >> m_block_shift;
    auto handle = TRY(m_cache->get(table.first + block_index, table.blocks - block_index));
    return BlockSlot { static_cast<BlockHandle&&>(handle), usize(byte & (m_block_size - 1)) };
}

Result<InodeData> Volume::read_inode(u32 ino)
{
    auto slot = TRY(inode_slot(ino));
    DiskInode raw {};
    __builtin_memcpy(&raw, slot.handle.data() + slot.offset, lib::min(usize(m_inode_size), sizeof(raw)));

    // The fields past the good old 128 bytes exist up to 128 + i_extra_isize.
    usize extra = 0;
    if (m_inode_size > kGoodOldInodeSize) {
        extra = raw.i_extra_isize;
        if (kGoodOldInodeSize + extra > m_inode_size || (extra & 3)) return Errno(EUCLEAN);
    }
    auto has
        = [&](usize field_offset, usize field_size) { return field_offset + field_size <= kGoodOldInodeSize + extra; };

    InodeData inode;
    inode.ino = ino;
    inode.mode = raw.i_mode;
    if (inode.mode == 0) return Errno(EUCLEAN); // a free inode named by a directory
    inode.uid = raw.i_uid | u32(raw.l_i_uid_high) << 16;
    inode.gid = raw.i_gid | u32(raw.l_i_gid_high) << 16;
    inode.links = raw.i_links_count;
    inode.flags = raw.i_flags;
    u32 const type = inode.mode & kModeTypeMask;
    inode.size = raw.i_size_lo;
    if (type == kModeRegular || (m_incompat & kIncompatLargeDir)) inode.size |= u64(raw.i_size_high) << 32;
    if (inode.size > max_file_size(m_block_size)) return Errno(EUCLEAN);
    inode.blocks = raw.i_blocks_lo;
    if (m_ro_compat & kRoCompatHugeFile) {
        inode.blocks |= u64(raw.l_i_blocks_high) << 32;
        if (inode.flags & kHugeFileFlag) inode.blocks <<= m_block_shift - 9;
    }
    inode.atime = decode_time(raw.i_atime, has(__builtin_offsetof(DiskInode, i_atime_extra), 4), raw.i_atime_extra);
    inode.mtime = decode_time(raw.i_mtime, has(__builtin_offsetof(DiskInode, i_mtime_extra), 4), raw.i_mtime_extra);
    inode.ctime = decode_time(raw.i_ctime, has(__builtin_offsetof(DiskInode, i_ctime_extra), 4), raw.i_ctime_extra);
    inode.generation = raw.i_generation;
    __builtin_memcpy(inode.block, raw.i_block, sizeof(inode.block));
    if (type == kModeCharacter || type == kModeBlock) inode.rdev = decode_device(inode.block);
    // Inline data needs the feature we refuse; an inode claiming it is corrupt.
    if (inode.flags & kInlineDataFlag) return Errno(EUCLEAN);
    return inode;
}

Result<Volume::Mapping> Volume::map(InodeData const& inode, u64 logical)
{
    if (logical >= (u64(1) << 32)) return Mapping { 0, 1, false };
    if (inode.flags & kExtentsFlag) return map_extent(inode, logical);
    return map_indirect(inode, logical);
}

// The extent tree: the root node in i_block, index nodes and leaves in
// blocks. Each level's depth must be one less than its parent's, so a walk
// takes at most kMaxExtentDepth steps down, whatever the blocks point at.
Result<Volume::Mapping> Volume::map_extent(InodeData const& inode, u64 logical)
{
    BlockHandle handle;
    u8 const* node = reinterpret_cast<u8 const*>(inode.block);
    usize node_size = kInlineBytes;
    u64 upper = u64(1) << 32; // the first logical block past this subtree
    int expected_depth = -1;
    for (;;) {
        auto const& header = at<ExtentHeader>(node, 0);
        usize const capacity = (node_size - sizeof(ExtentHeader)) / sizeof(Extent);
        if (header.eh_magic != kExtentMagic || header.eh_entries > header.eh_max || header.eh_max > capacity
            || header.eh_depth > kMaxExtentDepth)
            return Errno(EUCLEAN);
        if (expected_depth >= 0 && header.eh_depth != expected_depth) return Errno(EUCLEAN);
        usize const entries = header.eh_entries;

        if (header.eh_depth == 0) {
            u64 next_start = upper;
            for (usize i = 0; i < entries; i++) {
                auto const& extent = at<Extent>(node, sizeof(ExtentHeader) + i * sizeof(Extent));
                bool const uninitialized = extent.ee_len > kInitializedExtentMax;
                u64 const length = uninitialized ? extent.ee_len - kInitializedExtentMax : extent.ee_len;
                u64 const start = extent.ee_block;
                if (length == 0) return Errno(EUCLEAN);
                if (logical >= start && logical - start < length) {
                    u64 const physical = (u64(extent.ee_start_hi) << 32 | extent.ee_start_lo);
                    if (!valid_range(physical, length)) return Errno(EUCLEAN);
                    u64 const into = logical - start;
                    return Mapping { physical + into, length - into, uninitialized };
                }
                if (start > logical && start < next_start) next_start = start;
            }
            return Mapping { 0, next_start > logical ? next_start - logical : 1, false };
        }

        // The last index starting at or before `logical` covers it.
        usize chosen = entries;
        for (usize i = 0; i < entries; i++) {
            auto const& index = at<ExtentIndex>(node, sizeof(ExtentHeader) + i * sizeof(ExtentIndex));
            if (index.ei_block > logical) {
                if (index.ei_block < upper) upper = index.ei_block;
                break;
            }
            chosen = i;
        }
        if (chosen == entries) return Mapping { 0, upper > logical ? upper - logical : 1, false };
        auto const& index = at<ExtentIndex>(node, sizeof(ExtentHeader) + chosen * sizeof(ExtentIndex));
        u64 const child = u64(index.ei_leaf_hi) << 32 | index.ei_leaf_lo;
        if (!valid_range(child, 1)) return Errno(EUCLEAN);
        expected_depth = header.eh_depth - 1;
        BlockHandle next = TRY(m_cache->get(child));
        handle = static_cast<BlockHandle&&>(next); // `node` pointed into the old block until now
        node = handle.data();
        node_size = m_block_size;
    }
}

// ext2/ext3 block maps: 12 direct pointers, then single, double and triple
// indirect blocks of 32-bit pointers. A 0 pointer is a hole.
Result<Volume::Mapping> Volume::map_indirect(InodeData const& inode, u64 logical)
{
    u64 const per_block_shift = m_block_shift - 2;
    u64 const per_block = u64(1) << per_block_shift;
    // A run of consecutive pointers to consecutive blocks is one mapping
    // (for read-ahead): the map has no extents, but mke2fs and the ext2/3
    // allocators lay files out contiguously where they can.
    auto run_from = [&](u32 const* pointers, usize slot, usize slots) -> Result<Mapping> {
        u64 const block = pointers[slot];
        if (block == 0) return Mapping { 0, 1, false };
        if (!valid_range(block, 1)) return Errno(EUCLEAN);
        // The run stops at the disk's end: a bad pointer further on fails
        // only the read that reaches it, as without runs.
        u64 count = 1;
        while (slot + count < slots && pointers[slot + count] == block + count && valid_range(block, count + 1))
            count++;
        return Mapping { block, count, false };
    };
    if (logical < kDirectBlocks) return run_from(inode.block, usize(logical), kDirectBlocks);
    u64 rest = logical - kDirectBlocks;
    unsigned levels = 0;
    usize root = 0;
    for (unsigned level = 1; level <= 3; level++) {
        u64 const span = u64(1) << (per_block_shift * level);
        if (rest < span) {
            levels = level;
            root = kSingleIndirect + level - 1;
            break;
        }
        rest -= span;
    }
    if (!levels) return Mapping { 0, 1, false }; // past what the map can address
    u64 pointer = inode.block[root];
    for (unsigned level = levels;; level--) {
        if (pointer == 0) {
            // A missing indirect block: the whole subtree below is a hole.
            u64 const span = u64(1) << (per_block_shift * level);
            return Mapping { 0, span - (rest & (span - 1)), false };
        }
        if (!valid_range(pointer, 1)) return Errno(EUCLEAN);
        auto handle = TRY(m_cache->get(pointer));
        u64 const slot = (rest >> (per_block_shift * (level - 1))) & (per_block - 1);
        auto const* pointers = reinterpret_cast<u32 const*>(handle.data());
        if (level == 1) return run_from(pointers, usize(slot), usize(per_block));
        pointer = pointers[slot];
    }
}

Result<usize> Volume::read(InodeData const& inode, u64 offset, usize length, DataSink& sink)
{
    if (offset >= inode.size) return usize(0);
    length = usize(lib::min(u64(length), inode.size - offset));
    usize done = 0;
    while (done < length) {
        u64 const position = offset + done;
        u64 const logical = position >> m_block_shift;
        usize const in_block = usize(position & (m_block_size - 1));
        Mapping const mapping = TRY(map(inode, logical));
        // One mapping covers `count` blocks; cap it so the byte count cannot overflow.
        u64 const run_blocks = lib::min(mapping.count, u64(1) << 20);
        usize const run = usize(lib::min(u64(length - done), (run_blocks << m_block_shift) - in_block));
        if (mapping.physical == 0 || mapping.zero) {
            TRY(sink.zero(done, run));
            done += run;
            continue;
        }
        // Read-ahead: the rest of this physical run, up to the file's last
        // block (the cache clips it to one request). Only the blocks of a
        // mapping: past it the next block is elsewhere on the disk, or a hole.
        u64 const last_logical = (inode.size - 1) >> m_block_shift;
        u64 const ahead_end = lib::min(mapping.count, last_logical - logical + 1);
        usize copied = 0;
        for (u64 i = 0; copied < run; i++) {
            auto handle = TRY(m_cache->get(mapping.physical + i, ahead_end - i));
            usize const skip = i == 0 ? in_block : 0;
            usize const chunk = lib::min(run - copied, m_block_size - skip);
            TRY(sink.write(done + copied, handle.data() + skip, chunk));
            copied += chunk;
        }
        done += run;
    }
    return done;
}

Result<usize> Volume::read_link(InodeData const& inode, char* buffer, usize size)
{
    if ((inode.mode & kModeTypeMask) != kModeSymlink) return Errno(EINVAL);
    // Linux's ext4_inode_is_fast_symlink: a short target lives in i_block.
    bool const fast = inode.size < kInlineBytes && !(inode.flags & (kExtentsFlag | kInlineDataFlag));
    if (fast) {
        usize const n = usize(lib::min(u64(size), inode.size));
        __builtin_memcpy(buffer, inode.block, n);
        return n;
    }
    if (inode.size > m_block_size) return Errno(EUCLEAN); // a target fits one block
    BufferSink sink(reinterpret_cast<u8*>(buffer));
    return read(inode, 0, usize(lib::min(u64(size), inode.size)), sink);
}

Result<u64> Volume::read_directory(
    InodeData const& dir, u64 start, bool (*f)(DirectoryRecord const&, void*), void* context)
{
    if ((dir.mode & kModeTypeMask) != kModeDirectory) return Errno(ENOTDIR);
    u64 const blocks = (dir.size + m_block_size - 1) >> m_block_shift;
    for (u64 b = start >> m_block_shift; b < blocks; b++) {
        Mapping const mapping = TRY(map(dir, b));
        if (mapping.physical == 0 || mapping.zero) {
            b += lib::min(mapping.count, blocks - b) - 1; // a hole holds no entries
            continue;
        }
        // Read-ahead: the rest of this run of the directory.
        auto handle = TRY(m_cache->get(mapping.physical, lib::min(mapping.count, blocks - b)));
        u8 const* data = handle.data();
        usize offset = 0;
        while (offset < m_block_size) {
            if (m_block_size - offset < sizeof(DirEntry)) return Errno(EUCLEAN);
            auto const& entry = at<DirEntry>(data, offset);
            usize rec_len = entry.rec_len;
            // 64 KiB blocks need 17 bits: Linux's ext4_rec_len_from_disk.
            if (m_block_size == 65536)
                rec_len = (rec_len == 65535 || rec_len == 0) ? 65536 : (rec_len & 65532) | ((rec_len & 3) << 16);
            usize const name_len = has_filetype() ? entry.name_len : (entry.name_len | usize(entry.file_type) << 8);
            // Linux's __ext4_check_dir_entry.
            if (rec_len < dir_rec_len(1) || (rec_len & 3) || rec_len > m_block_size - offset
                || rec_len < dir_rec_len(name_len) || name_len > kNameMax || entry.inode > m_inodes_count)
                return Errno(EUCLEAN);
            u64 const position = (b << m_block_shift) + offset;
            if (entry.inode != 0 && position >= start) {
                if (name_len == 0) return Errno(EUCLEAN);
                DirectoryRecord record { StringView(entry.name, name_len), entry.inode,
                    has_filetype() ? entry.file_type : u8(kFileTypeUnknown), position, position + rec_len };
                if (!f(record, context)) return position;
            }
            offset += rec_len;
        }
    }
    return blocks << m_block_shift;
}

Result<u32> Volume::lookup(InodeData const& dir, StringView name)
{
    struct Search {
        StringView name;
        u32 found;
    } search { name, 0 };
    TRY(read_directory(
        dir, 0,
        [](DirectoryRecord const& record, void* context) {
            auto& s = *static_cast<Search*>(context);
            if (record.name != s.name) return true;
            s.found = record.ino;
            return false;
        },
        &search));
    if (!search.found) return Errno(ENOENT);
    return search.found;
}

// ---- Writing: opening for it, checksums, inodes, the superblock.

namespace {

constexpr usize kDescriptorChecksumOffset = __builtin_offsetof(GroupDescriptor, bg_checksum);
constexpr usize kInodeChecksumLo = __builtin_offsetof(DiskInode, l_i_checksum_lo);
constexpr usize kInodeChecksumHi = __builtin_offsetof(DiskInode, i_checksum_hi);
constexpr usize kSuperblockChecksumOffset = __builtin_offsetof(Superblock, s_checksum);

// Linux's ext4_encode_extra_time: the seconds' bits 32-33 and the
// nanoseconds, in i_*time_extra.
u32 encode_extra_time(Time t) { return (u32((t.sec - i64(i32(t.sec))) >> 32) & 3) | t.nsec << 2; }

template<typename T> T& at_mut(u8* data, usize offset) { return *reinterpret_cast<T*>(data + offset); }

struct Feature {
    u32 bit;
    char const* name;
};

// What the writer refuses (Linux refuses most of these read-write too).
constexpr Feature kUnwritableRoCompat[] = {
    { kRoCompatBtreeDir, "btree_dir" },
    { kRoCompatHasSnapshot, "snapshot" },
    { kRoCompatQuota, "quota" }, // the quota inodes would go stale
    { kRoCompatBigalloc, "bigalloc" },
    { kRoCompatReplica, "replica" },
    { kRoCompatReadonly, "readonly" },
    { kRoCompatProject, "project" }, // project quota
    { kRoCompatSharedBlocks, "shared_blocks" },
    { kRoCompatVerity, "verity" },
    { kRoCompatOrphanPresent, "orphan_present" },
};
constexpr u32 kWritableRoCompat = kRoCompatSparseSuper | kRoCompatLargeFile | kRoCompatHugeFile | kRoCompatGdtCsum
    | kRoCompatDirNlink | kRoCompatExtraIsize | kRoCompatMetadataCsum;
constexpr Feature kUnwritableIncompat[] = {
    { kIncompatRecover, "needs_recovery" }, // the journal was not replayed
    { kIncompatMmp, "mmp" }, // another host may have it open
    { kIncompatEaInode, "ea_inode" }, // freeing an inode would have to drop its EA inodes
};
constexpr Feature kUnwritableCompat[] = {
    { kCompatOrphanFile, "orphan_file" },
};

} // namespace

u16 Volume::descriptor_checksum(u32 group, u8 const* raw) const
{
    u16 const zero = 0;
    if (has_metadata_csum()) {
        // ext4_group_desc_csum: crc32c over the group number and the whole
        // descriptor with bg_checksum zeroed; the low 16 bits.
        u32 crc = crc32c_u32(m_checksum_seed, group);
        crc = crc32c(crc, raw, kDescriptorChecksumOffset);
        crc = crc32c(crc, &zero, sizeof(zero));
        usize const rest = kDescriptorChecksumOffset + sizeof(zero);
        if (m_desc_size > rest) crc = crc32c(crc, raw + rest, m_desc_size - rest);
        return u16(crc);
    }
    // gdt_csum: crc16 over the uuid, the group and the descriptor without
    // bg_checksum (the rest of a wide descriptor only with 64bit).
    u16 crc = crc16(0xffff, m_super.s_uuid, sizeof(m_super.s_uuid));
    crc = crc16(crc, &group, sizeof(group));
    crc = crc16(crc, raw, kDescriptorChecksumOffset);
    usize const rest = kDescriptorChecksumOffset + sizeof(zero);
    if ((m_incompat & kIncompat64Bit) && m_desc_size > rest) crc = crc16(crc, raw + rest, m_desc_size - rest);
    return crc;
}

void Volume::seal_descriptor(u32 group, u8* raw) const
{
    if (has_group_csum()) at_mut<GroupDescriptor>(raw, 0).bg_checksum = descriptor_checksum(group, raw);
}

// ext4_inode_csum: crc32c seeded with the volume's seed, the inode number
// and its generation, over the whole s_inode_size slot with the checksum
// fields zeroed. The high half exists only where i_extra_isize covers it.
u32 Volume::inode_checksum(u32 ino, u8 const* slot) const
{
    u16 const zero = 0;
    u32 const generation = at<DiskInode>(slot, 0).i_generation;
    u32 crc = crc32c_u32(crc32c_u32(m_checksum_seed, ino), generation);
    crc = crc32c(crc, slot, kInodeChecksumLo);
    crc = crc32c(crc, &zero, sizeof(zero));
    crc = crc32c(crc, slot + kInodeChecksumLo + 2, kGoodOldInodeSize - kInodeChecksumLo - 2);
    if (m_inode_size > kGoodOldInodeSize) {
        crc = crc32c(crc, slot + kGoodOldInodeSize, kInodeChecksumHi - kGoodOldInodeSize);
        usize offset = kInodeChecksumHi;
        if (kGoodOldInodeSize + usize(at<DiskInode>(slot, 0).i_extra_isize) >= kInodeChecksumHi + 2) {
            crc = crc32c(crc, &zero, sizeof(zero));
            offset += 2;
        }
        crc = crc32c(crc, slot + offset, m_inode_size - offset);
    }
    return crc;
}

void Volume::seal_inode(u32 ino, u8* slot) const
{
    if (!has_metadata_csum()) return;
    u32 const crc = inode_checksum(ino, slot);
    auto& raw = at_mut<DiskInode>(slot, 0);
    raw.l_i_checksum_lo = u16(crc);
    if (m_inode_size > kGoodOldInodeSize && kGoodOldInodeSize + usize(raw.i_extra_isize) >= kInodeChecksumHi + 2)
        raw.i_checksum_hi = u16(crc >> 16);
}

namespace {

// The journal as journal::recover reads it: the journal inode's blocks,
// through the volume's cache like every other block.
class JournalBlocks final : public journal::Device {
public:
    JournalBlocks(Volume& volume, InodeData const& inode) : m_volume(volume), m_inode(inode) { }

    Result<void> read_journal(u64 index, u8* block) override {
        auto handle = TRY(m_volume.cache().get(TRY(physical(index))));
        __builtin_memcpy(block, handle.data(), m_volume.block_size());
        return {};
    }
    Result<void> write_journal(u64 index, u8 const* block) override {
        auto handle = TRY(m_volume.cache().get(TRY(physical(index))));
        __builtin_memcpy(handle.mutable_data(), block, m_volume.block_size());
        return {};
    }
    Result<void> write_home(u64 block, u8 const* data) override {
        // The whole block is replaced: no need to read it first.
        auto handle = TRY(m_volume.cache().get_zeroed(block));
        __builtin_memcpy(handle.mutable_data(), data, m_volume.block_size());
        return {};
    }

private:
    Result<u64> physical(u64 index) {
        auto mapping = TRY(m_volume.map(m_inode, index));
        if (mapping.physical == 0 || mapping.zero) return Errno(EUCLEAN); // a journal has no holes
        return mapping.physical;
    }
    Volume& m_volume;
    InodeData const& m_inode;
};

} // namespace

Result<void> Volume::replay_journal(OpenReport& report)
{
    auto refuse = [&](char const* why) {
        report.refused_feature = why;
        return Errno(EROFS);
    };
    if (!(m_compat & kCompatHasJournal) || m_super.s_journal_inum == 0)
        return refuse("needs_recovery without a journal");
    if (m_super.s_journal_dev) return refuse("needs_recovery (an external journal)");
    auto const inode = TRY(read_inode(m_super.s_journal_inum));
    if ((inode.mode & kModeTypeMask) != kModeRegular) {
        report.problem = "the journal inode is not a regular file";
        return Errno(EUCLEAN);
    }
    JournalBlocks blocks(*this, inode);
    auto replayed = journal::recover(blocks, u32(m_block_size), m_block_count, inode.size / m_block_size, report.journal);
    if (replayed.is_error()) {
        if (replayed.error().code() == ENOTSUP) return refuse(report.journal.problem);
        if (report.journal.problem) report.problem = report.journal.problem;
        return replayed.error();
    }
    return m_cache->sync();
}

Result<void> Volume::recover_journal(BlockBackend& backend, OpenReport& report)
{
    {
        auto volume = TRY(open(backend, report));
        if (!(volume->m_incompat & kIncompatRecover)) return {};
        TRY(volume->replay_journal(report));
    }
    // The log may have held the superblock itself: read it again, then say
    // the journal needs nothing more.
    auto volume = TRY(open(backend, report));
    volume->m_super.s_feature_incompat &= ~kIncompatRecover;
    volume->m_incompat &= ~kIncompatRecover;
    report.needs_recovery = false;
    TRY(volume->write_superblock());
    return volume->m_cache->sync();
}

Result<OwnPtr<Volume>> Volume::open_writable(BlockBackend& backend, OpenReport& report, Time now)
{
    TRY(recover_journal(backend, report));
    auto volume = TRY(open(backend, report));
    TRY(volume->prepare_writing(report, now));
    return volume;
}

// Refuses what cannot be kept consistent, checks what every write will rely
// on (the superblock's and the descriptors' checksums, the descriptors'
// bitmaps and tables), counts the free blocks and inodes from the
// descriptors (as Linux's mount: the superblock's counts are only a hint),
// and marks the file system in use on the disk before anything else is
// written.
Result<void> Volume::prepare_writing(OpenReport& report, Time now)
{
    auto refuse = [&](char const* feature) {
        report.refused_feature = feature;
        return Errno(EROFS);
    };
    for (auto const& feature : kUnwritableIncompat)
        if (m_incompat & feature.bit) return refuse(feature.name);
    for (auto const& feature : kUnwritableCompat)
        if (m_compat & feature.bit) return refuse(feature.name);
    for (auto const& feature : kUnwritableRoCompat)
        if (m_ro_compat & feature.bit) return refuse(feature.name);
    if (m_ro_compat & ~kWritableRoCompat) return refuse("unknown ro_compat bits");
    if (has_metadata_csum() && m_super.s_checksum_type != kChecksumTypeCrc32c) return refuse("checksum type");

    auto corrupt = [&](char const* problem) {
        report.problem = problem;
        return Errno(EUCLEAN);
    };
    if (has_metadata_csum()
        && m_super.s_checksum != crc32c(~0u, &m_super, kSuperblockChecksumOffset))
        return corrupt("superblock checksum");

    // Linux's ext4_check_descriptors.
    bool const wide = m_desc_size >= kMinDescSize64Bit;
    u64 const table_blocks = (u64(m_inodes_per_group) * m_inode_size + m_block_size - 1) / m_block_size;
    u64 free_blocks = 0;
    u64 free_inodes = 0;
    for (u32 group = 0; group < m_group_count; group++) {
        auto slot = TRY(descriptor(group));
        u8 const* raw = slot.handle.data() + slot.offset;
        DescriptorView const view(raw, wide);
        if (has_group_csum() && at<GroupDescriptor>(raw, 0).bg_checksum != descriptor_checksum(group, raw))
            return corrupt("group descriptor checksum");
        // Without flex_bg a group's metadata lives in the group itself.
        u64 const low = (m_incompat & kIncompatFlexBg) ? m_first_data_block : group_first_block(group);
        u64 const high = (m_incompat & kIncompatFlexBg) ? m_block_count : low + blocks_in_group(group);
        auto inside = [&](u64 block, u64 count) { return block >= low && block < high && count <= high - block; };
        if (!inside(view.block_bitmap(), 1) || !inside(view.inode_bitmap(), 1)
            || !inside(view.inode_table(), table_blocks))
            return corrupt("group metadata outside its range");
        if (view.free_blocks() > blocks_in_group(group) || view.free_inodes() > m_inodes_per_group
            || view.itable_unused() > m_inodes_per_group)
            return corrupt("group counts out of range");
        free_blocks += view.free_blocks();
        free_inodes += view.free_inodes();
    }
    m_super.s_free_blocks_count_lo = u32(free_blocks);
    if (m_incompat & kIncompat64Bit) m_super.s_free_blocks_count_hi = u32(free_blocks >> 32);
    m_super.s_free_inodes_count = u32(free_inodes);

    // An orphan list: checked now, processed once the disk says "in use".
    // A file system marked with errors has it dropped, as Linux's
    // ext4_orphan_cleanup ("Errors on filesystem, clearing orphan list"):
    // e2fsck is due anyway.
    bool const drop_orphans = m_super.s_state & kStateError;
    u32 orphans = 0;
    if (m_super.s_last_orphan && !drop_orphans) orphans = TRY(check_orphan_list(report));

    // Not cleanly unmounted until close(), as Linux does on a file system
    // without a journal (we write in place, unjournaled, whatever it has).
    m_state_at_open = m_super.s_state;
    m_super.s_state &= u16(~kStateValid);
    m_super.s_mnt_count++;
    if (now.sec) {
        m_super.s_mtime = u32(now.sec);
        m_super.s_mtime_hi = u8(u64(now.sec) >> 32);
        note_time(now);
    }
    m_generation = crc32c_u32(m_checksum_seed ^ m_super.s_mnt_count, u32(now.sec));
    m_written_at_sync = m_cache->written();
    m_writable = true;
    TRY(sync());
    if (!m_super.s_last_orphan) return {};
    if (drop_orphans)
        m_super.s_last_orphan = 0;
    else
        TRY(process_orphans(orphans, now));
    return sync();
}

// The superblock goes through the cache like any block (its block may hold
// the boot sector, or be block 0 with the descriptors after it).
Result<void> Volume::write_superblock()
{
    if (m_latest.sec) {
        m_super.s_wtime = u32(m_latest.sec);
        m_super.s_wtime_hi = u8(u64(m_latest.sec) >> 32);
    }
    u64 const written = m_cache->written();
    m_super.s_kbytes_written += ((written - m_written_at_sync) * m_block_size) >> 10;
    m_written_at_sync = written;
    if (has_metadata_csum()) m_super.s_checksum = crc32c(~0u, &m_super, kSuperblockChecksumOffset);
    auto handle = TRY(m_cache->get(kSuperblockOffset / m_block_size));
    __builtin_memcpy(handle.mutable_data() + kSuperblockOffset % m_block_size, &m_super, sizeof(m_super));
    return {};
}

Result<void> Volume::sync()
{
    if (!m_writable) return {};
    TRY(write_superblock());
    return m_cache->sync();
}

Result<void> Volume::close()
{
    if (!m_writable) return {};
    // Everything else reaches the disk first, with the superblock still
    // saying "not clean": a sync writes blocks in ascending order, so a
    // clean superblock in the same sync could land before a write that
    // then fails, and leave a "clean" but inconsistent disk. The second
    // sync writes only the superblock's block.
    TRY(sync());
    m_super.s_state = m_state_at_open;
    auto result = sync();
    if (result.is_error()) {
        m_super.s_state &= u16(~kStateValid);
        return result.error();
    }
    m_writable = false;
    return {};
}

// Read-modify-write of the slot: what InodeData does not model (dtime,
// crtime, the xattr block, the project id, in-inode xattrs) stays as it is.
Result<void> Volume::update_inode(InodeData const& inode)
{
    if (!m_writable) return Errno(EROFS);
    auto slot = TRY(inode_slot(inode.ino));
    u8 const* old = slot.handle.data() + slot.offset;
    // Do not bless a slot that changed behind our back with a checksum.
    if (at<DiskInode>(old, 0).i_mode != 0 && !inode_checksum_matches(inode.ino, old)) return Errno(EUCLEAN);
    return store_inode(inode, slot.handle.mutable_data() + slot.offset);
}

bool Volume::inode_checksum_matches(u32 ino, u8 const* slot) const
{
    if (!has_metadata_csum()) return true;
    auto const& raw = at<DiskInode>(slot, 0);
    usize const extra = m_inode_size > kGoodOldInodeSize ? raw.i_extra_isize : 0;
    u32 const want = inode_checksum(ino, slot);
    bool const has_hi = m_inode_size > kGoodOldInodeSize && kGoodOldInodeSize + extra >= kInodeChecksumHi + 2
        && kGoodOldInodeSize + extra <= m_inode_size;
    u32 const stored = raw.l_i_checksum_lo | (has_hi ? u32(raw.i_checksum_hi) << 16 : 0);
    return stored == (has_hi ? want : (want & 0xffff));
}

// ---- The orphan list (see volume.h).

namespace {

// Brent's cycle detection over a walk of inode numbers: revisits() is true
// once the walk has come back to a number it saw, within about twice the
// steps to the loop and around it. A number is saved at each power of two
// of steps; a loop returns to the saved one once the power passes its
// length.
class LoopCheck {
public:
    bool revisits(u32 ino)
    {
        if (ino == m_saved) return true;
        if (++m_steps == m_power) {
            m_saved = ino;
            m_power <<= 1;
            m_steps = 0;
        }
        return false;
    }

private:
    u32 m_saved { 0 };
    u64 m_power { 1 };
    u64 m_steps { 0 };
};

} // namespace

Result<u32> Volume::next_orphan(u32 ino)
{
    if (ino < first_ino() || ino > m_inodes_count) return Errno(EUCLEAN);
    auto slot = TRY(inode_slot(ino));
    return at<DiskInode>(slot.handle.data() + slot.offset, 0).i_dtime;
}

Result<void> Volume::set_next_orphan(u32 ino, u32 next)
{
    if (ino < first_ino() || ino > m_inodes_count) return Errno(EUCLEAN);
    auto slot = TRY(inode_slot(ino));
    if (!inode_checksum_matches(ino, slot.handle.data() + slot.offset)) return Errno(EUCLEAN);
    u8* bytes = slot.handle.mutable_data() + slot.offset;
    at_mut<DiskInode>(bytes, 0).i_dtime = next;
    seal_inode(ino, bytes);
    return {};
}

// Linux's ext4_orphan_add: at the head, the old head in i_dtime.
Result<void> Volume::add_orphan(InodeData const& inode)
{
    if (!m_writable) return Errno(EROFS);
    TRY(set_next_orphan(inode.ino, m_super.s_last_orphan));
    m_super.s_last_orphan = inode.ino;
    // Into the cached superblock block now, not at the next sync(): a
    // snapshot of the disk with the dirty blocks (the monitor's) shows the
    // list with the inode slots that carry it.
    return write_superblock();
}

// Linux's ext4_orphan_del keeps an in-memory list for the predecessor;
// we walk the one on the disk (short: the unlinked inodes still open). The
// walk goes to the end, so that a loop anywhere is found before the caller
// changes anything.
Result<Volume::OrphanPlace> Volume::find_orphan(u32 ino)
{
    OrphanPlace place { false, 0 };
    LoopCheck loop;
    u32 previous = 0;
    for (u32 current = m_super.s_last_orphan; current;) {
        if (loop.revisits(current)) return Errno(EUCLEAN);
        if (current == ino) place = OrphanPlace { true, previous };
        previous = current;
        current = TRY(next_orphan(current));
    }
    return place;
}

Result<void> Volume::take_off_orphan_list(u32 ino, OrphanPlace place)
{
    if (!m_writable) return Errno(EROFS);
    if (!place.listed) return {};
    u32 const next = TRY(next_orphan(ino));
    if (place.previous == 0) {
        m_super.s_last_orphan = next;
        return write_superblock(); // as add_orphan
    }
    return set_next_orphan(place.previous, next);
}

// Linux's ext4_orphan_get, for each inode on the list, before any of it is
// used: a number in range, an inode in use whose checksum is right; and no
// loop. Nothing is written.
Result<u32> Volume::check_orphan_list(OpenReport& report)
{
    auto corrupt = [&](char const* problem) {
        report.problem = problem;
        return Errno(EUCLEAN);
    };
    u32 count = 0;
    LoopCheck loop;
    for (u32 ino = m_super.s_last_orphan; ino;) {
        if (loop.revisits(ino)) return corrupt("orphan list loops");
        if (ino < first_ino() || ino > m_inodes_count) return corrupt("orphan list: inode number out of range");
        if (!TRY(inode_in_use(ino))) return corrupt("orphan list: inode not in use");
        auto inode = read_inode(ino);
        if (inode.is_error()) {
            if (inode.error().code() == EUCLEAN) return corrupt("orphan list: bad inode");
            return inode.error();
        }
        auto slot = TRY(inode_slot(ino));
        u8 const* bytes = slot.handle.data() + slot.offset;
        if (!inode_checksum_matches(ino, bytes)) return corrupt("orphan list: inode checksum");
        count++;
        ino = at<DiskInode>(bytes, 0).i_dtime;
    }
    return count;
}

// Linux's ext4_orphan_cleanup and ext4_process_orphan: from the head, an
// inode without links is released (which takes it off); one with links
// loses its blocks past i_size (Linux's ext4_truncate) and is taken off,
// its i_dtime cleared. Each step takes the head off, so `count` steps end it.
Result<void> Volume::process_orphans(u32 count, Time now)
{
    Time when = now;
    if (!when.sec) when.sec = i64(u64(m_super.s_wtime) | u64(m_super.s_wtime_hi) << 32);
    for (u32 done = 0; m_super.s_last_orphan; done++) {
        u32 const ino = m_super.s_last_orphan;
        if (done == count) return Errno(EUCLEAN);
        auto inode = TRY(read_inode(ino));
        if (inode.links == 0) {
            TRY(release(inode, when));
        } else {
            TRY(free_from(inode, (inode.size + m_block_size - 1) >> m_block_shift));
            TRY(zero_tail(inode, inode.size));
            TRY(update_inode(inode));
            TRY(take_off_orphan_list(ino, OrphanPlace { true, 0 }));
            TRY(set_next_orphan(ino, 0));
        }
        if (m_super.s_last_orphan == ino) return Errno(EUCLEAN);
    }
    return {};
}

Result<void> Volume::store_inode(InodeData const& inode, u8* slot)
{
    usize extra = 0;
    if (m_inode_size > kGoodOldInodeSize) {
        extra = at<DiskInode>(slot, 0).i_extra_isize;
        if (kGoodOldInodeSize + extra > m_inode_size || (extra & 3)) return Errno(EUCLEAN);
    }
    u64 blocks = inode.blocks;
    u32 flags = inode.flags & ~kHugeFileFlag;
    // Linux's ext4_inode_blocks_set.
    if (blocks > 0xffffffffull) {
        if (!(m_ro_compat & kRoCompatHugeFile)) return Errno(EFBIG);
        if (blocks > 0xffffffffffffull) {
            flags |= kHugeFileFlag;
            blocks >>= m_block_shift - 9;
        }
    }
    u32 const type = inode.mode & kModeTypeMask;
    if (type == kModeRegular && inode.size > 0x7fffffffull && !(m_ro_compat & kRoCompatLargeFile)) {
        // A file past 2 GiB needs LARGE_FILE (ext4_update_inode_size); a
        // revision 0 superblock has no features to set, write() refuses.
        if (m_super.s_rev_level == 0) return Errno(EFBIG);
        m_ro_compat |= kRoCompatLargeFile;
        m_super.s_feature_ro_compat |= kRoCompatLargeFile;
    }

    auto& raw = at_mut<DiskInode>(slot, 0);
    raw.i_mode = u16(inode.mode);
    raw.i_uid = u16(inode.uid);
    raw.l_i_uid_high = u16(inode.uid >> 16);
    raw.i_gid = u16(inode.gid);
    raw.l_i_gid_high = u16(inode.gid >> 16);
    raw.i_links_count = u16(inode.links);
    raw.i_flags = flags;
    raw.i_size_lo = u32(inode.size);
    raw.i_size_high = u32(inode.size >> 32);
    raw.i_blocks_lo = u32(blocks);
    raw.l_i_blocks_high = u16(blocks >> 32);
    raw.i_generation = inode.generation;
    __builtin_memcpy(raw.i_block, inode.block, sizeof(raw.i_block));
    raw.i_atime = u32(inode.atime.sec);
    raw.i_mtime = u32(inode.mtime.sec);
    raw.i_ctime = u32(inode.ctime.sec);
    // The extra fields exist up to 128 + i_extra_isize.
    auto has = [&](usize field_offset) { return field_offset + 4 <= kGoodOldInodeSize + extra; };
    if (has(__builtin_offsetof(DiskInode, i_ctime_extra))) raw.i_ctime_extra = encode_extra_time(inode.ctime);
    if (has(__builtin_offsetof(DiskInode, i_mtime_extra))) raw.i_mtime_extra = encode_extra_time(inode.mtime);
    if (has(__builtin_offsetof(DiskInode, i_atime_extra))) raw.i_atime_extra = encode_extra_time(inode.atime);
    seal_inode(inode.ino, slot);
    return {};
}

} // namespace ext4
