#include <fs/block_cache_disk.h>

#include <new>

namespace {
// A 64 KiB block in one request where the device allows it.
constexpr usize kBounceBytes = 64 * 1024;
} // namespace

Result<OwnPtr<DiskBackend>> DiskBackend::create(BlockDevice& device)
{
    usize const bytes = lib::min(kBounceBytes, device.max_request_sectors() * BlockDevice::kSectorSize);
    if (bytes < BlockDevice::kSectorSize) return Errno(EINVAL);
    auto bounce = TRY(DmaBuffer::allocate(bytes));
    auto backend = adopt_own(new (std::nothrow) DiskBackend(device, static_cast<DmaBuffer&&>(bounce)));
    if (!backend) return Errno(ENOMEM);
    return backend;
}

// One "block" of the whole length: read_blocks does the chunking.
Result<void> DiskBackend::read(u64 offset, u8* buffer, usize length) { return read_blocks(offset, length, &buffer, 1); }

// read() with the copy out of the bounce buffer split across the blocks: one
// request when the run fits max_request(), as the cache asks.
Result<void> DiskBackend::read_blocks(u64 offset, usize block_size, u8* const* blocks, usize count)
{
    constexpr usize kSector = BlockDevice::kSectorSize;
    usize const length = block_size * count;
    TRY(check(offset, length));
    usize done = 0;
    while (done < length) {
        usize const chunk = lib::min(length - done, m_request_limit);
        TRY(m_device.read_sectors((offset + done) / kSector, chunk / kSector, m_bounce));
        // A block may straddle two chunks when the device's limit is below
        // the block size.
        for (usize copied = 0; copied < chunk;) {
            usize const at = done + copied;
            usize const piece = lib::min(chunk - copied, block_size - at % block_size);
            __builtin_memcpy(blocks[at / block_size] + at % block_size, m_bounce.data() + copied, piece);
            copied += piece;
        }
        done += chunk;
    }
    return {};
}

Result<void> DiskBackend::write(u64 offset, u8 const* buffer, usize length)
{
    constexpr usize kSector = BlockDevice::kSectorSize;
    TRY(check(offset, length));
    for (usize done = 0; done < length;) {
        usize const chunk = lib::min(length - done, m_request_limit);
        __builtin_memcpy(m_bounce.data(), buffer + done, chunk);
        TRY(m_device.write_sectors((offset + done) / kSector, chunk / kSector, m_bounce));
        done += chunk;
    }
    return {};
}

Result<void> DiskBackend::check(u64 offset, usize length) const
{
    constexpr usize kSector = BlockDevice::kSectorSize;
    if (offset % kSector || length % kSector) return Errno(EINVAL);
    if (offset > size() || length > size() - offset) return Errno(EINVAL);
    return {};
}
