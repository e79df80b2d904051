#include <monitor/ext4_check.h>

// The on-disk structures, shared with the guest's reader (host-compilable:
// it needs guest/lib/types.h alone).
#include <fs/ext4/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace aramid::monitor {

// ---- sources

std::unique_ptr<ImageFile> ImageFile::open(std::string const& path) {
    vmm::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return nullptr;
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) return nullptr;
    return std::make_unique<ImageFile>(std::move(fd), uint64_t(st.st_size));
}

bool ImageFile::read(uint64_t offset, std::span<uint8_t> out) const {
    if (offset > m_size || out.size() > m_size - offset) return false;
    size_t done = 0;
    while (done < out.size()) {
        ssize_t const n = ::pread(m_fd.get(), out.data() + done, out.size() - done, off_t(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += size_t(n);
    }
    return true;
}

void OverlaySource::put(uint64_t number, std::vector<uint8_t> data) {
    if (data.size() != m_block_size) return;
    m_blocks[number] = std::move(data);
}

bool OverlaySource::read(uint64_t offset, std::span<uint8_t> out) const {
    if (!m_base.read(offset, out)) return false;
    if (out.empty() || m_blocks.empty()) return true;
    uint64_t const end = offset + out.size();
    for (auto it = m_blocks.lower_bound(offset / m_block_size); it != m_blocks.end(); ++it) {
        uint64_t const start = it->first * m_block_size;
        if (start >= end) break;
        uint64_t const from = std::max(start, offset);
        uint64_t const to = std::min(start + m_block_size, end);
        std::memcpy(out.data() + (from - offset), it->second.data() + (from - start), to - from);
    }
    return true;
}

// ---- names

char const* block_role_name(BlockRole role) {
    switch (role) {
    case BlockRole::None: return "none";
    case BlockRole::Data: return "data";
    case BlockRole::ExtentNode: return "extent tree";
    case BlockRole::Indirect: return "indirect block";
    case BlockRole::Xattr: return "xattr block";
    case BlockRole::Superblock: return "superblock";
    case BlockRole::GroupDescriptors: return "group descriptors";
    case BlockRole::ReservedGdt: return "reserved GDT";
    case BlockRole::BlockBitmap: return "block bitmap";
    case BlockRole::InodeBitmap: return "inode bitmap";
    case BlockRole::InodeTable: return "inode table";
    case BlockRole::Mmp: return "MMP block";
    }
    return "unknown";
}

std::string describe_owner(BlockOwner const& owner) {
    switch (owner.role) {
    case BlockRole::None: return "nothing";
    case BlockRole::Data:
    case BlockRole::ExtentNode:
    case BlockRole::Indirect:
        return "inode " + std::to_string(owner.inode) + " (logical block " + std::to_string(owner.logical) + ", "
            + block_role_name(owner.role) + ")";
    case BlockRole::Xattr: return "inode " + std::to_string(owner.inode) + " (xattr block)";
    case BlockRole::Mmp: return "the MMP block";
    default: return "group " + std::to_string(owner.group) + "'s " + block_role_name(owner.role);
    }
}

char const* disagreement_name(Disagreement kind) {
    switch (kind) {
    case Disagreement::BlockUsedButFree: return "block_used_but_free";
    case Disagreement::BlockLeaked: return "block_leaked";
    case Disagreement::BlockMultiplyClaimed: return "block_multiply_claimed";
    case Disagreement::InodeUsedButFree: return "inode_used_but_free";
    case Disagreement::InodeMarkedButUnused: return "inode_marked_but_unused";
    case Disagreement::BadBlockPointer: return "bad_block_pointer";
    case Disagreement::GroupFreeBlocks: return "group_free_blocks";
    case Disagreement::GroupFreeInodes: return "group_free_inodes";
    }
    return "unknown";
}

uint64_t CheckReport::disagreements() const {
    uint64_t total = 0;
    for (uint64_t c : counts) total += c;
    return total;
}

namespace {

// Features and flags format.h does not name (it lists what the guest's
// reader needs).
constexpr uint32_t kCompatResizeInode = 0x10;
constexpr uint32_t kRoCompatGdtCsum = 0x10;
constexpr uint32_t kRoCompatMetadataCsum = 0x400;
constexpr uint16_t kBgInodeUninit = 0x1;
constexpr uint16_t kBgBlockUninit = 0x2;
constexpr uint32_t kBadBlocksIno = 1;
constexpr uint32_t kResizeIno = 7;
// Superblock fields past what format.h names: the quota inodes and the
// orphan file's inode (Linux's ext4_super_block).
constexpr size_t kUsrQuotaInumOffset = 0x240;
constexpr size_t kGrpQuotaInumOffset = 0x244;
constexpr size_t kPrjQuotaInumOffset = 0x26c;
constexpr size_t kOrphanFileInumOffset = 0x280;

constexpr uint32_t kTypeMask = 0xf000;
constexpr uint32_t kTypeFifo = 0x1000;
constexpr uint32_t kTypeCharacter = 0x2000;
constexpr uint32_t kTypeBlock = 0x6000;
constexpr uint32_t kTypeSymlink = 0xa000;
constexpr uint32_t kTypeSocket = 0xc000;

uint32_t le32(uint8_t const* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

class Bits {
public:
    void resize(uint64_t bits) { m_words.assign((bits + 63) / 64, 0); }
    void clear() { std::fill(m_words.begin(), m_words.end(), 0); }
    bool get(uint64_t i) const { return m_words[i / 64] >> (i % 64) & 1; }
    void set(uint64_t i) { m_words[i / 64] |= 1ull << (i % 64); }
    uint64_t word(uint64_t i) const { return m_words[i]; }

private:
    std::vector<uint64_t> m_words;
};

struct Group {
    uint64_t block_bitmap { 0 };
    uint64_t inode_bitmap { 0 };
    uint64_t inode_table { 0 };
    uint32_t free_blocks { 0 };
    uint32_t free_inodes { 0 };
    uint32_t itable_unused { 0 };
    uint16_t flags { 0 };
    uint64_t first { 0 };  // its first block
    uint64_t count { 0 };  // its blocks
    bool block_bitmap_known { false };
    bool inode_bitmap_known { false };
};

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof(text), "%#llx", static_cast<unsigned long long>(value));
    return text;
}

class Checker {
public:
    Checker(ByteSource const& source, CheckOptions const& options, CheckReport& report)
        : m_source(source), m_options(options), m_report(report) { }

    void run();

private:
    bool read_superblock();
    bool read_descriptors();
    void read_bitmaps();
    void claim_metadata();
    void find_orphans();
    void walk_inodes();
    void walk_inode(uint32_t ino, ext4::DiskInode const& inode);
    void walk_extent_node(uint32_t ino, uint8_t const* node, size_t size, int expected_depth, uint64_t block);
    void walk_indirect(uint32_t ino, uint64_t block, unsigned level, uint64_t logical);
    void find_leaks();
    void list_items();
    void name_first_claimants();

    bool read_block(uint64_t block, std::vector<uint8_t>& out);
    bool read_inode(uint32_t ino, ext4::DiskInode& inode);
    bool in_range(uint64_t block, uint64_t count) const {
        return block >= m_first_data_block && block < m_blocks && count <= m_blocks - block;
    }
    bool block_bitmap_known(uint64_t block) const {
        if (block < m_first_data_block || block >= m_blocks) return false;
        return m_groups[(block - m_first_data_block) / m_blocks_per_group].block_bitmap_known;
    }
    uint32_t group_of_block(uint64_t block) const {
        return block < m_first_data_block ? 0 : uint32_t((block - m_first_data_block) / m_blocks_per_group);
    }
    bool has_super(uint64_t group) const;
    uint64_t group_descriptor_blocks(uint64_t group) const;
    // Claims [block, block + count) for `owner`; true if every block was
    // free of claims before (a shared xattr block counts as free).
    bool claim(uint64_t block, uint64_t count, BlockOwner const& owner);
    // claim() after a range check; a bad pointer is reported.
    bool claim_checked(uint64_t block, uint64_t count, BlockOwner const& owner);
    void bad_pointer(uint32_t ino, uint64_t block, BlockOwner const& owner, std::string const& why);
    void add(DisagreementItem item);
    // A group whose recorded free count is not what its bitmap counts.
    void check_group_count(Disagreement kind, uint32_t group, uint64_t recorded, uint64_t counted);
    void note(std::string text);
    bool stopped() const { return m_stopped; }
    bool special_inode(uint32_t ino) const;

    ByteSource const& m_source;
    CheckOptions const& m_options;
    CheckReport& m_report;
    std::vector<DisagreementItem> m_found[kDisagreementKinds]; // the first max_items of each kind

    std::vector<uint8_t> m_super_bytes;
    ext4::Superblock m_super {};
    uint32_t m_block_size { 0 };
    uint64_t m_blocks { 0 };
    uint64_t m_first_data_block { 0 };
    uint32_t m_blocks_per_group { 0 };
    uint32_t m_inodes_per_group { 0 };
    uint32_t m_inodes { 0 };
    uint32_t m_inode_size { 0 };
    uint32_t m_first_ino { 0 };
    uint32_t m_desc_size { 0 };
    uint32_t m_descs_per_block { 0 };
    uint64_t m_gdt_blocks { 0 };
    uint64_t m_inode_table_blocks { 0 };
    uint32_t m_group_count { 0 };
    bool m_64bit { false };
    bool m_csum { false };
    bool m_meta_bg { false };
    bool m_huge_file { false };
    std::vector<Group> m_groups;
    uint32_t m_special[5] {}; // the superblock's hidden inodes

    Bits m_marked;         // the effective block bitmaps
    Bits m_inode_marked;   // the inode bitmaps (bit ino - 1)
    Bits m_claimed;
    std::set<uint64_t> m_xattr; // claimed as xattr blocks (which may be shared; there are few)
    std::set<uint32_t> m_orphans;
    uint64_t m_budget { 0 };
    bool m_stopped { false };

    // The second pass, which names the first claimant of each block
    // reported as claimed twice: the same walk, reporting nothing.
    bool m_naming { false };
    std::vector<uint64_t> m_watch; // sorted
    std::map<uint64_t, BlockOwner> m_first_owner;
};

void Checker::add(DisagreementItem item) {
    if (m_naming) return;
    unsigned const kind = unsigned(item.kind);
    m_report.counts[kind]++;
    if (m_found[kind].size() < m_options.max_items) m_found[kind].push_back(std::move(item));
}

// The listed items: the most dangerous kinds first, each in the order found.
void Checker::list_items() {
    static constexpr Disagreement kBySeverity[] = {
        Disagreement::BlockUsedButFree, Disagreement::BlockMultiplyClaimed, Disagreement::InodeUsedButFree,
        Disagreement::BadBlockPointer, Disagreement::InodeMarkedButUnused, Disagreement::BlockLeaked,
        Disagreement::GroupFreeBlocks, Disagreement::GroupFreeInodes,
    };
    static_assert(std::size(kBySeverity) == kDisagreementKinds);
    for (Disagreement kind : kBySeverity)
        for (DisagreementItem& item : m_found[unsigned(kind)]) {
            if (m_report.items.size() >= m_options.max_items) return;
            m_report.items.push_back(std::move(item));
        }
}

void Checker::note(std::string text) {
    if (m_naming) return;
    m_report.note_count++;
    if (m_report.notes.size() < m_options.max_notes) m_report.notes.push_back(std::move(text));
}

bool Checker::read_block(uint64_t block, std::vector<uint8_t>& out) {
    out.resize(m_block_size);
    return block < m_blocks && m_source.read(block * m_block_size, out);
}

bool Checker::read_inode(uint32_t ino, ext4::DiskInode& inode) {
    inode = {};
    if (ino == 0 || ino > m_inodes) return false;
    Group const& g = m_groups[(ino - 1) / m_inodes_per_group];
    uint64_t const index = (ino - 1) % m_inodes_per_group;
    if (!in_range(g.inode_table, m_inode_table_blocks)) return false;
    uint8_t bytes[sizeof(ext4::DiskInode)] {};
    size_t const length = std::min<size_t>(m_inode_size, sizeof(bytes));
    if (!m_source.read(g.inode_table * m_block_size + index * m_inode_size, std::span(bytes, length))) return false;
    std::memcpy(&inode, bytes, sizeof(inode));
    return true;
}

bool Checker::has_super(uint64_t group) const {
    if (group == 0) return true;
    if (m_super.s_feature_compat & ext4::kCompatSparseSuper2)
        return group == m_super.s_backup_bgs[0] || group == m_super.s_backup_bgs[1];
    if (group <= 1 || !(m_super.s_feature_ro_compat & ext4::kRoCompatSparseSuper)) return true;
    if (!(group & 1)) return false;
    for (uint64_t base : { 3, 5, 7 }) {
        uint64_t power = base;
        while (power < group) power *= base;
        if (power == group) return true;
    }
    return false;
}

// Linux's ext4_bg_num_gdb.
uint64_t Checker::group_descriptor_blocks(uint64_t group) const {
    uint64_t const metagroup = group / m_descs_per_block;
    if (!m_meta_bg || metagroup < m_super.s_first_meta_bg) {
        if (!has_super(group)) return 0;
        return m_meta_bg ? m_super.s_first_meta_bg : m_gdt_blocks;
    }
    uint64_t const first = metagroup * m_descs_per_block;
    return group == first || group == first + 1 || group == first + m_descs_per_block - 1 ? 1 : 0;
}

bool Checker::special_inode(uint32_t ino) const {
    if (ino < m_first_ino) return true;
    for (uint32_t s : m_special)
        if (s == ino) return true;
    return false;
}

bool Checker::read_superblock() {
    m_super_bytes.resize(1024);
    if (!m_source.read(ext4::kSuperblockOffset, m_super_bytes)) {
        m_report.error = "cannot read a superblock: the device is " + std::to_string(m_source.size()) + " bytes";
        return false;
    }
    std::memcpy(&m_super, m_super_bytes.data(), sizeof(m_super));
    ext4::Superblock const& s = m_super;
    if (s.s_magic != ext4::kMagic) {
        m_report.error = "no ext2/ext3/ext4 superblock (magic " + hex(s.s_magic) + ")";
        return false;
    }
    if (s.s_log_block_size > ext4::kMaxLogBlockSize) {
        m_report.error = "superblock: absurd block size (log " + std::to_string(s.s_log_block_size) + ")";
        return false;
    }
    m_block_size = 1024u << s.s_log_block_size;
    if (s.s_feature_ro_compat & ext4::kRoCompatBigalloc) {
        m_report.error = "bigalloc (bitmaps of clusters) is not modelled by this check";
        return false;
    }
    m_64bit = s.s_feature_incompat & ext4::kIncompat64Bit;
    m_meta_bg = s.s_feature_incompat & ext4::kIncompatMetaBg;
    m_csum = s.s_feature_ro_compat & (kRoCompatGdtCsum | kRoCompatMetadataCsum);
    m_huge_file = s.s_feature_ro_compat & ext4::kRoCompatHugeFile;
    m_blocks = s.s_blocks_count_lo | (m_64bit ? uint64_t(s.s_blocks_count_hi) << 32 : 0);
    m_first_data_block = s.s_first_data_block;
    uint64_t const device_blocks = m_source.size() / m_block_size;
    if (m_first_data_block != (m_block_size == 1024 ? 1u : 0u) || m_blocks <= m_first_data_block) {
        m_report.error = "superblock: " + std::to_string(m_blocks) + " blocks, the first data block "
            + std::to_string(m_first_data_block) + " with " + std::to_string(m_block_size) + "-byte blocks";
        return false;
    }
    if (m_blocks > device_blocks) {
        m_report.error = "the file system (" + std::to_string(m_blocks) + " blocks of " + std::to_string(m_block_size)
            + " bytes) is larger than its device (" + std::to_string(m_source.size()) + " bytes)";
        return false;
    }
    m_blocks_per_group = s.s_blocks_per_group;
    m_inodes_per_group = s.s_inodes_per_group;
    if (m_blocks_per_group == 0 || m_blocks_per_group > 8 * m_block_size || m_inodes_per_group == 0
        || m_inodes_per_group > 8 * m_block_size) {
        m_report.error = "superblock: " + std::to_string(m_blocks_per_group) + " blocks and "
            + std::to_string(m_inodes_per_group) + " inodes per group, with " + std::to_string(m_block_size)
            + "-byte blocks";
        return false;
    }
    m_inode_size = s.s_rev_level == 0 ? ext4::kGoodOldInodeSize : s.s_inode_size;
    if (m_inode_size < ext4::kGoodOldInodeSize || m_inode_size > m_block_size || (m_inode_size & (m_inode_size - 1))) {
        m_report.error = "superblock: absurd inode size " + std::to_string(m_inode_size);
        return false;
    }
    m_first_ino = s.s_rev_level == 0 ? ext4::kGoodOldFirstIno : s.s_first_ino;
    if (m_first_ino < ext4::kGoodOldFirstIno) m_first_ino = ext4::kGoodOldFirstIno;
    uint64_t const groups = (m_blocks - m_first_data_block + m_blocks_per_group - 1) / m_blocks_per_group;
    if (groups > UINT32_MAX) {
        m_report.error = "superblock: too many groups";
        return false;
    }
    m_group_count = uint32_t(groups);
    m_desc_size = ext4::kMinDescSize;
    if (m_64bit) {
        m_desc_size = s.s_desc_size;
        if (m_desc_size < ext4::kMinDescSize64Bit || m_desc_size > ext4::kMaxDescSize
            || (m_desc_size & (m_desc_size - 1))) {
            m_report.error = "superblock: absurd descriptor size " + std::to_string(m_desc_size);
            return false;
        }
    }
    m_descs_per_block = m_block_size / m_desc_size;
    m_gdt_blocks = (groups + m_descs_per_block - 1) / m_descs_per_block;
    if (m_meta_bg && s.s_first_meta_bg > m_gdt_blocks) {
        m_report.error = "superblock: first meta_bg " + std::to_string(s.s_first_meta_bg) + " past the "
            + std::to_string(m_gdt_blocks) + " descriptor blocks";
        return false;
    }
    m_inode_table_blocks = (uint64_t(m_inodes_per_group) * m_inode_size + m_block_size - 1) / m_block_size;
    if (m_inode_table_blocks * groups > m_blocks) {
        m_report.error = "superblock: the inode tables would be larger than the file system";
        return false;
    }
    uint64_t const inodes = uint64_t(m_inodes_per_group) * groups;
    m_inodes = s.s_inodes_count;
    if (m_inodes != inodes) {
        note("superblock: " + std::to_string(m_inodes) + " inodes, but " + std::to_string(groups) + " groups of "
             + std::to_string(m_inodes_per_group) + " make " + std::to_string(inodes));
        m_inodes = uint32_t(std::min<uint64_t>(m_inodes, inodes));
    }
    m_special[0] = s.s_journal_inum;
    m_special[1] = le32(m_super_bytes.data() + kUsrQuotaInumOffset);
    m_special[2] = le32(m_super_bytes.data() + kGrpQuotaInumOffset);
    m_special[3] = le32(m_super_bytes.data() + kPrjQuotaInumOffset);
    m_special[4] = le32(m_super_bytes.data() + kOrphanFileInumOffset);

    m_report.block_size = m_block_size;
    m_report.blocks = m_blocks;
    m_report.groups = m_group_count;
    m_report.inodes = m_inodes;
    m_report.first_data_block = m_first_data_block;
    m_report.super_free_blocks = s.s_free_blocks_count_lo | (m_64bit ? uint64_t(s.s_free_blocks_count_hi) << 32 : 0);
    m_report.super_free_inodes = s.s_free_inodes_count;
    return true;
}

bool Checker::read_descriptors() {
    m_groups.resize(m_group_count);
    std::vector<uint8_t> block;
    for (uint64_t index = 0; index < m_gdt_blocks; index++) {
        // Linux's descriptor_loc.
        uint64_t location;
        if (!m_meta_bg || index < m_super.s_first_meta_bg) {
            location = m_first_data_block + index + 1;
        } else {
            uint64_t const group = index * m_descs_per_block;
            location = m_first_data_block + group * m_blocks_per_group + (has_super(group) ? 1 : 0);
        }
        if (!read_block(location, block)) {
            m_report.error = "cannot read group descriptor block " + std::to_string(index) + " at block "
                + std::to_string(location);
            return false;
        }
        for (uint64_t i = 0; i < m_descs_per_block; i++) {
            uint64_t const group = index * m_descs_per_block + i;
            if (group >= m_group_count) break;
            ext4::GroupDescriptor d {};
            std::memcpy(&d, block.data() + i * m_desc_size, std::min<size_t>(m_desc_size, sizeof(d)));
            bool const wide = m_64bit && m_desc_size >= ext4::kMinDescSize64Bit;
            Group& g = m_groups[group];
            g.block_bitmap = d.bg_block_bitmap_lo | (wide ? uint64_t(d.bg_block_bitmap_hi) << 32 : 0);
            g.inode_bitmap = d.bg_inode_bitmap_lo | (wide ? uint64_t(d.bg_inode_bitmap_hi) << 32 : 0);
            g.inode_table = d.bg_inode_table_lo | (wide ? uint64_t(d.bg_inode_table_hi) << 32 : 0);
            g.free_blocks = d.bg_free_blocks_count_lo | (wide ? uint32_t(d.bg_free_blocks_count_hi) << 16 : 0);
            g.free_inodes = d.bg_free_inodes_count_lo | (wide ? uint32_t(d.bg_free_inodes_count_hi) << 16 : 0);
            g.itable_unused = d.bg_itable_unused_lo | (wide ? uint32_t(d.bg_itable_unused_hi) << 16 : 0);
            g.flags = d.bg_flags;
            g.first = m_first_data_block + group * m_blocks_per_group;
            g.count = std::min<uint64_t>(m_blocks_per_group, m_blocks - g.first);
        }
    }
    return true;
}

// The block bitmaps as Linux sees them: read, or for a BLOCK_UNINIT group
// what ext4_init_block_bitmap makes (the group's base metadata, and its own
// bitmaps and inode table if they lie in it); and the inode bitmaps (zeros
// for INODE_UNINIT). Each group's counts are compared with them.
void Checker::read_bitmaps() {
    m_marked.resize(m_blocks);
    m_inode_marked.resize(uint64_t(m_inodes_per_group) * m_group_count);
    std::vector<uint8_t> block;
    for (uint32_t index = 0; index < m_group_count; index++) {
        Group& g = m_groups[index];
        uint64_t used = 0;
        if (m_csum && (g.flags & kBgBlockUninit)) {
            uint64_t const base = (has_super(index) ? 1 : 0) + group_descriptor_blocks(index)
                + (!m_meta_bg || index / m_descs_per_block < m_super.s_first_meta_bg
                           ? (has_super(index) ? m_super.s_reserved_gdt_blocks : 0)
                           : 0);
            auto mark = [&](uint64_t first, uint64_t count) {
                for (uint64_t b = first; b < first + count; b++)
                    if (b >= g.first && b < g.first + g.count && !m_marked.get(b)) {
                        m_marked.set(b);
                        used++;
                    }
            };
            mark(g.first, std::min(base, g.count));
            mark(g.block_bitmap, 1);
            mark(g.inode_bitmap, 1);
            if (g.inode_table >= g.first && g.inode_table < g.first + g.count)
                mark(g.inode_table, std::min(m_inode_table_blocks, g.first + g.count - g.inode_table));
            g.block_bitmap_known = true;
        } else if (!in_range(g.block_bitmap, 1)) {
            note("group " + std::to_string(index) + ": its block bitmap at " + std::to_string(g.block_bitmap)
                 + " is outside the file system");
        } else if (!read_block(g.block_bitmap, block)) {
            note("group " + std::to_string(index) + ": cannot read its block bitmap at "
                 + std::to_string(g.block_bitmap));
        } else {
            for (uint64_t i = 0; i < g.count; i++)
                if (block[i / 8] >> (i % 8) & 1) {
                    m_marked.set(g.first + i);
                    used++;
                }
            g.block_bitmap_known = true;
        }
        if (g.block_bitmap_known) {
            m_report.blocks_used += used;
            check_group_count(Disagreement::GroupFreeBlocks, index, g.free_blocks, g.count - used);
        } else {
            m_report.complete = false;
        }

        uint64_t inodes_used = 0;
        uint64_t const first_ino = uint64_t(index) * m_inodes_per_group + 1;
        if (m_csum && (g.flags & kBgInodeUninit)) {
            g.inode_bitmap_known = true;
        } else if (!in_range(g.inode_bitmap, 1)) {
            note("group " + std::to_string(index) + ": its inode bitmap at " + std::to_string(g.inode_bitmap)
                 + " is outside the file system");
        } else if (!read_block(g.inode_bitmap, block)) {
            note("group " + std::to_string(index) + ": cannot read its inode bitmap at "
                 + std::to_string(g.inode_bitmap));
        } else {
            for (uint64_t i = 0; i < m_inodes_per_group; i++)
                if (block[i / 8] >> (i % 8) & 1) {
                    m_inode_marked.set(first_ino - 1 + i);
                    inodes_used++;
                }
            g.inode_bitmap_known = true;
        }
        if (g.inode_bitmap_known) {
            m_report.inodes_used += inodes_used;
            check_group_count(Disagreement::GroupFreeInodes, index, g.free_inodes, m_inodes_per_group - inodes_used);
        } else {
            m_report.complete = false;
        }
    }
}

void Checker::check_group_count(Disagreement kind, uint32_t group, uint64_t recorded, uint64_t counted) {
    if (recorded == counted) return;
    DisagreementItem item;
    item.kind = kind;
    item.group = group;
    item.recorded = recorded;
    item.counted = counted;
    add(std::move(item));
}

bool Checker::claim(uint64_t block, uint64_t count, BlockOwner const& first) {
    bool fresh = true;
    BlockOwner owner = first; // the block's own logical number, for a run of data

    for (uint64_t b = block; b < block + count; b++) {
        if (m_budget == 0) {
            if (!m_stopped && !m_naming)
                note("the walk stopped after its budget of block claims: the image claims far more blocks than it has");
            m_stopped = true;
            m_report.complete = false;
            return false;
        }
        m_budget--;
        if (owner.role == BlockRole::Data) owner.logical = first.logical + (b - block);
        if (m_claimed.get(b)) {
            if (owner.role == BlockRole::Xattr && m_xattr.count(b)) continue; // a shared xattr block
            fresh = false;
            DisagreementItem item;
            item.kind = Disagreement::BlockMultiplyClaimed;
            item.block = b;
            item.inode = owner.inode;
            item.group = group_of_block(b);
            item.owner = owner;
            add(std::move(item));
            continue;
        }
        m_claimed.set(b);
        if (owner.role == BlockRole::Xattr) m_xattr.insert(b);
        if (m_naming) {
            if (std::binary_search(m_watch.begin(), m_watch.end(), b)) m_first_owner.emplace(b, owner);
            continue;
        }
        m_report.blocks_owned++;
        if (block_bitmap_known(b) && !m_marked.get(b)) {
            DisagreementItem item;
            item.kind = Disagreement::BlockUsedButFree;
            item.block = b;
            item.inode = owner.inode;
            item.group = group_of_block(b);
            item.owner = owner;
            add(std::move(item));
        }
    }
    return fresh;
}

void Checker::bad_pointer(uint32_t ino, uint64_t block, BlockOwner const& owner, std::string const& why) {
    DisagreementItem item;
    item.kind = Disagreement::BadBlockPointer;
    item.block = block;
    item.inode = ino;
    item.group = ino ? (ino - 1) / m_inodes_per_group : 0;
    item.owner = owner;
    item.text = why;
    add(std::move(item));
}

bool Checker::claim_checked(uint64_t block, uint64_t count, BlockOwner const& owner) {
    if (!in_range(block, count)) {
        bad_pointer(owner.inode, block, owner,
                    "inode " + std::to_string(owner.inode) + " (logical block " + std::to_string(owner.logical) + ", "
                        + block_role_name(owner.role) + ") points at " + std::to_string(count) + " block(s) from "
                        + std::to_string(block) + ", outside the file system's " + std::to_string(m_first_data_block)
                        + "-" + std::to_string(m_blocks - 1));
        return false;
    }
    return claim(block, count, owner);
}

void Checker::claim_metadata() {
    for (uint32_t index = 0; index < m_group_count && !stopped(); index++) {
        Group const& g = m_groups[index];
        uint64_t at = g.first;
        auto own = [&](uint64_t count, BlockRole role) {
            count = std::min(count, g.first + g.count - at);
            if (count) claim(at, count, { role, 0, 0, index });
            at += count;
        };
        bool const super = has_super(index);
        if (super) own(1, BlockRole::Superblock);
        own(group_descriptor_blocks(index), BlockRole::GroupDescriptors);
        if (super && (!m_meta_bg || index / m_descs_per_block < m_super.s_first_meta_bg))
            own(m_super.s_reserved_gdt_blocks, BlockRole::ReservedGdt);
        auto own_at = [&](uint64_t block, uint64_t count, BlockRole role) {
            if (!in_range(block, count)) {
                note("group " + std::to_string(index) + ": its " + block_role_name(role) + " at "
                     + std::to_string(block) + " is outside the file system");
                return;
            }
            claim(block, count, { role, 0, 0, index });
        };
        own_at(g.block_bitmap, 1, BlockRole::BlockBitmap);
        own_at(g.inode_bitmap, 1, BlockRole::InodeBitmap);
        own_at(g.inode_table, m_inode_table_blocks, BlockRole::InodeTable);
    }
    if ((m_super.s_feature_incompat & ext4::kIncompatMmp) && in_range(m_super.s_mmp_block, 1))
        claim(m_super.s_mmp_block, 1, { BlockRole::Mmp, 0, 0, group_of_block(m_super.s_mmp_block) });
}

// Inodes unlinked while open: no links, still in use, chained through
// i_dtime from s_last_orphan.
void Checker::find_orphans() {
    uint32_t ino = m_super.s_last_orphan;
    for (uint32_t steps = 0; ino && steps < m_inodes && m_orphans.insert(ino).second; steps++) {
        ext4::DiskInode inode;
        if (!read_inode(ino, inode)) break;
        ino = inode.i_dtime;
    }
}

void Checker::walk_inodes() {
    uint32_t const chunk_inodes = std::max<uint32_t>(1, 65536 / m_inode_size);
    std::vector<uint8_t> chunk;
    for (uint32_t index = 0; index < m_group_count && !stopped(); index++) {
        Group const& g = m_groups[index];
        if (m_csum && (g.flags & kBgInodeUninit)) continue; // no inode in use; the table may be garbage
        if (!in_range(g.inode_table, m_inode_table_blocks)) {
            m_report.complete = false;
            continue; // noted by claim_metadata
        }
        // With group checksums, the inodes past ipg - itable_unused have
        // never been used: their records may be garbage, unless the bitmap
        // says otherwise.
        uint64_t const scan = m_csum ? m_inodes_per_group - std::min(g.itable_unused, m_inodes_per_group)
                                     : m_inodes_per_group;
        uint64_t const first_ino = uint64_t(index) * m_inodes_per_group + 1;
        for (uint64_t start = 0; start < m_inodes_per_group && !stopped(); start += chunk_inodes) {
            uint64_t const count = std::min<uint64_t>(chunk_inodes, m_inodes_per_group - start);
            bool wanted = start < scan;
            for (uint64_t i = start; !wanted && i < start + count; i++)
                wanted = m_inode_marked.get(first_ino - 1 + i);
            if (!wanted) continue;
            chunk.resize(count * m_inode_size);
            if (!m_source.read(g.inode_table * m_block_size + start * m_inode_size, chunk)) {
                note("group " + std::to_string(index) + ": cannot read inodes " + std::to_string(first_ino + start)
                     + "-" + std::to_string(first_ino + start + count - 1));
                m_report.complete = false;
                continue;
            }
            for (uint64_t i = start; i < start + count && !stopped(); i++) {
                uint64_t const ino = first_ino + i;
                if (ino > m_inodes) break;
                bool const marked = g.inode_bitmap_known && m_inode_marked.get(ino - 1);
                if (i >= scan && !marked) continue;
                ext4::DiskInode inode {};
                std::memcpy(&inode, chunk.data() + (i - start) * m_inode_size,
                            std::min<size_t>(m_inode_size, sizeof(inode)));
                bool walk;
                if (special_inode(uint32_t(ino))) {
                    // Reserved and hidden inodes: always marked, and in use
                    // by what they hold, whatever their links.
                    walk = ino == kBadBlocksIno || inode.i_mode != 0;
                } else {
                    bool const alive
                        = (inode.i_links_count > 0 && inode.i_mode != 0) || m_orphans.count(uint32_t(ino));
                    if (g.inode_bitmap_known && alive != marked) {
                        DisagreementItem item;
                        item.kind = alive ? Disagreement::InodeUsedButFree : Disagreement::InodeMarkedButUnused;
                        item.inode = uint32_t(ino);
                        item.group = index;
                        char text[160];
                        if (alive)
                            std::snprintf(text, sizeof(text),
                                          "inode %llu is in use (mode %#o, %u links) but free in the inode bitmap",
                                          static_cast<unsigned long long>(ino), inode.i_mode, inode.i_links_count);
                        else
                            std::snprintf(text, sizeof(text),
                                          "inode %llu is marked in the inode bitmap but not in use (mode %#o, %u links)",
                                          static_cast<unsigned long long>(ino), inode.i_mode, inode.i_links_count);
                        item.text = text;
                        add(std::move(item));
                    }
                    walk = alive || marked;
                }
                if (!walk) continue;
                if (!m_naming) m_report.inodes_walked++;
                walk_inode(uint32_t(ino), inode);
            }
        }
    }
}

void Checker::walk_inode(uint32_t ino, ext4::DiskInode const& inode) {
    uint64_t const xattr = inode.i_file_acl_lo | uint64_t(inode.l_i_file_acl_high) << 32;
    if (xattr) claim_checked(xattr, 1, { BlockRole::Xattr, ino, 0, 0 });
    uint32_t const type = inode.i_mode & kTypeMask;
    if (type == kTypeCharacter || type == kTypeBlock || type == kTypeFifo || type == kTypeSocket) return;
    if (inode.i_flags & ext4::kInlineDataFlag) return;
    if (ino == kResizeIno && (m_super.s_feature_compat & kCompatResizeInode)) {
        // Its double indirect block lists the reserved GDT blocks, which
        // the group layout already owns: only that block is the inode's.
        uint64_t const pointers = m_block_size / 4;
        if (inode.i_block[ext4::kDoubleIndirect])
            claim_checked(inode.i_block[ext4::kDoubleIndirect], 1,
                          { BlockRole::Indirect, ino, ext4::kDirectBlocks + pointers, 0 });
        return;
    }
    if (inode.i_flags & ext4::kExtentsFlag) {
        walk_extent_node(ino, reinterpret_cast<uint8_t const*>(inode.i_block), ext4::kInlineBytes, -1, 0);
        return;
    }
    if (type == kTypeSymlink) {
        // A fast symlink keeps its target in i_block: no blocks but the
        // xattr block's (Linux's ext4_inode_is_fast_symlink).
        uint64_t blocks = inode.i_blocks_lo | (m_huge_file ? uint64_t(inode.l_i_blocks_high) << 32 : 0);
        if (m_huge_file && (inode.i_flags & ext4::kHugeFileFlag)) blocks *= m_block_size / 512;
        uint64_t const xattr_blocks = xattr ? m_block_size / 512 : 0;
        if (blocks <= xattr_blocks) return;
    }
    for (uint32_t k = 0; k < ext4::kDirectBlocks && !stopped(); k++)
        if (inode.i_block[k]) claim_checked(inode.i_block[k], 1, { BlockRole::Data, ino, k, 0 });
    uint64_t const pointers = m_block_size / 4;
    uint64_t logical = ext4::kDirectBlocks;
    walk_indirect(ino, inode.i_block[ext4::kSingleIndirect], 1, logical);
    logical += pointers;
    walk_indirect(ino, inode.i_block[ext4::kDoubleIndirect], 2, logical);
    logical += pointers * pointers;
    walk_indirect(ino, inode.i_block[ext4::kTripleIndirect], 3, logical);
}

// One node of an extent tree: the root in the inode (`block` 0,
// `expected_depth` -1: whatever its header says) or a block. Depth falls by
// one per level and a block already claimed is not entered again, so the
// walk ends on any image.
void Checker::walk_extent_node(uint32_t ino, uint8_t const* node, size_t size, int expected_depth, uint64_t block) {
    if (stopped()) return;
    ext4::ExtentHeader header;
    std::memcpy(&header, node, sizeof(header));
    std::string const where = block ? "block " + std::to_string(block) : std::string("the inode");
    if (header.eh_magic != ext4::kExtentMagic || header.eh_entries > header.eh_max
        || sizeof(header) + size_t(header.eh_max) * sizeof(ext4::Extent) > size || header.eh_depth > ext4::kMaxExtentDepth
        || (expected_depth >= 0 && header.eh_depth != unsigned(expected_depth))) {
        char text[200];
        std::snprintf(text, sizeof(text),
                      "inode %u: the extent tree node in %s has a bad header (magic %#x, %u of %u entries, depth %u%s)",
                      ino, where.c_str(), header.eh_magic, header.eh_entries, header.eh_max, header.eh_depth,
                      expected_depth >= 0 ? (", expected " + std::to_string(expected_depth)).c_str() : "");
        bad_pointer(ino, block, { BlockRole::ExtentNode, ino, 0, 0 }, text);
        return;
    }
    std::vector<uint8_t> child;
    for (unsigned i = 0; i < header.eh_entries && !stopped(); i++) {
        uint8_t const* entry = node + sizeof(header) + i * sizeof(ext4::Extent);
        if (header.eh_depth == 0) {
            ext4::Extent extent;
            std::memcpy(&extent, entry, sizeof(extent));
            uint64_t const length
                = extent.ee_len > ext4::kInitializedExtentMax ? extent.ee_len - ext4::kInitializedExtentMax : extent.ee_len;
            uint64_t const start = extent.ee_start_lo | uint64_t(extent.ee_start_hi) << 32;
            BlockOwner const owner { BlockRole::Data, ino, extent.ee_block, 0 };
            if (length == 0) {
                bad_pointer(ino, start, owner,
                            "inode " + std::to_string(ino) + ": an empty extent at logical block "
                                + std::to_string(extent.ee_block) + " (in " + where + ")");
                continue;
            }
            claim_checked(start, length, owner);
        } else {
            ext4::ExtentIndex index;
            std::memcpy(&index, entry, sizeof(index));
            uint64_t const leaf = index.ei_leaf_lo | uint64_t(index.ei_leaf_hi) << 32;
            if (!claim_checked(leaf, 1, { BlockRole::ExtentNode, ino, index.ei_block, 0 })) continue;
            if (!read_block(leaf, child)) {
                note("inode " + std::to_string(ino) + ": cannot read extent tree block " + std::to_string(leaf));
                continue;
            }
            walk_extent_node(ino, child.data(), child.size(), header.eh_depth - 1, leaf);
        }
    }
}

void Checker::walk_indirect(uint32_t ino, uint64_t block, unsigned level, uint64_t logical) {
    if (!block || stopped()) return;
    if (!claim_checked(block, 1, { BlockRole::Indirect, ino, logical, 0 })) return;
    std::vector<uint8_t> bytes;
    if (!read_block(block, bytes)) {
        note("inode " + std::to_string(ino) + ": cannot read indirect block " + std::to_string(block));
        return;
    }
    uint64_t const pointers = m_block_size / 4;
    uint64_t span = 1;
    for (unsigned l = 1; l < level; l++) span *= pointers;
    for (uint64_t j = 0; j < pointers && !stopped(); j++) {
        uint32_t const pointer = le32(bytes.data() + j * 4);
        if (!pointer) continue;
        if (level == 1) claim_checked(pointer, 1, { BlockRole::Data, ino, logical + j, 0 });
        else walk_indirect(ino, pointer, level - 1, logical + j * span);
    }
}

void Checker::find_leaks() {
    for (uint32_t index = 0; index < m_group_count; index++) {
        Group const& g = m_groups[index];
        if (!g.block_bitmap_known) continue;
        for (uint64_t b = g.first; b < g.first + g.count; b++) {
            if (b % 64 == 0 && b + 64 <= g.first + g.count && (m_marked.word(b / 64) & ~m_claimed.word(b / 64)) == 0) {
                b += 63;
                continue;
            }
            if (!m_marked.get(b) || m_claimed.get(b)) continue;
            DisagreementItem item;
            item.kind = Disagreement::BlockLeaked;
            item.block = b;
            item.group = index;
            add(std::move(item));
        }
    }
}

// The same walk again, reporting nothing, to learn who claimed each block
// reported as claimed twice first.
void Checker::name_first_claimants() {
    for (DisagreementItem const& item : m_report.items)
        if (item.kind == Disagreement::BlockMultiplyClaimed) m_watch.push_back(item.block);
    if (m_watch.empty()) return;
    std::sort(m_watch.begin(), m_watch.end());
    m_naming = true;
    m_claimed.clear();
    m_xattr.clear();
    m_budget = 4 * m_blocks + (1u << 20);
    m_stopped = false;
    claim_metadata();
    walk_inodes();
    m_naming = false;
    for (DisagreementItem& item : m_report.items)
        if (item.kind == Disagreement::BlockMultiplyClaimed)
            if (auto it = m_first_owner.find(item.block); it != m_first_owner.end()) item.other = it->second;
}

std::string item_text(DisagreementItem const& item) {
    std::string const block = "block " + std::to_string(item.block);
    switch (item.kind) {
    case Disagreement::BlockUsedButFree:
        return block + " is used by " + describe_owner(item.owner) + " but free in the block bitmap";
    case Disagreement::BlockLeaked:
        return block + " is marked used in group " + std::to_string(item.group) + "'s bitmap but nothing owns it";
    case Disagreement::BlockMultiplyClaimed:
        return block + " is claimed by " + describe_owner(item.owner) + " and by " + describe_owner(item.other);
    case Disagreement::GroupFreeBlocks:
        return "group " + std::to_string(item.group) + " records " + std::to_string(item.recorded)
            + " free blocks; its bitmap has " + std::to_string(item.counted);
    case Disagreement::GroupFreeInodes:
        return "group " + std::to_string(item.group) + " records " + std::to_string(item.recorded)
            + " free inodes; its bitmap has " + std::to_string(item.counted);
    default: return item.text;
    }
}

void Checker::run() {
    if (!read_superblock() || !read_descriptors()) return;
    read_bitmaps();
    m_claimed.resize(m_blocks);
    // Generous: a sane file system claims each block once, plus each
    // shared xattr block per user.
    m_budget = 4 * m_blocks + (1u << 20);
    claim_metadata();
    find_orphans();
    walk_inodes();
    if (stopped()) note("blocks marked used but owned by nothing were not judged: the walk did not finish");
    else find_leaks();
    list_items();
    name_first_claimants();
    for (DisagreementItem& item : m_report.items) item.text = item_text(item);
}

} // namespace

CheckReport check_ext4_bitmaps(ByteSource const& source, CheckOptions const& options) {
    CheckReport report;
    Checker(source, options, report).run();
    return report;
}

} // namespace aramid::monitor
