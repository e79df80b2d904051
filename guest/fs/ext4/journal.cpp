#include <fs/ext4/checksum.h>
#include <fs/ext4/journal.h>
#include <lib/vector.h>


namespace ext4::journal {

namespace {

// jbd2's on-disk format (include/linux/jbd2.h): every field big-endian.
constexpr u32 kMagic = 0xc03b3998;
enum BlockType : u32 {
    kDescriptor = 1,
    kCommit = 2,
    kSuperblockV1 = 3,
    kSuperblockV2 = 4,
    kRevoke = 5,
};
constexpr u32 kCompatChecksum = 1;
constexpr u32 kIncompatRevoke = 1, kIncompat64Bit = 2, kIncompatAsyncCommit = 4, kIncompatCsumV2 = 8,
              kIncompatCsumV3 = 0x10, kIncompatFastCommit = 0x20;
constexpr u32 kKnownIncompat = kIncompatRevoke | kIncompat64Bit | kIncompatCsumV2 | kIncompatCsumV3;
constexpr u32 kTagEscape = 1, kTagSameUuid = 2, kTagLast = 8;
constexpr usize kHeaderSize = 12;
constexpr usize kRevokeHeaderSize = 16; // the header and r_count
constexpr usize kUuidSize = 16;
constexpr usize kTailSize = 4; // a descriptor's or revoke block's checksum
// Journal superblock offsets.
constexpr usize kSbBlockSize = 0x0c, kSbMaxLen = 0x10, kSbFirst = 0x14, kSbSequence = 0x18, kSbStart = 0x1c,
                kSbCompat = 0x24, kSbIncompat = 0x28, kSbUuid = 0x30, kSbNrUsers = 0x40, kSbChecksum = 0xfc,
                kSbSize = 0x400;
// Commit block: h_chksum_type, h_chksum_size, padding, h_chksum[8].
constexpr usize kCommitChecksumType = 0x0c, kCommitChecksum = 0x10;

u32 be32(u8 const* p) { return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | p[3]; }
u16 be16(u8 const* p) { return u16(p[0] << 8 | p[1]); }
void put_be32(u8* p, u32 v) {
    p[0] = u8(v >> 24);
    p[1] = u8(v >> 16);
    p[2] = u8(v >> 8);
    p[3] = u8(v);
}

struct Revoked {
    u64 block;
    u32 sequence; // the latest transaction that revoked it
};

class Recovery {
public:
    Recovery(Device& device, u32 block_size, u64 block_count, Report& report)
        : m_device(device), m_block_size(block_size), m_block_count(block_count), m_report(report) { }

    Result<void> run(u64 journal_blocks);

private:
    enum class Pass { Scan, Revoke, Replay };
    Result<void> read_superblock(u64 journal_blocks);
    Result<void> pass(Pass pass);
    // Handles a descriptor block's tags; false when the block is not valid
    // (the log ends there).
    Result<bool> descriptor(Pass pass, u32 sequence, u64& next);
    Result<bool> revoke_block(Pass pass, u32 sequence);
    bool block_checksum_ok(u8 const* block, usize tail_offset) const;
    bool commit_checksum_ok(u8* block) const;
    bool tag_checksum_ok(u8 const* tag, u32 sequence, u8 const* data) const;
    Result<void> add_revoke(u64 block, u32 sequence);
    bool revoked(u64 block, u32 sequence) const;
    u64 wrap(u64 index) const { return index >= m_max_len ? m_first + (index - m_max_len) : index; }
    // jbd2's journal_tag_bytes: tag3 with csum v3; else the 12-byte tag,
    // 2 more with csum v2, 4 fewer without 64bit.
    usize tag_size() const {
        if (m_incompat & kIncompatCsumV3) return 16;
        usize const size = 12 + ((m_incompat & kIncompatCsumV2) ? 2 : 0);
        return (m_incompat & kIncompat64Bit) ? size : size - 4;
    }
    bool has_csum() const { return m_incompat & (kIncompatCsumV2 | kIncompatCsumV3); }
    // Sequence numbers wrap: a is before b (tid_gt in jbd2.h).
    static bool before(u32 a, u32 b) { return i32(a - b) < 0; }

