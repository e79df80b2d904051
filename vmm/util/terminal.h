// RawTerminal: the host terminal in raw mode while the guest owns it.
//
// Raw means no echo, no line editing, no signals from ^C, ^Z or ^\, and no
// CR/NL translation or flow control on input: every key goes to the guest,
// whose own tty does all of that. Output processing (OPOST) stays on, as in
// QEMU, so that lines the VMM and the kernel log write to a terminal
// stderr still start at column 0.
//
// enter() and restore() may be called from any thread (the termination
// signal thread restores at once, while the vCPU thread is still stopping
// the guest); the destructor restores.
#pragma once

#include <mutex>
#include <termios.h>

namespace vmm {

class RawTerminal {
public:
    explicit RawTerminal(int fd) : m_fd(fd) { }
    ~RawTerminal() { restore(); }
    RawTerminal(RawTerminal const&) = delete;
    RawTerminal& operator=(RawTerminal const&) = delete;

    // Saves the terminal's settings and switches to raw mode. Throws
    // VmmError if `fd` is not a terminal or cannot be set.
    void enter();
    // Puts the saved settings back if enter() changed them.
    void restore();

private:
    int m_fd;
    std::mutex m_lock;
    bool m_raw { false };
    termios m_saved {};
};

} // namespace vmm
