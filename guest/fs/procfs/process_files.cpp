// The text of /proc/<pid>/... and /proc/<pid>/task/<tid>/...
#include <fs/procfs/nodes.h>
#include <kernel/mm/address_space.h>
#include <kernel/mm/vdso.h>
#include <kernel/proc/process.h>

#include <new>

namespace procfs {

namespace {

constexpr int kRlimitRss = 5;
constexpr u64 kPageKiB = 4;

char thread_state(Process& process, Thread& thread) {
    if (process.stopped()) return 'T';
    switch (thread.state()) {
    case ThreadState::Runnable:
    case ThreadState::Running: return 'R';
    case ThreadState::Blocked: return 'S';
    case ThreadState::Dead: return 'X';
    }
    return 'R';
}

// Linux shows the state of the thread the node names, for the process
// that of its leader.
char state_of(Process& process, Thread* thread) {
    if (process.is_zombie()) return 'Z';
    if (!thread) return process.stopped() ? 'T' : 'R';
    return thread_state(process, *thread);
}

// The command name: the process's, or for task/<tid> the thread's, at most
// 15 characters as Linux's TASK_COMM_LEN allows.
StringView comm_of(Process& process, Thread* thread, NodeId const& id) {
    StringView name = id.tid && thread ? StringView(thread->name()) : StringView(process.name());
    return name.substring(0, 15);
}

bool is_console(File& file) {
    InodeMetadata const m = file.metadata();
    if (!vfs::is_character_device(m.mode)) return false;
    u32 const major = u32((m.rdev >> 8) & 0xfff);
    return major == 4 || major == 5;
}

bool has_console_open(Process& process) {
    if (process.is_zombie()) return false;
    bool found = false;
    for (int fd = 0; fd < 3; fd++) {
        auto file = process.fds().get(fd);
        if (!file.is_error() && is_console(*file.value())) found = true;
    }
    return found;
}

// The tty layer does not say which session owns the console; a process
// counts as the console's if it or its session leader has the console as
// one of its standard descriptors.
int tty_of(Process& process) {
    if (has_console_open(process)) return 0x0501;
    Process* leader = Process::find(process.sid());
    if (leader && leader != &process && has_console_open(*leader)) return 0x0501;
    return 0;
}

struct SignalSets {
    u64 pending { 0 };        // the thread's
    u64 shared_pending { 0 }; // the process's
    u64 blocked { 0 };
    u64 ignored { 0 };
    u64 caught { 0 };
};

SignalSets signal_sets(Process& process, Thread* thread) {
    SignalSets s;
    s.shared_pending = process.pending.set;
    if (thread) {
        s.pending = thread->pending.set;
        s.blocked = thread->signal_mask;
    }
    if (!process.is_zombie()) {
        auto& handlers = process.signal_handlers();
        for (int signal = 1; signal <= signals::kCount; signal++) {
            u64 const handler = handlers.actions[signal].handler;
            if (handler == signals::kHandlerIgnore) s.ignored |= signals::bit(signal);
            else if (handler != signals::kHandlerDefault) s.caught |= signals::bit(signal);
        }
    }
    return s;
}

struct MemoryTotals {
    u64 size { 0 };     // bytes mapped
    u64 resident { 0 }; // pages present
    u64 text { 0 };     // bytes: executable, not writable
    u64 data { 0 };     // bytes: private writable, not the stack
    u64 stack { 0 };    // bytes
};

MemoryTotals memory_totals(Process& process) {
    MemoryTotals t;
    if (process.is_zombie()) return t;
    auto& space = process.address_space();
    space.for_each_region([&](mm::Region& r) {
        t.size += r.size();
        if (StringView(r.name) == "[stack]") t.stack += r.size();
        else if ((r.access & mm::kAccessExec) && !(r.access & mm::kAccessWrite)) t.text += r.size();
        else if ((r.access & mm::kAccessWrite) && !r.shared) t.data += r.size();
    });
    t.resident = space.resident_pages();
    return t;
}

void generate_stat(Process& process, Thread* thread, NodeId const& id, TextBuffer& text) {
    StatFields f;
    f.pid = id.tid ? id.tid : process.pid();
    f.comm = comm_of(process, thread, id);
    f.state = state_of(process, thread);
    f.ppid = process.ppid();
    f.pgrp = process.pgid();
    f.session = process.sid();
    f.tty_nr = tty_of(process);
    // Without the console's foreground group from the tty layer, a process
    // on the console shows its own group.
    f.tpgid = f.tty_nr ? process.pgid() : -1;
    ResourceUsage const times = process.usage();
    f.utime = ns_to_clock_ticks(times.user_ns);
    f.stime = ns_to_clock_ticks(times.system_ns);
    f.cutime = ns_to_clock_ticks(process.children_usage.user_ns);
    f.cstime = ns_to_clock_ticks(process.children_usage.system_ns);
    f.minflt = times.minor_faults;
    f.cminflt = process.children_usage.minor_faults;
    f.num_threads = process.is_zombie() ? 1 : i64(process.thread_count());
    f.starttime = ns_to_clock_ticks(process.start_time_ns);
    MemoryTotals const memory = memory_totals(process);
    f.vsize = memory.size;
    f.rss = memory.resident;
    f.rsslim = process.limits[kRlimitRss].current;
    SignalSets const s = signal_sets(process, thread);
    f.signal = s.pending | s.shared_pending;
    f.blocked = s.blocked;
    f.sigignore = s.ignored;
    f.sigcatch = s.caught;
    if (process.is_zombie()) f.exit_code = process.exit_status();
    format_stat(text, f);
}

void generate_status(Process& process, Thread* thread, NodeId const& id, TextBuffer& text) {
    StringView const comm = comm_of(process, thread, id);
    bool const zombie = process.is_zombie();
    text.appendf("Name:\t%.*s\n", int(comm.length()), comm.data());
    if (!zombie) text.appendf("Umask:\t%04o\n", process.fs().umask);
    text.appendf("State:\t%s\n", state_description(state_of(process, thread)));
    int const pid = id.tid ? id.tid : process.pid();
    text.appendf("Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", process.pid(), pid, process.ppid());
    Credentials const& c = process.credentials();
    text.appendf("Uid:\t%u\t%u\t%u\t%u\n", c.uid, c.euid, c.suid, c.fsuid);
    text.appendf("Gid:\t%u\t%u\t%u\t%u\n", c.gid, c.egid, c.sgid, c.fsgid);
    u32 fd_size = 64; // Linux's table starts with 64 slots and doubles
    if (!zombie)
        while (int(fd_size) <= process.fds().highest_open()) fd_size *= 2;
    text.appendf("FDSize:\t%u\nGroups:\t", zombie ? 0 : fd_size);
    for (u32 i = 0; i < c.group_count; i++) text.appendf(i ? " %u" : "%u", c.groups[i]);
    text.append(StringView(" \n")); // Linux leaves a trailing space
    text.appendf("NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", process.pid(), pid,
                 process.pgid(), process.sid());
    if (!zombie) {
        MemoryTotals const memory = memory_totals(process);
        u64 const size_kb = memory.size >> 10, rss_kb = memory.resident * kPageKiB;
        format_status_kb(text, "VmPeak", size_kb);
        format_status_kb(text, "VmSize", size_kb);
        format_status_kb(text, "VmLck", 0);
        format_status_kb(text, "VmPin", 0);
        format_status_kb(text, "VmHWM", rss_kb);
        format_status_kb(text, "VmRSS", rss_kb);
        format_status_kb(text, "VmData", memory.data >> 10);
        format_status_kb(text, "VmStk", memory.stack >> 10);
        format_status_kb(text, "VmExe", memory.text >> 10);
        format_status_kb(text, "VmLib", 0);
        format_status_kb(text, "VmPTE", 0);
        format_status_kb(text, "VmSwap", 0);
    }
    text.appendf("Threads:\t%lu\n", zombie ? 1ul : u64(process.thread_count()));
    SignalSets const s = signal_sets(process, thread);
    format_mask_line(text, "SigPnd", s.pending);
    format_mask_line(text, "ShdPnd", s.shared_pending);
    format_mask_line(text, "SigBlk", s.blocked);
    format_mask_line(text, "SigIgn", s.ignored);
    format_mask_line(text, "SigCgt", s.caught);
    u64 const all_capabilities = 0x1ffffffffffull; // CAP_CHOWN .. CAP_CHECKPOINT_RESTORE
    format_mask_line(text, "CapInh", 0);
    format_mask_line(text, "CapPrm", c.euid == 0 ? all_capabilities : 0);
    format_mask_line(text, "CapEff", c.euid == 0 ? all_capabilities : 0);
    format_mask_line(text, "CapBnd", all_capabilities);
    format_mask_line(text, "CapAmb", 0);
    text.append(StringView("NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
                           "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n"));
    // The thread's own, as Linux prints them (a zombie's are gone here).
    aramid::debug::ThreadSwitches const switches = thread ? thread->switches : aramid::debug::ThreadSwitches {};
    text.appendf("voluntary_ctxt_switches:\t%lu\nnonvoluntary_ctxt_switches:\t%lu\n", switches.voluntary,
                 switches.involuntary);
}

void generate_statm(Process& process, TextBuffer& text) {
    MemoryTotals const m = memory_totals(process);
    text.appendf("%lu %lu 0 %lu 0 %lu 0\n", m.size >> 12, m.resident, m.text >> 12, (m.data + m.stack) >> 12);
}

// Regions are copied out under the address space's lock, then formatted
// (which allocates) without it.
struct RegionCopy {
    u64 start, end, offset, device, inode;
    u8 access;
    bool shared;
    char name[64];
};

Result<void> generate_maps(Process& process, TextBuffer& text) {
    if (process.is_zombie()) return {};
    auto& space = process.address_space();
    usize count = 0;
    space.for_each_region([&](mm::Region&) { count++; });
    if (!count) return {};
    auto* regions = new (std::nothrow) RegionCopy[count];
    if (!regions) return Errno(ENOMEM);
    usize copied = 0;
    space.for_each_region([&](mm::Region& r) {
        if (copied == count) return;
        RegionCopy& c = regions[copied++];
        c.start = r.start;
        c.end = r.end;
        c.offset = r.source ? r.source_offset : 0;
        c.device = c.inode = 0;
        if (r.source) r.source->identity(c.device, c.inode);
        c.access = r.access;
        c.shared = r.shared;
        // A file mapping shows the file's path, which the page source keeps
        // whole (the region's own name is short).
        char const* name = r.source ? r.source->name() : r.name;
        usize const length = lib::min(lib::cstring_length(name), sizeof(c.name) - 1);
        __builtin_memcpy(c.name, name, length);
        c.name[length] = 0;
    });
    for (usize i = 0; i < copied; i++) {
        RegionCopy const& c = regions[i];
        MapsLine line;
        line.start = c.start;
        line.end = c.end;
        line.read = c.access & mm::kAccessRead;
        line.write = c.access & mm::kAccessWrite;
        line.execute = c.access & mm::kAccessExec;
        line.shared = c.shared;
        line.offset = c.offset;
        line.major = vfs::device_major(c.device);
        line.minor = vfs::device_minor(c.device);
        line.inode = c.inode;
        line.name = StringView(c.name);
        format_maps_line(text, line);
    }
    delete[] regions;
    // The vDSO's pages sit outside every region (mm/vdso.h); list them as
    // Linux does, above the stack.
    MapsLine vvar;
    vvar.start = vdso::kDataAddress;
    vvar.end = vdso::kImageAddress;
    vvar.read = true;
    vvar.name = StringView("[vvar]");
    format_maps_line(text, vvar);
    MapsLine image = vvar;
    image.start = vdso::kImageAddress;
    image.end = vdso::kImageAddress + vdso::image_size();
    image.execute = true;
    image.name = StringView("[vdso]");
    format_maps_line(text, image);
    return {};
}

} // namespace

Result<void> generate_process_file(NodeId const& id, TextBuffer& text) {
    Process* process = find_process(id);
    if (!process) return Errno(ESRCH);
    Thread* thread = thread_for(*process, id);
    switch (id.node) {
    case Node::ProcessStat: generate_stat(*process, thread, id, text); return {};
    case Node::ProcessStatus: generate_status(*process, thread, id, text); return {};
    case Node::ProcessStatm: generate_statm(*process, text); return {};
    case Node::ProcessCmdline:
        // A zombie has no memory left to show its arguments from.
        if (!process->is_zombie()) text.append(process->command_line());
        return {};
    case Node::ProcessComm: {
        StringView const comm = comm_of(*process, thread, id);
        text.appendf("%.*s\n", int(comm.length()), comm.data());
        return {};
    }
    case Node::ProcessEnviron: return {}; // not kept after exec
    case Node::ProcessMaps: return generate_maps(*process, text);
    case Node::ProcessMounts: generate_mounts(text); return {};
    case Node::ProcessMountinfo: generate_mountinfo(text); return {};
    default: return Errno(EINVAL);
    }
}

} // namespace procfs
