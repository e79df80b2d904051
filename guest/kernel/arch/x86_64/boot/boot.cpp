// boot_main64: where both entries (entry.S) arrive, on the boot stack, with
// the platform already detected and, under PVM, native execution enabled.
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/boot_info.h>
#include <kernel/vm.h>

extern "C" void (*const __init_array_start[])();
extern "C" void (*const __init_array_end[])();

extern "C" [[noreturn]] void boot_main64(u64 boot_info_gpa) {
    platform::init_early();
    mark_phase(aramid::abi::Phase::PlatformUp);
    for (auto* constructor = __init_array_start; constructor != __init_array_end; constructor++) (*constructor)();
    kernel_main(parse_boot_info(boot_info_gpa));
}
