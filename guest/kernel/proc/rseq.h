// Restartable sequences (rseq(2)): a thread registers a struct rseq in its
// memory; the kernel keeps its CPU fields current (one CPU here: always 0)
// and, when the thread was switched out or is about to run a signal
// handler while inside the critical section its rseq_cs names, moves it to
// that section's abort address (after checking the signature in the four
// bytes before it), as Linux's kernel/rseq.c. glibc registers one for every
// thread.
#pragma once

#include <kernel/arch/x86_64/trap_frame.h>
#include <lib/result.h>
#include <lib/types.h>

class Thread;

namespace rseq {

struct Registration {
    u64 area { 0 }; // the struct rseq, 0 if none
    u32 length { 0 };
    u32 signature { 0 };
    u64 switches_seen { 0 }; // the thread's switch count when it last returned to user
    bool update_pending { false }; // the CPU fields are to be written on the way out
};

// The system call: register (flags 0) or unregister (RSEQ_FLAG_UNREGISTER).
Result<u64> syscall(Thread& thread, u64 area, u32 length, int flags, u32 signature);

// Before a signal handler's frame is built (Linux's rseq_signal_deliver).
void on_signal_delivery(Thread& thread, TrapFrame& frame);

// On the way back to user mode (Linux's rseq_handle_notify_resume): after a
// switch away, a critical section aborts; pending CPU fields are written.
// A struct rseq or rseq_cs the thread broke is SIGSEGV.
void on_return_to_user(Thread& thread, TrapFrame& frame);

} // namespace rseq
