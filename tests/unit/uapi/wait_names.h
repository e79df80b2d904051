// The wait.h names both oracles know (wait_test.cpp: glibc's <sys/wait.h>;
// wait_kernel.cpp: <linux/wait.h>).
#pragma once

// clang-format off
#define UAPI_WAIT_CONSTANTS(X)                                                                                         \
    X(WNOHANG) X(WUNTRACED) X(WSTOPPED) X(WEXITED) X(WCONTINUED) X(WNOWAIT) X(__WNOTHREAD) X(__WALL) X(__WCLONE)       \
    X(P_ALL) X(P_PID) X(P_PGID) X(P_PIDFD)
// clang-format on
