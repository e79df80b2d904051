// kernel_main: bring the kernel up in dependency order, then run init.
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/boot_info.h>
#include <kernel/debug/log.h>
#include <kernel/drivers/console.h>
#include <kernel/vm.h>
#include <lib/command_line.h>

using namespace aramid::abi;

void kernel_main(BootInfo const& boot) {
    CommandLine const command_line(boot.command_line);
    console::configure(command_line.flag("aramid.fastcon"));
    if (command_line.has("quiet")) log_set_console_level(LogLevel::Warning);

    log_info("aramid " ARAMID_VERSION " (x86_64)");
    log_info("platform: %s", platform::name());
    log_info("command line: %.*s", int(boot.command_line.length()), boot.command_line.data());

    mark_phase(Phase::KernelInitDone);
    log_info("kernel init done");
    vm_exit(0);
}
