// The monitor server and client end to end, without KVM: a Server on a unix
// socket in /tmp serves a handmade debug table in a plain GuestMemory
// (FakeTarget), and the client library asks it what aramid-mon would.
#include "table_builder.h"

#include <monitor/client.h>
#include <monitor/server.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

using namespace aramid::monitor;
using namespace monitor_test;
namespace rpc = aramid::monitor::rpc;

namespace {

class FakeTarget final : public Target {
public:
    explicit FakeTarget(vmm::GuestMemory& memory) : m_memory(memory) { }
    vmm::GuestMemory const& memory() const override { return m_memory; }
    uint64_t debug_table_gpa() const override { return gpa; }
    PauseOutcome pause() override {
        PauseOutcome outcome;
        if (vm_stopped) {
            outcome.stopped = true;
            return outcome;
        }
        holds++;
        pauses++;
        outcome.paused = true;
        outcome.latency = std::chrono::microseconds(5);
        return outcome;
    }
    void resume() override { holds--; }
    bool paused() const override { return holds > 0; }
    bool stopped() const override { return vm_stopped; }
    std::chrono::nanoseconds uptime() const override { return std::chrono::seconds(2); }

    std::atomic<uint64_t> gpa { kTable };
    std::atomic<int> holds { 0 };
    std::atomic<int> pauses { 0 };
    std::atomic<bool> vm_stopped { false };

private:
    vmm::GuestMemory& m_memory;
};

std::string socket_path(char const* name) {
    return "/tmp/aramid-monitor-test-" + std::to_string(getpid()) + "-" + name + ".sock";
}

class Collector final : public rpc::Listener::Server {
public:
    explicit Collector(std::vector<std::string>& log) : m_log(log) { }

protected:
    kj::Promise<void> event(EventContext context) override {
        auto e = context.getParams().getEvent();
        m_log.push_back(std::to_string(uint16_t(e.getKind())) + ":" + e.getName().cStr() + ":" + e.getText().cStr());
        return kj::READY_NOW;
    }

private:
    std::vector<std::string>& m_log;
};

class MonitorServer : public ::testing::Test {
protected:
    void SetUp() override {
        builder.add_thread(0, 1, "init", dt::ThreadState::Blocked, 2000);
        builder.add_thread(1, 2, "worker", dt::ThreadState::Runnable, 500);
        builder.start(1);
        builder.add_switch(2, dt::SwitchReason::Preempt);
        builder.add_switch(1, dt::SwitchReason::Yield);
        builder.add_event(1, dt::EventKind::ThreadCreated, 2, 2, "worker");
        ServerOptions options;
        options.socket_path = path;
        options.vmm_version = "test";
        server = std::make_unique<Server>(options, target);
    }
    void TearDown() override { server.reset(); }

    // Runs the client's event loop until `done`, for at most two seconds.
    template<typename Done>
    bool pump(MonitorConnection& c, Done done) {
        for (int i = 0; i < 400 && !done(); i++) {
            c.wait_scope().poll();
            usleep(5000);
        }
        return done();
    }

    vmm::GuestMemory memory { kRam };
    TableBuilder builder { memory };
    FakeTarget target { memory };
    std::string path = socket_path("main");
    std::unique_ptr<Server> server;
};

} // namespace

