#include <kernel/mm/kernel_stack.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/page_table.h>
#include <kernel/mm/physical.h>
#include <kernel/sync/spinlock.h>

namespace mm {

namespace {

constexpr u64 kSlotSize = kStackGuardSize + kKernelStackSize;
constexpr usize kMaxStacks = 8192;
u64 g_used[kMaxStacks / 64];
Spinlock<LockRank::KernelStacks> g_lock;

i64 take_slot() {
    SpinlockGuard guard(g_lock);
    for (usize w = 0; w < kMaxStacks / 64; w++) {
        if (g_used[w] == ~0ull) continue;
        unsigned bit = unsigned(__builtin_ctzll(~g_used[w]));
        g_used[w] |= 1ull << bit;
        return i64(w * 64 + bit);
    }
    return -1;
}

void put_slot(i64 slot) {
    SpinlockGuard guard(g_lock);
    g_used[slot / 64] &= ~(1ull << (slot % 64));
}

u64 slot_base(i64 slot) { return kKernelStackBase + u64(slot) * kSlotSize + kStackGuardSize; }

// Slots whose pages stay mapped after their stack is dropped, for the next
// stacks (under g_lock). Under PVM, mapping a page writes a kernel page
// table, which the host's shadow MMU write-protects (a trap, ~10 us), and
// unmapping one flushes it (INVLPG, another): 80 us of every thread's life.
constexpr usize kKeptSlots = 16;
i64 g_kept[kKeptSlots];
usize g_kept_count;

i64 take_kept_slot() {
    SpinlockGuard guard(g_lock);
    return g_kept_count ? g_kept[--g_kept_count] : -1;
}

bool keep_slot(i64 slot) {
    SpinlockGuard guard(g_lock);
    if (g_kept_count == kKeptSlots) return false;
    g_kept[g_kept_count++] = slot;
    return true;
}

} // namespace

Result<KernelStack> KernelStack::create() {
    if (i64 const kept = take_kept_slot(); kept >= 0) {
        KernelStack stack(slot_base(kept), kKernelStackSize, kept, true);
        stack.paint();
        return stack;
    }
    i64 slot = take_slot();
    if (slot < 0) return Errno(ENOMEM);
    u64 const base = slot_base(slot);
    for (u64 off = 0; off < kKernelStackSize; off += kPageSize) {
        auto pa = allocate_pages(0, false);
        auto mapped = pa.is_error() ? Result<void>(pa.error()) : map_kernel_page(base + off, pa.value(), kPteWritable | kPteNoExecute);
        if (pa.is_error() || mapped.is_error()) {
            if (!pa.is_error()) free_pages(pa.value());
            for (u64 undo = 0; undo < off; undo += kPageSize) {
                u64 frame = *kernel_pte(base + undo) & kPteAddressMask;
                unmap_kernel_page(base + undo);
                free_pages(frame);
            }
            put_slot(slot);
            return Errno(ENOMEM);
        }
    }
    KernelStack stack(base, kKernelStackSize, slot, true);
    stack.paint();
    return stack;
}

KernelStack KernelStack::adopt(u64 base, u64 size) {
    KernelStack stack(base, size, -1, false);
    // Paint only below the current frame: the boot stack is in use.
    u64 here = u64(__builtin_frame_address(0)) - 256;
    for (u64 p = base + 8; p < here && p < base + size; p++) *reinterpret_cast<u8*>(p) = kStackPaint;
    *reinterpret_cast<u64*>(base) = kStackCanary;
    return stack;
}

KernelStack& KernelStack::operator=(KernelStack&& other) {
    if (this != &other) {
        this->~KernelStack();
        m_base = other.m_base;
        m_size = other.m_size;
        m_slot = other.m_slot;
        m_owned = other.m_owned;
        other.m_base = other.m_size = 0;
        other.m_slot = -1;
        other.m_owned = false;
    }
    return *this;
}

KernelStack::~KernelStack() {
    if (!m_owned) return;
    m_owned = false;
    if (keep_slot(m_slot)) return;
    for (u64 off = 0; off < m_size; off += kPageSize) {
        u64 frame = *kernel_pte(m_base + off) & kPteAddressMask;
        unmap_kernel_page(m_base + off);
        free_pages(frame);
    }
    put_slot(m_slot);
}

void KernelStack::paint() {
    __builtin_memset(reinterpret_cast<void*>(m_base), kStackPaint, m_size);
    *reinterpret_cast<u64*>(m_base) = kStackCanary;
}

u64 KernelStack::watermark() const {
    auto const* bytes = reinterpret_cast<u8 const*>(m_base);
    for (u64 i = 8; i < m_size; i++)
        if (bytes[i] != kStackPaint) return m_size - i;
    return 0;
}

} // namespace mm
