// The way back to user mode, shared by syscalls, exceptions and interrupts:
// act on an exit in progress, job-control stops, pending signals and a
// requested reschedule, then return with interrupts disabled.
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/proc/process.h>
#include <kernel/proc/rseq.h>
#include <kernel/sched/scheduler.h>

namespace {
constexpr u64 kSysRestartSyscall = 219;
} // namespace

[[noreturn]] void exit_current_thread() {
    Thread* self = sched::current();
    platform::irq_enable();
    if (Process* process = self->process) process->thread_exited(*self);
    sched::exit_current();
}

void prepare_return_to_user(Thread& thread, TrapFrame& frame) {
    for (;;) {
        platform::irq_enable();
        Process& process = *thread.process;
        if (process.exiting() || thread.exit_requested) exit_current_thread();
        // Stopped: other signals stay pending until SIGCONT (or SIGKILL).
        auto const killed = [&] { return (thread.pending.set | process.pending.set) & signals::bit(signals::SIGKILL); };
        if (process.stopped() && !killed()) {
            sched::wait_uninterruptible(process.stop_wait(),
                                        [&] { return !process.stopped() || process.exiting() || killed(); });
            continue;
        }
        if (signals::has_deliverable(thread)) {
            signals::deliver(thread, frame);
            if (process.stopped() || process.exiting()) continue;
        } else if (thread.restore_saved_mask) {
            thread.signal_mask = thread.saved_mask;
            thread.restore_saved_mask = false;
        }
        // A syscall interrupted by a signal that ran no handler restarts:
        // the same call, or restart_syscall to resume a timed sleep.
        if (frame.vector == SYSCALL_VECTOR) {
            i64 const result = i64(frame.rax);
            if (result == -ERESTARTSYS || result == -ERESTARTNOHAND) {
                frame.rax = thread.syscall_number;
                frame.rip -= 2;
            } else if (result == -ERESTART_RESTARTBLOCK) {
                frame.rax = kSysRestartSyscall;
                frame.rip -= 2;
            }
        }
        if (this_cpu().need_resched) sched::yield();
        rseq::on_return_to_user(thread, frame);
        platform::irq_disable();
        if (!this_cpu().need_resched && !signals::has_deliverable(thread) && !process.exiting() && !thread.exit_requested)
            return;
    }
}

namespace sched {
bool current_has_pending_signal() {
    Thread* self = current();
    if (!self->process) return false;
    return self->process->exiting() || self->exit_requested || signals::has_deliverable(*self);
}
} // namespace sched
