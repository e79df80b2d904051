#include <vmm/devices/virtio_queue.h>
#include <vmm/kvm/guest_memory.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>

namespace vmm {

using namespace virtio;

namespace {

// Byte offsets in the avail ring (flags, idx, ring[size], used_event) and
// the used ring (flags, idx, ring[size], avail_event).
constexpr uint64_t kRingFlags = 0;
constexpr uint64_t kRingIndex = 2;
constexpr uint64_t kRingEntries = 4;

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof(text), "0x%" PRIx64, value);
    return text;
}

} // namespace

std::optional<std::string> SplitQueue::activate(Layout const& layout, uint32_t max_size) {
    uint32_t const size = layout.size;
    if (size == 0 || size > max_size || (size & (size - 1)))
        return "QueueNum " + std::to_string(size) + " is not a power of two from 1 to " + std::to_string(max_size);
    struct Ring {
        char const* name;
        uint64_t gpa;
        uint64_t bytes;
        uint64_t alignment; // virtio 1.1 §2.6
    };
    Ring const rings[] = {
        { "descriptor table", layout.descriptors, 16ull * size, 16 },
        { "avail ring", layout.avail, kRingEntries + 2ull * size + 2, 2 },
        { "used ring", layout.used, kRingEntries + 8ull * size + 2, 4 },
    };
    for (Ring const& ring : rings) {
        if (ring.gpa % ring.alignment)
            return std::string(ring.name) + " at " + hex(ring.gpa) + " is not " + std::to_string(ring.alignment)
                + "-byte aligned";
        if (!m_memory.contains(ring.gpa, ring.bytes))
            return std::string(ring.name) + " at " + hex(ring.gpa) + " (" + std::to_string(ring.bytes)
                + " bytes) is outside guest RAM";
    }
    m_layout = layout;
    m_next_avail = 0;
    m_next_used = 0;
    m_active = true;
    return std::nullopt;
}

uint16_t SplitQueue::avail_index() const {
    // activate() checked the rings, so the reads below cannot miss; the
    // fallbacks only keep a bug from reading outside RAM.
    uint16_t const index = m_memory.read<uint16_t>(m_layout.avail + kRingIndex).value_or(m_next_avail);
    // The entries the index covers were written before it.
    std::atomic_thread_fence(std::memory_order_acquire);
    return index;
}

std::optional<uint16_t> SplitQueue::pending() const {
    if (!m_active) return 0;
    uint16_t const count = uint16_t(avail_index() - m_next_avail);
    if (count > m_layout.size) return std::nullopt;
    return count;
}

SplitQueue::Popped SplitQueue::pop(std::vector<VirtqBuffer>& chain) {
    chain.clear();
    uint32_t const size = m_layout.size;
    uint64_t const slot = m_layout.avail + kRingEntries + 2ull * (m_next_avail % size);
    uint16_t const head = m_memory.read<uint16_t>(slot).value_or(uint16_t(size));
    m_next_avail++;

    // A chain has at most `size` descriptors; one more means a loop.
    uint32_t index = head;
    for (uint32_t count = 0; count < size; count++) {
        if (index >= size) return { head, false };
        auto const desc = m_memory.read<VirtqDesc>(m_layout.descriptors + 16ull * index);
        if (!desc || (desc->flags & VIRTQ_DESC_F_INDIRECT)) return { head, false };
        chain.push_back({ desc->addr, desc->len, (desc->flags & VIRTQ_DESC_F_WRITE) != 0 });
        if (!(desc->flags & VIRTQ_DESC_F_NEXT)) return { head, true };
        index = desc->next;
    }
    return { head, false };
}

void SplitQueue::push_used(uint16_t head, uint32_t length) {
    uint64_t const slot = m_layout.used + kRingEntries + 8ull * (m_next_used % m_layout.size);
    m_memory.write(slot, VirtqUsedElem { head, length });
    m_next_used++;
    // The driver may read the element as soon as it sees the index.
    std::atomic_thread_fence(std::memory_order_release);
    m_memory.write(m_layout.used + kRingIndex, m_next_used);
}

bool SplitQueue::interrupt_suppressed() const {
    uint16_t const flags = m_memory.read<uint16_t>(m_layout.avail + kRingFlags).value_or(0);
    return flags & VIRTQ_AVAIL_F_NO_INTERRUPT;
}

} // namespace vmm
