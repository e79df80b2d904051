// kernel_main: bring the kernel up in dependency order, then run init.
#include <kernel/arch/x86_64/apic.h>
#include <kernel/arch/x86_64/cpu_tables.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/boot_info.h>
#include <kernel/debug/fault_injection.h>
#include <kernel/debug/log.h>
#include <kernel/debug/selftest.h>
#include <kernel/drivers/console.h>
#include <kernel/mm/kernel_stack.h>
#include <kernel/mm/page_table.h>
#include <kernel/mm/physical.h>
#include <kernel/sched/scheduler.h>
#include <kernel/vm.h>
#include <lib/command_line.h>

extern "C" char boot_stack_bottom[], boot_stack_top[];

using namespace aramid::abi;

void kernel_main(BootInfo const& boot) {
    CommandLine const command_line(boot.command_line);
    console::configure(command_line.flag("aramid.fastcon"));
    if (command_line.has("quiet")) log_set_console_level(LogLevel::Warning);
    tsc::init();
    log_set_clock(tsc::uptime_ns);

    log_info("aramid " ARAMID_VERSION " (x86_64)");
    log_info("platform: %s", platform::name());
    log_info("command line: %.*s", int(boot.command_line.length()), boot.command_line.data());

    cpu_tables::init();
    platform::init_cpu();
    mm::paging_init(boot);
    u64 early_start, early_end;
    mm::early_table_range(early_start, early_end);
    mm::physical_init(boot, early_start, early_end);
    sched::init(Thread::adopt_boot_thread(
        mm::KernelStack::adopt(u64(boot_stack_bottom), u64(boot_stack_top) - u64(boot_stack_bottom))));
    apic::init();
    sched::start_tick();
    platform::irq_enable();

    fault_injection::inject(command_line.value("aramid.fault"));
    if (command_line.flag("aramid.selftest")) selftest::run();

    mark_phase(Phase::KernelInitDone);
    log_info("kernel init done");
    vm_exit(0);
}
