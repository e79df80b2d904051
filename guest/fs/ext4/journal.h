// ext4::journal: recovery of a jbd2 journal (ext3/ext4's), as Linux's
// fs/jbd2/recovery.c and e2fsck do it, so that a file system a crash left
// with "needs_recovery" mounts read-write with the metadata its last
// committed transactions wrote.
//
// The log runs from the journal superblock's s_start, transaction
// s_sequence on, in the circular area [s_first, s_maxlen) of the journal's
// own blocks. Three passes, as Linux's: scan (find the last transaction
// with a valid commit block), revoke (collect revoke records), replay
// (write each logged block to its home, unless a revoke record of the same
// or a later transaction names it). A transaction without its commit block
// (or with a bad commit checksum) ends the log and is not replayed.
//
// Everything read from the journal is untrusted: block numbers are checked
// against the file system's size and the journal's, tag and revoke records
// against the block's end, and every walk is bounded by the journal's
// length. Checksums (csum v2 and v3) are verified: a bad descriptor or
// revoke block ends the log like a bad commit block; a logged block whose
// own checksum is wrong is not written (Linux writes nothing of it either,
// reporting the error) and is counted.
//
// Supported: journal superblock v1 and v2, incompat REVOKE, 64BIT, CSUM_V2,
// CSUM_V3. Refused (ENOTSUP, the caller mounts read-only as before):
// compat CHECKSUM (v1 commit checksums), ASYNC_COMMIT, FAST_COMMIT and
// unknown incompat bits; an external journal device.
#pragma once

#include <lib/result.h>
#include <lib/types.h>

namespace ext4::journal {

// What recovery needs from the file system: the journal's blocks by their
// number within the journal, and the file system's blocks.
class Device {
public:
    virtual Result<void> read_journal(u64 index, u8* block) = 0;
    virtual Result<void> write_journal(u64 index, u8 const* block) = 0;
    virtual Result<void> write_home(u64 block, u8 const* data) = 0;
    virtual ~Device() = default;
};

struct Report {
    u32 transactions { 0 };    // committed transactions replayed
    u32 blocks_written { 0 };  // logged blocks written home
    u32 blocks_revoked { 0 };  // logged blocks a revoke record skipped
    u32 bad_checksums { 0 };   // logged blocks not written: their checksum is wrong
    u32 next_sequence { 0 };   // the journal's s_sequence afterwards
    char const* problem { nullptr }; // why recovery was refused or failed
};

// Replays the journal on `device` and marks it empty (s_start = 0). The
// caller clears the file system's RECOVER flag afterwards (re-reading the
// superblock first: the log may have held it). `block_size` is the file
// system's, `block_count` its size in blocks, `journal_blocks` the
// journal inode's size in blocks.
// Errors: ENOTSUP (an unsupported journal: report.problem names it),
// EUCLEAN (a journal superblock that makes no sense), EIO, ENOMEM.
Result<void> recover(Device& device, u32 block_size, u64 block_count, u64 journal_blocks, Report& report);

} // namespace ext4::journal
