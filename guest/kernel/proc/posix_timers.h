// POSIX per-process timers (timer_create(2)): each is a scheduler timer that
// signals the process (or one of its threads) when it expires. A periodic
// one is re-armed when its signal is taken, and the periods it missed until
// then are that signal's overrun (si_overrun), as on Linux.
//
// A process owns its timers: fork does not copy them, execve and the
// process's exit delete them.
#pragma once

#include <kernel/proc/signal.h>
#include <kernel/sched/scheduler.h>
#include <lib/intrusive_list.h>
#include <lib/result.h>
#include <lib/types.h>

class Process;

namespace posix_timers {

struct Timer {
    int id;
    Process* process;
    int notify;       // SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID (SIGEV_THREAD acts as SIGEV_SIGNAL)
    int signo;
    u32 target_tid;   // SIGEV_THREAD_ID
    u64 value;        // si_value
    bool realtime;    // CLOCK_REALTIME: absolute times are wall-clock times
    u64 wall_deadline_ns { 0 }; // set for a wall-clock time: the next expiry's, which a clock set keeps
    // A CPU-time clock (timer.deadline_ns is then CPU time): what it counts
    // (kCpuProf user + system, kCpuVirt user, kCpuSched run time; -1: not
    // a CPU clock) and whose (a thread of the process, or 0: the process).
    // The timer tick checks these timers; `counting` while not yet fired.
    int cpu_which { -1 };
    u32 cpu_tid { 0 };
    bool counting { false };
    bool armed { false };   // set; a fired one-shot timer is disarmed
    u64 interval_ns { 0 };
    int overrun_last { 0 }; // timer_getoverrun(2): the last delivered signal's overrun
    sched::Timer timer;
    IntrusiveListNode node;
};

using List = IntrusiveList<Timer, &Timer::node>;

// Every timer of `process`, cancelled and freed (exec, exit).
void delete_all(Process& process);
// The wall clock was set: timers set for an absolute CLOCK_REALTIME time
// move with it.
void clock_was_set();
// From the timer tick, for the process it interrupted: fires the CPU-time
// timers whose clock has reached their expiry.
void check_cpu_timers(Process& process);
// A signal from a timer was taken (delivered, or by sigwait): a periodic
// timer is re-armed, the periods it missed added to the signal's overrun,
// which becomes what timer_getoverrun reports.
void signal_taken(Process& process, signals::Info& info);

} // namespace posix_timers
