#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/debug/log.h>
#include <kernel/drivers/virtio_blk.h>
#include <kernel/drivers/virtio_mmio.h>
#include <kernel/mm/page_table.h>

#include <stddef.h>

namespace virtio {

namespace {

// Register offsets (virtio 1.1 §4.2.2), all 32 bits wide.
enum Register : u32 {
    kMagicValue = 0x000,
    kVersion = 0x004,
    kDeviceId = 0x008,
    kDeviceFeatures = 0x010,
    kDeviceFeaturesSel = 0x014,
    kDriverFeatures = 0x020,
    kDriverFeaturesSel = 0x024,
    kQueueSel = 0x030,
    kQueueNumMax = 0x034,
    kQueueNum = 0x038,
    kQueueReady = 0x044,
    kQueueNotify = 0x050,
    kStatus = 0x070,
    kQueueDescLow = 0x080,
    kQueueDescHigh = 0x084,
    kQueueDriverLow = 0x090,
    kQueueDriverHigh = 0x094,
    kQueueDeviceLow = 0x0a0,
    kQueueDeviceHigh = 0x0a4,
    kConfigGeneration = 0x0fc,
    kConfig = 0x100,
};

constexpr u32 kMagic = 0x74726976; // "virt"

// Device status bits (§2.1).
constexpr u32 kStatusAcknowledge = 1;
constexpr u32 kStatusDriver = 2;
constexpr u32 kStatusDriverOk = 4;
constexpr u32 kStatusFeaturesOk = 8;
constexpr u32 kStatusFailed = 128;

// Split virtqueue flags (§2.6).
constexpr u16 kDescriptorNext = 1;
constexpr u16 kDescriptorWrite = 2;
constexpr u16 kAvailNoInterrupt = 1;

} // namespace

// The three parts of a split virtqueue (§2.6), laid out for kMaxQueueSize
// entries in one page. A modern transport takes each part's address
// separately, so a smaller queue simply uses the first entries of each ring.
struct MmioDevice::QueueMemory {
    struct Descriptor {
        u64 address;
        u32 length;
        u16 flags;
        u16 next;
    };
    struct UsedElement {
        u32 id;
        u32 length;
    };
    alignas(16) Descriptor descriptors[kMaxQueueSize];
    struct alignas(2) {
        u16 flags;
        u16 index;
        u16 ring[kMaxQueueSize];
        u16 used_event;
    } avail;
    struct alignas(4) {
        u16 flags;
        u16 index;
        UsedElement ring[kMaxQueueSize];
        u16 avail_event;
    } used;
};

u32 MmioDevice::read(u32 offset) const { return m_registers[offset / 4]; }
void MmioDevice::write(u32 offset, u32 value) { m_registers[offset / 4] = value; }

// The driver keeps the status it wrote instead of reading it back: each
// read would be one more exit.
void MmioDevice::set_status(u32 status) {
    m_status = status;
    write(kStatus, status);
}

MmioDevice::QueueMemory* MmioDevice::queue() const {
    return reinterpret_cast<QueueMemory*>(m_queue_memory.data());
}

Result<OwnPtr<MmioDevice>> MmioDevice::probe(lib::VirtioMmioParameter const& parameter) {
    if (parameter.size < kConfig) {
        log_warn("virtio-mmio: %#lx: a %lu-byte window cannot hold the registers, skipped", parameter.base,
                 parameter.size);
        return Errno(EINVAL);
    }
    auto* registers = reinterpret_cast<volatile u32*>(TRY(mm::map_mmio(parameter.base, parameter.size)));
    // These three reads (and the mapping) are all an empty slot costs.
    if (u32 const magic = registers[kMagicValue / 4]; magic != kMagic) {
        log_warn("virtio-mmio: %#lx: bad magic value %#x, skipped", parameter.base, magic);
        return Errno(ENODEV);
    }
    u32 const version = registers[kVersion / 4];
    if (version != 2) {
        log_warn("virtio-mmio: %#lx: %s (version %u), skipped: only modern virtio-mmio devices are driven "
                 "(QEMU: -global virtio-mmio.force-legacy=false)",
                 parameter.base, version == 1 ? "legacy device" : "unknown version", version);
        return Errno(ENOTSUP);
    }
    u32 const device_id = registers[kDeviceId / 4];
    if (device_id == 0) {
        log_debug("virtio-mmio: %#lx: empty", parameter.base);
        return Errno(ENODEV);
    }
    auto* device = new (std::nothrow) MmioDevice(registers, parameter.base, parameter.size, device_id);
    if (!device) return Errno(ENOMEM);
    return adopt_own(device);
}

MmioDevice::~MmioDevice() {
    // A reset makes the device forget the queue before its page is freed.
    if (m_queue_memory) write(kStatus, 0);
}

Result<u64> MmioDevice::negotiate(u64 wanted) {
    set_status(0);
    // The reset is done when the status reads 0 again (virtio 1.1 §2.1);
    // QEMU and aramid-vmm reset at once, so this is one read.
    for (u64 deadline = 0; read(kStatus) != 0;) {
        if (!deadline) deadline = tsc::uptime_ns() + 1'000'000'000;
        if (tsc::uptime_ns() >= deadline) {
            log_error("virtio-mmio: %#lx: the device does not reset", m_base);
            return Errno(EIO);
        }
        x86::pause();
    }
    set_status(kStatusAcknowledge);
    set_status(kStatusAcknowledge | kStatusDriver);
    write(kDeviceFeaturesSel, 0);
    u64 offered = read(kDeviceFeatures);
    write(kDeviceFeaturesSel, 1);
    offered |= u64(read(kDeviceFeatures)) << 32;
    if (!(offered & kFeatureVersion1)) {
        log_error("virtio-mmio: %#lx: a version 2 transport without VIRTIO_F_VERSION_1 (features %#lx)", m_base,
                  offered);
        fail();
        return Errno(ENOTSUP);
    }
    u64 const accepted = offered & (wanted | kFeatureVersion1);
    write(kDriverFeaturesSel, 0);
    write(kDriverFeatures, u32(accepted));
    write(kDriverFeaturesSel, 1);
    write(kDriverFeatures, u32(accepted >> 32));
    set_status(m_status | kStatusFeaturesOk);
    if (!(read(kStatus) & kStatusFeaturesOk)) {
        log_error("virtio-mmio: %#lx: the device refused features %#lx", m_base, accepted);
        fail();
        return Errno(EIO);
    }
    return accepted;
}

Result<void> MmioDevice::setup_queue() {
    write(kQueueSel, 0);
    if (read(kQueueReady) != 0) return Errno(EBUSY); // a reset device has no queue in use
    u32 const maximum = read(kQueueNumMax);
    if (maximum == 0) return Errno(ENOENT); // no queue 0
    // Split queue sizes are powers of two (§2.6).
    static_assert(sizeof(QueueMemory) <= mm::kPageSize, "the rings fit one page");
    u16 size = kMaxQueueSize;
    while (size > maximum) size /= 2;
    m_queue_memory = TRY(DmaBuffer::allocate(sizeof(QueueMemory), true));
    QueueMemory* q = queue();
    // We poll the used ring; an interrupt would only cost an exit to ack.
    q->avail.flags = kAvailNoInterrupt;
    u64 const base = m_queue_memory.physical();
    u64 const descriptors = base + offsetof(QueueMemory, descriptors);
    u64 const avail = base + offsetof(QueueMemory, avail);
    u64 const used = base + offsetof(QueueMemory, used);
    write(kQueueNum, size);
    write(kQueueDescLow, u32(descriptors));
    write(kQueueDescHigh, u32(descriptors >> 32));
    write(kQueueDriverLow, u32(avail));
    write(kQueueDriverHigh, u32(avail >> 32));
    write(kQueueDeviceLow, u32(used));
    write(kQueueDeviceHigh, u32(used >> 32));
    write(kQueueReady, 1);
    m_queue_size = size;
    return {};
}

void MmioDevice::driver_ok() { set_status(m_status | kStatusDriverOk); }

void MmioDevice::fail() { set_status(m_status | kStatusFailed); }

// A field past the end of the window reads as 0, as an absent one would.
u32 MmioDevice::read_config32(u32 offset) { return kConfig + offset + 4 <= m_size ? read(kConfig + offset) : 0; }

u64 MmioDevice::read_config64(u32 offset) {
    u64 value = 0;
    if (kConfig + offset + 8 > m_size) return 0;
    // A device changing its configuration this often is broken; after a
    // few tries the last value is as good as any.
    for (int attempt = 0; attempt < 8; attempt++) {
        u32 const generation = read(kConfigGeneration);
        value = read(kConfig + offset) | u64(read(kConfig + offset + 4)) << 32;
        if (read(kConfigGeneration) == generation) break;
    }
    return value;
}

Result<u32> MmioDevice::transfer(Segment const* segments, usize count) {
    if (m_broken) return Errno(EIO);
    if (count == 0 || count > kMaxSegments || count > m_queue_size) return Errno(EINVAL);
    QueueMemory* q = queue();
    // One request in flight: its chain always starts at descriptor 0.
    for (usize i = 0; i < count; i++) {
        auto& descriptor = q->descriptors[i];
        descriptor.address = segments[i].physical;
        descriptor.length = segments[i].length;
        bool const last = i + 1 == count;
        descriptor.flags = u16((last ? 0 : kDescriptorNext) | (segments[i].device_writes ? kDescriptorWrite : 0));
        descriptor.next = u16(last ? 0 : i + 1);
    }
    q->avail.ring[m_next_avail & (m_queue_size - 1)] = 0;
    m_next_avail++;
    // The descriptors and the ring entry are visible before the new index,
    // and the index before the notification (§2.6.13): the device may be
    // another host thread (QEMU) reading guest memory as we write it.
    __atomic_store_n(&q->avail.index, m_next_avail, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    write(kQueueNotify, 0);

    auto completed = [&] { return __atomic_load_n(&q->used.index, __ATOMIC_ACQUIRE) != m_last_used; };
    if (!completed()) {
        u64 const deadline = tsc::uptime_ns() + kRequestTimeoutNs;
        while (!completed()) {
            if (tsc::uptime_ns() >= deadline) {
                log_error("virtio-mmio: %#lx: no completion after %lu s; the device is reset and fails all I/O",
                          m_base, kRequestTimeoutNs / 1'000'000'000);
                m_broken = true;
                write(kStatus, 0);
                return Errno(EIO);
            }
            x86::pause();
        }
    }
    auto const& element = q->used.ring[m_last_used & (m_queue_size - 1)];
    m_last_used++;
    if (element.id != 0) {
        log_error("virtio-mmio: %#lx: the device returned descriptor %u, not the request's", m_base, element.id);
        m_broken = true;
        write(kStatus, 0);
        return Errno(EIO);
    }
    return element.length;
}

namespace {

void attach(OwnPtr<MmioDevice> device) {
    switch (device->device_id()) {
    case kDeviceBlock:
        if (auto r = virtio_blk::attach(static_cast<OwnPtr<MmioDevice>&&>(device)); r.is_error())
            log_error("virtio-blk: cannot attach the device: errno %d", r.error().code());
        return;
    default:
        log_info("virtio-mmio: %#lx: device type %u, no driver", device->base(), device->device_id());
        return;
    }
}

} // namespace

void probe_all(CommandLine const& command_line) {
    command_line.for_each([](CommandLine::Word const& word) {
        if (word.key != "virtio_mmio.device") return;
        auto parameter = lib::parse_virtio_mmio_parameter(word.value);
        if (parameter.is_error()) {
            log_warn("virtio-mmio: cannot parse virtio_mmio.device=%.*s (SIZE@BASE:IRQ), skipped",
                     int(word.value.length()), word.value.data());
            return;
        }
        auto device = MmioDevice::probe(parameter.value());
        if (device.is_error()) return; // probe() said why
        attach(device.release_value());
    });
}

} // namespace virtio
