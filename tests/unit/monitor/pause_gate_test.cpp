// The vCPU pause gate the monitor uses (vmm/pause_gate.h), driven by a fake
// run loop on its own thread instead of KVM_RUN: holds nest, a pause before
// the loop starts holds its first iteration, a stopping machine ends the
// wait, and a vCPU that does not come within the timeout costs an error,
// not a hang.
#include <vmm/pause_gate.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <time.h>

using namespace std::chrono_literals;
using vmm::PauseGate;

namespace {

// The run loop of Machine::run, with a sleep standing in for KVM_RUN (the
// kick's signal cuts it short, as it would KVM_RUN).
class FakeVcpu {
public:
    explicit FakeVcpu(PauseGate& gate, bool check_requests = true) : m_gate(gate), m_check(check_requests) { }
    ~FakeVcpu() { stop(); }
    void start() {
        m_thread = std::thread([this] {
            m_gate.attach(m_run.get(), pthread_self());
            while (!m_quit) {
                if (m_check && m_gate.requested()) {
                    m_gate.park([this] { return m_quit.load(); },
                                [] { return std::optional<PauseGate::Registers>(PauseGate::Registers { 1, 2, 3 }); });
                    if (m_quit) break;
                }
                m_iterations++;
                timespec nap { 0, 200'000 };
                nanosleep(&nap, nullptr);
            }
            m_gate.detach();
        });
    }
    void stop() {
        m_quit = true;
        if (m_thread.joinable()) m_thread.join();
    }
    void check_requests() { m_check = true; }
    uint64_t iterations() const { return m_iterations; }
    bool advances() const {
        uint64_t const before = m_iterations;
        std::this_thread::sleep_for(20ms);
        return m_iterations != before;
    }
    kvm_run& run() { return *m_run; }

private:
    PauseGate& m_gate;
    std::atomic<bool> m_check;
    std::unique_ptr<kvm_run> m_run { std::make_unique<kvm_run>() };
    std::atomic<bool> m_quit { false };
    std::atomic<uint64_t> m_iterations { 0 };
    std::thread m_thread;
};

} // namespace

TEST(MonitorPauseGate, PauseHoldsTheLoopAndResumeReleasesIt) {
    PauseGate gate;
    FakeVcpu vcpu(gate);
    vcpu.start();
    ASSERT_TRUE(vcpu.advances());
    PauseGate::Result const result = gate.pause();
    ASSERT_TRUE(result.paused) << result.error;
    EXPECT_FALSE(result.stopped);
    EXPECT_TRUE(gate.paused());
    ASSERT_TRUE(result.registers);
    EXPECT_EQ(result.registers->rbp, 3u);
    EXPECT_LT(result.latency, 500ms);
    EXPECT_FALSE(vcpu.advances());
    EXPECT_EQ(vcpu.run().immediate_exit, 0) << "park() clears the kick";
    EXPECT_TRUE(gate.resume());
    EXPECT_TRUE(vcpu.advances());
    EXPECT_FALSE(gate.paused());
    EXPECT_FALSE(gate.requested());
    EXPECT_FALSE(gate.resume()) << "nothing left to resume";
}

TEST(MonitorPauseGate, HoldsNest) {
    PauseGate gate;
    FakeVcpu vcpu(gate);
    vcpu.start();
    ASSERT_TRUE(gate.pause().paused);
    PauseGate::Result const second = gate.pause();
    ASSERT_TRUE(second.paused);
    EXPECT_EQ(second.latency, 0ns) << "already parked";
    gate.resume();
    EXPECT_FALSE(vcpu.advances());
    gate.resume();
    EXPECT_TRUE(vcpu.advances());
}

TEST(MonitorPauseGate, PauseBeforeStartHoldsTheFirstIteration) {
    PauseGate gate;
    ASSERT_TRUE(gate.pause().paused);
    EXPECT_TRUE(gate.paused());
    FakeVcpu vcpu(gate);
    vcpu.start();
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(vcpu.iterations(), 0u);
    gate.resume();
    EXPECT_TRUE(vcpu.advances());
}

TEST(MonitorPauseGate, AStoppingMachineEndsThePark) {
    PauseGate gate;
    FakeVcpu vcpu(gate);
    vcpu.start();
    ASSERT_TRUE(gate.pause().paused);
    vcpu.stop(); // joins: the park gave up
    EXPECT_TRUE(gate.stopped());
    EXPECT_FALSE(gate.paused());
    PauseGate::Result const after = gate.pause();
    EXPECT_FALSE(after.paused);
    EXPECT_TRUE(after.stopped);
}

TEST(MonitorPauseGate, AVcpuThatDoesNotComeIsAnErrorNotAHang) {
    PauseGate gate;
    FakeVcpu vcpu(gate, false); // busy elsewhere: never looks at the gate
    vcpu.start();
    ASSERT_TRUE(vcpu.advances());
    PauseGate::Result const result = gate.pause(30ms);
    EXPECT_FALSE(result.paused);
    EXPECT_NE(result.error.find("did not stop within 30 ms"), std::string::npos) << result.error;
    EXPECT_FALSE(gate.paused());
    // When it gets there, it passes through and clears the kick.
    vcpu.check_requests();
    EXPECT_TRUE(vcpu.advances());
    std::this_thread::sleep_for(5ms);
    EXPECT_FALSE(gate.requested());
    EXPECT_EQ(vcpu.run().immediate_exit, 0);
}
