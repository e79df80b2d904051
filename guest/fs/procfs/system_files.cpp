// The text of the system-wide files: /proc/meminfo, uptime, mounts, stat,
// cpuinfo, ... and /proc/sys/kernel/*.
#include <fs/procfs/nodes.h>
#include <fs/vfs/vfs.h>
#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/physical.h>
#include <kernel/proc/process.h>

namespace procfs {

namespace {

// What uname(2) reports (syscalls/process.cpp).
constexpr char kRelease[] = "6.1.0-aramid";
constexpr char kVersion[] = "#1 SMP aramid " ARAMID_VERSION;
constexpr char kHostname[] = "aramid";
constexpr u64 kPidMax = 4194304;

void generate_meminfo(TextBuffer& text) {
    auto const stats = mm::physical_stats();
    auto const heap = heap_stats();
    u64 const total = (stats.total_pages - stats.reserved_pages) * 4;
    u64 const free = stats.free_pages * 4;
    format_meminfo_kb(text, "MemTotal", total);
    format_meminfo_kb(text, "MemFree", free);
    format_meminfo_kb(text, "MemAvailable", free);
    static constexpr char const* kUntracked[] = { "Buffers", "Cached", "SwapCached", "Active", "Inactive",
                                                  "SwapTotal", "SwapFree", "Dirty", "Writeback", "AnonPages",
                                                  "Mapped", "Shmem" };
    for (char const* name : kUntracked) format_meminfo_kb(text, name, 0);
    u64 const slab = (heap.slab_pages + heap.large_pages) * 4;
    format_meminfo_kb(text, "Slab", slab);
    format_meminfo_kb(text, "SReclaimable", 0);
    format_meminfo_kb(text, "SUnreclaim", slab);
    format_meminfo_kb(text, "PageTables", 0);
    format_meminfo_kb(text, "CommitLimit", total);
}

u64 boot_realtime_seconds() { return (clock::realtime().to_ns() - clock::monotonic_ns()) / 1000000000; }

struct Census {
    u64 threads { 0 };
    u64 runnable { 0 };
    u64 blocked { 0 };
    int last_pid { 0 };
    u64 user_ns { 0 };
    u64 system_ns { 0 };
};

// Pids and tids share one counter, so the largest in use approximates the
// last one handed out.
Census census() {
    Census c;
    Process::for_each([&](Process& p) {
        if (p.pid() > c.last_pid) c.last_pid = p.pid();
        ResourceUsage const times = p.usage();
        c.user_ns += times.user_ns;
        c.system_ns += times.system_ns;
        p.for_each_thread([&](Thread& t) {
            c.threads++;
            if (t.state() == ThreadState::Running || t.state() == ThreadState::Runnable) c.runnable++;
            else if (t.state() == ThreadState::Blocked) c.blocked++;
            if (int(t.tid()) > c.last_pid) c.last_pid = int(t.tid());
        });
    });
    return c;
}

void generate_stat(TextBuffer& text) {
    Census const c = census();
    u64 const user = ns_to_clock_ticks(c.user_ns), system = ns_to_clock_ticks(c.system_ns);
    u64 const uptime = ns_to_clock_ticks(clock::monotonic_ns());
    u64 const idle = uptime > user + system ? uptime - user - system : 0;
    text.appendf("cpu  %lu 0 %lu %lu 0 0 0 0 0 0\n", user, system, idle);
    text.appendf("cpu0 %lu 0 %lu %lu 0 0 0 0 0 0\n", user, system, idle);
    // intr: the total only (Linux follows it with a count per IRQ number).
    text.appendf("intr %lu\nctxt %lu\nbtime %lu\nprocesses %d\nprocs_running %lu\nprocs_blocked 0\n",
                 this_cpu().interrupts, this_cpu().context_switches, boot_realtime_seconds(), c.last_pid, c.runnable);
    text.append(StringView("softirq 0 0 0 0 0 0 0 0 0 0 0\n"));
}

void generate_loadavg(TextBuffer& text) {
    Census const c = census();
    text.appendf("0.00 0.00 0.00 %lu/%lu %d\n", c.runnable, c.threads, c.last_pid);
}

void generate_uptime(TextBuffer& text) {
    u64 const now = clock::monotonic_ns();
    Census const c = census();
    u64 const busy = c.user_ns + c.system_ns;
    format_seconds(text, now);
    text.append(' ');
    format_seconds(text, now > busy ? now - busy : 0);
    text.append('\n');
}

// Mount paths escape space, tab, newline and backslash as octal, as Linux does.
void append_escaped(TextBuffer& text, StringView s) {
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\\') text.appendf("\\%03o", unsigned(u8(c)));
        else text.append(c);
    }
}

// One line of /proc/mounts or, with `ids`, of /proc/<pid>/mountinfo.
struct MountLines {
    TextBuffer& text;
    // mountinfo: the file systems in mount order, whose index is the mount
    // id (kFirstMountId on), to name each mount's parent.
    FileSystem const* const* ids { nullptr };
    usize id_count { 0 };
    static constexpr usize kFirstMountId = 20;

