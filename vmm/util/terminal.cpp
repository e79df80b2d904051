#include <vmm/util/error.h>
#include <vmm/util/terminal.h>

namespace vmm {

void RawTerminal::enter() {
    std::lock_guard guard(m_lock);
    if (m_raw) return;
    if (tcgetattr(m_fd, &m_saved) < 0) throw_errno("cannot read the terminal's settings");
    termios raw = m_saved;
    raw.c_iflag &= ~tcflag_t(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF);
    raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cflag &= ~tcflag_t(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(m_fd, TCSANOW, &raw) < 0) throw_errno("cannot put the terminal in raw mode");
    m_raw = true;
}

void RawTerminal::restore() {
    std::lock_guard guard(m_lock);
    if (!m_raw) return;
    m_raw = false;
    tcsetattr(m_fd, TCSANOW, &m_saved); // nothing better to do if it fails
}

} // namespace vmm
