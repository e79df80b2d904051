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

Result<void> DiskBackend::read(u64 offset, u8* buffer, usize length)
{
    constexpr usize kSector = BlockDevice::kSectorSize;
    if (offset % kSector || length % kSector) return Errno(EINVAL);
    if (offset > size() || length > size() - offset) return Errno(EINVAL);
    usize const chunk_limit = lib::min(m_bounce.size(), m_device.max_request_sectors() * kSector);
    usize done = 0;
    while (done < length) {
        usize const chunk = lib::min(length - done, chunk_limit);
        TRY(m_device.read_sectors((offset + done) / kSector, chunk / kSector, m_bounce));
        __builtin_memcpy(buffer + done, m_bounce.data(), chunk);
        done += chunk;
    }
    return {};
}
