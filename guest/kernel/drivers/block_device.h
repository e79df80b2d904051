// Block devices: disks addressed in 512-byte sectors, read and written a
// request at a time straight into DMA buffers (no cache here: a block cache
// belongs above, in fs/). Drivers create them at boot and register them
// here; they are never removed (no hot-unplug), so a BlockDevice& stays
// valid for good. /dev/vda and friends (fs/devfs) use them, and later the
// block cache and ext4.
//
// Naming follows Linux's virtio_blk: vda, vdb, ... with major 254 and 16
// minors per disk (the partitions Linux would number; aramid has none yet).
//
// Locking: the registry is written only during boot, before any other
// thread exists. Each driver serializes its own requests.
#pragma once

#include <kernel/drivers/dma_buffer.h>
#include <lib/own_ptr.h>

class BlockDevice {
public:
    static constexpr usize kSectorSize = 512;

    virtual ~BlockDevice() = default;
    BlockDevice(BlockDevice const&) = delete;
    BlockDevice& operator=(BlockDevice const&) = delete;

    char const* name() const { return m_name; }
    u64 rdev() const { return m_rdev; }
    u64 sector_count() const { return m_sector_count; }
    u64 size() const { return m_sector_count * kSectorSize; }
    bool read_only() const { return m_read_only; }
    // The most sectors one read_sectors/write_sectors call may move.
    usize max_request_sectors() const { return m_max_request_sectors; }

    // Moves `count` sectors starting at `sector` from the disk into
    // `buffer` (or from it to the disk), starting at byte `offset` of the
    // buffer. EINVAL for a request outside the disk or the buffer, or over
    // max_request_sectors(); EROFS for a write to a read-only disk; EIO when
    // the device reports an error or stops answering.
    virtual Result<void> read_sectors(u64 sector, usize count, DmaBuffer& buffer, usize offset = 0) = 0;
    virtual Result<void> write_sectors(u64 sector, usize count, DmaBuffer const& buffer, usize offset = 0) = 0;
    // Makes completed writes durable (the device's volatile cache reaches
    // its medium). A disk without a volatile cache has nothing to do.
    virtual Result<void> flush() = 0;

    // A file system on the disk claims it for as long as it is mounted, so
    // that a second one (with its own cache and allocator) cannot write
    // over the first. False if it is claimed already.
    bool claim()
    {
        if (m_claimed) return false;
        m_claimed = true;
        return true;
    }
    void release_claim() { m_claimed = false; }

protected:
    BlockDevice(u64 rdev, u64 sector_count, bool read_only, usize max_request_sectors)
        : m_rdev(rdev), m_sector_count(sector_count), m_read_only(read_only),
          m_max_request_sectors(max_request_sectors) { }
    // Checks a request against the disk and the buffer (the common EINVAL).
    bool fits(u64 sector, usize count, DmaBuffer const& buffer, usize offset) const;
    char m_name[8] {};

private:
    u64 m_rdev;
    u64 m_sector_count;
    bool m_read_only;
    usize m_max_request_sectors;
    bool m_claimed { false };
};

namespace block {

inline constexpr u32 kVirtioBlockMajor = 254;
inline constexpr u32 kMinorsPerDisk = 16;
inline constexpr usize kMaxDevices = 26; // vda .. vdz

// Takes a new disk (at boot). ENOSPC past kMaxDevices.
Result<void> add(OwnPtr<BlockDevice> device);
usize count();
BlockDevice& at(usize index);
// The disk with this device number, or null.
BlockDevice* find(u64 rdev);
// sync(2): flushes every disk; errors are not reported (sync has none).
void flush_all();

} // namespace block
