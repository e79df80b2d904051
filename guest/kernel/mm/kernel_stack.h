// Kernel stacks: 16 KiB each, with an unmapped 4 KiB guard page below, in
// their own area of the kernel half (mm/layout.h). A stack is painted at
// creation; its watermark is the deepest byte no longer holding the paint,
// and its lowest word holds a canary that the scheduler checks at every
// context switch. The monitor reads all of this from guest memory.
#pragma once

#include <lib/result.h>
#include <lib/types.h>

namespace mm {

inline constexpr u64 kKernelStackSize = 16 * 1024;
inline constexpr u64 kStackGuardSize = 4096;
inline constexpr u8 kStackPaint = 0xa5;
inline constexpr u64 kStackCanary = 0x5afe57ac4ca1a2e5;

class KernelStack {
public:
    static Result<KernelStack> create();
    // Adopts a stack that was not allocated here (the boot stack).
    static KernelStack adopt(u64 base, u64 size);
    KernelStack() = default;
    KernelStack(KernelStack&& other) { *this = static_cast<KernelStack&&>(other); }
    KernelStack& operator=(KernelStack&& other);
    ~KernelStack();

    u64 base() const { return m_base; } // lowest byte; the canary lives here
    u64 top() const { return m_base + m_size; }
    u64 size() const { return m_size; }
    bool canary_intact() const { return *reinterpret_cast<u64 const*>(m_base) == kStackCanary; }
    // Bytes from the top down to the deepest byte that lost its paint.
    u64 watermark() const;
    bool contains(u64 address) const { return address >= m_base && address < top(); }
    bool has_guard() const { return m_owned; }
    // Whether `address` is in this stack's guard page.
    bool in_guard(u64 address) const { return m_owned && address >= m_base - kStackGuardSize && address < m_base; }

private:
    KernelStack(u64 base, u64 size, i64 slot, bool owned) : m_base(base), m_size(size), m_slot(slot), m_owned(owned) { }
    void paint();
    u64 m_base { 0 };
    u64 m_size { 0 };
    i64 m_slot { -1 };
    bool m_owned { false };
};

} // namespace mm
