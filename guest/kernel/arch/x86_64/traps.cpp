#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/cpu_tables.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/traps.h>
#include <kernel/debug/ksyms.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/sched/thread.h>

namespace traps {

namespace {

InterruptHandler g_handlers[256];

char const* const kExceptionNames[32] = {
    "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)", "bound range (#BR)",
    "invalid opcode (#UD)", "device not available (#NM)", "double fault (#DF)", "coprocessor segment overrun",
    "invalid TSS (#TS)", "segment not present (#NP)", "stack fault (#SS)", "general protection (#GP)",
    "page fault (#PF)", "reserved 15", "x87 floating point (#MF)", "alignment check (#AC)", "machine check (#MC)",
    "SIMD floating point (#XM)", "virtualization (#VE)", "control protection (#CP)", "reserved 22",
    "reserved 23", "reserved 24", "reserved 25", "reserved 26", "reserved 27", "hypervisor injection (#HV)",
    "VMM communication (#VC)", "security (#SX)", "reserved 31",
};

void describe_page_fault(TrapFrame const& f, u64 address) {
    u64 e = f.error;
    log_error("  %s %s at %#018lx (%s mode)", e & 1 ? "protection violation on" : "not-present page on",
              e & 16 ? "instruction fetch" : e & 2 ? "write" : "read", address, e & 4 ? "user" : "kernel");
}

void dump_registers(TrapFrame const& f) {
    log_error("  rip %#018lx  cs %#lx  rflags %#lx  rsp %#018lx  ss %#lx", f.rip, f.cs, f.rflags, f.rsp, f.ss);
    log_error("  rax %#018lx  rbx %#018lx  rcx %#018lx  rdx %#018lx", f.rax, f.rbx, f.rcx, f.rdx);
    log_error("  rsi %#018lx  rdi %#018lx  rbp %#018lx  r8  %#018lx", f.rsi, f.rdi, f.rbp, f.r8);
    log_error("  r9  %#018lx  r10 %#018lx  r11 %#018lx  r12 %#018lx", f.r9, f.r10, f.r11, f.r12);
    log_error("  r13 %#018lx  r14 %#018lx  r15 %#018lx", f.r13, f.r14, f.r15);
}

// Names the thread whose stack (or guard page) holds `address`, if any.
void describe_stack(u64 address) {
    Thread* overflowed = Thread::find_by_stack_guard(address);
    if (overflowed)
        log_error("  KERNEL STACK OVERFLOW: %#lx is in the guard page of thread %u (%s)", address, overflowed->tid(),
                  overflowed->name());
}

void handle_exception(TrapFrame& f) {
    if (f.from_user()) {
        // User mode does not exist yet; processes will turn these into signals.
        kernel_fault(f, "exception in user mode");
    }
    kernel_fault(f, "exception in kernel mode");
}

} // namespace

char const* exception_name(u64 vector) { return vector < 32 ? kExceptionNames[vector] : "interrupt"; }

void set_handler(u8 vector, InterruptHandler handler) { g_handlers[vector] = handler; }

void kernel_fault(TrapFrame const& f, char const* what) {
    Thread* current = this_cpu().current;
    log_error("CPU exception: %s, vector %lu, error code %#lx: %s", exception_name(f.vector), f.vector, f.error, what);
    if (current) log_error("  thread %u (%s)", current->tid(), current->name());
    if (f.vector == 14) {
        u64 address = platform::fault_address();
        describe_page_fault(f, address);
        describe_stack(address);
    }
    if (f.vector == 8) describe_stack(f.rsp);
    dump_registers(f);
    log_error("backtrace:");
    print_backtrace(f.rbp, f.rip);
    panic("%s in %s mode at %s+%#lx", exception_name(f.vector), f.from_user() ? "user" : "kernel",
          ksyms::lookup(f.rip).name, ksyms::lookup(f.rip).offset);
}

} // namespace traps

extern "C" void handle_trap(TrapFrame* frame) {
    TrapFrame& f = *frame;
    if (f.vector < 32) {
        traps::handle_exception(f);
    } else {
        this_cpu().interrupts++;
        if (auto handler = traps::g_handlers[f.vector]) handler(f);
        else if (f.vector != traps::kVectorSpurious) log_warn("unexpected interrupt, vector %#lx", f.vector);
    }
}
