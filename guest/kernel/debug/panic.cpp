#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/ksyms.h>
#include <kernel/sched/thread.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <lib/format.h>
#include <proto/vm_abi.h>

namespace {
bool g_panicking;

bool plausible_kernel_address(u64 p) { return p >= 0xffff800000000000ull && (p & 7) == 0; }
} // namespace

void print_backtrace(u64 rbp, u64 first_rip) {
    int n = 0;
    if (first_rip) {
        auto s = ksyms::lookup(first_rip);
        log_error("  [%d] %#018lx %s+%#lx", n++, first_rip, s.name, s.offset);
    }
    for (; n < 32 && plausible_kernel_address(rbp); n++) {
        u64 const* frame = reinterpret_cast<u64 const*>(rbp);
        u64 rip = frame[1];
        if (!rip) break;
        auto s = ksyms::lookup(rip);
        log_error("  [%d] %#018lx %s+%#lx", n, rip, s.name, s.offset);
        if (frame[0] <= rbp) break; // stacks grow down: the chain must go up
        rbp = frame[0];
    }
}

void panic(char const* fmt, ...) {
    platform::irq_disable();
    if (g_panicking) platform::exit_vm(aramid::abi::exit_word(aramid::abi::kExitReasonPanic, aramid::abi::kExitPanic));
    g_panicking = true;
    char message[256];
    va_list args;
    va_start(args, fmt);
    lib::vformat_to(message, sizeof(message), fmt, args);
    va_end(args);
    log_error("KERNEL PANIC: %s", message);
    debug_table::event(aramid::debug::EventKind::Panic, this_cpu().current ? this_cpu().current->tid() : 0, 0, message);
    log_error("backtrace:");
    print_backtrace(x86::read_rbp());
    platform::exit_vm(aramid::abi::exit_word(aramid::abi::kExitReasonPanic, aramid::abi::kExitPanic));
}
