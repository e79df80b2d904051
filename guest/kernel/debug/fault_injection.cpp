#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/fault_injection.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/kernel_stack.h>
#include <kernel/sched/scheduler.h>

namespace fault_injection {

namespace {

// Each frame holds 512 bytes the compiler cannot drop. The recursion ends
// only at an absurd depth the stack never reaches (and that the compiler
// cannot see through).
volatile u64 g_depth_limit = ~0ull;
NOINLINE u64 recurse_deeply(u64 depth) {
    volatile u8 frame[512];
    frame[depth % sizeof(frame)] = u8(depth);
    if (depth >= g_depth_limit) return frame[0];
    return recurse_deeply(depth + 1) + frame[0];
}

void overflow_thread(void*) { recurse_deeply(0); }

// deep-stack: a thread named "deep" goes ~13 KiB down its 16 KiB stack and
// sleeps at the bottom for a while, so that the monitor sees a watermark
// above 75% on a live thread; then it returns and boot goes on.
constexpr u64 kDeepStackUse = 13 * 1024;
constexpr u64 kDeepSleepNs = 3'000'000'000;
volatile bool g_deep_done;

// Each frame writes its lowest byte, so the paint is gone down to the
// deepest frame. Stops once the frame reaches `floor`.
NOINLINE u64 descend(u64 floor, u64 depth) {
    volatile u8 frame[480];
    frame[0] = u8(depth);
    if (u64(__builtin_frame_address(0)) - sizeof(frame) <= floor) {
        sched::sleep_ns(kDeepSleepNs);
        return frame[0];
    }
    return descend(floor, depth + 1) + frame[0];
}

void deep_thread(void*) {
    mm::KernelStack const& stack = sched::current()->stack();
    log_info("deep-stack: thread %u (deep) uses %lu of its %lu stack bytes and sleeps %lu ms there",
             sched::current()->tid(), kDeepStackUse, stack.size(), kDeepSleepNs / 1000000);
    descend(stack.top() - kDeepStackUse, 0);
    log_info("deep-stack: thread %u (deep) is back; watermark %lu of %lu bytes", sched::current()->tid(),
             stack.watermark(), stack.size());
    g_deep_done = true;
}

void canary_thread(void*) {
    // Simulates a stray write below the stack: the canary word is the
    // stack's lowest word.
    *reinterpret_cast<volatile u64*>(sched::current()->stack().base()) = 0;
    sched::yield();
}

void start_thread(char const* name, Thread::Entry entry) {
    auto thread = Thread::create_kernel(name, entry, nullptr);
    if (thread.is_error()) panic("fault injection: cannot create a thread");
    sched::make_runnable(*thread.value());
}

void run_thread(char const* name, Thread::Entry entry) {
    start_thread(name, entry);
    for (;;) sched::yield();
}

} // namespace

void inject(StringView kind) {
    if (kind.is_empty()) return;
    log_warn("fault injection: %.*s", int(kind.length()), kind.data());
    if (kind == "pagefault") {
        *reinterpret_cast<volatile u64*>(0xdead0000ull) = 1;
    } else if (kind == "null") {
        (void)*reinterpret_cast<u64 const volatile*>(u64(0));
    } else if (kind == "gp") {
        (void)*reinterpret_cast<u64 const volatile*>(0x8000000000000000ull);
    } else if (kind == "ud") {
        asm volatile("ud2");
    } else if (kind == "divide") {
        // In assembly: GCC may turn a C division by a variable into a compare.
        u64 zero = 0;
        asm volatile("xor %%edx, %%edx; mov $1, %%eax; divq %0" ::"r"(zero) : "rax", "rdx");
    } else if (kind == "panic") {
        panic("requested by aramid.fault=panic");
    } else if (kind == "stack-overflow") {
        run_thread("overflow", overflow_thread);
    } else if (kind == "canary") {
        run_thread("canary", canary_thread);
    } else if (kind == "deep-stack") {
        start_thread("deep", deep_thread);
        while (!g_deep_done) sched::sleep_ns(10'000'000);
        return; // not a fault: boot goes on
    } else if (kind == "triple") {
        struct PACKED {
            u16 limit;
            u64 base;
        } empty { 0, 0 };
        asm volatile("lidt %0; ud2" ::"m"(empty));
    } else if (kind == "hang") {
        platform::irq_disable();
        for (;;) x86::pause();
    }
    panic("aramid.fault=%.*s: unknown fault kind or the fault did not happen", int(kind.length()), kind.data());
}

} // namespace fault_injection
