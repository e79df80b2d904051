// The SYSCALL entry's C side: dispatch through the table syscalls.def
// generates, then the common return to user mode.
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/log.h>
#include <kernel/syscalls/syscall.h>

void prepare_return_to_user(Thread& thread, TrapFrame& frame);

#define DECLARE_full(name) u64 sys_##name##_entry(SyscallArgs const&);
#define DECLARE_partial(name) DECLARE_full(name)
#define DECLARE_none(name)
#define SYSCALL(number, name, status, note) DECLARE_##status(name)
#include <kernel/syscalls/syscalls.def>
#undef SYSCALL

namespace {

using Entry = u64 (*)(SyscallArgs const&);

struct TableEntry {
    char const* name;
    Entry entry;
};

#define ENTRY_full(name) sys_##name##_entry
#define ENTRY_partial(name) ENTRY_full(name)
#define ENTRY_none(name) nullptr

constexpr usize kTableSize = 448;

struct Table {
    TableEntry entries[kTableSize] {};
    constexpr Table() {
#define SYSCALL(number, name, status, note) entries[number] = { #name, ENTRY_##status(name) };
#include <kernel/syscalls/syscalls.def>
#undef SYSCALL
    }
};
constexpr Table g_table;

u64 g_logged_unknown[kTableSize / 64 + 1];
bool g_trace;

} // namespace

namespace syscalls {

char const* name(u64 number) { return number < kTableSize && g_table.entries[number].name ? g_table.entries[number].name : "?"; }
void set_trace(bool on) { g_trace = on; }

} // namespace syscalls

extern "C" void handle_syscall(TrapFrame* frame) {
    Thread& thread = *sched::current();
    u64 const number = frame->rax;
    thread.syscall_number = number;
    platform::irq_enable();
    SyscallArgs args { { frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9 } };
    Entry entry = number < kTableSize ? g_table.entries[number].entry : nullptr;
    u64 result;
    if (entry) {
        result = entry(args);
    } else {
        if (number >= kTableSize || !(g_logged_unknown[number / 64] & (1ull << (number % 64)))) {
            if (number < kTableSize) g_logged_unknown[number / 64] |= 1ull << (number % 64);
            debug_table::event(aramid::debug::EventKind::UnknownSyscall, thread.tid(), number, syscalls::name(number));
            log_info("unimplemented syscall %lu (%s) from %s (pid %d)", number, syscalls::name(number),
                     thread.process ? thread.process->name() : "?", thread.process ? thread.process->pid() : 0);
        }
        result = u64(-ENOSYS);
    }
    if (g_trace)
        log_info("[%d] %s(%#lx, %#lx, %#lx) = %ld", thread.process ? thread.process->pid() : 0, syscalls::name(number),
                 args.values[0], args.values[1], args.values[2], i64(result));
    frame->rax = result; // execve and rt_sigreturn return the rax of the frame they installed
    platform::irq_disable();
    prepare_return_to_user(thread, *frame);
}
