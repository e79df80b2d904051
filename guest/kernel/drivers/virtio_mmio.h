// virtio over MMIO (virtio 1.1 §4.2), modern (Version 2) transports only,
// with one split virtqueue per device (queue 0: all that virtio-blk needs).
//
// Transports come from the kernel command line, Linux style: every
// `virtio_mmio.device=SIZE@BASE:IRQ` word names one (QEMU microvm and
// aramid-vmm append them). probe_all() maps each, skips empty slots
// (DeviceID 0) and legacy (Version 1) devices, and hands the rest to the
// driver for their device type.
//
// Cost model: under PVM every register access is a VM exit (~22 us), so
// initialisation does the ~30 accesses the spec needs once, and the request
// path does exactly one: the QueueNotify write. Completion is found by
// polling the used ring in guest memory, not by interrupt: aramid-vmm
// completes a request during the notify exit, so the first check succeeds;
// QEMU completes it on its I/O thread a little later. The avail ring asks
// the device not to interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT) and the IRQ line
// is never routed.
//
// Locking: none here. A device and its queue belong to one driver, which
// serializes its requests (virtio-blk: one request in flight, under its
// request lock). The queue memory, the descriptors and the shadow indices
// are only touched by the thread holding that lock.
#pragma once

#include <kernel/drivers/dma_buffer.h>
#include <lib/command_line.h>
#include <lib/own_ptr.h>
#include <lib/virtio_mmio_parameter.h>

namespace virtio {

// Device types (virtio 1.1 §5).
inline constexpr u32 kDeviceBlock = 2;

inline constexpr u64 kFeatureVersion1 = 1ull << 32; // VIRTIO_F_VERSION_1: required of a modern device

// One element of a request's descriptor chain: a guest-physical range the
// device reads (a request header, data to write) or writes (data read, a
// status byte).
struct Segment {
    u64 physical;
    u32 length;
    bool device_writes;
};

class MmioDevice {
public:
    // Queue entries we use at most. The three rings of 128 entries fit one
    // page, and a request needs three descriptors, so this is plenty while
    // one request is in flight.
    static constexpr u16 kMaxQueueSize = 128;
    static constexpr usize kMaxSegments = 8;

    // Maps the transport and checks it: ENODEV for a bad magic value or an
    // empty slot, ENOTSUP for a legacy device.
    static Result<OwnPtr<MmioDevice>> probe(lib::VirtioMmioParameter const& parameter);
    ~MmioDevice();

    u32 device_id() const { return m_device_id; }
    u64 base() const { return m_base; }

    // §3.1.1 steps 1-6: reset, ACKNOWLEDGE, DRIVER, then accept VERSION_1
    // plus the `wanted` features the device offers, FEATURES_OK, and check
    // the device kept it. Returns the accepted features. EIO (and the
    // FAILED status) if the device refuses them; ENOTSUP without VERSION_1.
    Result<u64> negotiate(u64 wanted);
    // Step 7: sets up queue 0 with min(QueueNumMax, kMaxQueueSize) entries
    // (a power of two) in one zeroed page.
    Result<void> setup_queue();
    // Step 8: the device is live.
    void driver_ok();
    // Gives up on the device: FAILED, then a reset so that it stops using
    // guest memory.
    void fail();

    // Device-specific configuration (from offset 0x100). 64-bit fields are
    // two 32-bit reads, retried until ConfigGeneration is stable (§2.4.1).
    u32 read_config32(u32 offset);
    u64 read_config64(u32 offset);

    // Queue size after setup_queue().
    u16 queue_size() const { return m_queue_size; }

    // Runs one request: chains `segments` as descriptors, publishes the
    // chain, notifies (the request's only register access) and polls the
    // used ring until the device returns it. Returns the number of bytes
    // the device wrote. EIO if the device does not answer within
    // kRequestTimeoutNs: the device is then reset and every later request
    // fails with EIO, since it might still write to buffers that are no
    // longer the request's. The caller serializes calls.
    Result<u32> transfer(Segment const* segments, usize count);

    static constexpr u64 kRequestTimeoutNs = 10'000'000'000; // QEMU TCG under load is slow, never this slow

private:
    MmioDevice(volatile u32* registers, u64 base, u64 size, u32 device_id)
        : m_registers(registers), m_base(base), m_size(size), m_device_id(device_id) { }

    u32 read(u32 offset) const;
    void write(u32 offset, u32 value);
    void set_status(u32 status);

    struct QueueMemory;
    QueueMemory* queue() const;

    volatile u32* m_registers;
    u64 m_base;
    u64 m_size;
    u32 m_device_id;
    u32 m_status { 0 };
    bool m_broken { false };
    u16 m_queue_size { 0 };
    u16 m_next_avail { 0 }; // shadow of avail->idx
    u16 m_last_used { 0 };  // used->idx as of the last completed request
    DmaBuffer m_queue_memory;
};

// Probes every `virtio_mmio.device=` transport on the command line and
// attaches the drivers this kernel has (virtio-blk). Logs what it finds.
void probe_all(CommandLine const& command_line);

} // namespace virtio
