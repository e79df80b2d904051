#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/log.h>
#include <kernel/vm.h>

void vm_exit(u8 status) {
    log_info("vm exit: status %u", status);
    platform::exit_vm(aramid::abi::exit_word(aramid::abi::kExitReasonProgram, status));
}
