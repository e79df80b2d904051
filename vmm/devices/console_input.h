// ConsoleInput: the host's stdin, fed to the guest's COM1.
//
// One thread of its own reads the input fd and hands the bytes to
// Serial16550::push_input. When the input ends -- EOF, a read error, an fd
// that is not open -- it calls Serial16550::end_input, which the guest sees
// as a hangup after the last byte, and the thread is done. It polls the fd
// together with an eventfd that the destructor signals before it joins, so
// the thread never outlives the device, and it never holds the serial lock
// across a system call.
//
// The queue is bounded: while the guest has kMaxQueued bytes unread, the
// thread stops reading, so a fast writer waits on its pipe instead of
// filling the VMM's memory.
//
// On a terminal, Ctrl-A is an escape, as in QEMU: Ctrl-A x stops the guest
// (on_escape_exit), Ctrl-A Ctrl-A sends one Ctrl-A, and Ctrl-A followed by
// anything else sends both bytes. A pipe or file is passed through as is.
#pragma once

#include <vmm/util/fd.h>

#include <cstddef>
#include <functional>
#include <string>
#include <thread>

namespace vmm {

class Serial16550;

// The Ctrl-A escape of a terminal's input stream, byte by byte; a Ctrl-A at
// the end of one read is matched with the next.
class EscapeDecoder {
public:
    static constexpr char kEscape = 0x01; // Ctrl-A
    static constexpr char kExit = 'x';
    // Appends what the guest gets to `out`. Returns true at Ctrl-A x; the
    // bytes after it are dropped.
    bool feed(char const* data, size_t length, std::string& out);

private:
    bool m_after_escape { false };
};

class ConsoleInput {
public:
    struct Handlers {
        std::function<void()> on_escape_exit;               // Ctrl-A x (terminals only)
        std::function<void(std::string const&)> on_error;  // an exception in the thread
    };
    // Starts reading `fd` (borrowed). With `escapes`, the Ctrl-A escape
    // applies. Throws VmmError if the eventfd or thread cannot be created.
    ConsoleInput(int fd, Serial16550& serial, bool escapes, Handlers handlers);
    ~ConsoleInput();
    ConsoleInput(ConsoleInput const&) = delete;
    ConsoleInput& operator=(ConsoleInput const&) = delete;

    static constexpr size_t kMaxQueued = 64 * 1024;
    static constexpr size_t kReadSize = 4096;

private:
    void run();
    void read_until_end();

    int m_fd;
    Serial16550& m_serial;
    bool m_escapes;
    Handlers m_handlers;
    Fd m_stop;
    std::thread m_thread;
};

} // namespace vmm
