// The host stdin -> COM1 path: the Ctrl-A escape decoder, and the input
// thread feeding a serial port from a pipe until EOF, with its bounded queue.
#include <vmm/devices/console_input.h>
#include <vmm/devices/output.h>
#include <vmm/devices/serial.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <fcntl.h>
#include <unistd.h>

using namespace vmm;

namespace {

std::string decode(EscapeDecoder& decoder, std::string const& input, bool* exited = nullptr) {
    std::string out;
    bool const exit = decoder.feed(input.data(), input.size(), out);
    if (exited) *exited = exit;
    return out;
}

constexpr uint16_t kData = aramid::abi::kPortCom1, kLsr = aramid::abi::kPortCom1 + 5,
                   kMsr = aramid::abi::kPortCom1 + 6;

// Waits up to 5 s for `done`.
template<typename F> bool eventually(F done) {
    for (int i = 0; i < 5000; i++) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return done();
}

std::string drain(Serial16550& serial) {
    std::string got;
    while (serial.in(kLsr, 1) & Serial16550::kLsrDataReady) got += char(serial.in(kData, 1));
    return got;
}

struct Pipe {
    int fds[2];
    Pipe() { EXPECT_EQ(pipe(fds), 0); }
    ~Pipe() {
        close_read();
        close_write();
    }
    void close_read() {
        if (fds[0] >= 0) close(fds[0]);
        fds[0] = -1;
    }
    void close_write() {
        if (fds[1] >= 0) close(fds[1]);
        fds[1] = -1;
    }
    void write(std::string const& s) { ASSERT_EQ(::write(fds[1], s.data(), s.size()), ssize_t(s.size())); }
};

} // namespace

TEST(EscapeDecoder, PlainBytesPassThrough) {
    EscapeDecoder d;
    bool exited = true;
    EXPECT_EQ(decode(d, "ls -l\r\x03\x1a", &exited), "ls -l\r\x03\x1a");
    EXPECT_FALSE(exited);
}

TEST(EscapeDecoder, CtrlAXExits) {
    EscapeDecoder d;
    bool exited = false;
    EXPECT_EQ(decode(d, "ab\x01xcd", &exited), "ab") << "bytes after Ctrl-A x are dropped";
    EXPECT_TRUE(exited);
}

TEST(EscapeDecoder, DoubleCtrlASendsOne) {
    EscapeDecoder d;
    EXPECT_EQ(decode(d, "\x01\x01x"), "\x01x") << "Ctrl-A Ctrl-A x is a literal Ctrl-A then x";
}

TEST(EscapeDecoder, CtrlAThenOtherSendsBoth) {
    EscapeDecoder d;
    EXPECT_EQ(decode(d, "\x01q"), "\x01q");
    EXPECT_EQ(decode(d, "\x01X"), "\x01X") << "only lower-case x exits";
}

TEST(EscapeDecoder, EscapeSplitAcrossReads) {
    EscapeDecoder d;
    bool exited = true;
    EXPECT_EQ(decode(d, "a\x01", &exited), "a");
    EXPECT_FALSE(exited);
    EXPECT_EQ(decode(d, "x", &exited), "");
    EXPECT_TRUE(exited);

    EscapeDecoder e;
    EXPECT_EQ(decode(e, "\x01"), "");
    EXPECT_EQ(decode(e, "b"), "\x01" "b");
}

TEST(ConsoleInput, PipeBytesReachTheSerialThenHangup) {
    CapturedOutput out;
    Serial16550 serial(out);
    Pipe pipe;
    ConsoleInput input(pipe.fds[0], serial, false, {});
    pipe.write("echo hi\n\x01x");
    pipe.close_write();
    std::string got;
    EXPECT_TRUE(eventually([&] {
        got += drain(serial);
        return got.size() >= 10 && !(serial.in(kMsr, 1) & Serial16550::kMsrCarrier);
    })) << "got '" << got << "'";
    EXPECT_EQ(got, "echo hi\n\x01x") << "a pipe has no escape";
}

TEST(ConsoleInput, TerminalEscapeCallsTheHandler) {
    CapturedOutput out;
    Serial16550 serial(out);
    Pipe pipe;
    std::atomic<bool> escaped { false };
    ConsoleInput input(pipe.fds[0], serial, true, { [&] { escaped = true; }, {} });
    pipe.write("ok\x01xlost");
    EXPECT_TRUE(eventually([&] { return escaped.load(); }));
    EXPECT_EQ(drain(serial), "ok");
}

TEST(ConsoleInput, QueueIsBounded) {
    CapturedOutput out;
    Serial16550 serial(out);
    Pipe pipe;
    ConsoleInput input(pipe.fds[0], serial, false, {});
    // A writer thread pushes 4x the queue limit; while the guest reads
    // nothing, the queue stops at the limit plus at most one read.
    std::string const chunk(ConsoleInput::kReadSize, 'q');
    std::thread writer([&] {
        for (size_t sent = 0; sent < 4 * ConsoleInput::kMaxQueued; sent += chunk.size())
            if (::write(pipe.fds[1], chunk.data(), chunk.size()) < 0) return;
    });
    EXPECT_TRUE(eventually([&] { return serial.input_queued() >= ConsoleInput::kMaxQueued; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_LE(serial.input_queued(), ConsoleInput::kMaxQueued + ConsoleInput::kReadSize);
    // Reading lets the rest through, byte for byte.
    size_t total = 0;
    EXPECT_TRUE(eventually([&] {
        total += drain(serial).size();
        return total == 4 * ConsoleInput::kMaxQueued;
    })) << total;
    writer.join();
}

TEST(ConsoleInput, ClosedFdMeansNoInput) {
    CapturedOutput out;
    Serial16550 serial(out);
    // A high number nothing opens (a just-closed low one would be reused by
    // ConsoleInput's own eventfd).
    int const not_open = 999;
    ASSERT_EQ(fcntl(not_open, F_GETFD), -1);
    ConsoleInput input(not_open, serial, false, {});
    EXPECT_TRUE(eventually([&] { return !(serial.in(kMsr, 1) & Serial16550::kMsrCarrier); }))
        << "a stdin that is not open ends the input at once";
}

TEST(ConsoleInput, DestructorStopsABlockedReader) {
    CapturedOutput out;
    Serial16550 serial(out);
    Pipe pipe;
    auto const start = std::chrono::steady_clock::now();
    { ConsoleInput input(pipe.fds[0], serial, false, {}); }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_TRUE(serial.in(kMsr, 1) & Serial16550::kMsrCarrier) << "stopping is not the end of the input";
}
