// VirtioMmio: the virtio-mmio transport (virtio 1.1 §4.2.2), modern only
// (Version 2), with one split virtqueue, in front of a VirtioDevice backend
// (virtio_blk.h). The window and its interrupt are in proto/vm_abi.h.
//
// Model: the driver programs the registers through MMIO exits, read() and
// write(). A QueueNotify write serves every available chain there and then,
// in the vCPU thread, and pulses the interrupt (`raise_irq`) once for the
// lot unless the driver suppressed it. Nothing runs in the background.
//
// Untrusted input: registers take any value. A queue the driver set up
// wrong -- a bad QueueNum, rings outside RAM or misaligned, an avail index
// that jumps more than a queue ahead -- breaks the device: Status reads
// DEVICE_NEEDS_RESET, notifies are ignored until the driver writes 0 to
// Status, and one line goes to `warn` (the first time only). A malformed
// chain (virtio_queue.h) is given back unserved with length 0; a bad request only
// fails that request (the backend's status byte). The queue goes on.
//
// Deliberate limits: FEATURES_OK only sticks when the driver accepts
// VIRTIO_F_VERSION_1 and nothing we did not offer; the device serves chains
// only with FEATURES_OK and DRIVER_OK set and the queue ready, and ignores
// notifies before that (the spec forbids using buffers before DRIVER_OK),
// with one warning.
//
// Threads: only the vCPU thread touches it (one vCPU), so there is no lock.
#pragma once

#include <vmm/devices/mmio_bus.h>
#include <vmm/devices/virtio_queue.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace vmm {

namespace virtio {
// Registers (offsets in the window), with Linux's names.
inline constexpr uint32_t VIRTIO_MMIO_MAGIC_VALUE = 0x000;
inline constexpr uint32_t VIRTIO_MMIO_VERSION = 0x004;
inline constexpr uint32_t VIRTIO_MMIO_DEVICE_ID = 0x008;
inline constexpr uint32_t VIRTIO_MMIO_VENDOR_ID = 0x00c;
inline constexpr uint32_t VIRTIO_MMIO_DEVICE_FEATURES = 0x010;
inline constexpr uint32_t VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;
inline constexpr uint32_t VIRTIO_MMIO_DRIVER_FEATURES = 0x020;
inline constexpr uint32_t VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_SEL = 0x030;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_NUM = 0x038;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_READY = 0x044;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;
inline constexpr uint32_t VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;
inline constexpr uint32_t VIRTIO_MMIO_INTERRUPT_ACK = 0x064;
inline constexpr uint32_t VIRTIO_MMIO_STATUS = 0x070;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_AVAIL_LOW = 0x090; // "QueueDriver"
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_AVAIL_HIGH = 0x094;
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_USED_LOW = 0x0a0; // "QueueDevice"
inline constexpr uint32_t VIRTIO_MMIO_QUEUE_USED_HIGH = 0x0a4;
inline constexpr uint32_t VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0; // virtio 1.2; we have no shared memory
inline constexpr uint32_t VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc;
inline constexpr uint32_t VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;
inline constexpr uint32_t VIRTIO_MMIO_CONFIG = 0x100;

inline constexpr uint32_t kMagic = 0x74726976; // "virt"
inline constexpr uint32_t kVersion = 2;        // modern; 1 would be legacy
inline constexpr uint32_t kVendor = 0x4d415241; // "ARAM"

// Status bits.
inline constexpr uint32_t VIRTIO_CONFIG_S_ACKNOWLEDGE = 1;
inline constexpr uint32_t VIRTIO_CONFIG_S_DRIVER = 2;
inline constexpr uint32_t VIRTIO_CONFIG_S_DRIVER_OK = 4;
inline constexpr uint32_t VIRTIO_CONFIG_S_FEATURES_OK = 8;
inline constexpr uint32_t VIRTIO_CONFIG_S_NEEDS_RESET = 0x40;
inline constexpr uint32_t VIRTIO_CONFIG_S_FAILED = 0x80;

// InterruptStatus bits.
inline constexpr uint32_t VIRTIO_MMIO_INT_VRING = 1;
inline constexpr uint32_t VIRTIO_MMIO_INT_CONFIG = 2;

inline constexpr uint64_t VIRTIO_F_VERSION_1 = 1ull << 32;
} // namespace virtio

// The device behind the transport.
class VirtioDevice {
public:
    virtual ~VirtioDevice() = default;
    virtual char const* name() const = 0; // for messages: "virtio-blk"
    virtual uint32_t device_id() const = 0;
    // The feature bits offered, VIRTIO_F_VERSION_1 included.
    virtual uint64_t features() const = 0;
    // The device-specific configuration space (at VIRTIO_MMIO_CONFIG); it
    // never changes, so ConfigGeneration stays 0.
    virtual std::span<uint8_t const> config() const = 0;
    // Serves one chain whose shape the queue checked (its buffers are still
    // the guest's word). Returns how many bytes it wrote into the chain.
    virtual uint32_t handle(std::span<VirtqBuffer const> chain) = 0;
};

// Where one-line warnings go: "aramid-vmm: <line>" on stderr by default;
// the tests collect them.
using Warn = std::function<void(std::string const&)>;
void warn_on_stderr(std::string const& line);

// The kernel command-line word that announces a device at `base`:
// "virtio_mmio.device=4K@0xd0000000:5" (Linux's format: size@base:irq).
std::string virtio_mmio_cmdline(uint64_t base, uint64_t size, uint32_t gsi);

class VirtioMmio final : public MmioDevice {
public:
    static constexpr uint32_t kQueueSizeMax = 256;

    VirtioMmio(GuestMemory& memory, VirtioDevice& device, std::function<void()> raise_irq,
               Warn warn = warn_on_stderr);

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<uint8_t const> data) override;

    // For tests and diagnostics.
    bool broken() const { return m_broken; }
    uint64_t driver_features() const { return m_driver_features; }

private:
    uint32_t read_register(uint64_t offset) const;
    void write_register(uint64_t offset, uint32_t value);
    void write_status(uint32_t value);
    void set_queue_ready(bool ready);
    void notify();
    void reset();
    // The queue is unusable: DEVICE_NEEDS_RESET until the driver resets.
    void mark_broken(std::string const& reason);

    VirtioDevice& m_device;
    std::function<void()> m_raise_irq;
    Warn m_warn;
    // Each warning is given once per device, so a looping guest cannot
    // flood stderr.
    bool m_warned_broken { false };
    bool m_warned_notify { false };

    uint32_t m_status { 0 };
    bool m_broken { false };
    uint32_t m_interrupt_status { 0 };
    uint32_t m_device_features_sel { 0 };
    uint32_t m_driver_features_sel { 0 };
    uint64_t m_driver_features { 0 };
    uint32_t m_queue_sel { 0 };
    SplitQueue::Layout m_layout { kQueueSizeMax, 0, 0, 0 }; // as written; checked on QueueReady
    SplitQueue m_queue;
    std::vector<VirtqBuffer> m_chain; // pop()'s, kept to reuse its storage
};

} // namespace vmm
