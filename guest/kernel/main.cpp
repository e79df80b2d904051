// kernel_main: bring the kernel up in dependency order, then run init.
#include <fs/devfs/devices.h>
#include <fs/ext4/ext4_fs.h>
#include <fs/initramfs/initramfs.h>
#include <fs/procfs/procfs.h>
#include <fs/tmpfs/tmpfs.h>
#include <fs/vfs/vfs.h>
#include <kernel/arch/x86_64/apic.h>
#include <kernel/arch/x86_64/cpu_tables.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/arch/x86_64/ioapic.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/boot_info.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/fault_injection.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/debug/selftest.h>
#include <kernel/drivers/block_device.h>
#include <kernel/drivers/console.h>
#include <kernel/drivers/random.h>
#include <kernel/drivers/serial.h>
#include <kernel/drivers/tty.h>
#include <kernel/drivers/virtio_mmio.h>
#include <kernel/mm/kernel_stack.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/page_table.h>
#include <kernel/mm/physical.h>
#include <kernel/proc/init.h>
#include <kernel/sched/clock.h>
#include <kernel/sched/scheduler.h>
#include <kernel/vm.h>
#include <lib/command_line.h>
#include <lib/format.h>

extern "C" char boot_stack_bottom[], boot_stack_top[];

namespace syscalls {
void set_trace(bool on);
}

using namespace aramid::abi;

namespace {

bool is_directory(char const* path) {
    auto custody = vfs::resolve(vfs::KernelContext().context(), StringView(path));
    return !custody.is_error() && custody.value()->inode().is_directory();
}

// Without an initramfs, root=DEVICE is the root file system, as on Linux
// (rootfstype= ext2, ext3 or ext4, default ext4; read-only unless `rw`;
// rootflags=noload leaves a journal that needs recovery as it is).
// /dev and /proc are mounted where the disk has those directories; the
// disk itself is not changed. A root that cannot be mounted is a panic,
// as Linux's "VFS: Unable to mount root fs".
void mount_disk_root(BootInfo const& boot, CommandLine const& command_line) {
    StringView device = command_line.value("root");
    StringView const name = device.starts_with("/dev/") ? device.substring(5, device.length() - 5) : device;
    BlockDevice* disk = nullptr;
    for (usize i = 0; i < block::count(); i++)
        if (StringView(block::at(i).name()) == name) disk = &block::at(i);
    if (!disk) panic("cannot mount the root file system: no disk %.*s", int(device.length()), device.data());
    StringView const type = command_line.value("rootfstype", "ext4");
    char const* type_name = Ext4FileSystem::type_name(type);
    if (!type_name)
        panic("cannot mount the root file system: rootfstype=%.*s (ext2, ext3 or ext4)", int(type.length()), type.data());
    bool const read_only = !command_line.has("rw") || command_line.has("ro");
    StringView const flags = command_line.value("rootflags");
    bool const no_load = vfs::has_mount_option(flags, "noload") || vfs::has_mount_option(flags, "norecovery");
    auto fs = Ext4FileSystem::create(*disk, type_name, read_only, no_load);
    if (fs.is_error())
        panic("cannot mount the root file system %.*s (%s): errno %d", int(device.length()), device.data(), type_name,
              fs.error().code());
    char source[32];
    lib::format_to(source, sizeof(source), "/dev/%s", disk->name());
    vfs::init(fs.release_value(), StringView(source), read_only);
    log_info("root: %s (%s, %s)", source, type_name, read_only ? "read-only" : "read-write");
    if (is_directory("/dev"))
        if (auto r = devices::populate_dev(); r.is_error()) panic("cannot populate /dev: errno %d", r.error().code());
    if (is_directory("/proc"))
        if (auto r = procfs::mount(boot.command_line); r.is_error()) panic("cannot mount /proc: errno %d", r.error().code());
}

void mount_root(BootInfo const& boot, CommandLine const& command_line) {
    if (!boot.initrd.size && command_line.has("root")) return mount_disk_root(boot, command_line);
    auto root = TmpFs::create();
    if (root.is_error()) panic("cannot create the root file system");
    vfs::init(root.release_value());
    if (boot.initrd.size) {
        auto unpacked = initramfs::unpack(mm::phys_to_ptr<u8>(boot.initrd.base), boot.initrd.size);
        log_info("initramfs: %lu entries from %lu KiB", unpacked.value_or(0), boot.initrd.size >> 10);
        mm::release_range(boot.initrd.base, boot.initrd.end());
    }
    // The mount points and /tmp exist even when the initramfs lacks them.
    vfs::KernelContext const kernel;
    vfs::Context const c = kernel.context();
    (void)vfs::mkdir(c, "/dev", 0755);
    (void)vfs::mkdir(c, "/proc", 0555);
    (void)vfs::mkdir(c, "/tmp", 01777);
    if (auto r = devices::populate_dev(); r.is_error()) panic("cannot populate /dev: errno %d", r.error().code());
    if (auto r = procfs::mount(boot.command_line); r.is_error()) panic("cannot mount /proc: errno %d", r.error().code());
}

} // namespace

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
    platform::force_sysret_return(command_line.value("aramid.pvm_return") == "sysret");
    platform::init_cpu();
    if (platform::is_pvm())
        log_info("pvm: return to user through %s", platform::fast_return_available() ? "the fast gate (int $0x19)" : "SYSRETQ");
    fpu::init();
    mm::paging_init(boot);
    u64 early_start, early_end;
    mm::early_table_range(early_start, early_end);
    mm::physical_init(boot, early_start, early_end);
    sched::init(Thread::adopt_boot_thread(
        mm::KernelStack::adopt(u64(boot_stack_bottom), u64(boot_stack_top) - u64(boot_stack_bottom))));
    random::init();
    clock::init();
    apic::init();
    debug_table::init();
    sched::start_tick();
    platform::irq_enable();

    fault_injection::inject(command_line.value("aramid.fault"));
    if (command_line.flag("aramid.selftest")) selftest::run();
    syscalls::set_trace(command_line.flag("aramid.strace"));
    vm_report_stacks(command_line.flag("aramid.stackcheck"));

    // Disks before /dev: populate_dev() makes a node for each one found.
    virtio::probe_all(command_line);
    mount_root(boot, command_line);
    bool const stdin_pipe = command_line.value("aramid.stdin") == "pipe";
    tty::init(stdin_pipe, command_line.value("aramid.stdout") == "pipe");
    ioapic::init();
    serial::init(stdin_pipe);
    mark_phase(Phase::KernelInitDone);
    log_info("kernel init done");

    if (command_line.flag("aramid.noinit")) vm_exit(0); // boot tests without a userland
    init_process::start(command_line);
    sched::exit_current(); // the boot thread's work is done
}