    usize id_of(FileSystem const& fs) const {
        for (usize i = 0; i < id_count; i++)
            if (ids[i] == &fs) return kFirstMountId + i;
        return kFirstMountId;
    }
};

void add_mount(vfs::MountInfo const& mount, void* context) {
    auto& lines = *static_cast<MountLines*>(context);
    TextBuffer& text = lines.text;
    char* path = static_cast<char*>(kmalloc(vfs::kPathMax));
    if (!path) {
        text.mark_failed();
        return;
    }
    // Linux lists only the mounts a chrooted reader can reach.
    bool reachable = true;
    usize const length = seen_path(mount.mount_point, path, vfs::kPathMax, &reachable);
    if (!reachable) {
        kfree(path);
        return;
    }
    u32 const flags = mount.fs.mount_flags();
    char options[32];
    lib::format_to(options, sizeof(options), "%s%s%s%s", mount.read_only ? "ro" : "rw",
        (flags & vfs::kMountNoSuid) ? ",nosuid" : "", (flags & vfs::kMountNoDev) ? ",nodev" : "",
        (flags & vfs::kMountNoExec) ? ",noexec" : "");
    StringView const where(path, lib::min(length, vfs::kPathMax - 1));
    if (lines.ids) {
        // The root's parent is itself; a mount's is the one its mount point is on.
        bool const is_root = !mount.mount_point.parent();
        u64 const device = mount.fs.device();
        text.appendf("%lu %lu %u:%u / ", lines.id_of(mount.fs),
                     lines.id_of(is_root ? mount.fs : mount.mount_point.inode().fs()), vfs::device_major(device),
                     vfs::device_minor(device));
        append_escaped(text, where);
        text.appendf(" %s - %s ", options, mount.fs.name());
        append_escaped(text, mount.source);
        text.appendf(" %s\n", mount.read_only ? "ro" : "rw");
    } else {
        append_escaped(text, mount.source);
        text.append(' ');
        append_escaped(text, where);
        text.appendf(" %s %s 0 0\n", mount.fs.name(), options);
    }
    kfree(path);
}

void generate_cpuinfo(TextBuffer& text) {
    auto const leaf0 = x86::cpuid(0);
    char vendor[13];
    __builtin_memcpy(vendor, &leaf0.ebx, 4);
    __builtin_memcpy(vendor + 4, &leaf0.edx, 4);
    __builtin_memcpy(vendor + 8, &leaf0.ecx, 4);
    vendor[12] = 0;
    auto const leaf1 = x86::cpuid(1);
    u32 family = (leaf1.eax >> 8) & 0xf, model = (leaf1.eax >> 4) & 0xf;
    if (family == 0xf) family += (leaf1.eax >> 20) & 0xff;
    if (family >= 6) model += ((leaf1.eax >> 16) & 0xf) << 4;
    u32 const max_extended = x86::cpuid(0x80000000).eax;
    char brand[49] = {};
    if (max_extended >= 0x80000004) {
        for (u32 i = 0; i < 3; i++) {
            auto const r = x86::cpuid(0x80000002 + i);
            __builtin_memcpy(brand + 16 * i, &r, 16);
        }
    }
    char const* model_name = brand;
    while (*model_name == ' ') model_name++;
    if (!*model_name) model_name = "unknown";
    u64 const khz = tsc::khz();

    text.appendf("processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n"
                 "stepping\t: %u\n",
                 vendor, family, model, model_name, leaf1.eax & 0xf);
    text.appendf("cpu MHz\t\t: %lu.%03lu\n", khz / 1000, khz % 1000);
    text.append(StringView("physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: 0\n"
                           "initial apicid\t: 0\nfpu\t\t: yes\nfpu_exception\t: yes\n"));
    text.appendf("cpuid level\t: %u\nwp\t\t: yes\nflags\t\t:", leaf0.eax);

    struct Flag {
        u8 word; // 0 leaf 1 edx, 1 leaf 0x80000001 edx, 2 leaf 1 ecx, 3 leaf 0x80000001 ecx, 4..6 leaf 7 ebx/ecx/edx
        u8 bit;
        char const* name;
    };
    // The most common features, in Linux's order (by its capability words).
    static constexpr Flag kFlags[] = {
        { 0, 0, "fpu" }, { 0, 1, "vme" }, { 0, 2, "de" }, { 0, 3, "pse" }, { 0, 4, "tsc" }, { 0, 5, "msr" },
        { 0, 6, "pae" }, { 0, 7, "mce" }, { 0, 8, "cx8" }, { 0, 9, "apic" }, { 0, 11, "sep" }, { 0, 12, "mtrr" },
        { 0, 13, "pge" }, { 0, 14, "mca" }, { 0, 15, "cmov" }, { 0, 16, "pat" }, { 0, 17, "pse36" },
        { 0, 19, "clflush" }, { 0, 23, "mmx" }, { 0, 24, "fxsr" }, { 0, 25, "sse" }, { 0, 26, "sse2" },
        { 0, 27, "ss" }, { 0, 28, "ht" }, { 1, 11, "syscall" }, { 1, 20, "nx" }, { 1, 22, "mmxext" },
        { 1, 26, "pdpe1gb" }, { 1, 27, "rdtscp" }, { 1, 29, "lm" }, { 2, 0, "pni" }, { 2, 1, "pclmulqdq" },
        { 2, 3, "monitor" }, { 2, 9, "ssse3" }, { 2, 12, "fma" }, { 2, 13, "cx16" }, { 2, 17, "pcid" },
        { 2, 19, "sse4_1" }, { 2, 20, "sse4_2" }, { 2, 21, "x2apic" }, { 2, 22, "movbe" }, { 2, 23, "popcnt" },
        { 2, 24, "tsc_deadline_timer" }, { 2, 25, "aes" }, { 2, 26, "xsave" }, { 2, 28, "avx" }, { 2, 29, "f16c" },
        { 2, 30, "rdrand" }, { 2, 31, "hypervisor" }, { 3, 0, "lahf_lm" }, { 3, 5, "abm" }, { 3, 6, "sse4a" },
        { 3, 8, "3dnowprefetch" }, { 4, 0, "fsgsbase" }, { 4, 3, "bmi1" }, { 4, 5, "avx2" }, { 4, 7, "smep" },
        { 4, 8, "bmi2" }, { 4, 9, "erms" }, { 4, 10, "invpcid" }, { 4, 16, "avx512f" }, { 4, 18, "rdseed" },
        { 4, 19, "adx" }, { 4, 20, "smap" }, { 4, 23, "clflushopt" }, { 4, 24, "clwb" }, { 4, 29, "sha_ni" },
        { 5, 2, "umip" }, { 5, 3, "pku" }, { 5, 9, "vaes" }, { 5, 10, "vpclmulqdq" }, { 5, 22, "rdpid" },
        { 6, 4, "fsrm" },
    };
    u32 words[7] = { leaf1.edx, 0, leaf1.ecx, 0, 0, 0, 0 };
    if (max_extended >= 0x80000001) {
        auto const extended = x86::cpuid(0x80000001);
        words[1] = extended.edx;
        words[3] = extended.ecx;
    }
    if (leaf0.eax >= 7) {
        auto const leaf7 = x86::cpuid(7, 0);
        words[4] = leaf7.ebx;
        words[5] = leaf7.ecx;
        words[6] = leaf7.edx;
    }
    for (Flag const& flag : kFlags)
        if (words[flag.word] & (1u << flag.bit)) text.appendf(" %s", flag.name);
    u32 physical_bits = 36, virtual_bits = 48;
    if (max_extended >= 0x80000008) {
        u32 const sizes = x86::cpuid(0x80000008).eax;
        physical_bits = sizes & 0xff;
        virtual_bits = (sizes >> 8) & 0xff;
    }
    u64 const bogomips = khz * 2 / 10; // hundredths
    text.appendf("\nbogomips\t: %lu.%02lu\nclflush size\t: %u\ncache_alignment\t: %u\n"
                 "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
                 bogomips / 100, bogomips % 100, ((leaf1.ebx >> 8) & 0xff) * 8, ((leaf1.ebx >> 8) & 0xff) * 8,
                 physical_bits, virtual_bits);
}

} // namespace

