#include <fs/vfs/mode.h>
#include <kernel/debug/log.h>
#include <kernel/drivers/block_device.h>

bool BlockDevice::fits(u64 sector, usize count, DmaBuffer const& buffer, usize offset) const {
    if (count == 0 || count > m_max_request_sectors) return false;
    if (sector >= m_sector_count || count > m_sector_count - sector) return false;
    return offset <= buffer.size() && count * kSectorSize <= buffer.size() - offset;
}

namespace block {

namespace {
// Boot fills it; nothing removes a disk. Plain pointers: the disks live as
// long as the kernel.
BlockDevice* g_devices[kMaxDevices];
usize g_count;
} // namespace

Result<void> add(OwnPtr<BlockDevice> device) {
    if (g_count == kMaxDevices) return Errno(ENOSPC);
    g_devices[g_count++] = device.leak();
    return {};
}

usize count() { return g_count; }
BlockDevice& at(usize index) { return *g_devices[index]; }

BlockDevice* find(u64 rdev) {
    for (usize i = 0; i < g_count; i++)
        if (g_devices[i]->rdev() == rdev) return g_devices[i];
    return nullptr;
}

void flush_all() {
    for (usize i = 0; i < g_count; i++)
        if (auto r = g_devices[i]->flush(); r.is_error())
            log_warn("block: %s: flush failed: errno %d", g_devices[i]->name(), r.error().code());
}

} // namespace block
