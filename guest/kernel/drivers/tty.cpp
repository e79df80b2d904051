#include <fs/vfs/file.h>
#include <kernel/drivers/console.h>
#include <kernel/drivers/serial.h>
#include <kernel/drivers/tty.h>
#include <uapi/termios.h>
#include <kernel/mm/user.h>
#include <kernel/proc/process.h>
#include <kernel/sched/wait_queue.h>
#include <lib/format.h>

#include <new>

namespace tty {

namespace {

using Termios = uapi::termios;
using WinSize = uapi::winsize;

// termios bits (Linux values).
constexpr u32 ICRNL = 0400, INLCR = 0100, IGNCR = 0200, IXON = 02000;
constexpr u32 OPOST = 1, ONLCR = 4;
constexpr u32 ISIG = 1, ICANON = 2, ECHO = 010, ECHOE = 020, ECHOK = 040, ECHONL = 0100, ECHOCTL = 01000,
              ECHOKE = 04000, IEXTEN = 0100000;
constexpr int VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSTART = 8, VSTOP = 9,
              VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14, VLNEXT = 15, VEOL2 = 16;

constexpr u32 TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCXONC = 0x540a,
              TCFLSH = 0x540b, TIOCSCTTY = 0x540e, TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCOUTQ = 0x5411,
              TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541b, TIOCNOTTY = 0x5422, TIOCGSID = 0x5429,
              TIOCGPTN = 0x80045430;

constexpr usize kQueueSize = 8192;

class Console {
public:
    Console() {
        m_termios.c_iflag = ICRNL | IXON;
        m_termios.c_oflag = OPOST | ONLCR;
        m_termios.c_cflag = 0277 | 060 | 0200; // B38400, CS8, CREAD
        m_termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        u8 const defaults[19] = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0 };
        __builtin_memcpy(m_termios.c_cc, defaults, sizeof(defaults));
        m_winsize = { 24, 80, 0, 0 };
    }

    // ---- input
    void receive(char c) {
        if (m_termios.c_iflag & IGNCR && c == '\r') return;
        if (m_termios.c_iflag & ICRNL && c == '\r') c = '\n';
        else if (m_termios.c_iflag & INLCR && c == '\n') c = '\r';
        u32 const lflag = m_termios.c_lflag;
        u8 const* cc = m_termios.c_cc;
        if (lflag & ISIG) {
            int signal = 0;
            if (u8(c) == cc[VINTR]) signal = signals::SIGINT;
            else if (u8(c) == cc[VQUIT]) signal = signals::SIGQUIT;
            else if (u8(c) == cc[VSUSP]) signal = signals::SIGTSTP;
            if (signal) {
                if (lflag & ECHO) echo_control(c);
                m_line_length = 0;
                signal_foreground(signal);
                return;
            }
        }
        if (lflag & ICANON) {
            if (u8(c) == cc[VERASE] || c == '\b') {
                if (m_line_length) {
                    m_line_length--;
                    if (lflag & ECHOE) output("\b \b", 3, true);
                }
                return;
            }
            if (u8(c) == cc[VKILL]) {
                while (m_line_length) {
                    m_line_length--;
                    if (lflag & ECHOK) output("\b \b", 3, true);
                }
                return;
            }
            if (u8(c) == cc[VEOF]) {
                flush_line(true);
                return;
            }
            if (m_line_length < sizeof(m_line) - 1) m_line[m_line_length++] = c;
            if (lflag & ECHO) echo(c);
            else if (c == '\n' && (lflag & ECHONL)) output("\n", 1, true);
            if (c == '\n' || (cc[VEOL] && u8(c) == cc[VEOL])) flush_line(false);
            return;
        }
        if (lflag & ECHO) echo(c);
        push(c);
        m_ready.wake_all();
    }

    // Input from a host pipe or file: the bytes as they are, no line
    // discipline (no echo, no ^C, no CR translation), as a pipe on the host.
    void receive_raw(char c) {
        push(c);
        m_ready.wake_all();
    }

    void end_of_input() {
        m_end_of_input = true;
        m_ready.wake_all();
    }

    Result<usize> read(IoBuffer buffer, usize length, bool non_blocking, bool raw) {
        if (length == 0) return usize(0);
        bool const canonical = !raw && (m_termios.c_lflag & ICANON);
        auto available = [&] { return m_used > 0 || m_eof_marks > 0 || m_end_of_input; };
        if (!available()) {
            if (non_blocking) return Errno(EAGAIN);
            auto waited = sched::wait_until(m_ready, available);
            if (waited.is_error()) return Errno(ERESTARTSYS);
        }
        usize done = 0;
        char chunk[128];
        while (done < length && m_used > 0) {
            usize n = 0;
            bool end_of_line = false;
            // The serial interrupt pushes into the queue: pop with it held off.
            bool const irqs = platform::irq_save();
            while (n < sizeof(chunk) && done + n < length && m_used > 0) {
                if (m_eof_marks > 0 && m_eof_position == 0) break;
                char c = pop();
                chunk[n++] = c;
                if (canonical && c == '\n') {
                    end_of_line = true;
                    break;
                }
            }
            platform::irq_restore(irqs);
            TRY(buffer.write(done, chunk, n));
            done += n;
            if (end_of_line || n == 0) break;
        }
        // Room again: what waits in the UART (or the VMM) can come in.
        if (done) serial::pull_input();
        // ^D at the start of a read ends it with what came before (or 0).
        if (done == 0 && m_eof_marks > 0 && m_eof_position == 0) {
            m_eof_marks--;
            m_eof_position = m_eof_marks ? m_next_eof_position : 0;
        }
        return done;
    }

