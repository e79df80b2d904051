#include <fs/vfs/mode.h>
#include <kernel/debug/log.h>
#include <kernel/drivers/block_device.h>
#include <kernel/drivers/virtio_blk.h>
#include <kernel/sync/spinlock.h>
#include <lib/format.h>

namespace virtio_blk {

namespace {

// Feature bits (§5.2.3).
constexpr u64 kFeatureSizeMax = 1ull << 1;
constexpr u64 kFeatureReadOnly = 1ull << 5;
constexpr u64 kFeatureFlush = 1ull << 9;

// Configuration space (§5.2.4).
constexpr u32 kConfigCapacity = 0x00; // u64, in 512-byte sectors
constexpr u32 kConfigSizeMax = 0x08;  // u32, bytes per segment (with kFeatureSizeMax)

// Request types and status (§5.2.6).
constexpr u32 kRequestIn = 0;
constexpr u32 kRequestOut = 1;
constexpr u32 kRequestFlush = 4;
constexpr u8 kStatusOk = 0;

struct RequestHeader {
    u32 type;
    u32 reserved;
    u64 sector;
};
static_assert(sizeof(RequestHeader) == 16);
constexpr usize kStatusOffset = sizeof(RequestHeader); // in the request page

// What negotiation and the configuration space say about a disk.
struct Geometry {
    u64 sectors { 0 };
    bool read_only { false };
    bool flush { false };
    usize max_request_sectors { 0 };
};

// §3.1.1 up to DRIVER_OK (which the caller sets once the disk exists).
Result<Geometry> initialize(virtio::MmioDevice& device) {
    u64 const features = TRY(device.negotiate(kFeatureReadOnly | kFeatureFlush | kFeatureSizeMax));
    Geometry geometry;
    geometry.sectors = device.read_config64(kConfigCapacity);
    geometry.read_only = features & kFeatureReadOnly;
    geometry.flush = features & kFeatureFlush;
    usize max_bytes = kMaxRequestBytes;
    if (features & kFeatureSizeMax) {
        // One data segment per request, so the segment limit is the request limit.
        u32 const size_max = device.read_config32(kConfigSizeMax);
        if (size_max >= BlockDevice::kSectorSize && size_max < max_bytes)
            max_bytes = align_down(usize(size_max), BlockDevice::kSectorSize);
    }
    geometry.max_request_sectors = max_bytes / BlockDevice::kSectorSize;
    TRY(device.setup_queue());
    if (device.queue_size() < 3) return Errno(ENODEV); // a request is three descriptors
    return geometry;
}

class VirtioBlock final : public BlockDevice {
public:
    // On failure the device is told (FAILED) and, with the OwnPtr, reset.
    static Result<OwnPtr<VirtioBlock>> create(OwnPtr<virtio::MmioDevice> device, usize index) {
        auto give_up = [&](Errno error) {
            device->fail();
            return error;
        };
        auto geometry = initialize(*device);
        if (geometry.is_error()) return give_up(geometry.error());
        auto request_page = DmaBuffer::allocate(mm::kPageSize, true);
        if (request_page.is_error()) return give_up(request_page.error());
        auto* disk = new (std::nothrow) VirtioBlock(static_cast<OwnPtr<virtio::MmioDevice>&&>(device),
                                                    request_page.release_value(), index, geometry.value());
        if (!disk) return give_up(Errno(ENOMEM));
        disk->m_device->driver_ok();
        return adopt_own(disk);
    }

    Result<void> read_sectors(u64 sector, usize count, DmaBuffer& buffer, usize offset) override {
        if (!fits(sector, count, buffer, offset)) return Errno(EINVAL);
        return request(kRequestIn, sector, buffer.physical() + offset, u32(count * kSectorSize));
    }

    Result<void> write_sectors(u64 sector, usize count, DmaBuffer const& buffer, usize offset) override {
        if (read_only()) return Errno(EROFS);
        if (!fits(sector, count, buffer, offset)) return Errno(EINVAL);
        return request(kRequestOut, sector, buffer.physical() + offset, u32(count * kSectorSize));
    }

