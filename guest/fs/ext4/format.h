// The ext2/ext3/ext4 on-disk format: the structures and constants of
// Linux's fs/ext4/ext4.h, ext4_extents.h and Documentation/filesystems/ext4,
// for the parts this driver reads and writes. Everything on disk is little-endian, as
// is x86-64, so the structures are read in place from cache blocks; they
// are packed, so any offset is fine.
//
// The image is untrusted: nothing here checks anything; the reader
// (volume.h) validates every field before it uses it.
//
// Linux's names for the feature bits are kept in the comments, so that a
// grep for the Linux name finds ours.
#pragma once

#include <lib/types.h>

namespace ext4 {

inline constexpr u64 kSuperblockOffset = 1024;
inline constexpr u16 kMagic = 0xef53;
inline constexpr u32 kRootIno = 2;
inline constexpr u32 kGoodOldFirstIno = 11;
inline constexpr u16 kGoodOldInodeSize = 128;
inline constexpr u32 kMaxLogBlockSize = 6; // 1024 << 6 = 64 KiB, Linux's EXT4_MAX_BLOCK_LOG_SIZE - 10

// s_feature_compat
inline constexpr u32 kCompatDirPrealloc = 0x1;
inline constexpr u32 kCompatImagicInodes = 0x2;
inline constexpr u32 kCompatHasJournal = 0x4;
inline constexpr u32 kCompatExtAttr = 0x8;
inline constexpr u32 kCompatResizeInode = 0x10;
inline constexpr u32 kCompatDirIndex = 0x20;
inline constexpr u32 kCompatSparseSuper2 = 0x200;
inline constexpr u32 kCompatFastCommit = 0x400;
inline constexpr u32 kCompatStableInodes = 0x800;
inline constexpr u32 kCompatOrphanFile = 0x1000;

// s_feature_ro_compat (any of them is fine for the reader; the writer
// refuses what it cannot keep consistent, see Volume::open_writable)
inline constexpr u32 kRoCompatSparseSuper = 0x1;
inline constexpr u32 kRoCompatLargeFile = 0x2;
inline constexpr u32 kRoCompatBtreeDir = 0x4;
inline constexpr u32 kRoCompatHugeFile = 0x8;
inline constexpr u32 kRoCompatGdtCsum = 0x10; // uninit_bg
inline constexpr u32 kRoCompatDirNlink = 0x20;
inline constexpr u32 kRoCompatExtraIsize = 0x40;
inline constexpr u32 kRoCompatHasSnapshot = 0x80;
inline constexpr u32 kRoCompatQuota = 0x100;
inline constexpr u32 kRoCompatBigalloc = 0x200;
inline constexpr u32 kRoCompatMetadataCsum = 0x400;
inline constexpr u32 kRoCompatReplica = 0x800;
inline constexpr u32 kRoCompatReadonly = 0x1000;
inline constexpr u32 kRoCompatProject = 0x2000;
inline constexpr u32 kRoCompatSharedBlocks = 0x4000;
inline constexpr u32 kRoCompatVerity = 0x8000;
inline constexpr u32 kRoCompatOrphanPresent = 0x10000;

// s_state
inline constexpr u16 kStateValid = 0x1; // EXT4_VALID_FS: cleanly unmounted
inline constexpr u16 kStateError = 0x2; // EXT4_ERROR_FS
// s_checksum_type
inline constexpr u8 kChecksumTypeCrc32c = 1;

// Reserved inodes.
inline constexpr u32 kResizeIno = 7;
inline constexpr u32 kJournalIno = 8;

// s_feature_incompat
inline constexpr u32 kIncompatCompression = 0x1;
inline constexpr u32 kIncompatFiletype = 0x2;
inline constexpr u32 kIncompatRecover = 0x4;
inline constexpr u32 kIncompatJournalDev = 0x8;
inline constexpr u32 kIncompatMetaBg = 0x10;
inline constexpr u32 kIncompatExtents = 0x40;
inline constexpr u32 kIncompat64Bit = 0x80;
inline constexpr u32 kIncompatMmp = 0x100;
inline constexpr u32 kIncompatFlexBg = 0x200;
inline constexpr u32 kIncompatEaInode = 0x400;
inline constexpr u32 kIncompatDirData = 0x1000;
inline constexpr u32 kIncompatCsumSeed = 0x2000;
inline constexpr u32 kIncompatLargeDir = 0x4000;
inline constexpr u32 kIncompatInlineData = 0x8000;
inline constexpr u32 kIncompatEncrypt = 0x10000;
inline constexpr u32 kIncompatCasefold = 0x20000;

struct PACKED Superblock {
    u32 s_inodes_count;
    u32 s_blocks_count_lo;
    u32 s_r_blocks_count_lo;
    u32 s_free_blocks_count_lo;
    u32 s_free_inodes_count;
    u32 s_first_data_block;
    u32 s_log_block_size;
    u32 s_log_cluster_size;
    u32 s_blocks_per_group;
    u32 s_clusters_per_group;
    u32 s_inodes_per_group;
    u32 s_mtime;
    u32 s_wtime;
    u16 s_mnt_count;
    i16 s_max_mnt_count;
    u16 s_magic;
    u16 s_state;
    u16 s_errors;
    u16 s_minor_rev_level;
    u32 s_lastcheck;
    u32 s_checkinterval;
    u32 s_creator_os;
    u32 s_rev_level;
    u16 s_def_resuid;
    u16 s_def_resgid;
    // EXT4_DYNAMIC_REV (s_rev_level 1) only:
    u32 s_first_ino;
    u16 s_inode_size;
    u16 s_block_group_nr;
    u32 s_feature_compat;
    u32 s_feature_incompat;
    u32 s_feature_ro_compat;
    u8 s_uuid[16];
    char s_volume_name[16];
    char s_last_mounted[64];
    u32 s_algorithm_usage_bitmap;
    u8 s_prealloc_blocks;
    u8 s_prealloc_dir_blocks;
    u16 s_reserved_gdt_blocks;
    u8 s_journal_uuid[16];
    u32 s_journal_inum;
    u32 s_journal_dev;
    u32 s_last_orphan;
    u32 s_hash_seed[4];
    u8 s_def_hash_version;
    u8 s_jnl_backup_type;
    u16 s_desc_size;
    u32 s_default_mount_opts;
    u32 s_first_meta_bg;
    u32 s_mkfs_time;
    u32 s_jnl_blocks[17];
    u32 s_blocks_count_hi;
    u32 s_r_blocks_count_hi;
    u32 s_free_blocks_count_hi;
    u16 s_min_extra_isize;
    u16 s_want_extra_isize;
    u32 s_flags;
    u16 s_raid_stride;
    u16 s_mmp_update_interval;
    u64 s_mmp_block;
    u32 s_raid_stripe_width;
    u8 s_log_groups_per_flex;
    u8 s_checksum_type;
    u16 s_reserved_pad;
    u64 s_kbytes_written;
    u8 s_unused_a[0x24c - 0x180]; // snapshot and error-tracking fields
    u32 s_backup_bgs[2]; // sparse_super2's two backup groups
    u8 s_encrypt_algos[4];
    u8 s_encrypt_pw_salt[16];
    u32 s_lpf_ino;
    u32 s_prj_quota_inum;
    u32 s_checksum_seed; // CSUM_SEED: crc32c(~0, s_uuid) as it was at mkfs
    u8 s_wtime_hi;
    u8 s_mtime_hi;
    u8 s_mkfs_time_hi;
    u8 s_lastcheck_hi;
    u8 s_first_error_time_hi;
    u8 s_last_error_time_hi;
    u8 s_first_error_errcode;
    u8 s_last_error_errcode;
    u16 s_encoding;
    u16 s_encoding_flags;
    u32 s_orphan_file_inum;
    u32 s_reserved[94];
    u32 s_checksum; // metadata_csum: crc32c(~0, the bytes before it)
};
static_assert(sizeof(Superblock) == 1024);
static_assert(__builtin_offsetof(Superblock, s_magic) == 0x38);
static_assert(__builtin_offsetof(Superblock, s_feature_incompat) == 0x60);
static_assert(__builtin_offsetof(Superblock, s_desc_size) == 0xfe);
static_assert(__builtin_offsetof(Superblock, s_first_meta_bg) == 0x104);
static_assert(__builtin_offsetof(Superblock, s_blocks_count_hi) == 0x150);
static_assert(__builtin_offsetof(Superblock, s_kbytes_written) == 0x178);
static_assert(__builtin_offsetof(Superblock, s_backup_bgs) == 0x24c);
static_assert(__builtin_offsetof(Superblock, s_checksum_seed) == 0x270);
static_assert(__builtin_offsetof(Superblock, s_orphan_file_inum) == 0x280);
static_assert(__builtin_offsetof(Superblock, s_checksum) == 0x3fc);

// A group descriptor: 32 bytes, or s_desc_size (>= 64) with INCOMPAT_64BIT,
// whose second half holds the high words.
inline constexpr u16 kMinDescSize = 32;
inline constexpr u16 kMinDescSize64Bit = 64;
inline constexpr u16 kMaxDescSize = 1024;

struct PACKED GroupDescriptor {
    u32 bg_block_bitmap_lo;
    u32 bg_inode_bitmap_lo;
    u32 bg_inode_table_lo;
    u16 bg_free_blocks_count_lo;
    u16 bg_free_inodes_count_lo;
    u16 bg_used_dirs_count_lo;
    u16 bg_flags;
    u32 bg_exclude_bitmap_lo;
    u16 bg_block_bitmap_csum_lo;
    u16 bg_inode_bitmap_csum_lo;
    u16 bg_itable_unused_lo;
    u16 bg_checksum;
    // 64BIT only (s_desc_size >= 64):
    u32 bg_block_bitmap_hi;
    u32 bg_inode_bitmap_hi;
    u32 bg_inode_table_hi;
    u16 bg_free_blocks_count_hi;
    u16 bg_free_inodes_count_hi;
    u16 bg_used_dirs_count_hi;
    u16 bg_itable_unused_hi;
    u32 bg_exclude_bitmap_hi;
    u16 bg_block_bitmap_csum_hi;
    u16 bg_inode_bitmap_csum_hi;
    u32 bg_reserved;
};
static_assert(sizeof(GroupDescriptor) == 64);
static_assert(__builtin_offsetof(GroupDescriptor, bg_checksum) == 0x1e);
static_assert(__builtin_offsetof(GroupDescriptor, bg_block_bitmap_csum_hi) == 0x38);

// bg_flags
inline constexpr u16 kGroupInodeUninit = 0x1; // EXT4_BG_INODE_UNINIT: inode bitmap not initialized
inline constexpr u16 kGroupBlockUninit = 0x2; // EXT4_BG_BLOCK_UNINIT: block bitmap not initialized
inline constexpr u16 kGroupInodeZeroed = 0x4; // EXT4_BG_INODE_ZEROED: inode table zeroed
static_assert(__builtin_offsetof(GroupDescriptor, bg_inode_table_hi) == 0x28);

// i_block: 15 words. Direct blocks, then single, double and triple
// indirect (ext2/ext3); or an extent tree root; or a fast symlink's text; or
// a device number.
inline constexpr usize kBlockPointers = 15;
inline constexpr usize kDirectBlocks = 12;
inline constexpr usize kSingleIndirect = 12;
inline constexpr usize kDoubleIndirect = 13;
inline constexpr usize kTripleIndirect = 14;
inline constexpr usize kInlineBytes = kBlockPointers * 4; // 60

// i_flags
inline constexpr u32 kIndexFlag = 0x1000; // htree directory
inline constexpr u32 kHugeFileFlag = 0x40000; // i_blocks counts file-system blocks
inline constexpr u32 kExtentsFlag = 0x80000;
inline constexpr u32 kInlineDataFlag = 0x10000000;

struct PACKED DiskInode {
    u16 i_mode;
    u16 i_uid;
    u32 i_size_lo;
    u32 i_atime;
    u32 i_ctime;
    u32 i_mtime;
    u32 i_dtime;
    u16 i_gid;
    u16 i_links_count;
    u32 i_blocks_lo;
    u32 i_flags;
    u32 i_osd1;
    u32 i_block[kBlockPointers];
    u32 i_generation;
    u32 i_file_acl_lo;
    u32 i_size_high;
    u32 i_obso_faddr;
    u16 l_i_blocks_high;
    u16 l_i_file_acl_high;
    u16 l_i_uid_high;
    u16 l_i_gid_high;
    u16 l_i_checksum_lo;
    u16 l_i_reserved;
    // Past the 128 bytes of a good old inode; present when i_extra_isize
    // covers them.
    u16 i_extra_isize;
    u16 i_checksum_hi;
    u32 i_ctime_extra;
    u32 i_mtime_extra;
    u32 i_atime_extra;
    u32 i_crtime;
    u32 i_crtime_extra;
    u32 i_version_hi;
    u32 i_projid;
};
static_assert(sizeof(DiskInode) == 160);
static_assert(__builtin_offsetof(DiskInode, i_block) == 40);
static_assert(__builtin_offsetof(DiskInode, i_size_high) == 108);
static_assert(__builtin_offsetof(DiskInode, l_i_uid_high) == 120);
static_assert(__builtin_offsetof(DiskInode, i_extra_isize) == 128);
static_assert(__builtin_offsetof(DiskInode, i_ctime_extra) == 132);
static_assert(__builtin_offsetof(DiskInode, i_atime_extra) == 140);

// Extent trees (ext4_extents.h).
inline constexpr u16 kExtentMagic = 0xf30a;
inline constexpr u16 kMaxExtentDepth = 5; // Linux's EXT4_MAX_EXTENT_DEPTH
inline constexpr u16 kInitializedExtentMax = 32768;

struct PACKED ExtentHeader {
    u16 eh_magic;
    u16 eh_entries;
    u16 eh_max;
    u16 eh_depth;
    u32 eh_generation;
};
struct PACKED ExtentIndex {
    u32 ei_block;
    u32 ei_leaf_lo;
    u16 ei_leaf_hi;
    u16 ei_unused;
};
struct PACKED Extent {
    u32 ee_block;
    u16 ee_len; // > 32768: an uninitialized extent of ee_len - 32768 blocks
    u16 ee_start_hi;
    u32 ee_start_lo;
};
static_assert(sizeof(ExtentHeader) == 12 && sizeof(ExtentIndex) == 12 && sizeof(Extent) == 12);
// In a tree block, after the eh_max entries: crc32c of the block up to it,
// seeded with the inode's seed (ext4_extent_block_csum).
struct PACKED ExtentTail {
    u32 et_checksum;
};

// Extended attributes (fs/ext4/xattr.h): in the inode body after
// i_extra_isize (a 4-byte magic, then entries), and in one block per inode
// (i_file_acl: a header, then entries), which inodes with the same
// attributes may share. Entries grow up from the start of their area, a
// zero word ends them; values are packed down from its end, padded to 4.
inline constexpr u32 kXattrMagic = 0xea020000;
// A block's header (ext4_xattr_header): h_refcount counts its inodes.
struct PACKED XattrHeader {
    u32 h_magic;
    u32 h_refcount;
    u32 h_blocks;
    u32 h_hash; // of the entries' hashes (0 if one is 0): for sharing
    u32 h_checksum; // crc32c(seed, le64 block number, the block with this zeroed)
    u32 h_reserved[3];
};
static_assert(sizeof(XattrHeader) == 32);

// One attribute (ext4_xattr_entry). e_value_offs counts from the block's
// start, or in the inode from the first entry.
struct PACKED XattrEntry {
    u8 e_name_len;
    u8 e_name_index; // the namespace (kXattrIndex*); the name is what follows its prefix
    u16 e_value_offs;
    u32 e_value_inum; // EA_INODE: the inode holding the value, else 0
    u32 e_value_size;
    u32 e_hash; // of the name and value (0 in the inode body)
    char e_name[];
};
static_assert(sizeof(XattrEntry) == 16);
// An entry with a `name_length`-byte name, padded (EXT4_XATTR_LEN).
constexpr usize xattr_entry_length(usize name_length) { return (sizeof(XattrEntry) + name_length + 3) & ~usize(3); }
// A value's room (EXT4_XATTR_SIZE).
constexpr usize xattr_value_room(usize size) { return (size + 3) & ~usize(3); }
// The largest value Linux accepts in an entry (EXT4_XATTR_SIZE_MAX).
inline constexpr u32 kXattrValueMax = 1u << 24;

// e_name_index values (EXT4_XATTR_INDEX_*).
inline constexpr u8 kXattrIndexUser = 1;
inline constexpr u8 kXattrIndexPosixAclAccess = 2;
inline constexpr u8 kXattrIndexPosixAclDefault = 3;
inline constexpr u8 kXattrIndexTrusted = 4;
inline constexpr u8 kXattrIndexSecurity = 6;
inline constexpr u8 kXattrIndexSystem = 7; // system.data (inline data), system.richacl ...
inline constexpr u8 kXattrIndexHurd = 10; // "gnu."

// Directory entries (ext4_dir_entry_2; without FILETYPE the type byte is
// the high byte of a 16-bit name_len).
struct PACKED DirEntry {
    u32 inode;
    u16 rec_len;
    u8 name_len;
    u8 file_type;
    char name[];
};
static_assert(sizeof(DirEntry) == 8);
inline constexpr usize kNameMax = 255;
// The smallest entry that holds `name_length` bytes of name (EXT4_DIR_REC_LEN).
constexpr usize dir_rec_len(usize name_length) { return (8 + name_length + 3) & ~usize(3); }

// file_type values (EXT4_FT_*).
enum FileType : u8 {
    kFileTypeUnknown = 0,
    kFileTypeRegular = 1,
    kFileTypeDirectory = 2,
    kFileTypeCharacter = 3,
    kFileTypeBlock = 4,
    kFileTypeFifo = 5,
    kFileTypeSocket = 6,
    kFileTypeSymlink = 7,
};

} // namespace ext4
