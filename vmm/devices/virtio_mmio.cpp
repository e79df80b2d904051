#include <vmm/devices/virtio_mmio.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace vmm {

using namespace virtio;

void warn_on_stderr(std::string const& line) { std::fprintf(stderr, "aramid-vmm: %s\n", line.c_str()); }

std::string virtio_mmio_cmdline(uint64_t base, uint64_t size, uint32_t gsi) {
    char text[80];
    if (size % 1024 == 0)
        std::snprintf(text, sizeof(text), "virtio_mmio.device=%" PRIu64 "K@0x%" PRIx64 ":%u", size / 1024, base, gsi);
    else
        std::snprintf(text, sizeof(text), "virtio_mmio.device=%" PRIu64 "@0x%" PRIx64 ":%u", size, base, gsi);
    return text;
}

VirtioMmio::VirtioMmio(GuestMemory& memory, VirtioDevice& device, std::function<void()> raise_irq, Warn warn)
    : m_device(device)
    , m_raise_irq(std::move(raise_irq))
    , m_warn(std::move(warn))
    , m_queue(memory) {
    m_chain.reserve(kQueueSizeMax);
}

void VirtioMmio::read(uint64_t offset, std::span<uint8_t> data) {
    if (offset >= VIRTIO_MMIO_CONFIG) {
        // Any width; bytes past the device's structure read as 0.
        std::span<uint8_t const> const config = m_device.config();
        for (size_t i = 0; i < data.size(); i++) {
            uint64_t const at = offset - VIRTIO_MMIO_CONFIG + i;
            data[i] = at < config.size() ? config[at] : 0;
        }
        return;
    }
    // The registers are 32-bit, accessed aligned (§4.2.2.2); anything else
    // reads as 0.
    uint32_t const value = data.size() == 4 && offset % 4 == 0 ? read_register(offset) : 0;
    std::memset(data.data(), 0, data.size());
    std::memcpy(data.data(), &value, std::min<size_t>(data.size(), sizeof(value)));
}

void VirtioMmio::write(uint64_t offset, std::span<uint8_t const> data) {
    // No configuration field is writable without a feature we do not offer
    // (VIRTIO_BLK_F_CONFIG_WCE), so config writes are dropped, as are
    // register writes that are not 32-bit and aligned.
    if (offset >= VIRTIO_MMIO_CONFIG || data.size() != 4 || offset % 4) return;
    uint32_t value;
    std::memcpy(&value, data.data(), sizeof(value));
    write_register(offset, value);
}

uint32_t VirtioMmio::read_register(uint64_t offset) const {
    switch (offset) {
    case VIRTIO_MMIO_MAGIC_VALUE: return kMagic;
    case VIRTIO_MMIO_VERSION: return kVersion;
    case VIRTIO_MMIO_DEVICE_ID: return m_device.device_id();
    case VIRTIO_MMIO_VENDOR_ID: return kVendor;
    case VIRTIO_MMIO_DEVICE_FEATURES:
        if (m_device_features_sel > 1) return 0;
        return uint32_t(m_device.features() >> (32 * m_device_features_sel));
    case VIRTIO_MMIO_QUEUE_NUM_MAX: return m_queue_sel == 0 ? kQueueSizeMax : 0; // 0: no such queue
    case VIRTIO_MMIO_QUEUE_READY: return m_queue_sel == 0 && m_queue.active();
    case VIRTIO_MMIO_INTERRUPT_STATUS: return m_interrupt_status;
    case VIRTIO_MMIO_STATUS: return m_status | (m_broken ? VIRTIO_CONFIG_S_NEEDS_RESET : 0);
    case VIRTIO_MMIO_CONFIG_GENERATION: return 0;
    }
    // Shared-memory regions (virtio 1.2): a region that does not exist has
    // length and base all ones.
    if (offset >= VIRTIO_MMIO_SHM_LEN_LOW && offset <= VIRTIO_MMIO_SHM_BASE_HIGH) return 0xffffffff;
    return 0; // write-only and reserved registers
}

