// The sched.h names both oracles know (sched_test.cpp: glibc's <sched.h>;
// sched_kernel.cpp: <linux/sched.h>).
#pragma once

// clang-format off
#define UAPI_CLONE_COMMON_CONSTANTS(X)                                                                                 \
    X(CSIGNAL) X(CLONE_NEWTIME) X(CLONE_VM) X(CLONE_FS) X(CLONE_FILES) X(CLONE_SIGHAND) X(CLONE_PIDFD)                 \
    X(CLONE_PTRACE) X(CLONE_VFORK) X(CLONE_PARENT) X(CLONE_THREAD) X(CLONE_NEWNS) X(CLONE_SYSVSEM) X(CLONE_SETTLS)     \
    X(CLONE_PARENT_SETTID) X(CLONE_CHILD_CLEARTID) X(CLONE_DETACHED) X(CLONE_UNTRACED) X(CLONE_CHILD_SETTID)           \
    X(CLONE_NEWCGROUP) X(CLONE_NEWUTS) X(CLONE_NEWIPC) X(CLONE_NEWUSER) X(CLONE_NEWPID) X(CLONE_NEWNET) X(CLONE_IO)    \
    X(SCHED_FIFO) X(SCHED_RR) X(SCHED_BATCH) X(SCHED_IDLE) X(SCHED_DEADLINE) X(SCHED_RESET_ON_FORK)
// clang-format on
