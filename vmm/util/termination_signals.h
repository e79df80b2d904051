// TerminationSignals: SIGHUP, SIGINT and SIGTERM while the guest runs.
//
// aramid-vmm answers them like a program that exits cleanly: the terminal
// is restored, the guest stopped, the --result file written and the status
// is 128+n, as for a program killed by signal n. The constructor blocks the
// three signals in the calling thread, and so in every thread it creates
// afterwards (threads inherit the mask); a thread of its own takes them
// from a signalfd and calls `on_signal` for the first. A second one means
// the clean stop is stuck: that thread then takes the signal's default
// action, which ends the process. The destructor stops the thread and
// unblocks the signals.
//
// Construct it before any other thread starts (the watchdog, the console
// input), or those threads take the signals with the default action.
#pragma once

#include <vmm/util/fd.h>

#include <csignal>
#include <functional>
#include <thread>

namespace vmm {

class TerminationSignals {
public:
    explicit TerminationSignals(std::function<void(int)> on_signal);
    ~TerminationSignals();
    TerminationSignals(TerminationSignals const&) = delete;
    TerminationSignals& operator=(TerminationSignals const&) = delete;

private:
    void run();

    std::function<void(int)> m_on_signal;
    sigset_t m_signals {};
    sigset_t m_previous_mask {};
    Fd m_signal_fd;
    Fd m_stop;
    std::thread m_thread;
};

} // namespace vmm
