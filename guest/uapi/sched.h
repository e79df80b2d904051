// clone(2) and clone3(2): flags and struct clone_args (linux/sched.h).
#pragma once

#include <uapi/types.h>

#if defined(CLONE_VM) || defined(CSIGNAL) || defined(SCHED_FIFO)
#error "<uapi/sched.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// clone(2)'s low byte is the signal sent to the parent when the child exits
// (SIGCHLD for fork); clone3(2) passes it in clone_args::exit_signal. On
// x86-64 clone(2)'s arguments are (flags, stack, parent_tid, child_tid, tls).
inline constexpr u64 CSIGNAL = 0x000000ff;

inline constexpr u64 CLONE_NEWTIME = 0x00000080;
inline constexpr u64 CLONE_VM = 0x00000100;
inline constexpr u64 CLONE_FS = 0x00000200;
inline constexpr u64 CLONE_FILES = 0x00000400;
inline constexpr u64 CLONE_SIGHAND = 0x00000800;
inline constexpr u64 CLONE_PIDFD = 0x00001000;
inline constexpr u64 CLONE_PTRACE = 0x00002000;
inline constexpr u64 CLONE_VFORK = 0x00004000;
inline constexpr u64 CLONE_PARENT = 0x00008000;
inline constexpr u64 CLONE_THREAD = 0x00010000;
inline constexpr u64 CLONE_NEWNS = 0x00020000;
inline constexpr u64 CLONE_SYSVSEM = 0x00040000;
inline constexpr u64 CLONE_SETTLS = 0x00080000;
inline constexpr u64 CLONE_PARENT_SETTID = 0x00100000;
inline constexpr u64 CLONE_CHILD_CLEARTID = 0x00200000;
inline constexpr u64 CLONE_DETACHED = 0x00400000; // ignored
inline constexpr u64 CLONE_UNTRACED = 0x00800000;
inline constexpr u64 CLONE_CHILD_SETTID = 0x01000000;
inline constexpr u64 CLONE_NEWCGROUP = 0x02000000;
inline constexpr u64 CLONE_NEWUTS = 0x04000000;
inline constexpr u64 CLONE_NEWIPC = 0x08000000;
inline constexpr u64 CLONE_NEWUSER = 0x10000000;
inline constexpr u64 CLONE_NEWPID = 0x20000000;
inline constexpr u64 CLONE_NEWNET = 0x40000000;
inline constexpr u64 CLONE_IO = 0x80000000;
// clone3(2) only: they do not fit clone(2)'s int flags.
inline constexpr u64 CLONE_CLEAR_SIGHAND = 0x100000000ull;
inline constexpr u64 CLONE_INTO_CGROUP = 0x200000000ull;

// clone3(2)'s argument. The caller passes its size, so it can grow: a
// smaller known size (VER0, VER1) leaves the later fields zero, and a larger
// one is accepted only if the bytes the kernel does not know are zero.
struct clone_args {
    u64 flags;
    u64 pidfd; // user address of an int: CLONE_PIDFD
    u64 child_tid; // user address of a pid_t: CLONE_CHILD_SETTID/CLEARTID
    u64 parent_tid; // user address of a pid_t: CLONE_PARENT_SETTID
    u64 exit_signal; // the signal for the parent at exit; not via flags
    u64 stack; // lowest address of the stack: rsp starts at stack + stack_size
    u64 stack_size;
    u64 tls; // CLONE_SETTLS: the FS base
    u64 set_tid; // user address of pid_t[set_tid_size]
    u64 set_tid_size;
    u64 cgroup; // CLONE_INTO_CGROUP: a cgroup fd
};
static_assert(sizeof(clone_args) == 88);

inline constexpr usize CLONE_ARGS_SIZE_VER0 = 64;
inline constexpr usize CLONE_ARGS_SIZE_VER1 = 80;
inline constexpr usize CLONE_ARGS_SIZE_VER2 = 88;

// sched_setscheduler(2) policies.
inline constexpr int SCHED_NORMAL = 0;
inline constexpr int SCHED_OTHER = SCHED_NORMAL;
inline constexpr int SCHED_FIFO = 1;
inline constexpr int SCHED_RR = 2;
inline constexpr int SCHED_BATCH = 3;
inline constexpr int SCHED_IDLE = 5;
inline constexpr int SCHED_DEADLINE = 6;
inline constexpr int SCHED_RESET_ON_FORK = 0x40000000;

} // namespace uapi
