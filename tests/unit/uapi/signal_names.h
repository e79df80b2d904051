// The signal.h names both oracles know (signal_test.cpp: glibc's
// <signal.h>; signal_kernel.cpp: <linux/signal.h> and the asm headers).
#pragma once

// clang-format off
#define UAPI_SIGNAL_COMMON_CONSTANTS(X)                                                                                \
    X(SIGHUP) X(SIGINT) X(SIGQUIT) X(SIGILL) X(SIGTRAP) X(SIGABRT) X(SIGIOT) X(SIGBUS) X(SIGFPE) X(SIGKILL)            \
    X(SIGUSR1) X(SIGSEGV) X(SIGUSR2) X(SIGPIPE) X(SIGALRM) X(SIGTERM) X(SIGSTKFLT) X(SIGCHLD) X(SIGCONT) X(SIGSTOP)    \
    X(SIGTSTP) X(SIGTTIN) X(SIGTTOU) X(SIGURG) X(SIGXCPU) X(SIGXFSZ) X(SIGVTALRM) X(SIGPROF) X(SIGWINCH) X(SIGIO)      \
    X(SIGPOLL) X(SIGPWR) X(SIGSYS) X(SIG_BLOCK) X(SIG_UNBLOCK) X(SIG_SETMASK) X(SA_NOCLDSTOP) X(SA_NOCLDWAIT)          \
    X(SA_SIGINFO) X(SA_ONSTACK) X(SA_RESTART) X(SA_NODEFER) X(SA_RESETHAND) X(SA_NOMASK) X(SA_ONESHOT) X(SS_ONSTACK)   \
    X(SS_DISABLE) X(SI_USER) X(SI_KERNEL) X(SI_QUEUE) X(SI_TIMER) X(SI_MESGQ) X(SI_ASYNCIO) X(SI_SIGIO) X(SI_TKILL)    \
    X(SI_DETHREAD) X(SI_ASYNCNL) X(ILL_ILLOPC) X(ILL_ILLOPN) X(ILL_ILLADR) X(ILL_ILLTRP) X(ILL_PRVOPC) X(ILL_PRVREG)   \
    X(ILL_COPROC) X(ILL_BADSTK) X(FPE_INTDIV) X(FPE_INTOVF) X(FPE_FLTDIV) X(FPE_FLTOVF) X(FPE_FLTUND) X(FPE_FLTRES)    \
    X(FPE_FLTINV) X(FPE_FLTSUB) X(SEGV_MAPERR) X(SEGV_ACCERR) X(SEGV_BNDERR) X(SEGV_PKUERR) X(BUS_ADRALN)              \
    X(BUS_ADRERR) X(BUS_OBJERR) X(BUS_MCEERR_AR) X(BUS_MCEERR_AO) X(TRAP_BRKPT) X(TRAP_TRACE) X(TRAP_BRANCH)           \
    X(TRAP_HWBKPT) X(TRAP_UNK) X(CLD_EXITED) X(CLD_KILLED) X(CLD_DUMPED) X(CLD_TRAPPED) X(CLD_STOPPED)                 \
    X(CLD_CONTINUED) X(POLL_IN) X(POLL_OUT) X(POLL_MSG) X(POLL_ERR) X(POLL_PRI) X(POLL_HUP) X(SIGEV_SIGNAL)            \
    X(SIGEV_NONE) X(SIGEV_THREAD) X(SIGEV_THREAD_ID)

#define UAPI_STACK_FIELDS(X, ns, T) X(ns, T, ss_sp) X(ns, T, ss_flags) X(ns, T, ss_size)

#define UAPI_SIGINFO_FIELDS(X, ns, T) X(ns, T, si_signo) X(ns, T, si_errno) X(ns, T, si_code)

#define UAPI_SIGEVENT_FIELDS(X, ns, T) X(ns, T, sigev_value) X(ns, T, sigev_signo) X(ns, T, sigev_notify)
// clang-format on

