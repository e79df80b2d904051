#include <vmm/pause_gate.h>

#include <csignal>

namespace vmm {

namespace {

void on_pause_kick(int) { }

// How often a parked vCPU asks `give_up` whether the machine is stopping.
constexpr std::chrono::milliseconds kParkPoll { 10 };

} // namespace

PauseGate::Result PauseGate::pause(std::chrono::milliseconds timeout) {
    auto const start = std::chrono::steady_clock::now();
    std::unique_lock lock(m_lock);
    Result result;
    if (m_detached) {
        result.stopped = true;
        return result;
    }
    m_holds++;
    m_requested.store(true, std::memory_order_release);
    if (!m_attached || m_parked) {
        // Not started yet (it parks when it starts) or already parked.
        result.paused = true;
        result.registers = m_registers;
        return result;
    }
    kick();
    m_wake.wait_until(lock, start + timeout, [this] { return m_parked || m_detached; });
    result.latency = std::chrono::steady_clock::now() - start;
    if (m_parked) {
        result.paused = true;
        result.registers = m_registers;
        return result;
    }
    // Give the hold back. The request stays raised: the vCPU passes through
    // park() when it gets there, which clears the kick and the request.
    m_holds--;
    if (m_detached) {
        result.stopped = true;
        return result;
    }
    result.error = "the vCPU did not stop within " + std::to_string(timeout.count()) + " ms";
    return result;
}

bool PauseGate::resume() {
    std::lock_guard lock(m_lock);
    if (m_holds == 0) return false;
    if (--m_holds == 0) m_wake.notify_all();
    return true;
}

bool PauseGate::paused() const {
    std::lock_guard lock(m_lock);
    return m_holds > 0 && (m_parked || !m_attached) && !m_detached;
}

bool PauseGate::stopped() const {
    std::lock_guard lock(m_lock);
    return m_detached;
}

std::chrono::nanoseconds PauseGate::uptime() const {
    std::lock_guard lock(m_lock);
    if (!m_started) return {};
    return m_ended.value_or(std::chrono::steady_clock::now()) - *m_started;
}

void PauseGate::attach(kvm_run* run, pthread_t thread) {
    // No SA_RESTART: the kick makes KVM_RUN return EINTR.
    struct sigaction kick_action {};
    kick_action.sa_handler = on_pause_kick;
    sigemptyset(&kick_action.sa_mask);
    sigaction(SIGUSR1, &kick_action, nullptr);
    std::lock_guard lock(m_lock);
    m_run = run;
    m_thread = thread;
    m_attached = true;
    m_started = std::chrono::steady_clock::now();
}

void PauseGate::detach() {
    std::lock_guard lock(m_lock);
    m_attached = false;
    m_detached = true;
    m_ended = std::chrono::steady_clock::now();
    m_parked = false;
    m_registers.reset();
    m_wake.notify_all();
}

void PauseGate::kick() {
    // immediate_exit makes a KVM_RUN about to start return at once; the
    // signal interrupts one already running.
    __atomic_store_n(&m_run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    pthread_kill(m_thread, SIGUSR1);
}

void PauseGate::park(std::function<bool()> const& give_up,
                     std::function<std::optional<Registers>()> const& capture) {
    std::unique_lock lock(m_lock);
    // Clear the kick first: Machine checks for stop() after park() returns,
    // so a stop() racing with this clear is seen there (it sets its request
    // before it sets immediate_exit).
    if (m_run) __atomic_store_n(&m_run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    if (m_holds > 0) {
        m_registers = capture();
        m_parked = true;
        m_wake.notify_all();
        while (m_holds > 0 && !give_up()) m_wake.wait_for(lock, kParkPoll);
        m_parked = false;
        m_registers.reset();
    }
    if (m_holds == 0) m_requested.store(false, std::memory_order_release);
}

} // namespace vmm
