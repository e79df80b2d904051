// DescriptorView: one group descriptor in its cached block, read and
// written through whole values rather than lo/hi halves. The high halves
// exist only in a wide descriptor (INCOMPAT_64BIT, s_desc_size >= 64); a
// 32-byte descriptor is followed by the next group's, so its "high" fields
// are never touched. The checksum is the volume's business
// (Volume::seal_descriptor), as it needs the seed and the group number.
#pragma once

#include <fs/ext4/format.h>

namespace ext4 {

class DescriptorView {
public:
    DescriptorView(u8* raw, bool wide)
        : m_raw(reinterpret_cast<GroupDescriptor*>(raw))
        , m_wide(wide)
    {
    }
    // For reading only: a view of a block's data() must not be set_*().
    DescriptorView(u8 const* raw, bool wide)
        : DescriptorView(const_cast<u8*>(raw), wide)
    {
    }

    // (The high fields are read only when wide: a 32-byte descriptor's
    // "high" fields are the next descriptor's, or past the block's end.)
    u64 block_bitmap() const { return m_raw->bg_block_bitmap_lo | (m_wide ? u64(m_raw->bg_block_bitmap_hi) << 32 : 0); }
    u64 inode_bitmap() const { return m_raw->bg_inode_bitmap_lo | (m_wide ? u64(m_raw->bg_inode_bitmap_hi) << 32 : 0); }
    u64 inode_table() const { return m_raw->bg_inode_table_lo | (m_wide ? u64(m_raw->bg_inode_table_hi) << 32 : 0); }
    u32 free_blocks() const
    {
        return m_raw->bg_free_blocks_count_lo | (m_wide ? u32(m_raw->bg_free_blocks_count_hi) << 16 : 0);
    }
    u32 free_inodes() const
    {
        return m_raw->bg_free_inodes_count_lo | (m_wide ? u32(m_raw->bg_free_inodes_count_hi) << 16 : 0);
    }
    u32 used_dirs() const
    {
        return m_raw->bg_used_dirs_count_lo | (m_wide ? u32(m_raw->bg_used_dirs_count_hi) << 16 : 0);
    }
    u32 itable_unused() const
    {
        return m_raw->bg_itable_unused_lo | (m_wide ? u32(m_raw->bg_itable_unused_hi) << 16 : 0);
    }
    u16 flags() const { return m_raw->bg_flags; }

    void set_free_blocks(u32 v)
    {
        m_raw->bg_free_blocks_count_lo = u16(v);
        if (m_wide) m_raw->bg_free_blocks_count_hi = u16(v >> 16);
    }
    void set_free_inodes(u32 v)
    {
        m_raw->bg_free_inodes_count_lo = u16(v);
        if (m_wide) m_raw->bg_free_inodes_count_hi = u16(v >> 16);
    }
    void set_used_dirs(u32 v)
    {
        m_raw->bg_used_dirs_count_lo = u16(v);
        if (m_wide) m_raw->bg_used_dirs_count_hi = u16(v >> 16);
    }
    void set_itable_unused(u32 v)
    {
        m_raw->bg_itable_unused_lo = u16(v);
        if (m_wide) m_raw->bg_itable_unused_hi = u16(v >> 16);
    }
    void set_flags(u16 v) { m_raw->bg_flags = v; }
    // Linux's ext4_{block,inode}_bitmap_csum_set: the high half only where
    // the descriptor has room for it (EXT4_BG_*_BITMAP_CSUM_HI_END).
    void set_block_bitmap_checksum(u32 csum)
    {
        m_raw->bg_block_bitmap_csum_lo = u16(csum);
        if (m_wide) m_raw->bg_block_bitmap_csum_hi = u16(csum >> 16);
    }
    void set_inode_bitmap_checksum(u32 csum)
    {
        m_raw->bg_inode_bitmap_csum_lo = u16(csum);
        if (m_wide) m_raw->bg_inode_bitmap_csum_hi = u16(csum >> 16);
    }
    // The stored bitmap checksums, as far as the descriptor holds them.
    u32 block_bitmap_checksum() const
    {
        return m_raw->bg_block_bitmap_csum_lo | (m_wide ? u32(m_raw->bg_block_bitmap_csum_hi) << 16 : 0);
    }
    u32 inode_bitmap_checksum() const
    {
        return m_raw->bg_inode_bitmap_csum_lo | (m_wide ? u32(m_raw->bg_inode_bitmap_csum_hi) << 16 : 0);
    }
    bool wide() const { return m_wide; }

    GroupDescriptor& raw() { return *m_raw; }

private:
    GroupDescriptor* m_raw;
    bool m_wide;
};

} // namespace ext4
