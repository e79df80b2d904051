// Thread: a schedulable context with its own kernel stack. Kernel threads
// run kernel code only; a process's threads (later) also have a user
// context, saved as the TrapFrame at the top of their kernel stack.
//
// Ownership: the scheduler owns every thread from create_kernel() until it
// has exited and been switched away from; then it is deleted. Thread state
// is protected by disabling interrupts (one CPU).
#pragma once

#include <kernel/arch/x86_64/trap_frame.h>
#include <kernel/mm/kernel_stack.h>
#include <kernel/proc/rseq.h>
#include <kernel/proc/signal.h>
#include <lib/intrusive_list.h>
#include <lib/result.h>
#include <lib/types.h>
#include <proto/debug_table.h>

// The values are the debug table's (proto/debug_table.h): the monitor reads
// a thread's state in place.
enum class ThreadState : u32 { Runnable = 1, Running = 2, Blocked = 3, Dead = 4 };
static_assert(u32(ThreadState::Runnable) == u32(aramid::debug::ThreadState::Runnable));
static_assert(u32(ThreadState::Running) == u32(aramid::debug::ThreadState::Running));
static_assert(u32(ThreadState::Blocked) == u32(aramid::debug::ThreadState::Blocked));
static_assert(u32(ThreadState::Dead) == u32(aramid::debug::ThreadState::Dead));

class Process;

class Thread {
public:
    using Entry = void (*)(void*);
    static Result<Thread*> create_kernel(char const* name, Entry entry, void* argument, u32 tid = 0);
    // The thread the kernel booted on, running on the boot stack.
    static Thread* adopt_boot_thread(mm::KernelStack stack);

    u32 tid() const { return m_tid; }
    // execve from a non-leader thread: the survivor takes over the leader's
    // tid (the pid), as Linux's de_thread does, once the leader has gone.
    void take_tid(u32 tid);
    u32 debug_slot { aramid::debug::kNoThreadSlot }; // its record in the monitor's debug table
    char const* name() const { return m_name; }
    ThreadState state() const { return m_state; }
    void set_state(ThreadState state) { m_state = state; }
    ThreadState const* state_address() const { return &m_state; } // for the debug table
    // Context switches away from it, counted by the scheduler for
    // getrusage(2) and /proc/PID/status; the monitor reads them in place.
    aramid::debug::ThreadSwitches switches {};
    // Page faults it took that a page mapping resolved (getrusage's
    // ru_minflt); there are no major faults: nothing is read from a disk
    // that a fault waits for outside the page cache's own reads.
    u64 minor_faults { 0 };
    mm::KernelStack const& stack() const { return m_stack; }
    // Where switch_context left this thread's stack pointer.
    u64 saved_rsp { 0 };

    // The thread whose stack guard page holds `address`, if any.
    static Thread* find_by_stack_guard(u64 address);
    template<typename F>
    static void for_each(F f);

    // ---- user threads (a kernel thread has no process)
    Process* process { nullptr };
    IntrusiveListNode m_process_node; // the process's threads
    u8* fpu_state { nullptr };        // user FPU/SSE/AVX registers, 64-byte aligned
    u64 fs_base { 0 };
    u64 gs_base { 0 };
    u64 signal_mask { 0 };
    // CPU time: exact run time in TSC ticks (added at each switch away),
    // split between user and system in the proportion of timer ticks that
    // found it in each.
    u64 runtime_ticks { 0 };
    u32 user_ticks { 0 }, system_ticks { 0 };
    // sigtimedwait(2)'s set while it sleeps: these wake the thread, and count
    // as blocked, so an ignored one is kept for it rather than discarded.
    u64 sigwait_set { 0 };
    signals::PendingSignals pending;  // thread-directed
    u64 saved_mask { 0 };             // sigsuspend/ppoll: restored after the handler runs
    bool restore_saved_mask { false };
    u64 altstack_sp { 0 };
    u64 altstack_size { 0 };
    bool altstack_disabled { true };
    // prctl(PR_SET_NO_NEW_PRIVS): exec grants nothing (set-ID bits are
    // ignored); inherited by children and threads, never cleared.
    bool no_new_privs { false };
    u64 clear_child_tid { 0 };        // CLONE_CHILD_CLEARTID / set_tid_address
    u64 set_child_tid { 0 };          // CLONE_CHILD_SETTID: written when the thread first runs
    u64 robust_list { 0 };
    rseq::Registration rseq; // rseq(2); not inherited by threads, reset by exec
    u64 syscall_number { 0 };         // rax at syscall entry, for restarts
    // Linux's restart_block: how restart_syscall resumes a timed sleep that a
    // signal without a handler interrupted (-ERESTART_RESTARTBLOCK), toward
    // the same deadline rather than with a fresh relative timeout.
    struct RestartBlock {
        Result<u64> (*resume)(RestartBlock const&) { nullptr };
        u64 deadline_ns { 0 }; // absolute, monotonic clock
        u64 address { 0 };     // nanosleep's remaining-time pointer, or the futex word
        u32 value { 0 };
        u32 bitset { 0 };
        u8 scope { 0 }; // futex::Scope
    } restart;
    bool exit_requested { false };   // execve in another thread: leave at the next chance
    // The user context: the TrapFrame at the top of the kernel stack.
    TrapFrame* user_frame() const { return reinterpret_cast<TrapFrame*>(m_stack.top() - sizeof(TrapFrame)); }
    // Creates a thread of `process` that will enter user mode with `frame`,
    // or first run `kernel_entry` (which must end in jump_to_user).
    // `tid` 0 allocates a new id; a process's first thread reuses the pid.
    static Result<Thread*> create_user(Process& process, TrapFrame const& frame, char const* name,
                                       Entry kernel_entry = nullptr, u32 tid = 0);
    ~Thread();
    void set_name(char const* name);

    IntrusiveListNode m_run_node;  // the run queue
    IntrusiveListNode m_sleep_node; // the timed sleepers
    IntrusiveListNode m_all_node;  // all threads
    u64 wake_deadline_ns { 0 };    // sleeping until, or 0

private:
    Thread(u32 tid, char const* name, mm::KernelStack stack);
    u32 m_tid;
    char m_name[24];
    ThreadState m_state { ThreadState::Runnable };
    mm::KernelStack m_stack;
};

using ThreadList = IntrusiveList<Thread, &Thread::m_all_node>;
ThreadList& all_threads();

// The deepest kernel stack use seen, over live threads and those that have
// exited (recorded as they go when `aramid.stackcheck=1`, since the scan
// reads the whole stack).
struct StackRecord {
    u64 watermark { 0 };
    u32 tid { 0 };
    char name[24] {};
};
void set_stack_tracking(bool on);
StackRecord deepest_stack();

template<typename F>
void Thread::for_each(F f) {
    for (Thread& t : all_threads()) f(t);
}