TEST_F(MonitorServer, InfoTasksStacksSwitchesMemory) {
    MonitorConnection c(path);
    EXPECT_EQ(c.vmm_version(), "test");

    auto info = c.wait(c.monitor().infoRequest().send());
    EXPECT_EQ(std::string(info.getInfo().getKernelVersion().cStr()), "aramid 9.9.9");
    EXPECT_EQ(std::string(info.getInfo().getPlatform().cStr()), "pvm");
    EXPECT_EQ(info.getInfo().getMemory().getFreePages(), 700u);
    EXPECT_EQ(info.getInfo().getEventCount(), 1u);
    EXPECT_EQ(info.getInfo().getUptimeNs(), 2'000'000'000u);
    EXPECT_EQ(info.getInfo().getGuestRamBytes(), kRam);
    EXPECT_FALSE(info.getInfo().hasTableProblem());

    auto tasks = c.wait(c.monitor().tasksRequest().send());
    ASSERT_EQ(tasks.getTasks().size(), 2u);
    EXPECT_EQ(std::string(tasks.getTasks()[1].getName().cStr()), "worker");
    EXPECT_EQ(tasks.getTasks()[1].getState(), rpc::TaskState::RUNNABLE);
    EXPECT_TRUE(tasks.getSnapshot().getPaused());
    EXPECT_EQ(tasks.getSnapshot().getPauseLatencyNs(), 5000u);
    EXPECT_EQ(target.holds, 0) << "every snapshot pause is resumed";

    auto stacks = c.wait(c.monitor().stacksRequest().send());
    ASSERT_EQ(stacks.getStacks().size(), 2u);
    EXPECT_EQ(stacks.getStacks()[0].getWatermarkBytes(), 2000u);
    EXPECT_TRUE(stacks.getStacks()[0].getCanaryIntact());
    EXPECT_TRUE(stacks.getStacks()[0].getGuardPage());

    auto request = c.monitor().switchesRequest();
    request.setLimit(1);
    auto switches = c.wait(request.send());
    ASSERT_EQ(switches.getCpus().size(), 1u);
    auto cpu = switches.getCpus()[0];
    EXPECT_EQ(cpu.getSwitchCount(), 2u);
    ASSERT_EQ(cpu.getRecords().size(), 1u);
    EXPECT_EQ(std::string(cpu.getRecords()[0].getFromName().cStr()), "worker");
    EXPECT_EQ(std::string(cpu.getRecords()[0].getToName().cStr()), "init");
    EXPECT_EQ(cpu.getRecords()[0].getReason(), rpc::SwitchReason::YIELD);

    auto read = c.monitor().readMemoryRequest();
    read.setGpa(kTable);
    read.setLength(8);
    auto bytes = c.wait(read.send());
    ASSERT_EQ(bytes.getData().size(), 8u);
    EXPECT_EQ(bytes.getData()[0], 0x52); // "RDBG"
}

TEST_F(MonitorServer, ErrorsAreOneLineReplies) {
    MonitorConnection c(path);
    auto read = c.monitor().readMemoryRequest();
    read.setGpa(kRam - 4);
    read.setLength(8);
    try {
        c.wait(read.send());
        FAIL() << "read past the end of RAM";
    } catch (ClientError const& e) {
        EXPECT_NE(std::string(e.what()).find("outside guest RAM"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("remote exception"), std::string::npos) << e.what();
    }
    auto large = c.monitor().readMemoryRequest();
    large.setLength(rpc::MAX_READ_LENGTH + 1);
    EXPECT_THROW(c.wait(large.send()), ClientError);

    builder.table().magic = 0; // a garbage table
    try {
        c.wait(c.monitor().stacksRequest().send());
        FAIL() << "garbage table accepted";
    } catch (ClientError const& e) {
        EXPECT_NE(std::string(e.what()).find("magic"), std::string::npos) << e.what();
    }
    EXPECT_EQ(target.holds, 0);
    // `info` still answers, and says what is wrong.
    auto info = c.wait(c.monitor().infoRequest().send());
    EXPECT_NE(std::string(info.getInfo().getTableProblem().cStr()).find("magic"), std::string::npos);
    target.gpa = 0;
    info = c.wait(c.monitor().infoRequest().send());
    EXPECT_NE(std::string(info.getInfo().getTableProblem().cStr()).find("not registered"), std::string::npos);
}

TEST_F(MonitorServer, PauseAndResume) {
    MonitorConnection c(path);
    auto paused = c.wait(c.monitor().pauseRequest().send());
    EXPECT_FALSE(paused.getAlreadyPaused());
    EXPECT_EQ(paused.getLatencyNs(), 5000u);
    EXPECT_EQ(target.holds, 1);
    EXPECT_TRUE(c.wait(c.monitor().pauseRequest().send()).getAlreadyPaused());
    EXPECT_EQ(target.holds, 1);
    // A snapshot while paused nests its own hold and gives it back.
    c.wait(c.monitor().tasksRequest().send());
    EXPECT_EQ(target.holds, 1);
    auto resumed = c.wait(c.monitor().resumeRequest().send());
    EXPECT_TRUE(resumed.getWasPaused());
    EXPECT_EQ(target.holds, 0);
    EXPECT_FALSE(c.wait(c.monitor().resumeRequest().send()).getWasPaused());
}

TEST_F(MonitorServer, ProtocolMismatchAndMissingSocket) {
    try {
        MonitorConnection c(path, rpc::PROTOCOL_VERSION + 1);
        FAIL() << "a mismatched protocol was accepted";
    } catch (ClientError const& e) {
        EXPECT_NE(std::string(e.what()).find("protocol version mismatch"), std::string::npos) << e.what();
    }
    try {
        MonitorConnection c("/tmp/aramid-monitor-test-no-such.sock");
        FAIL();
    } catch (ClientError const& e) {
        EXPECT_NE(std::string(e.what()).find("no monitor socket"), std::string::npos) << e.what();
    }
}

TEST_F(MonitorServer, StaleSocketIsReplacedAndALiveOneRefused) {
    EXPECT_THROW(Server(ServerOptions { path, false, "x" }, target), std::exception)
        << "in use by the fixture's server";
    server.reset();
    // A socket file nobody listens on (a killed VMM): the client says the VM
    // has gone, and a new server takes the path over.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    ::close(fd);
    try {
        MonitorConnection c(path);
        FAIL();
    } catch (ClientError const& e) {
        EXPECT_NE(std::string(e.what()).find("gone away"), std::string::npos) << e.what();
    }
    server = std::make_unique<Server>(ServerOptions { path, false, "x" }, target);
    MonitorConnection c(path);
    EXPECT_EQ(c.vmm_version(), "x");
}

TEST_F(MonitorServer, WatchStreamsGuestEventsWatermarksAndTheEnd) {
    MonitorConnection c(path);
    std::vector<std::string> events;
    auto watch = c.monitor().watchRequest();
    watch.setListener(kj::heap<Collector>(events));
    watch.setWatermarkThresholdPercent(50);
    watch.setReplay(true);
    c.wait(watch.send());
    auto info = c.wait(c.monitor().infoRequest().send());
    EXPECT_EQ(info.getInfo().getWatchers(), 1u);
    auto has = [&](std::string const& prefix) {
        for (auto const& e : events)
            if (e.rfind(prefix, 0) == 0) return true;
        return false;
    };
    std::string const created = std::to_string(uint16_t(rpc::EventKind::THREAD_CREATED)) + ":worker";
    ASSERT_TRUE(pump(c, [&] { return has(created); })) << "replayed thread-created";

    // A thread goes deep, another breaks its canary, the guest panics.
    builder.add_thread(2, 9, "deep", dt::ThreadState::Blocked, 13 * 1024);
    builder.add_thread(3, 10, "smash", dt::ThreadState::Blocked, 100);
    builder.write_stack_u64(3, TableBuilder::stack_va(3), 0);
    builder.add_event(2, dt::EventKind::Panic, 10, 0, "kernel stack canary broken");
    std::string const watermark = std::to_string(uint16_t(rpc::EventKind::WATERMARK_THRESHOLD)) + ":deep";
    std::string const canary = std::to_string(uint16_t(rpc::EventKind::CANARY_BROKEN)) + ":smash";
    std::string const panic = std::to_string(uint16_t(rpc::EventKind::PANIC)) + ":smash:kernel stack canary";
    ASSERT_TRUE(pump(c, [&] { return has(watermark) && has(canary) && has(panic); }))
        << ::testing::PrintToString(events);
    EXPECT_FALSE(has(std::to_string(uint16_t(rpc::EventKind::WATERMARK_THRESHOLD)) + ":init"));

    // The VM ends: one more event from the ring, then vmExited, then the
    // connection closes.
    builder.add_event(3, dt::EventKind::StackOverflow, 9, 0xdead, "deep");
    target.vm_stopped = true;
    std::thread stopper([&] { server->vm_stopped(123, "panic", std::chrono::milliseconds(2000)); });
    std::string const overflow = std::to_string(uint16_t(rpc::EventKind::STACK_OVERFLOW)) + ":deep";
    std::string const exited = std::to_string(uint16_t(rpc::EventKind::VM_EXITED)) + "::panic";
    bool const delivered = pump(c, [&] { return has(overflow) && has(exited); });
    stopper.join();
    EXPECT_TRUE(delivered) << ::testing::PrintToString(events);
    server.reset();
    bool disconnected = false;
    auto done = c.on_disconnect()
                    .then([&] { disconnected = true; }, [&](kj::Exception&&) { disconnected = true; })
                    .eagerlyEvaluate(nullptr);
    EXPECT_TRUE(pump(c, [&] { return disconnected; }));
}