    // Without VIRTIO_BLK_F_FLUSH the device has no volatile write cache
    // (§5.2.5): a completed write is durable already, as Linux assumes.
    Result<void> flush() override {
        if (!m_has_flush || read_only()) return {};
        return request(kRequestFlush, 0, 0, 0);
    }

    bool has_flush() const { return m_has_flush; }
    u64 base() const { return m_device->base(); }

private:
    // The device moves in only once the allocation succeeded (it is a
    // reference until the member initializer), so create() can still fail it.
    VirtioBlock(OwnPtr<virtio::MmioDevice>&& device, DmaBuffer&& request_page, usize index, Geometry const& geometry)
        : BlockDevice(vfs::make_device(block::kVirtioBlockMajor, u32(index) * block::kMinorsPerDisk), geometry.sectors,
                      geometry.read_only, geometry.max_request_sectors),
          m_device(static_cast<OwnPtr<virtio::MmioDevice>&&>(device)),
          m_request_page(static_cast<DmaBuffer&&>(request_page)), m_has_flush(geometry.flush) {
        lib::format_to(m_name, sizeof(m_name), "vd%c", char('a' + index));
    }

    Result<void> request(u32 type, u64 sector, u64 data, u32 length) {
        SpinlockGuard guard(m_lock);
        auto* header = reinterpret_cast<RequestHeader*>(m_request_page.data());
        header->type = type;
        header->reserved = 0;
        header->sector = sector;
        auto* status = reinterpret_cast<volatile u8*>(m_request_page.data() + kStatusOffset);
        *status = 0xff; // not a status the device sends: a request it never touched fails
        u64 const page = m_request_page.physical();
        virtio::Segment segments[3];
        usize count = 0;
        segments[count++] = { page, sizeof(RequestHeader), false };
        if (length) segments[count++] = { data, length, type == kRequestIn };
        segments[count++] = { page + kStatusOffset, 1, true };
        u32 const written = TRY(m_device->transfer(segments, count));
        if (u8 const result = *status; result != kStatusOk) {
            log_warn("virtio-blk: %s: request type %u at sector %lu: status %u", name(), type, sector, result);
            return Errno(EIO);
        }
        // Bytes past what the device says it wrote are not data (§2.6.8, the used ring's len):
        // the bounce buffer is not zeroed, and they would be stale kernel memory.
        if (type == kRequestIn && written < length + 1) {
            log_warn("virtio-blk: %s: read of %u bytes at sector %lu: the device wrote %u", name(), length, sector,
                     written);
            return Errno(EIO);
        }
        return {};
    }

    Spinlock<LockRank::BlockRequest> m_lock;
    OwnPtr<virtio::MmioDevice> m_device;
    DmaBuffer m_request_page; // the header at 0, the status byte after it
    bool m_has_flush;
};

// "1 MiB", "1.5 GiB": the size for the boot log.
void format_size(char* buffer, usize size, u64 bytes) {
    static constexpr char const* kUnits[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
    usize unit = 0;
    while (unit + 1 < sizeof(kUnits) / sizeof(kUnits[0]) && bytes >= (u64(1) << (10 * (unit + 1)))) unit++;
    u64 const scale = u64(1) << (10 * unit);
    u64 const tenths = (bytes % scale) * 10 / scale;
    if (tenths) lib::format_to(buffer, size, "%lu.%lu %s", bytes / scale, tenths, kUnits[unit]);
    else lib::format_to(buffer, size, "%lu %s", bytes / scale, kUnits[unit]);
}

} // namespace

Result<void> attach(OwnPtr<virtio::MmioDevice> device) {
    if (block::count() == block::kMaxDevices) return Errno(ENOSPC);
    auto disk = TRY(VirtioBlock::create(static_cast<OwnPtr<virtio::MmioDevice>&&>(device), block::count()));
    char size[32];
    format_size(size, sizeof(size), disk->size());
    log_info("virtio-blk: %s at %#lx, %lu sectors (%s), %s%s", disk->name(), disk->base(), disk->sector_count(), size,
             disk->read_only() ? "read-only" : "read-write", disk->has_flush() ? ", flush" : "");
    return block::add(OwnPtr<BlockDevice>(static_cast<OwnPtr<VirtioBlock>&&>(disk)));
}

} // namespace virtio_blk
