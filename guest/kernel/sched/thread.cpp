#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/user.h>
#include <kernel/proc/process.h>
#include <kernel/sched/scheduler.h>
#include <kernel/sched/thread.h>

#include <new>

extern "C" char thread_start_trampoline[];
static u64 initial_switch_frame(u64 top, Thread::Entry entry, void* argument);

int allocate_pid(); // proc/process.cpp

ThreadList& all_threads() {
    static ThreadList list;
    return list;
}

Thread::Thread(u32 tid, char const* name, mm::KernelStack stack) : m_tid(tid), m_stack(static_cast<mm::KernelStack&&>(stack)) {
    set_name(name);
}

void Thread::set_name(char const* name) {
    usize i = 0;
    for (; name[i] && i + 1 < sizeof(m_name); i++) m_name[i] = name[i];
    m_name[i] = 0;
    debug_table::thread_changed(*this);
}

void Thread::take_tid(u32 tid) {
    m_tid = tid;
    debug_table::thread_changed(*this);
}

namespace {
bool g_track_stacks;
StackRecord g_deepest;

void note_stack(Thread const& t) {
    u64 w = t.stack().watermark();
    if (w <= g_deepest.watermark) return;
    g_deepest.watermark = w;
    g_deepest.tid = t.tid();
    __builtin_memcpy(g_deepest.name, t.name(), sizeof(g_deepest.name));
}
} // namespace

void set_stack_tracking(bool on) { g_track_stacks = on; }

StackRecord deepest_stack() {
    for (Thread& t : all_threads()) note_stack(t);
    return g_deepest;
}

Thread::~Thread() {
    debug_table::thread_destroyed(*this);
    if (g_track_stacks) note_stack(*this);
    kfree(fpu_state);
}

extern "C" [[noreturn]] void jump_to_user(TrapFrame* frame);
void prepare_return_to_user(Thread& thread, TrapFrame& frame); // proc/user_return.cpp

namespace {
// A user thread's first kernel code: straight to user mode.
void user_thread_entry(void*) {
    Thread* self = sched::current();
    if (self->set_child_tid) (void)mm::copy_to_user(UserPtr<int>(self->set_child_tid), int(self->tid()));
    platform::irq_disable();
    prepare_return_to_user(*self, *self->user_frame());
    jump_to_user(self->user_frame());
}
} // namespace

Result<Thread*> Thread::create_user(Process& process, TrapFrame const& frame, char const* name, Entry kernel_entry,
                                    u32 tid) {
    auto* fpu = static_cast<u8*>(kmalloc(lib::max(fpu::state_size(), usize(1024))));
    if (!fpu) return Errno(ENOMEM);
    fpu::init_state(fpu);
    auto created = create_kernel(name, user_thread_entry, nullptr, tid);
    if (created.is_error()) {
        kfree(fpu);
        return created.error();
    }
    Thread* thread = created.value();
    thread->fpu_state = fpu;
    *thread->user_frame() = frame;
    // Kernel code of this thread runs below its user frame.
    thread->saved_rsp = initial_switch_frame(u64(thread->user_frame()), kernel_entry ? kernel_entry : user_thread_entry, nullptr);
    thread->process = &process;
    process.add_thread(*thread);
    debug_table::thread_changed(*thread); // its pid, for the monitor
    return thread;
}

// The first switch_context into a thread pops r15..rbp and "returns" to the
// trampoline, which calls thread_start(entry, argument). `top` is 16-byte
// aligned, so the trampoline's call leaves thread_start's frame aligned.
static u64 initial_switch_frame(u64 top, Thread::Entry entry, void* argument) {
    u64* sp = reinterpret_cast<u64*>(top);
    *--sp = u64(thread_start_trampoline);
    *--sp = 0;             // rbp
    *--sp = 0;             // rbx
    *--sp = u64(entry);    // r12
    *--sp = u64(argument); // r13
    *--sp = 0;             // r14
    *--sp = 0;             // r15
    return u64(sp);
}

Result<Thread*> Thread::create_kernel(char const* name, Entry entry, void* argument, u32 tid) {
    auto stack = TRY(mm::KernelStack::create());
    auto* thread = new (std::nothrow) Thread(tid ? tid : u32(allocate_pid()), name, static_cast<mm::KernelStack&&>(stack));
    if (!thread) return Errno(ENOMEM);
    thread->saved_rsp = initial_switch_frame(thread->m_stack.top(), entry, argument);
    all_threads().append(*thread);
    debug_table::thread_created(*thread);
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
