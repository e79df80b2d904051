#include <fs/vfs/vfs.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/log.h>
#include <kernel/sched/thread.h>
#include <kernel/vm.h>

static bool g_report_stacks;
void vm_report_stacks(bool on) {
    g_report_stacks = on;
    set_stack_tracking(on);
}

void vm_exit(u8 status) {
    if (g_report_stacks) {
        StackRecord deepest = deepest_stack();
        log_info("stacks: deepest kernel stack use %lu of %lu bytes (thread %u, %s)", deepest.watermark,
                 mm::kKernelStackSize, deepest.tid, deepest.name);
    }
    // As a clean poweroff: what the file systems hold reaches the disks.
    vfs::shutdown_all();
    log_info("vm exit: status %u", status);
    platform::exit_vm(aramid::abi::exit_word(aramid::abi::kExitReasonProgram, status));
}