// siginfo_t's union members: (tag, uapi path, the libc/kernel accessor
// macro). Both glibc and the kernel spell the accessors si_*, with
// different expansions.
// clang-format off
#define UAPI_SIGINFO_UNION(X)                                                                                          \
    X(kill_pid, kill.si_pid, si_pid)                                                                                   \
    X(kill_uid, kill.si_uid, si_uid)                                                                                   \
    X(rt_pid, rt.si_pid, si_pid)                                                                                       \
    X(rt_uid, rt.si_uid, si_uid)                                                                                       \
    X(rt_value, rt.si_value, si_value)                                                                                 \
    X(sigchld_pid, sigchld.si_pid, si_pid)                                                                             \
    X(sigchld_uid, sigchld.si_uid, si_uid)                                                                             \
    X(sigchld_status, sigchld.si_status, si_status)                                                                    \
    X(sigchld_utime, sigchld.si_utime, si_utime)                                                                       \
    X(sigchld_stime, sigchld.si_stime, si_stime)                                                                       \
    X(timer_overrun, timer.si_overrun, si_overrun)                                                                     \
    X(sigfault_addr, sigfault.si_addr, si_addr)                                                                        \
    X(sigfault_addr_lsb, sigfault.si_addr_lsb, si_addr_lsb)                                                            \
    X(sigpoll_band, sigpoll.si_band, si_band)                                                                          \
    X(sigpoll_fd, sigpoll.si_fd, si_fd)                                                                                \
    X(sigsys_call_addr, sigsys.si_call_addr, si_call_addr)                                                             \
    X(sigsys_syscall, sigsys.si_syscall, si_syscall)                                                                   \
    X(sigsys_arch, sigsys.si_arch, si_arch)

#define UAPI_RECORD_SIGINFO_MEMBER(tag, path, host) UAPI_RECORD_MEMBER(siginfo_layout, tag, uapi::siginfo_t, path)
#define UAPI_FACT_SIGINFO_MEMBER(tag, path, host) UAPI_FACT_MEMBER(siginfo_layout, tag, siginfo_t, host)

#define UAPI_RECORD_SIGNAL_COMMON()                                                                                    \
    UAPI_SIGNAL_COMMON_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                 \
    UAPI_RECORD_TYPE(stack_layout, uapi::stack_t)                                                                      \
    UAPI_STACK_FIELDS(UAPI_RECORD_FIELD, stack_layout, uapi::stack_t)                                                  \
    UAPI_RECORD_TYPE(siginfo_layout, uapi::siginfo_t)                                                                  \
    UAPI_SIGINFO_FIELDS(UAPI_RECORD_FIELD, siginfo_layout, uapi::siginfo_t)                                            \
    UAPI_SIGINFO_UNION(UAPI_RECORD_SIGINFO_MEMBER)                                                                     \
    UAPI_RECORD_MEMBER(siginfo_layout, timer_value, uapi::siginfo_t, timer.si_value)                                   \
    UAPI_RECORD_MEMBER(siginfo_layout, timer_tid, uapi::siginfo_t, timer.si_tid)                                       \
    UAPI_RECORD_TYPE(sigval_layout, uapi::sigval)                                                                      \
    UAPI_RECORD_TYPE(sigevent_layout, uapi::sigevent)                                                                  \
    UAPI_SIGEVENT_FIELDS(UAPI_RECORD_FIELD, sigevent_layout, uapi::sigevent)                                           \
    UAPI_RECORD_MEMBER(sigevent_layout, thread_id, uapi::sigevent, sigev_notify_thread_id)

#define UAPI_SIGNAL_COMMON_FACTS()                                                                                     \
    UAPI_SIGNAL_COMMON_CONSTANTS(UAPI_FACT_CONSTANT)                                                                   \
    UAPI_FACT_TYPE(stack_layout, stack_t)                                                                              \
    UAPI_STACK_FIELDS(UAPI_FACT_FIELD, stack_layout, stack_t)                                                          \
    UAPI_FACT_TYPE(siginfo_layout, siginfo_t)                                                                          \
    UAPI_SIGINFO_FIELDS(UAPI_FACT_FIELD, siginfo_layout, siginfo_t)                                                    \
    UAPI_SIGINFO_UNION(UAPI_FACT_SIGINFO_MEMBER)                                                                       \
    UAPI_FACT_TYPE(sigval_layout, sigval_t)                                                                            \
    UAPI_FACT_TYPE(sigevent_layout, sigevent_t)                                                                        \
    UAPI_SIGEVENT_FIELDS(UAPI_FACT_FIELD, sigevent_layout, sigevent_t)
// clang-format on
