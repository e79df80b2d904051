#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/panic.h>
#include <kernel/sched/scheduler.h>
#include <kernel/sched/thread.h>

#include <new>

extern "C" char thread_start_trampoline[];

namespace {
u32 g_next_tid = 1;
} // namespace

ThreadList& all_threads() {
    static ThreadList list;
    return list;
}

Thread::Thread(u32 tid, char const* name, mm::KernelStack stack) : m_tid(tid), m_stack(static_cast<mm::KernelStack&&>(stack)) {
    usize i = 0;
    for (; name[i] && i + 1 < sizeof(m_name); i++) m_name[i] = name[i];
    m_name[i] = 0;
}

Result<Thread*> Thread::create_kernel(char const* name, Entry entry, void* argument) {
    auto stack = TRY(mm::KernelStack::create());
    auto* thread = new (std::nothrow) Thread(g_next_tid++, name, static_cast<mm::KernelStack&&>(stack));
    if (!thread) return Errno(ENOMEM);
    // The first switch_context into this thread pops r15..rbp and "returns"
    // to the trampoline, which calls thread_start(entry, argument).
    u64* sp = reinterpret_cast<u64*>(thread->m_stack.top());
    *--sp = 0; // keeps the trampoline's frame 16-byte aligned at its call
    *--sp = u64(thread_start_trampoline);
    *--sp = 0;             // rbp
    *--sp = 0;             // rbx
    *--sp = u64(entry);    // r12
    *--sp = u64(argument); // r13
    *--sp = 0;             // r14
    *--sp = 0;             // r15
    thread->saved_rsp = u64(sp);
    all_threads().append(*thread);
    return thread;
}

Thread* Thread::adopt_boot_thread(mm::KernelStack stack) {
    auto* thread = new Thread(0, "boot", static_cast<mm::KernelStack&&>(stack));
    thread->m_state = ThreadState::Running;
    all_threads().append(*thread);
    return thread;
}

Thread* Thread::find_by_stack_guard(u64 address) {
    for (Thread& t : all_threads())
        if (t.m_stack.in_guard(address)) return &t;
    return nullptr;
}

extern "C" [[noreturn]] void thread_start(Thread::Entry entry, void* argument) {
    sched::finish_switch();
    platform::irq_enable();
    entry(argument);
    sched::exit_current();
}
