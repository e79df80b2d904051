// The ext2/ext3/ext4 bitmap check behind `aramid-mon fs-bitmaps`: which
// bitmap bits disagree with the inodes and the metadata that own the blocks.
//
// The model: a file system is read from a ByteSource -- for a guest's mount,
// the VMM's disk image overlaid with the blocks the guest has changed but
// not yet written (OverlaySource), which together are the file system's
// truth. The check first lays out what the file system itself owns (boot
// block and superblock copies, descriptor blocks, reserved GDT blocks,
// bitmaps, inode tables, the MMP block), then walks every inode in use --
// its extent tree (index and leaf blocks and the data they map), or its
// direct, indirect, double and triple indirect blocks, and its xattr block
// -- and claims each block for its owner. Against the block bitmaps (what
// Linux's ext4_init_block_bitmap computes for a BLOCK_UNINIT group) it then
// reports:
//   - a block an owner uses but the bitmap marks free (the dangerous kind:
//     the allocator will hand it out again), naming the inode and the
//     logical block, or the metadata;
//   - a block the bitmap marks used that nothing owns (leaked);
//   - a block two owners claim (a shared xattr block is not that);
//   - an inode whose record is in use (links and a mode) but whose bitmap
//     bit is clear, and the reverse;
//   - a block pointer or extent that cannot be right (past the end, a bad
//     extent header): the inode and where;
//   - each group's free-block and free-inode counts that differ from its
//     bitmaps.
// Every kind is counted in full; `max_items` are listed, the most dangerous
// kinds first (blocks used but free, claimed twice, inodes used but free,
// bad pointers; then inodes marked but unused, leaked blocks, group
// counts), each kind in the order found. The
// superblock's own free counts are shown but not judged: Linux updates them
// lazily on a mounted file system.
//
// The image is untrusted and may be mid-change: every number is checked
// before use, every walk is bounded (extent depth falls by one per level; a
// block claimed twice is not descended into again; a budget of block claims
// proportional to the file system's size ends any walk), and memory is two
// bits per block of the device, which must hold the file system. A
// superblock that makes no sense, or a feature the check does not model
// (bigalloc), is an error in the report, not a crash.
//
// Not checked: checksums, directory contents, link counts, i_blocks, the
// journal's contents, quota, and whether a shared xattr block's reference
// count matches its users -- that is e2fsck's job; this is the bitmaps'.
#pragma once

#include <vmm/util/fd.h>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace aramid::monitor {

// Bytes of a device, read-only. Thread-compatible; read() may be called
// from any one thread.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual uint64_t size() const = 0;
    // Reads exactly out.size() bytes at `offset`; false if any lie past
    // size() or the read fails.
    virtual bool read(uint64_t offset, std::span<uint8_t> out) const = 0;
};

// A host file (the disk image), read with pread. `size` is what the guest
// sees (the device's capacity), at most the file's size.
class ImageFile final : public ByteSource {
public:
    ImageFile(vmm::Fd fd, uint64_t size) : m_fd(std::move(fd)), m_size(size) { }
    // Opens `path` read-only, its whole size; null (errno set) if it cannot.
    static std::unique_ptr<ImageFile> open(std::string const& path);
    uint64_t size() const override { return m_size; }
    bool read(uint64_t offset, std::span<uint8_t> out) const override;

private:
    vmm::Fd m_fd;
    uint64_t m_size;
};

// `base` with some whole blocks of `block_size` bytes replaced (the guest's
// dirty cache). Blocks past the base's end are ignored.
class OverlaySource final : public ByteSource {
public:
    OverlaySource(ByteSource const& base, uint32_t block_size) : m_base(base), m_block_size(block_size) { }
    // `data` must be block_size bytes.
    void put(uint64_t number, std::vector<uint8_t> data);
    size_t blocks() const { return m_blocks.size(); }
    uint64_t size() const override { return m_base.size(); }
    bool read(uint64_t offset, std::span<uint8_t> out) const override;

private:
    ByteSource const& m_base;
    uint32_t m_block_size;
    std::map<uint64_t, std::vector<uint8_t>> m_blocks;
};

