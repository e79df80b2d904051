// PauseGate: lets another thread -- the monitor's -- stop the vCPU between
// two KVM_RUNs and hold it there, so that guest memory stands still while
// it is read.
//
// The model: pause() takes a hold, raises the request and kicks the vCPU out
// of KVM_RUN the way Machine::stop() does (immediate_exit, then SIGUSR1 to
// the vCPU thread). The run loop checks requested() -- one atomic load -- at
// the top of every iteration and then calls park(), which blocks on a
// condition variable until the last hold is dropped by resume(). So the vCPU
// thread never waits on RPC: only on the gate, and only while paused.
//
// Holds nest: every pause() that reports `paused` owes one resume(). Before
// the run loop starts, pause() succeeds at once and the vCPU parks as soon as
// the loop begins (aramid-vmm --paused). After the loop has ended, pause()
// reports `stopped`: guest memory no longer changes, which is as good.
//
// Time: the --timeout clock keeps running while the guest is paused. park()
// polls `give_up` (Machine passes "stop() was called") every few
// milliseconds, so a paused guest still ends at its deadline, on SIGTERM or
// on Ctrl-A x, instead of hanging aramid-vmm.
//
// Locks: m_lock only; park() calls `give_up` and `capture` with it held, so
// they must not call back into the gate.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <linux/kvm.h>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <string>

namespace vmm {

class PauseGate {
public:
    // The registers the monitor needs to walk the running thread's stack.
    struct Registers {
        uint64_t rip;
        uint64_t rsp;
        uint64_t rbp;
    };
    struct Result {
        bool paused = false;  // the vCPU is held: one resume() is owed
        bool stopped = false; // the run loop has ended; nothing is held
        std::chrono::nanoseconds latency {};
        std::optional<Registers> registers; // captured when the vCPU parked
        std::string error;                  // neither paused nor stopped: why not
    };

    static constexpr std::chrono::milliseconds kDefaultTimeout { 1000 };

    // ---- any thread but the vCPU's
    Result pause(std::chrono::milliseconds timeout = kDefaultTimeout);
    // Drops one hold; false if there was none.
    bool resume();
    // Held, and the vCPU parked (or not started yet).
    bool paused() const;
    bool stopped() const;
    // Time since the run loop started (until it ended), or 0 before.
    std::chrono::nanoseconds uptime() const;

    // ---- the vCPU thread (Machine::run)
    // The run loop starts on this thread, running `run`.
    void attach(kvm_run* run, pthread_t thread);
    // The run loop has ended (for good).
    void detach();
    bool requested() const { return m_requested.load(std::memory_order_acquire); }
    // Clears the kick and, while holds remain and `give_up` says no, blocks.
    // `capture` reads the vCPU's registers for the monitor.
    void park(std::function<bool()> const& give_up, std::function<std::optional<Registers>()> const& capture);

private:
    void kick(); // with m_lock held

    mutable std::mutex m_lock;
    std::condition_variable m_wake;
    std::atomic<bool> m_requested { false };
    unsigned m_holds { 0 };
    bool m_attached { false };
    bool m_detached { false };
    bool m_parked { false };
    kvm_run* m_run { nullptr };
    pthread_t m_thread {};
    std::optional<Registers> m_registers;
    std::optional<std::chrono::steady_clock::time_point> m_started, m_ended;
};

} // namespace vmm
