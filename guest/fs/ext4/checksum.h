// CRC32C (Castagnoli), the checksum of ext4's metadata_csum feature, and
// the per-volume seed every metadata checksum starts from; CRC16, the
// checksum of gdt_csum (uninit_bg) group descriptors.
//
// ext4 stores the raw running CRC (Linux's crc32c_le, seeded, with no final
// inversion); checksums chain, e.g. an inode's is
//   crc32c(crc32c(crc32c(seed, ino), generation), inode bytes).
#pragma once

#include <lib/types.h>

namespace ext4 {

// The running CRC32C of `length` bytes from `crc` (no pre- or post-inversion,
// as Linux's crc32c_le).
u32 crc32c(u32 crc, void const* data, usize length);

// Linux's crc16 (lib/crc16.c: polynomial 0x8005, reflected, no inversion).
u16 crc16(u16 crc, void const* data, usize length);

inline u32 crc32c_u32(u32 crc, u32 value) { return crc32c(crc, &value, sizeof(value)); }

// The seed of every metadata checksum: s_checksum_seed with CSUM_SEED, else
// crc32c(~0, s_uuid).
inline u32 checksum_seed(u8 const (&uuid)[16], bool has_seed_field, u32 seed_field)
{
    return has_seed_field ? seed_field : crc32c(~0u, uuid, sizeof(uuid));
}

} // namespace ext4