// Who owns a block.
enum class BlockRole : uint8_t {
    None = 0,
    Data,            // a file's, directory's or symlink's block (inode, logical)
    ExtentNode,      // an extent tree's index or leaf block (inode; logical: the first it maps)
    Indirect,        // an indirect, double or triple indirect block (inode; logical: the first it maps)
    Xattr,           // the inode's extended-attribute block (may be shared)
    Superblock,      // the superblock or a backup (with the boot block for group 0)
    GroupDescriptors,
    ReservedGdt,     // reserved for growing the descriptors (resize_inode)
    BlockBitmap,
    InodeBitmap,
    InodeTable,
    Mmp,             // the multi-mount protection block
};
char const* block_role_name(BlockRole role);

struct BlockOwner {
    BlockRole role { BlockRole::None };
    uint32_t inode { 0 };   // for an inode's blocks
    uint64_t logical { 0 }; // for an inode's blocks
    uint32_t group { 0 };   // for the file system's own metadata
};
// "inode 12 (logical block 3, data)", "group 0's block bitmap"
std::string describe_owner(BlockOwner const& owner);

enum class Disagreement : uint8_t {
    BlockUsedButFree = 0, // an owner uses it, the bitmap marks it free
    BlockLeaked,          // the bitmap marks it used, nothing owns it
    BlockMultiplyClaimed, // two owners claim it
    InodeUsedButFree,     // the inode's record is in use, its bitmap bit is clear
    InodeMarkedButUnused, // its bitmap bit is set, its record is not in use
    BadBlockPointer,      // a pointer or extent that cannot be right
    GroupFreeBlocks,      // a group's free-block count differs from its bitmap
    GroupFreeInodes,      // a group's free-inode count differs from its bitmap
};
inline constexpr unsigned kDisagreementKinds = 8;
// Stable names, for --json: "block_used_but_free", "block_leaked", ...
char const* disagreement_name(Disagreement kind);

struct DisagreementItem {
    Disagreement kind { Disagreement::BlockUsedButFree };
    uint64_t block { 0 };  // block kinds and BadBlockPointer (the pointer's value)
    uint32_t inode { 0 };  // inode kinds, and the owner for block kinds
    uint32_t group { 0 };  // group kinds, and the block's or inode's group
    BlockOwner owner;      // block kinds (not leaked): who uses it (for multiply claimed: the later claim)
    BlockOwner other;      // BlockMultiplyClaimed: the earlier claim
    uint64_t recorded { 0 }; // group kinds: the descriptor's count
    uint64_t counted { 0 };  // group kinds: what the bitmap gives
    std::string text;        // one line for people
};

struct CheckOptions {
    uint32_t max_items = 64; // listed (all are counted)
    uint32_t max_notes = 32;
};

struct CheckReport {
    std::string error; // the check could not run (not an ext2/3/4 file system, ...): nothing below is valid
    // The file system.
    uint32_t block_size { 0 };
    uint32_t groups { 0 };
    uint64_t blocks { 0 };
    uint32_t inodes { 0 };
    uint64_t first_data_block { 0 };
    uint64_t blocks_used { 0 };        // set in the (effective) block bitmaps
    uint64_t inodes_used { 0 };        // set in the inode bitmaps
    uint64_t blocks_owned { 0 };       // claimed by an owner
    uint64_t super_free_blocks { 0 };  // the superblock's counts, not judged
    uint64_t super_free_inodes { 0 };
    uint64_t inodes_walked { 0 };
    bool complete { true };            // false: a budget ran out, or groups could not be read
    uint64_t counts[kDisagreementKinds] {};
    std::vector<DisagreementItem> items; // max_items of them, the most dangerous kinds first (see above)
    // What the walk met that is not a bitmap disagreement but limits it:
    // an unreadable bitmap or inode table, a descriptor outside the file
    // system. The first max_notes; note_count counts them all.
    std::vector<std::string> notes;
    uint64_t note_count { 0 };

    uint64_t count(Disagreement kind) const { return counts[unsigned(kind)]; }
    uint64_t disagreements() const;
};

CheckReport check_ext4_bitmaps(ByteSource const& source, CheckOptions const& options = {});

} // namespace aramid::monitor
