// arch_prctl(2) codes (asm/prctl.h) and the prctl(2) options the kernel
// implements (linux/prctl.h).
#pragma once

#include <uapi/types.h>

#if defined(ARCH_SET_FS) || defined(PR_SET_NAME)
#error "<uapi/prctl.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// arch_prctl(2): libc's thread pointer is the FS base.
inline constexpr int ARCH_SET_GS = 0x1001;
inline constexpr int ARCH_SET_FS = 0x1002;
inline constexpr int ARCH_GET_FS = 0x1003; // the argument is a user address for the value
inline constexpr int ARCH_GET_GS = 0x1004;
inline constexpr int ARCH_GET_CPUID = 0x1011;
inline constexpr int ARCH_SET_CPUID = 0x1012;

inline constexpr int PR_SET_PDEATHSIG = 1;
inline constexpr int PR_GET_PDEATHSIG = 2;
inline constexpr int PR_GET_DUMPABLE = 3;
inline constexpr int PR_SET_DUMPABLE = 4;
inline constexpr int PR_GET_KEEPCAPS = 7;
inline constexpr int PR_SET_KEEPCAPS = 8;
inline constexpr int PR_SET_NAME = 15; // the thread's comm: at most 15 bytes and a NUL
inline constexpr int PR_GET_NAME = 16; // copies out all 16 bytes
inline constexpr int PR_GET_SECCOMP = 21;
inline constexpr int PR_SET_SECCOMP = 22;
inline constexpr int PR_CAPBSET_READ = 23;
inline constexpr int PR_SET_TIMERSLACK = 29;
inline constexpr int PR_GET_TIMERSLACK = 30;
inline constexpr int PR_SET_CHILD_SUBREAPER = 36;
inline constexpr int PR_GET_CHILD_SUBREAPER = 37;
inline constexpr int PR_SET_NO_NEW_PRIVS = 38;
inline constexpr int PR_GET_NO_NEW_PRIVS = 39;
inline constexpr int PR_GET_TID_ADDRESS = 40;
inline constexpr int PR_SET_THP_DISABLE = 41;
inline constexpr int PR_GET_THP_DISABLE = 42;
inline constexpr int PR_SET_VMA = 0x53564d41;

// The size of a task name (the kernel's TASK_COMM_LEN), NUL included.
inline constexpr usize TASK_COMM_LEN = 16;

} // namespace uapi
