#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/cpu_tables.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/traps.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/ksyms.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/address_space.h>
#include <kernel/proc/process.h>
#include <kernel/sched/thread.h>

extern "C" char user_copy_insn[], user_copy_fixup[], user_clear_insn[], user_clear_fixup[];
void prepare_return_to_user(Thread& thread, TrapFrame& frame);

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
    if (overflowed) debug_table::event(aramid::debug::EventKind::StackOverflow, overflowed->tid(), address, overflowed->name());
    if (overflowed)
        log_error("  KERNEL STACK OVERFLOW: %#lx is in the guard page of thread %u (%s)", address, overflowed->tid(),
                  overflowed->name());
}

// A user-mode exception becomes a signal for the thread, as on Linux.
void user_exception(TrapFrame& f) {
    Thread& thread = *this_cpu().current;
    signals::Info info;
    info.code = signals::SI_KERNEL;
    switch (f.vector) {
    case 14: {
        u64 address = platform::fault_address();
        u8 access = (f.error & 2) ? mm::kAccessWrite : (f.error & 16) ? mm::kAccessExec : mm::kAccessRead;
        platform::irq_enable();
        auto result = thread.process->address_space().handle_fault(address, access);
        if (result == mm::FaultResult::Handled) {
            thread.minor_faults++;
            return;
        }
        switch (result) {
        case mm::FaultResult::AccessDenied: info.signo = signals::SIGSEGV; info.code = signals::SEGV_ACCERR; break;
        case mm::FaultResult::NoMapping: info.signo = signals::SIGSEGV; info.code = signals::SEGV_MAPERR; break;
        default: info.signo = signals::SIGBUS; info.code = signals::BUS_ADRERR; break; // past EOF, out of memory
        }
        info.address = address;
        break;
    }
    case 0:
        info.signo = signals::SIGFPE;
        info.code = signals::FPE_INTDIV;
        info.address = f.rip;
        break;
    case 16:
    case 19: info.signo = signals::SIGFPE; info.address = f.rip; break;
    case 6:
        info.signo = signals::SIGILL;
        info.code = signals::ILL_ILLOPN;
        info.address = f.rip;
        break;
    case 1:
    case 3:
        info.signo = signals::SIGTRAP;
        info.code = signals::TRAP_BRKPT;
        break;
    case 17: info.signo = signals::SIGBUS; info.code = signals::BUS_ADRERR; break;
    default: info.signo = signals::SIGSEGV; break; // #GP, #SS, #NP, ...
    }
    // As Linux's show_unhandled_signals: one line in the kernel log.
    log_info("%s[%d]: %s at rip %#lx address %#lx error %#lx", thread.process->name(), thread.process->pid(),
             exception_name(f.vector), f.rip, info.address, f.error);
    signals::force(thread, info);
}

void handle_exception(TrapFrame& f) {
    if (f.from_user()) {
        if (!this_cpu().current->process) kernel_fault(f, "exception in user mode without a process");
        user_exception(f);
        return;
    }
    // A fault in a user copy: offer it to the address space (demand paging,
    // copy-on-write), else make the copy return EFAULT.
    if (f.vector == 14 && (f.rip == u64(user_copy_insn) || f.rip == u64(user_clear_insn))) {
        u64 address = platform::fault_address();
        Process* process = this_cpu().current->process;
        if (process && address < mm::kUserEnd) {
            u8 access = (f.error & 2) ? mm::kAccessWrite : mm::kAccessRead;
            platform::irq_enable();
            auto result = process->address_space().handle_fault(address, access);
            platform::irq_disable();
            if (result == mm::FaultResult::Handled) {
                this_cpu().current->minor_faults++;
                return;
            }
        }
        f.rip = f.rip == u64(user_copy_insn) ? u64(user_copy_fixup) : u64(user_clear_fixup);
        return;
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
    if (platform::is_pvm() && f.from_user() && platform::in_return_trampoline(f.rip))
        platform::normalize_trampoline_frame(f.rip, f.rcx, f.r11);
    if (f.vector < 32) {
        traps::handle_exception(f);
    } else {
        this_cpu().interrupts++;
        if (auto handler = traps::g_handlers[f.vector]) handler(f);
        else if (f.vector != traps::kVectorSpurious) log_warn("unexpected interrupt, vector %#lx", f.vector);
    }
    if (f.from_user()) {
        platform::irq_disable();
        prepare_return_to_user(*this_cpu().current, f);
    }
}
