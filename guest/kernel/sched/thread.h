// Thread: a schedulable context with its own kernel stack. Kernel threads
// run kernel code only; a process's threads (later) also have a user
// context, saved as the TrapFrame at the top of their kernel stack.
//
// Ownership: the scheduler owns every thread from create_kernel() until it
// has exited and been switched away from; then it is deleted. Thread state
// is protected by disabling interrupts (one CPU).
#pragma once

#include <kernel/mm/kernel_stack.h>
#include <lib/intrusive_list.h>
#include <lib/result.h>
#include <lib/types.h>

enum class ThreadState : u8 { Runnable, Running, Blocked, Dead };

class Thread {
public:
    using Entry = void (*)(void*);
    static Result<Thread*> create_kernel(char const* name, Entry entry, void* argument);
    // The thread the kernel booted on, running on the boot stack.
    static Thread* adopt_boot_thread(mm::KernelStack stack);

    u32 tid() const { return m_tid; }
    char const* name() const { return m_name; }
    ThreadState state() const { return m_state; }
    void set_state(ThreadState state) { m_state = state; }
    mm::KernelStack const& stack() const { return m_stack; }
    // Where switch_context left this thread's stack pointer.
    u64 saved_rsp { 0 };

    // The thread whose stack guard page holds `address`, if any.
    static Thread* find_by_stack_guard(u64 address);
    template<typename F>
    static void for_each(F f);

    IntrusiveListNode m_run_node;  // run queue or a wait queue
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

template<typename F>
void Thread::for_each(F f) {
    for (Thread& t : all_threads()) f(t);
}