void generate_mounts(TextBuffer& text) {
    MountLines lines { text };
    vfs::for_each_mount(add_mount, &lines);
}

void generate_mountinfo(TextBuffer& text) {
    struct Ids {
        FileSystem const* fs[vfs::kMaxMounts + 1];
        usize count;
    } ids {};
    vfs::for_each_mount(
        [](vfs::MountInfo const& mount, void* context) {
            auto& ids = *static_cast<Ids*>(context);
            if (ids.count < vfs::kMaxMounts + 1) ids.fs[ids.count++] = &mount.fs;
        },
        &ids);
    MountLines lines { text, ids.fs, ids.count };
    vfs::for_each_mount(add_mount, &lines);
}

Result<void> generate_system_file(Node node, TextBuffer& text, StringView kernel_command_line) {
    switch (node) {
    case Node::Cmdline:
        text.append(kernel_command_line);
        text.append('\n');
        return {};
    case Node::CpuInfo: generate_cpuinfo(text); return {};
    case Node::FileSystems:
        // The types mount(2) knows (kernel/syscalls/mount.cpp), in Linux's
        // format: "nodev" marks those that need no device. mount(8) without
        // -t tries the others in this order; ext4 reads all three.
        text.append(StringView("nodev\ttmpfs\nnodev\tproc\n\text4\n\text3\n\text2\n"));
        return {};
    case Node::LoadAverage: generate_loadavg(text); return {};
    case Node::MemInfo: generate_meminfo(text); return {};
    case Node::Stat: generate_stat(text); return {};
    case Node::Uptime: generate_uptime(text); return {};
    case Node::Version:
        text.appendf("Linux version %s (aramid@aramid) (gcc version %s) %s\n", kRelease, __VERSION__, kVersion);
        return {};
    case Node::Hostname: text.appendf("%s\n", kHostname); return {};
    case Node::OsRelease: text.appendf("%s\n", kRelease); return {};
    case Node::OsType: text.append(StringView("Linux\n")); return {};
    case Node::PidMax: text.appendf("%lu\n", kPidMax); return {};
    default: return Errno(EINVAL);
    }
}

} // namespace procfs
