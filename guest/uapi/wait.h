// wait4(2) and waitid(2): options, id types, and the status word
// (linux/wait.h; the encoding is the one glibc's and musl's W* macros decode).
#pragma once

#include <uapi/types.h>

#if defined(WNOHANG) || defined(WEXITED) || defined(WIFEXITED) || defined(P_ALL)
#error "<uapi/wait.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr int WNOHANG = 0x00000001;
inline constexpr int WUNTRACED = 0x00000002;
inline constexpr int WSTOPPED = WUNTRACED; // waitid(2)'s name for it
inline constexpr int WEXITED = 0x00000004;
inline constexpr int WCONTINUED = 0x00000008;
inline constexpr int WNOWAIT = 0x01000000; // leave the child waitable
inline constexpr int __WNOTHREAD = 0x20000000;
inline constexpr int __WALL = 0x40000000;
inline constexpr int __WCLONE = int(0x80000000u);

// waitid(2) idtype.
inline constexpr int P_ALL = 0;
inline constexpr int P_PID = 1;
inline constexpr int P_PGID = 2;
inline constexpr int P_PIDFD = 3;

// The status word wait4(2) stores. The low 7 bits are the terminating
// signal, 0 for a normal exit and 0x7f for "stopped"; bit 7 is "dumped
// core"; bits 8-15 are the exit code or the stop signal. 0xffff means
// "continued".
inline constexpr int WCOREFLAG = 0x80;

constexpr int wait_status_exited(int exit_code) { return (exit_code & 0xff) << 8; }
constexpr int wait_status_signaled(int signal, bool core_dumped = false) {
    return (signal & 0x7f) | (core_dumped ? WCOREFLAG : 0);
}
constexpr int wait_status_stopped(int signal) { return ((signal & 0xff) << 8) | 0x7f; }
constexpr int wait_status_continued() { return 0xffff; }

// The decoders, as libc defines them.
constexpr int WEXITSTATUS(int status) { return (status & 0xff00) >> 8; }
constexpr int WTERMSIG(int status) { return status & 0x7f; }
constexpr int WSTOPSIG(int status) { return WEXITSTATUS(status); }
constexpr bool WIFEXITED(int status) { return WTERMSIG(status) == 0; }
constexpr bool WIFSIGNALED(int status) { return WTERMSIG(status) != 0 && WTERMSIG(status) != 0x7f; }
constexpr bool WIFSTOPPED(int status) { return (status & 0xff) == 0x7f; }
constexpr bool WIFCONTINUED(int status) { return status == 0xffff; }
constexpr bool WCOREDUMP(int status) { return (status & WCOREFLAG) != 0; }

} // namespace uapi