    Device& m_device;
    u32 m_block_size;
    u64 m_block_count;
    Report& m_report;
    u8* m_block { nullptr }; // the log block being read
    u8* m_data { nullptr };  // a logged block on its way home
    u64 m_first { 0 }, m_max_len { 0 }, m_start { 0 };
    u32 m_sequence { 0 };    // the first transaction in the log
    u32 m_end { 0 };         // the first transaction not to replay (from the scan)
    u32 m_incompat { 0 };
    u32 m_seed { 0 };
    Vector<Revoked> m_revoked; // sorted by block after the revoke pass
};

Result<void> Recovery::read_superblock(u64 journal_blocks) {
    TRY(m_device.read_journal(0, m_block));
    u8 const* sb = m_block;
    u32 const type = be32(sb + 4);
    if (be32(sb) != kMagic || (type != kSuperblockV1 && type != kSuperblockV2)) {
        m_report.problem = "the journal's superblock has no jbd2 magic";
        return Errno(EUCLEAN);
    }
    if (be32(sb + kSbBlockSize) != m_block_size) {
        m_report.problem = "the journal's block size is not the file system's";
        return Errno(EUCLEAN);
    }
    m_max_len = be32(sb + kSbMaxLen);
    m_first = be32(sb + kSbFirst);
    m_sequence = be32(sb + kSbSequence);
    m_start = be32(sb + kSbStart);
    if (m_max_len > journal_blocks || m_first == 0 || m_first >= m_max_len || (m_start && (m_start < m_first || m_start >= m_max_len))) {
        m_report.problem = "the journal's superblock names blocks outside the journal";
        return Errno(EUCLEAN);
    }
    if (type == kSuperblockV2) {
        u32 const compat = be32(sb + kSbCompat);
        m_incompat = be32(sb + kSbIncompat);
        if (compat & kCompatChecksum) {
            m_report.problem = "journal checksum v1 (compat CHECKSUM)";
            return Errno(ENOTSUP);
        }
        if (m_incompat & kIncompatAsyncCommit) {
            m_report.problem = "journal_async_commit";
            return Errno(ENOTSUP);
        }
        if (m_incompat & kIncompatFastCommit) {
            m_report.problem = "journal fast commits";
            return Errno(ENOTSUP);
        }
        if (m_incompat & ~kKnownIncompat) {
            m_report.problem = "unknown journal incompat features";
            return Errno(ENOTSUP);
        }
        if (be32(sb + kSbNrUsers) > 1) {
            m_report.problem = "a shared (external) journal";
            return Errno(ENOTSUP);
        }
        if (has_csum()) {
            // jbd2_superblock_csum: crc32c(~0) over the first 1 KiB with
            // s_checksum as zero.
            u8 saved[4];
            __builtin_memcpy(saved, m_block + kSbChecksum, 4);
            __builtin_memset(m_block + kSbChecksum, 0, 4);
            u32 const computed = crc32c(~0u, m_block, lib::min(usize(kSbSize), usize(m_block_size)));
            __builtin_memcpy(m_block + kSbChecksum, saved, 4);
            if (computed != be32(saved)) {
                m_report.problem = "the journal's superblock checksum is wrong";
                return Errno(EUCLEAN);
            }
            m_seed = crc32c(~0u, sb + kSbUuid, kUuidSize);
        }
    }
    return {};
}

bool Recovery::block_checksum_ok(u8 const* block, usize tail_offset) const {
    if (!has_csum()) return true;
    // crc32c(seed) over the whole block with its tail as zero.
    u32 const stored = be32(block + tail_offset);
    static constexpr u8 kZero[4] {};
    u32 crc = crc32c(m_seed, block, tail_offset);
    crc = crc32c(crc, kZero, 4);
    crc = crc32c(crc, block + tail_offset + 4, m_block_size - tail_offset - 4);
    return crc == stored;
}

bool Recovery::commit_checksum_ok(u8* block) const {
    if (!has_csum()) return true;
    u32 const stored = be32(block + kCommitChecksum);
    u8 saved[8];
    __builtin_memcpy(saved, block + kCommitChecksumType, 4);
    __builtin_memcpy(saved + 4, block + kCommitChecksum, 4);
    __builtin_memset(block + kCommitChecksumType, 0, 4);
    __builtin_memset(block + kCommitChecksum, 0, 4);
    u32 const computed = crc32c(m_seed, block, m_block_size);
    __builtin_memcpy(block + kCommitChecksumType, saved, 4);
    __builtin_memcpy(block + kCommitChecksum, saved + 4, 4);
    return computed == stored;
}

bool Recovery::tag_checksum_ok(u8 const* tag, u32 sequence, u8 const* data) const {
    if (!has_csum()) return true;
    u8 sequence_be[4];
    put_be32(sequence_be, sequence);
    u32 const crc = crc32c(crc32c(m_seed, sequence_be, 4), data, m_block_size);
    if (m_incompat & kIncompatCsumV3) return be32(tag + 12) == crc;
    return be16(tag + 4) == u16(crc);
}

Result<void> Recovery::add_revoke(u64 block, u32 sequence) {
    for (auto& r : m_revoked) {
        if (r.block != block) continue;
        if (before(r.sequence, sequence)) r.sequence = sequence;
        return {};
    }
    return m_revoked.try_append({ block, sequence });
}

bool Recovery::revoked(u64 block, u32 sequence) const {
    // A revoke record in transaction R cancels the block's copies logged
    // by transactions before R, and by R itself (jbd2_journal_test_revoke).
    for (auto const& r : m_revoked)
        if (r.block == block) return !before(r.sequence, sequence);
    return false;
}

Result<bool> Recovery::descriptor(Pass pass, u32 sequence, u64& next) {
    usize const end = m_block_size - (has_csum() ? kTailSize : 0);
    if (has_csum() && !block_checksum_ok(m_block, m_block_size - kTailSize)) return false;
    usize const size = tag_size();
    // A first pass checks the tags and counts the data blocks, so that a
    // malformed descriptor ends the log before any block of it is written.
    usize at = kHeaderSize;
    u32 tags = 0;
    while (true) {
        if (at + size > end) return false; // no last tag
        u8 const* tag = m_block + at;
        u32 const flags = (m_incompat & kIncompatCsumV3) ? be32(tag + 4) : be16(tag + 6);
        at += size;
        if (!(flags & kTagSameUuid)) {
            if (at + kUuidSize > end) return false;
            at += kUuidSize;
        }
        tags++;
        if (flags & kTagLast) break;
    }
    if (tags >= m_max_len - m_first) return false;
    at = kHeaderSize;
    for (u32 t = 0; t < tags; t++) {
        u8 const* tag = m_block + at;
        u32 const flags = (m_incompat & kIncompatCsumV3) ? be32(tag + 4) : be16(tag + 6);
        u64 block = be32(tag);
        if (m_incompat & kIncompat64Bit) block |= u64(be32(tag + 8)) << 32;
        at += size + ((flags & kTagSameUuid) ? 0 : kUuidSize);
        u64 const index = next;
        next = wrap(next + 1);
        if (pass != Pass::Replay) continue;
        if (revoked(block, sequence)) {
            m_report.blocks_revoked++;
            continue;
        }
        if (block >= m_block_count) {
            // Nowhere to write it: as a bad checksum, skipped and counted.
            m_report.bad_checksums++;
            continue;
        }
        TRY(m_device.read_journal(index, m_data));
        if (!tag_checksum_ok(tag, sequence, m_data)) {
            m_report.bad_checksums++;
            continue;
        }
        // An escaped block began with the magic number, which the log
        // replaced by zero.
        if (flags & kTagEscape) put_be32(m_data, kMagic);
        TRY(m_device.write_home(block, m_data));
        m_report.blocks_written++;
    }
    return true;
}

Result<bool> Recovery::revoke_block(Pass pass, u32 sequence) {
    u32 const count = be32(m_block + kHeaderSize);
    usize const limit = m_block_size - (has_csum() ? kTailSize : 0);
    if (count < kRevokeHeaderSize || count > limit) return false;
    if (has_csum() && !block_checksum_ok(m_block, m_block_size - kTailSize)) return false;
    if (pass != Pass::Revoke) return true;
    usize const record = (m_incompat & kIncompat64Bit) ? 8 : 4;
    for (usize at = kRevokeHeaderSize; at + record <= count; at += record) {
        u64 block = be32(m_block + at);
        if (record == 8) block = block << 32 | be32(m_block + at + 4);
        TRY(add_revoke(block, sequence));
    }
    return true;
}

Result<void> Recovery::pass(Pass pass) {
    u32 sequence = m_sequence;
    u64 next = m_start;
    // Every block of the log is visited at most once per pass.
    for (u64 visited = 0; visited < m_max_len - m_first; visited++) {
        if (pass != Pass::Scan && sequence == m_end) break;
        u64 const index = next;
        TRY(m_device.read_journal(index, m_block));
        next = wrap(next + 1);
        if (be32(m_block) != kMagic || be32(m_block + 8) != sequence) break;
        bool valid = true;
        switch (be32(m_block + 4)) {
        case kDescriptor: valid = TRY(descriptor(pass, sequence, next)); break;
        case kRevoke: valid = TRY(revoke_block(pass, sequence)); break;
        case kCommit:
            if (!commit_checksum_ok(m_block)) {
                valid = false;
                break;
            }
            sequence++;
            if (pass == Pass::Replay) m_report.transactions++;
            break;
        default: valid = false; break;
        }
        if (!valid) break;
    }
    if (pass == Pass::Scan) m_end = sequence;
    return {};
}

Result<void> Recovery::run(u64 journal_blocks) {
    Vector<u8> buffers;
    TRY(buffers.try_resize(usize(m_block_size) * 2));
    m_block = &buffers[0];
    m_data = &buffers[m_block_size];
    TRY(read_superblock(journal_blocks));
    m_report.next_sequence = m_sequence;
    if (m_start == 0) return {}; // an empty log: nothing to replay
    TRY(pass(Pass::Scan));
    TRY(pass(Pass::Revoke));
    TRY(pass(Pass::Replay));
    // The log is replayed: empty it, as jbd2_journal_recover's
    // journal->j_transaction_sequence = ++info.end_transaction; the next
    // transaction starts after the last one replayed.
    TRY(m_device.read_journal(0, m_block));
    m_report.next_sequence = m_end + 1;
    put_be32(m_block + kSbSequence, m_report.next_sequence);
    put_be32(m_block + kSbStart, 0);
    if (has_csum()) {
        __builtin_memset(m_block + kSbChecksum, 0, 4);
        put_be32(m_block + kSbChecksum, crc32c(~0u, m_block, lib::min(usize(kSbSize), usize(m_block_size))));
    }
    return m_device.write_journal(0, m_block);
}

} // namespace

Result<void> recover(Device& device, u32 block_size, u64 block_count, u64 journal_blocks, Report& report) {
    if (block_size < 1024 || journal_blocks < 2) return Errno(EUCLEAN);
    Recovery recovery(device, block_size, block_count, report);
    return recovery.run(journal_blocks);
}

} // namespace ext4::journal