void VirtioMmio::write_register(uint64_t offset, uint32_t value) {
    switch (offset) {
    case VIRTIO_MMIO_DEVICE_FEATURES_SEL: m_device_features_sel = value; return;
    case VIRTIO_MMIO_DRIVER_FEATURES_SEL: m_driver_features_sel = value; return;
    case VIRTIO_MMIO_DRIVER_FEATURES:
        // Negotiation ends at FEATURES_OK; later writes change nothing.
        if ((m_status & VIRTIO_CONFIG_S_FEATURES_OK) || m_driver_features_sel > 1) return;
        if (m_driver_features_sel == 0) m_driver_features = (m_driver_features & ~0xffffffffull) | value;
        else m_driver_features = (m_driver_features & 0xffffffffull) | (uint64_t(value) << 32);
        return;
    case VIRTIO_MMIO_QUEUE_SEL: m_queue_sel = value; return;
    case VIRTIO_MMIO_INTERRUPT_ACK: m_interrupt_status &= ~value; return;
    case VIRTIO_MMIO_STATUS: write_status(value); return;
    }
    // The rest concern a queue, and only queue 0 exists. The layout takes
    // effect, checked, when the driver sets QueueReady.
    if (m_queue_sel != 0) return;
    auto set_low = [value](uint64_t& field) { field = (field & ~0xffffffffull) | value; };
    auto set_high = [value](uint64_t& field) { field = (field & 0xffffffffull) | (uint64_t(value) << 32); };
    switch (offset) {
    case VIRTIO_MMIO_QUEUE_NUM: m_layout.size = value; return;
    case VIRTIO_MMIO_QUEUE_READY: set_queue_ready(value != 0); return;
    case VIRTIO_MMIO_QUEUE_NOTIFY: if (value == 0) notify(); return;
    case VIRTIO_MMIO_QUEUE_DESC_LOW: set_low(m_layout.descriptors); return;
    case VIRTIO_MMIO_QUEUE_DESC_HIGH: set_high(m_layout.descriptors); return;
    case VIRTIO_MMIO_QUEUE_AVAIL_LOW: set_low(m_layout.avail); return;
    case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: set_high(m_layout.avail); return;
    case VIRTIO_MMIO_QUEUE_USED_LOW: set_low(m_layout.used); return;
    case VIRTIO_MMIO_QUEUE_USED_HIGH: set_high(m_layout.used); return;
    }
}

void VirtioMmio::write_status(uint32_t value) {
    if (value == 0) {
        reset();
        return;
    }
    // DEVICE_NEEDS_RESET is the device's to set, not the driver's.
    uint32_t status = value & 0xff & ~VIRTIO_CONFIG_S_NEEDS_RESET;
    if ((status & VIRTIO_CONFIG_S_FEATURES_OK) && !(m_status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        // Refused features: FEATURES_OK does not stick, and the driver
        // reads that back (§3.1.1). We speak only the modern interface.
        bool const acceptable
            = (m_driver_features & VIRTIO_F_VERSION_1) && !(m_driver_features & ~m_device.features());
        if (!acceptable) status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
    }
    m_status = status;
}

void VirtioMmio::set_queue_ready(bool ready) {
    if (!ready) {
        m_queue.deactivate();
        return;
    }
    if (m_broken || m_queue.active()) return;
    if (auto problem = m_queue.activate(m_layout, kQueueSizeMax)) mark_broken("queue 0: " + *problem);
}

void VirtioMmio::notify() {
    if (m_broken) return;
    uint32_t const live = VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
    if ((m_status & live) != live || !m_queue.active()) {
        if (!m_warned_notify)
            m_warn(std::string(m_device.name()) + ": QueueNotify before the queue is ready and DRIVER_OK; ignored");
        m_warned_notify = true;
        return;
    }
    auto const pending = m_queue.pending();
    if (!pending) {
        mark_broken("queue 0: the avail ring's index is more than a queue ahead of the device");
        return;
    }
    for (uint16_t i = 0; i < *pending; i++) {
        SplitQueue::Popped const popped = m_queue.pop(m_chain);
        uint32_t const written = popped.well_formed ? m_device.handle(m_chain) : 0;
        m_queue.push_used(popped.head, written);
    }
    if (*pending && !m_queue.interrupt_suppressed()) {
        m_interrupt_status |= VIRTIO_MMIO_INT_VRING;
        if (m_raise_irq) m_raise_irq();
    }
}

void VirtioMmio::reset() {
    m_status = 0;
    m_broken = false;
    m_interrupt_status = 0;
    m_device_features_sel = 0;
    m_driver_features_sel = 0;
    m_driver_features = 0;
    m_queue_sel = 0;
    m_layout = { kQueueSizeMax, 0, 0, 0 };
    m_queue.deactivate();
}

void VirtioMmio::mark_broken(std::string const& reason) {
    m_broken = true;
    m_queue.deactivate();
    if (!m_warned_broken)
        m_warn(std::string(m_device.name()) + ": " + reason + "; the device needs a reset (ignoring it until then)");
    m_warned_broken = true;
    // §2.1.2: a driver already running learns it from a configuration
    // change notification.
    if (m_status & VIRTIO_CONFIG_S_DRIVER_OK) {
        m_interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
        if (m_raise_irq) m_raise_irq();
    }
}

} // namespace vmm
