// SplitQueue: one split virtqueue (virtio 1.1 §2.6) seen from the device:
// it takes descriptor chains from the driver's avail ring and gives them
// back in the used ring.
//
// Everything in the rings is the guest's and untrusted. activate() checks
// that the three rings lie in guest RAM, once, so reading them later cannot
// fail. A chain is only read, never trusted: an index past the queue, a
// chain longer than the queue (a loop) or an indirect descriptor (not
// offered) makes it malformed, and the caller gives it back unserved. The
// buffers' addresses are the backend's to check (GuestMemory::span).
//
// The device keeps its own avail and used positions: the guest can scribble
// on the used ring's index, but never move where the device writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmm {

class GuestMemory;

namespace virtio {
inline constexpr uint16_t VIRTQ_DESC_F_NEXT = 1;
inline constexpr uint16_t VIRTQ_DESC_F_WRITE = 2;
inline constexpr uint16_t VIRTQ_DESC_F_INDIRECT = 4;
inline constexpr uint16_t VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

// The ring layouts (little-endian, as the host).
struct VirtqDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
static_assert(sizeof(VirtqDesc) == 16);
struct VirtqUsedElem {
    uint32_t id;
    uint32_t len;
};
static_assert(sizeof(VirtqUsedElem) == 8);
} // namespace virtio

// One descriptor of a chain, as the driver wrote it: not yet checked
// against guest RAM.
struct VirtqBuffer {
    uint64_t gpa;
    uint32_t length;
    bool device_writable;
};

class SplitQueue {
public:
    // Where the driver put the rings (QueueDesc, QueueDriver, QueueDevice)
    // and how many entries they have (QueueNum).
    struct Layout {
        uint32_t size;
        uint64_t descriptors;
        uint64_t avail;
        uint64_t used;
    };

    explicit SplitQueue(GuestMemory& memory) : m_memory(memory) { }

    // Starts the queue at position 0 if `layout` is usable: `size` a power
    // of two up to `max_size`, each ring aligned and wholly in guest RAM.
    // Otherwise returns why not, and the queue stays inactive.
    std::optional<std::string> activate(Layout const& layout, uint32_t max_size);
    void deactivate() { m_active = false; }
    bool active() const { return m_active; }

    // How many chains the driver has made available since the last pop().
    // nullopt if its avail index is more than a queue ahead of ours: the
    // ring is corrupt.
    std::optional<uint16_t> pending() const;

    struct Popped {
        uint16_t head;    // give it back with push_used, even when malformed
        bool well_formed; // false: a bad index, a loop or an indirect descriptor
    };
    // Takes the next available chain (pending() must be non-zero) and puts
    // its descriptors in `chain`, in order.
    Popped pop(std::vector<VirtqBuffer>& chain);
    // Gives `head` back with `length` bytes written into its buffers.
    void push_used(uint16_t head, uint32_t length);
    // The driver asked for no interrupt (VIRTQ_AVAIL_F_NO_INTERRUPT).
    bool interrupt_suppressed() const;

private:
    uint16_t avail_index() const;

    GuestMemory& m_memory;
    bool m_active { false };
    Layout m_layout {};
    uint16_t m_next_avail { 0 };
    uint16_t m_next_used { 0 };
};

} // namespace vmm
