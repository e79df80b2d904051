// DiskBackend: a BlockBackend over a BlockDevice (a disk), for the block
// caches of disk file systems. Requests are split at the device's request
// limit and go through one DMA bounce buffer the backend owns, copied to or
// from the cache's heap blocks (a memcpy is nothing next to the VM exit
// every request costs).
#pragma once

#include <fs/block_cache.h>
#include <kernel/drivers/block_device.h>

class DiskBackend final : public BlockBackend {
public:
    static Result<OwnPtr<DiskBackend>> create(BlockDevice& device);
    Result<void> read(u64 offset, u8* buffer, usize length) override;
    u64 size() const override { return m_device.size(); }
    usize max_request() const override { return m_request_limit; }
    Result<void> read_blocks(u64 offset, usize block_size, u8* const* blocks, usize count) override;
    Result<void> write(u64 offset, u8 const* buffer, usize length) override;
    Result<void> flush() override { return m_device.flush(); }
    BlockDevice& device() const { return m_device; }

private:
    Result<void> check(u64 offset, usize length) const;
    DiskBackend(BlockDevice& device, DmaBuffer bounce)
        : m_device(device)
        , m_bounce(static_cast<DmaBuffer&&>(bounce))
        , m_request_limit(lib::min(m_bounce.size(), device.max_request_sectors() * BlockDevice::kSectorSize))
    {
    }
    BlockDevice& m_device; // disks are never removed (block_device.h)
    DmaBuffer m_bounce;
    usize m_request_limit; // bytes: the bounce buffer, and the device's own limit
};
