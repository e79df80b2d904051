// Spinlock<Rank>: disables interrupts while held (so it is safe against
// interrupt handlers on this CPU) and spins against other CPUs. Taken only
// through SpinlockGuard. Guarded<T, Rank> keeps the data with its lock.
#pragma once

#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/sync/lock_rank.h>

namespace sync_detail {
void rank_acquired(LockRank rank, void const* lock);
void rank_released(LockRank rank, void const* lock);
} // namespace sync_detail

template<LockRank Rank>
class Spinlock {
public:
    constexpr Spinlock() = default;
    Spinlock(Spinlock const&) = delete;
    Spinlock& operator=(Spinlock const&) = delete;

    bool lock() {
        bool was_enabled = platform::irq_save();
        while (__atomic_exchange_n(&m_locked, true, __ATOMIC_ACQUIRE)) x86::pause();
        sync_detail::rank_acquired(Rank, this);
        return was_enabled;
    }
    void unlock(bool irqs_were_enabled) {
        sync_detail::rank_released(Rank, this);
        __atomic_store_n(&m_locked, false, __ATOMIC_RELEASE);
        platform::irq_restore(irqs_were_enabled);
    }
    bool is_locked() const { return __atomic_load_n(&m_locked, __ATOMIC_RELAXED); }

private:
    bool m_locked { false };
};

template<typename Lock>
class [[nodiscard]] SpinlockGuard {
public:
    explicit SpinlockGuard(Lock& lock) : m_lock(lock), m_irqs(lock.lock()) { }
    ~SpinlockGuard() { m_lock.unlock(m_irqs); }
    SpinlockGuard(SpinlockGuard const&) = delete;
    SpinlockGuard& operator=(SpinlockGuard const&) = delete;

private:
    Lock& m_lock;
    bool m_irqs;
};

// Data that may only be touched with its lock held: `with([](T& t) {...})`.
template<typename T, LockRank Rank>
class Guarded {
public:
    template<typename... Args>
    explicit Guarded(Args&&... args) : m_value(static_cast<Args&&>(args)...) { }
    template<typename F>
    decltype(auto) with(F f) {
        SpinlockGuard guard(m_lock);
        return f(m_value);
    }

private:
    Spinlock<Rank> m_lock;
    T m_value;
};
