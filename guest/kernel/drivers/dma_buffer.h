// DmaBuffer: physically contiguous, page-aligned kernel memory that a device
// may read or write by guest-physical address. It owns 2^order frames from
// the page allocator (so contiguity is a property of the type, not of a
// heap block's size), reached through the direct map. Movable, not
// copyable; the frames are freed with it. Frame 0 is never allocated (low
// memory stays reserved), so a physical address of 0 means empty.
#pragma once

#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>
#include <lib/result.h>
#include <utility>

class DmaBuffer {
public:
    // At least `bytes` (rounded up to a power-of-two number of pages).
    // Zeroed only if asked: a bounce buffer is overwritten anyway.
    static Result<DmaBuffer> allocate(usize bytes, bool zero = false) {
        unsigned order = 0;
        while ((mm::kPageSize << order) < bytes) order++;
        u64 const physical = TRY(mm::allocate_pages(order, zero));
        return DmaBuffer(physical, order);
    }

    DmaBuffer() = default; // empty: owns nothing
    DmaBuffer(DmaBuffer&& other)
        : m_physical(std::exchange(other.m_physical, 0)), m_order(other.m_order) { }
    DmaBuffer& operator=(DmaBuffer&& other) {
        if (this != &other) {
            release();
            m_physical = std::exchange(other.m_physical, 0);
            m_order = other.m_order;
        }
        return *this;
    }
    DmaBuffer(DmaBuffer const&) = delete;
    DmaBuffer& operator=(DmaBuffer const&) = delete;
    ~DmaBuffer() { release(); }

    u8* data() const { return mm::phys_to_ptr<u8>(m_physical); }
    u64 physical() const { return m_physical; }
    usize size() const { return m_physical ? mm::kPageSize << m_order : 0; }
    explicit operator bool() const { return m_physical != 0; }

private:
    DmaBuffer(u64 physical, unsigned order) : m_physical(physical), m_order(order) { }
    void release() {
        if (m_physical) mm::free_pages(m_physical, m_order);
        m_physical = 0;
    }
    u64 m_physical { 0 };
    unsigned m_order { 0 };
};
