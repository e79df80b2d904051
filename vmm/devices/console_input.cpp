#include <vmm/devices/console_input.h>
#include <vmm/devices/serial.h>
#include <vmm/util/error.h>

#include <cerrno>
#include <cstdint>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace vmm {

bool EscapeDecoder::feed(char const* data, size_t length, std::string& out) {
    for (size_t i = 0; i < length; i++) {
        char const c = data[i];
        if (!m_after_escape) {
            if (c == kEscape) m_after_escape = true;
            else out += c;
            continue;
        }
        m_after_escape = false;
        if (c == kExit) return true;
        if (c != kEscape) out += kEscape;
        out += c;
    }
    return false;
}

ConsoleInput::ConsoleInput(int fd, Serial16550& serial, bool escapes, Handlers handlers)
    : m_fd(fd), m_serial(serial), m_escapes(escapes), m_handlers(std::move(handlers)) {
    m_stop = Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!m_stop.valid()) throw_errno("eventfd for the console input");
    m_thread = std::thread([this] { run(); });
}

ConsoleInput::~ConsoleInput() {
    uint64_t const one = 1;
    while (::write(m_stop.get(), &one, sizeof(one)) < 0 && errno == EINTR) { }
    m_thread.join();
}

void ConsoleInput::run() {
    try {
        read_until_end();
    } catch (VmmError const& e) {
        if (m_handlers.on_error) m_handlers.on_error(e.what());
    } catch (std::exception const& e) {
        if (m_handlers.on_error) m_handlers.on_error(std::string("unexpected error: ") + e.what());
    }
}

void ConsoleInput::read_until_end() {
    EscapeDecoder escape;
    std::string bytes;
    char buffer[kReadSize];
    for (;;) {
        bool const room = m_serial.input_queued() < kMaxQueued;
        pollfd fds[2] = { { m_stop.get(), POLLIN, 0 }, { m_fd, short(room ? POLLIN : 0), 0 } };
        // While the queue is full, look again every few milliseconds: the
        // guest drains it through port reads, which do not wake this thread.
        int const ready = ::poll(fds, 2, room ? -1 : 5);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw_errno("poll on the console input");
        if (fds[0].revents) return; // stopping
        if (fds[1].revents == 0) continue;
        if (fds[1].revents & POLLNVAL) break; // not an open fd: no input at all
        ssize_t const n = ::read(m_fd, buffer, sizeof(buffer));
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) break; // EOF, or an error: either way the input has ended
        if (!m_escapes) {
            m_serial.push_input(buffer, size_t(n));
            continue;
        }
        bytes.clear();
        bool const exit = escape.feed(buffer, size_t(n), bytes);
        m_serial.push_input(bytes.data(), bytes.size());
        if (exit) {
            if (m_handlers.on_escape_exit) m_handlers.on_escape_exit();
            return;
        }
    }
    m_serial.end_input();
}

} // namespace vmm