    usize readable() const { return m_used; }
    usize room() const { return kQueueSize - m_used; }
    bool input_ended() const { return m_end_of_input; }

    // ---- output
    void output(char const* data, usize length, bool processed) {
        bool const onlcr = processed && (m_termios.c_oflag & OPOST) && (m_termios.c_oflag & ONLCR);
        if (!onlcr) {
            console::write(console::Stream::Program, data, length);
            return;
        }
        char chunk[256];
        usize n = 0;
        for (usize i = 0; i < length; i++) {
            if (n + 2 > sizeof(chunk)) {
                console::write(console::Stream::Program, chunk, n);
                n = 0;
            }
            if (data[i] == '\n') chunk[n++] = '\r';
            chunk[n++] = data[i];
        }
        if (n) console::write(console::Stream::Program, chunk, n);
    }

    Result<u64> ioctl(u32 request, u64 argument) {
        Process* process = Process::current();
        switch (request) {
        case TCGETS: TRY(mm::copy_to_user(UserPtr<Termios>(argument), m_termios)); return u64(0);
        case TCSETS:
        case TCSETSW:
        case TCSETSF: {
            Termios t = TRY(mm::copy_from_user(UserPtr<Termios>(argument)));
            if (request == TCSETSF) m_used = m_head = m_line_length = 0;
            bool const was_canonical = m_termios.c_lflag & ICANON;
            m_termios = t;
            // Leaving canonical mode makes a partial line readable.
            if (was_canonical && !(t.c_lflag & ICANON)) flush_line(false);
            return u64(0);
        }
        case TIOCGWINSZ: TRY(mm::copy_to_user(UserPtr<WinSize>(argument), m_winsize)); return u64(0);
        case TIOCSWINSZ: m_winsize = TRY(mm::copy_from_user(UserPtr<WinSize>(argument))); return u64(0);
        case TIOCGPGRP: {
            int pgrp = m_foreground ? m_foreground : (process ? process->pgid() : 0);
            TRY(mm::copy_to_user(UserPtr<int>(argument), pgrp));
            return u64(0);
        }
        case TIOCSPGRP: {
            int pgrp = TRY(mm::copy_from_user(UserPtr<int>(argument)));
            if (pgrp <= 0) return Errno(EINVAL);
            m_foreground = pgrp;
            return u64(0);
        }
        case TIOCGSID: {
            int sid = m_session ? m_session : (process ? process->sid() : 0);
            TRY(mm::copy_to_user(UserPtr<int>(argument), sid));
            return u64(0);
        }
        case TIOCSCTTY:
            if (process) {
                m_session = process->sid();
                m_foreground = process->pgid();
            }
            return u64(0);
        case TIOCNOTTY: return u64(0);
        case FIONREAD: {
            int n = int(m_used);
            TRY(mm::copy_to_user(UserPtr<int>(argument), n));
            return u64(0);
        }
        case TIOCOUTQ: {
            int zero = 0;
            TRY(mm::copy_to_user(UserPtr<int>(argument), zero));
            return u64(0);
        }
        case TCFLSH:
            if (argument == 0 || argument == 2) m_used = m_head = m_line_length = 0;
            return u64(0);
        case TCXONC: return u64(0);
        case TIOCGPTN: return Errno(ENOTTY);
        }
        return Errno(ENOTTY);
    }

    WaitQueue& ready() { return m_ready; }
    int foreground() const { return m_foreground; }

private:
    void echo(char c) {
        if ((m_termios.c_lflag & ECHOCTL) && u8(c) < 32 && c != '\n' && c != '\t') echo_control(c);
        else output(&c, 1, true);
    }
    void echo_control(char c) {
        char shown[2] = { '^', char(c + 64) };
        output(shown, 2, true);
    }
    void push(char c) {
        if (m_used == kQueueSize) return; // full: drop, as a UART overrun would
        m_queue[(m_head + m_used) % kQueueSize] = c;
        m_used++;
    }
    char pop() {
        char c = m_queue[m_head];
        m_head = (m_head + 1) % kQueueSize;
        m_used--;
        if (m_eof_marks > 0 && m_eof_position > 0) m_eof_position--;
        return c;
    }
    void flush_line(bool eof) {
        for (usize i = 0; i < m_line_length; i++) push(m_line[i]);
        m_line_length = 0;
        if (eof) {
            if (m_eof_marks == 0) m_eof_position = m_used;
            else m_next_eof_position = m_used;
            m_eof_marks++;
        }
        m_ready.wake_all();
    }
    void signal_foreground(int signal) {
        int const group = m_foreground;
        if (!group) return;
        signals::Info info;
        info.signo = signal;
        info.code = signals::SI_KERNEL;
        Process::for_each([&](Process& p) {
            if (p.pgid() == group && !p.is_zombie()) signals::send_to_process(p, info);
        });
    }

