#include <vmm/util/error.h>
#include <vmm/util/termination_signals.h>

#include <cerrno>
#include <cstdint>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace vmm {

TerminationSignals::TerminationSignals(std::function<void(int)> on_signal) : m_on_signal(std::move(on_signal)) {
    sigemptyset(&m_signals);
    for (int signal : { SIGHUP, SIGINT, SIGTERM }) sigaddset(&m_signals, signal);
    m_stop = Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!m_stop.valid()) throw_errno("eventfd for the signal thread");
    if (int e = pthread_sigmask(SIG_BLOCK, &m_signals, &m_previous_mask)) {
        errno = e;
        throw_errno("cannot block the termination signals");
    }
    m_signal_fd = Fd(signalfd(-1, &m_signals, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!m_signal_fd.valid()) {
        int const e = errno;
        pthread_sigmask(SIG_SETMASK, &m_previous_mask, nullptr);
        errno = e;
        throw_errno("signalfd for the termination signals");
    }
    m_thread = std::thread([this] { run(); });
}

TerminationSignals::~TerminationSignals() {
    uint64_t const one = 1;
    while (::write(m_stop.get(), &one, sizeof(one)) < 0 && errno == EINTR) { }
    m_thread.join();
    // A signal that came after the thread stopped is delivered here, with
    // its usual effect.
    pthread_sigmask(SIG_SETMASK, &m_previous_mask, nullptr);
}

void TerminationSignals::run() {
    bool first = true;
    for (;;) {
        pollfd fds[2] = { { m_stop.get(), POLLIN, 0 }, { m_signal_fd.get(), POLLIN, 0 } };
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[0].revents) return;
        signalfd_siginfo info {};
        if (::read(m_signal_fd.get(), &info, sizeof(info)) != ssize_t(sizeof(info))) continue;
        int const signal = int(info.ssi_signo);
        if (first) {
            first = false;
            m_on_signal(signal);
            continue;
        }
        // The second: the default action, from this thread.
        std::signal(signal, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, signal);
        pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
        raise(signal);
    }
}

} // namespace vmm