    Termios m_termios {};
    WinSize m_winsize {};
    char m_line[4096];
    usize m_line_length { 0 };
    char m_queue[kQueueSize];
    usize m_head { 0 };
    usize m_used { 0 };
    // ^D marks: the number of pending ends-of-file and where the first one
    // sits in the queue (bytes before it).
    u32 m_eof_marks { 0 };
    usize m_eof_position { 0 };
    usize m_next_eof_position { 0 };
    bool m_end_of_input { false };
    int m_foreground { 0 };
    int m_session { 0 };
    WaitQueue m_ready;
};

Console* g_console;
bool g_stdin_pipe;
bool g_stdout_pipe;

class TtyFile final : public File {
public:
    TtyFile(u64 rdev, u32 flags) : File(flags), m_rdev(rdev) { }
    Result<usize> read(IoBuffer buffer, usize length) override {
        return g_console->read(buffer, length, non_blocking(), false);
    }
    Result<usize> write(IoBuffer buffer, usize length) override {
        char chunk[256];
        for (usize done = 0; done < length;) {
            usize n = lib::min(length - done, sizeof(chunk));
            TRY(buffer.read(done, chunk, n));
            g_console->output(chunk, n, true);
            done += n;
        }
        return length;
    }
    Result<u64> ioctl(u32 request, u64 argument) override { return g_console->ioctl(request, argument); }
    u32 poll_events() override {
        u32 events = vfs::kPollOut | vfs::kPollWriteNormal;
        if (g_console->readable() || g_console->input_ended()) events |= vfs::kPollIn | vfs::kPollReadNormal;
        return events;
    }
    WaitQueue* wait_queue() override { return &g_console->ready(); }
    InodeMetadata metadata() override {
        InodeMetadata m;
        m.mode = vfs::kModeCharacter | 0620;
        m.rdev = m_rdev;
        m.ino = 3;
        return m;
    }

private:
    u64 m_rdev;
};

// Standard input/output as the host gives it when piped: bytes pass
// through unchanged; not a terminal (ioctls fail with ENOTTY).
class StdioPipe final : public File {
public:
    StdioPipe(bool input, u32 flags) : File(flags), m_input(input) { }
    Result<usize> read(IoBuffer buffer, usize length) override {
        if (!m_input) return Errno(EBADF);
        return g_console->read(buffer, length, non_blocking(), true);
    }
    Result<usize> write(IoBuffer buffer, usize length) override {
        if (m_input) return Errno(EBADF);
        char chunk[256];
        for (usize done = 0; done < length;) {
            usize n = lib::min(length - done, sizeof(chunk));
            TRY(buffer.read(done, chunk, n));
            g_console->output(chunk, n, false);
            done += n;
        }
        return length;
    }
    u32 poll_events() override {
        if (!m_input) return vfs::kPollOut | vfs::kPollWriteNormal;
        u32 events = 0;
        if (g_console->readable()) events |= vfs::kPollIn | vfs::kPollReadNormal;
        if (g_console->input_ended()) events |= vfs::kPollHangup;
        return events;
    }
    WaitQueue* wait_queue() override { return &g_console->ready(); }
    InodeMetadata metadata() override {
        InodeMetadata m;
        m.mode = vfs::kModeFifo | 0600;
        m.ino = m_input ? 1 : 2;
        return m;
    }
    void describe(char* buffer, usize size) override {
        lib::format_to(buffer, size, "pipe:[%d]", m_input ? 1 : 2);
    }

private:
    bool m_input;
};

} // namespace

void init(bool stdin_is_pipe, bool stdout_is_pipe) {
    g_console = new Console;
    g_stdin_pipe = stdin_is_pipe;
    g_stdout_pipe = stdout_is_pipe;
}

Result<RefPtr<File>> open_console(u64 rdev, u32 flags) {
    auto* f = new (std::nothrow) TtyFile(rdev, flags);
    if (!f) return Errno(ENOMEM);
    return RefPtr<File>::adopt(f);
}

Result<RefPtr<File>> open_stdio(int fd) {
    bool const pipe = fd == 0 ? g_stdin_pipe : g_stdout_pipe;
    u32 const flags = fd == 0 ? vfs::kReadOnly : vfs::kWriteOnly;
    if (!pipe) return open_console(vfs::make_device(5, 1), vfs::kReadWrite);
    auto* f = new (std::nothrow) StdioPipe(fd == 0, flags);
    if (!f) return Errno(ENOMEM);
    return RefPtr<File>::adopt(f);
}

void receive(char const* data, usize length) {
    for (usize i = 0; i < length; i++) {
        if (g_stdin_pipe) g_console->receive_raw(data[i]);
        else g_console->receive(data[i]);
    }
}

usize input_room() { return g_console->room(); }

void receive_end_of_input() { g_console->end_of_input(); }

} // namespace tty
