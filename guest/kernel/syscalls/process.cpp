// Processes and threads: ids, fork/clone, execve, exit, wait, process
// groups and sessions, credentials, limits, and system information.
#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/drivers/random.h>
#include <kernel/mm/physical.h>
#include <kernel/proc/exec.h>
#include <kernel/proc/futex.h>
#include <kernel/sched/scheduler.h>
#include <kernel/syscalls/helpers.h>
#include <kernel/syscalls/timer_helpers.h>
#include <uapi/resource.h>
#include <uapi/sysinfo.h>
#include <uapi/utsname.h>

[[noreturn]] void exit_current_thread();

// ---- ids -------------------------------------------------------------------

SYSCALL_HANDLER(getpid) { return u64(current_process().pid()); }
SYSCALL_HANDLER(getppid) { return u64(current_process().ppid()); }
SYSCALL_HANDLER(gettid) { return u64(current_thread().tid()); }
SYSCALL_HANDLER(getuid) { return current_process().credentials().uid; }
SYSCALL_HANDLER(geteuid) { return current_process().credentials().euid; }
SYSCALL_HANDLER(getgid) { return current_process().credentials().gid; }
SYSCALL_HANDLER(getegid) { return current_process().credentials().egid; }

SYSCALL_HANDLER(getresuid, UserPtr<u32> ruid, UserPtr<u32> euid, UserPtr<u32> suid) {
    auto const& c = current_process().credentials();
    TRY(mm::copy_to_user(ruid, c.uid));
    TRY(mm::copy_to_user(euid, c.euid));
    TRY(mm::copy_to_user(suid, c.suid));
    return u64(0);
}

SYSCALL_HANDLER(getresgid, UserPtr<u32> rgid, UserPtr<u32> egid, UserPtr<u32> sgid) {
    auto const& c = current_process().credentials();
    TRY(mm::copy_to_user(rgid, c.gid));
    TRY(mm::copy_to_user(egid, c.egid));
    TRY(mm::copy_to_user(sgid, c.sgid));
    return u64(0);
}

// setresuid semantics (the others are built on it): -1 keeps a value; an
// unprivileged caller may only pick among its current real, effective and
// saved ids. The filesystem id follows the effective id.
static Result<u64> set_ids(u32& real, u32& effective, u32& saved, u32& fs, u32 r, u32 e, u32 s) {
    bool const privileged = current_process().credentials().euid == 0;
    auto allowed = [&](u32 v) { return v == u32(-1) || privileged || v == real || v == effective || v == saved; };
    if (!allowed(r) || !allowed(e) || !allowed(s)) return Errno(EPERM);
    if (r != u32(-1)) real = r;
    if (e != u32(-1)) effective = e;
    if (s != u32(-1)) saved = s;
    fs = effective;
    return u64(0);
}

SYSCALL_HANDLER(setresuid, u32 r, u32 e, u32 s) {
    auto& c = current_process().credentials();
    return set_ids(c.uid, c.euid, c.suid, c.fsuid, r, e, s);
}
SYSCALL_HANDLER(setresgid, u32 r, u32 e, u32 s) {
    auto& c = current_process().credentials();
    return set_ids(c.gid, c.egid, c.sgid, c.fsgid, r, e, s);
}

SYSCALL_HANDLER(setuid, u32 uid) {
    auto& c = current_process().credentials();
    if (c.euid == 0) {
        c.uid = c.euid = c.suid = c.fsuid = uid;
        return u64(0);
    }
    if (uid != c.uid && uid != c.suid) return Errno(EPERM);
    c.euid = c.fsuid = uid;
    return u64(0);
}

SYSCALL_HANDLER(setgid, u32 gid) {
    auto& c = current_process().credentials();
    if (c.euid == 0) {
        c.gid = c.egid = c.sgid = c.fsgid = gid;
        return u64(0);
    }
    if (gid != c.gid && gid != c.sgid) return Errno(EPERM);
    c.egid = c.fsgid = gid;
    return u64(0);
}

SYSCALL_HANDLER(setreuid, u32 r, u32 e) {
    auto& c = current_process().credentials();
    u32 const old_real = c.uid;
    bool const privileged = c.euid == 0;
    if (!privileged && r != u32(-1) && r != c.uid && r != c.euid) return Errno(EPERM);
    if (!privileged && e != u32(-1) && e != c.uid && e != c.euid && e != c.suid) return Errno(EPERM);
    if (r != u32(-1)) c.uid = r;
    if (e != u32(-1)) c.euid = e;
    // The saved id follows the new effective id when the real id was set or
    // the effective id differs from the old real id.
    if (r != u32(-1) || (e != u32(-1) && e != old_real)) c.suid = c.euid;
    c.fsuid = c.euid;
    return u64(0);
}

SYSCALL_HANDLER(setregid, u32 r, u32 e) {
    auto& c = current_process().credentials();
    u32 const old_real = c.gid;
    bool const privileged = c.euid == 0;
    if (!privileged && r != u32(-1) && r != c.gid && r != c.egid) return Errno(EPERM);
    if (!privileged && e != u32(-1) && e != c.gid && e != c.egid && e != c.sgid) return Errno(EPERM);
    if (r != u32(-1)) c.gid = r;
    if (e != u32(-1)) c.egid = e;
    if (r != u32(-1) || (e != u32(-1) && e != old_real)) c.sgid = c.egid;
    c.fsgid = c.egid;
    return u64(0);
}

SYSCALL_HANDLER(getgroups, int size, UserPtr<u32> list) {
    auto const& c = current_process().credentials();
    if (size < 0) return Errno(EINVAL);
    if (size == 0) return c.group_count;
    if (u32(size) < c.group_count) return Errno(EINVAL);
    TRY(mm::copy_to_user(list.address, c.groups, c.group_count * sizeof(u32)));
    return c.group_count;
}

SYSCALL_HANDLER(setgroups, usize size, UserPtr<u32> list) {
    auto& c = current_process().credentials();
    if (c.euid != 0) return Errno(EPERM);
    if (size > Credentials::kMaxGroups) return Errno(EINVAL);
    u32 groups[Credentials::kMaxGroups];
    TRY(mm::copy_from_user(groups, list.address, size * sizeof(u32)));
    __builtin_memcpy(c.groups, groups, size * sizeof(u32));
    c.group_count = u32(size);
    return u64(0);
}

// ---- process groups and sessions -------------------------------------------

SYSCALL_HANDLER(getpgrp) { return u64(current_process().pgid()); }
SYSCALL_HANDLER(getpgid, int pid) {
    Process* p = pid == 0 ? &current_process() : Process::find(pid);
    if (!p || p->is_zombie()) return Errno(ESRCH);
    return u64(p->pgid());
}
SYSCALL_HANDLER(getsid, int pid) {
    Process* p = pid == 0 ? &current_process() : Process::find(pid);
    if (!p) return Errno(ESRCH);
    return u64(p->sid());
}

SYSCALL_HANDLER(setpgid, int pid, int pgid) {
    Process& self = current_process();
    if (pgid < 0) return Errno(EINVAL);
    Process* target = pid == 0 ? &self : Process::find(pid);
    if (!target) return Errno(ESRCH);
    if (target != &self && target->parent() != &self) return Errno(ESRCH);
    if (target->sid() != self.sid()) return Errno(EPERM);
    if (target->pid() == target->sid()) return Errno(EPERM); // a session leader
    if (pgid == 0) pgid = target->pid();
    if (pgid != target->pid()) {
        // The group must exist in the same session.
        bool found = false;
        Process::for_each([&](Process& p) { found |= p.pgid() == pgid && p.sid() == self.sid() && !p.is_zombie(); });
        if (!found) return Errno(EPERM);
    }
    TRY(target->set_pgid(pgid));
    return u64(0);
}

SYSCALL_HANDLER(setsid) {
    Process& self = current_process();
    bool leader = false;
    Process::for_each([&](Process& p) { leader |= p.pgid() == self.pid(); });
    if (leader) return Errno(EPERM);
    self.set_session(self.pid());
    return u64(self.pid());
}

// ---- fork, clone, exec, exit -------------------------------------------------

namespace {

constexpr u64 CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
              CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000,
              CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
              CLONE_DETACHED = 0x400000, CLONE_CHILD_SETTID = 0x1000000;
constexpr u64 kSupportedClone = 0xff | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK | CLONE_PARENT
    | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED
    | CLONE_CHILD_SETTID;

Result<u64> do_clone(u64 flags, u64 stack, u64 parent_tid, u64 child_tid, u64 tls) {
    if (flags & ~kSupportedClone) return Errno(EINVAL);
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return Errno(EINVAL);
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return Errno(EINVAL);
    Thread& parent = current_thread();
    Process& process = current_process();
    TrapFrame frame = syscall_frame();
    frame.rax = 0;
    if (stack) frame.rsp = stack;
    Thread* child = nullptr;
    Process* child_process = &process;
    if (flags & CLONE_THREAD) {
        child = TRY(Thread::create_user(process, frame, parent.name()));
        child->signal_mask = parent.signal_mask;
        child->no_new_privs = parent.no_new_privs;
        __builtin_memcpy(child->fpu_state, parent.fpu_state, fpu::state_size());
        child->fs_base = parent.fs_base;
    } else {
        child_process = TRY(Process::clone(parent, flags, frame, child));
        // The exit signal (low byte) other than SIGCHLD is not supported yet.
    }
    // The parent's live FPU and FS state are in registers: copy them.
    fpu::save(child->fpu_state);
    child->fs_base = (flags & CLONE_SETTLS) ? tls : x86::rdfsbase();
    int const tid = int(child->tid());
    int const reported = (flags & CLONE_THREAD) ? tid : child_process->pid();
    if (flags & CLONE_PARENT_SETTID) TRY(mm::copy_to_user(UserPtr<int>(parent_tid), reported));
    // Written by the child itself when it first runs: its own address space.
    if (flags & CLONE_CHILD_SETTID) child->set_child_tid = child_tid;
    if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = child_tid;
    sched::make_runnable(*child);
    if (flags & CLONE_VFORK) {
        // The parent waits until the child execs or exits.
        Process* vfork_child = child_process;
        int const child_pid = vfork_child->pid();
        (void)sched::wait_until(process.child_wait(), [&] {
            Process* c = Process::find(child_pid);
            return !c || c->is_zombie() || c->exec_count() > 0;
        });
    }
    return u64(reported);
}

} // namespace

SYSCALL_HANDLER(fork) { return do_clone(signals::SIGCHLD, 0, 0, 0, 0); }
// The child borrows the parent's memory (and stack) until it execs or
// exits; the parent sleeps meanwhile, so nothing runs on the stack twice.
SYSCALL_HANDLER(vfork) { return do_clone(CLONE_VM | CLONE_VFORK | signals::SIGCHLD, 0, 0, 0, 0); }
SYSCALL_HANDLER(clone, u64 flags, u64 stack, u64 parent_tid, u64 child_tid, u64 tls) {
    return do_clone(flags, stack, parent_tid, child_tid, tls);
}

SYSCALL_HANDLER(execve, UserCString user_path, UserPtr<u64> argv, UserPtr<u64> envp) {
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty()) return Errno(ENOENT);
    exec::Arguments arguments, environment;
    TRY(arguments.copy_from_user(argv));
    TRY(environment.copy_from_user(envp));
    TRY(exec::execve(current_thread(), syscall_frame(), path.view(), arguments, environment));
    current_process().note_exec();
    return u64(0);
}

SYSCALL_HANDLER(exit, int code) {
    Process& p = current_process();
    if (p.thread_count() == 1) p.exit_group(wait_status_exited(code));
    exit_current_thread();
    __builtin_unreachable();
}

SYSCALL_HANDLER(exit_group, int code) {
    current_process().exit_group(wait_status_exited(code));
    exit_current_thread();
    __builtin_unreachable();
}

// ---- wait ---------------------------------------------------------------------

namespace {

constexpr u32 WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x01000000,
              WALL = 0x40000000, WCLONE = 0x80000000, WNOTHREAD = 0x20000000;

struct WaitResult {
    int pid;
    int status;
    int code;  // CLD_* for waitid
    u32 uid;
    ResourceUsage times {}; // the child's and its waited-for children's (rusage)
};

// Only the times and context switches are kept; the other counters read 0.
uapi::rusage to_rusage(ResourceUsage const& usage) {
    uapi::rusage r {};
    r.ru_utime = ns_timeval(usage.user_ns);
    r.ru_stime = ns_timeval(usage.system_ns);
    r.ru_nvcsw = i64(usage.voluntary_switches);
    r.ru_nivcsw = i64(usage.involuntary_switches);
    r.ru_minflt = i64(usage.minor_faults);
    return r;
}

// Which children `id` selects: wait4's pid argument (-1 any, >0 that pid,
// 0 the caller's group, <-1 group -pid).
bool selects(Process& self, Process& child, int id) {
    if (id == -1) return true;
    if (id > 0) return child.pid() == id;
    if (id == 0) return child.pgid() == self.pgid();
    return child.pgid() == -id;
}

// One pass over the children: a reportable event, or nothing.
Result<WaitResult> find_event(Process& self, int id, u32 options, bool& any_child) {
    Process* found = nullptr;
    WaitResult result {};
    any_child = false;
    self.for_each_child([&](Process& child) {
        if (found || !selects(self, child, id)) return;
        any_child = true;
        if (child.is_zombie() && (options & WEXITED)) {
            found = &child;
            int s = child.exit_status();
            result = { child.pid(), s, (s & 0x7f) ? ((s & 0x80) ? signals::CLD_DUMPED : signals::CLD_KILLED) : signals::CLD_EXITED,
                       child.credentials().uid };
        } else if (child.stopped() && !child.stop_reported && (options & WUNTRACED)) {
            found = &child;
            result = { child.pid(), wait_status_stopped(child.stop_signal()), signals::CLD_STOPPED, child.credentials().uid };
        } else if (!child.continue_reported && (options & WCONTINUED)) {
            found = &child;
            result = { child.pid(), kWaitStatusContinued, signals::CLD_CONTINUED, child.credentials().uid };
        }
    });
    if (!found) return Errno(EAGAIN);
    result.times = found->usage();
    result.times += found->children_usage;
    if (!(options & WNOWAIT)) {
        if (result.code == signals::CLD_STOPPED) {
            found->stop_reported = true;
        } else if (result.code == signals::CLD_CONTINUED) {
            found->continue_reported = true;
        } else {
            self.children_usage += result.times;
            found->reap();
        }
    }
    return result;
}

Result<WaitResult> wait_for(int id, u32 options) {
    Process& self = current_process();
    for (;;) {
        bool any_child = false;
        auto event = find_event(self, id, options, any_child);
        if (!event.is_error()) return event;
        if (!any_child) return Errno(ECHILD);
        if (options & WNOHANG) return WaitResult { 0, 0, 0, 0, {} };
        auto waited = sched::wait_until(self.child_wait(), [&] {
            bool any = false;
            bool ready = false;
            self.for_each_child([&](Process& child) {
                if (!selects(self, child, id)) return;
                any = true;
                ready |= (child.is_zombie() && (options & WEXITED)) || (child.stopped() && !child.stop_reported && (options & WUNTRACED))
                    || (!child.continue_reported && (options & WCONTINUED));
            });
            return ready || !any;
        });
        if (waited.is_error()) return Errno(ERESTARTSYS);
    }
}

} // namespace

SYSCALL_HANDLER(wait4, int pid, UserPtr<int> status, u32 options, UserPtr<uapi::rusage> rusage) {
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | WNOTHREAD)) return Errno(EINVAL);
    if (pid == i32(0x80000000)) return Errno(ESRCH);
    auto result = TRY(wait_for(pid, options | WEXITED));
    if (result.pid && !status.is_null()) TRY(mm::copy_to_user(status, result.status));
    if (!rusage.is_null()) TRY(mm::copy_to_user(rusage, to_rusage(result.times)));
    return u64(result.pid);
}

SYSCALL_HANDLER(waitid, int id_type, int id, UserPtr<u8> info, u32 options, UserPtr<uapi::rusage> rusage) {
    constexpr int P_ALL = 0, P_PID = 1, P_PGID = 2;
    if (options & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WALL | WCLONE | WNOTHREAD))
        return Errno(EINVAL);
    if (!(options & (WEXITED | WUNTRACED | WCONTINUED))) return Errno(EINVAL);
    int selector;
    switch (id_type) {
    case P_ALL: selector = -1; break;
    case P_PID:
        if (id <= 0) return Errno(EINVAL);
        selector = id;
        break;
    case P_PGID:
        if (id < 0) return Errno(EINVAL);
        selector = id == 0 ? 0 : -id;
        break;
    default: return Errno(EINVAL);
    }
    auto result = TRY(wait_for(selector, options));
    if (!info.is_null()) {
        // siginfo_t: si_signo, si_errno, si_code, pad, si_pid, si_uid, si_status.
        i32 fields[32] = {};
        if (result.pid) {
            fields[0] = signals::SIGCHLD;
            fields[2] = result.code;
            fields[4] = result.pid;
            fields[5] = i32(result.uid);
            int const s = result.status;
            fields[6] = result.code == signals::CLD_EXITED ? (s >> 8) & 0xff
                : result.code == signals::CLD_STOPPED      ? (s >> 8) & 0xff
                : result.code == signals::CLD_CONTINUED    ? signals::SIGCONT
                                                           : s & 0x7f;
        }
        TRY(mm::copy_to_user(info.address, fields, sizeof(fields)));
    }
    if (!rusage.is_null()) TRY(mm::copy_to_user(rusage, to_rusage(result.times)));
    return u64(0);
}

// ---- limits and information ---------------------------------------------------

namespace {
using Rlimit = uapi::rlimit;
constexpr int kLimits = 16;
} // namespace

SYSCALL_HANDLER(prlimit64, int pid, int resource, UserPtr<Rlimit> new_limit, UserPtr<Rlimit> old_limit) {
    Process* p = pid == 0 ? &current_process() : Process::find(pid);
    if (!p) return Errno(ESRCH);
    if (resource < 0 || resource >= kLimits) return Errno(EINVAL);
    ResourceLimit& limit = p->limits[resource];
    if (!old_limit.is_null()) TRY(mm::copy_to_user(old_limit, Rlimit { limit.current, limit.maximum }));
    if (!new_limit.is_null()) {
        Rlimit value = TRY(mm::copy_from_user(new_limit));
        if (value.rlim_cur > value.rlim_max) return Errno(EINVAL);
        if (value.rlim_max > limit.maximum && !current_process().credentials().is_superuser()) return Errno(EPERM);
        limit = { value.rlim_cur, value.rlim_max };
        if (resource == uapi::RLIMIT_NOFILE) p->fds().set_limit(int(lib::min(value.rlim_cur, u64(1 << 20))));
    }
    return u64(0);
}

SYSCALL_HANDLER(getrlimit, int resource, UserPtr<Rlimit> out) {
    if (resource < 0 || resource >= kLimits) return Errno(EINVAL);
    ResourceLimit& limit = current_process().limits[resource];
    TRY(mm::copy_to_user(out, Rlimit { limit.current, limit.maximum }));
    return u64(0);
}

SYSCALL_HANDLER(setrlimit, int resource, UserPtr<Rlimit> in) {
    return sys_prlimit64(0, resource, in, UserPtr<Rlimit>());
}

SYSCALL_HANDLER(uname, UserPtr<uapi::new_utsname> out) {
    uapi::new_utsname u {};
    auto field = [](char* destination, char const* value) {
        for (usize k = 0; value[k] && k + 1 < uapi::kUtsFieldLength; k++) destination[k] = value[k];
    };
    field(u.sysname, "Linux");
    field(u.nodename, "aramid");
    field(u.release, "6.1.0-aramid");
    field(u.version, "#1 SMP aramid " ARAMID_VERSION);
    field(u.machine, "x86_64");
    field(u.domainname, "(none)");
    TRY(mm::copy_to_user(out, u));
    return u64(0);
}

SYSCALL_HANDLER(sysinfo, UserPtr<uapi::sysinfo> out) {
    uapi::sysinfo info {};
    auto stats = mm::physical_stats();
    info.uptime = i64(sched::now_ns() / 1000000000);
    info.totalram = stats.total_pages * 4096;
    info.freeram = stats.free_pages * 4096;
    u16 procs = 0;
    Process::for_each([&](Process&) { procs++; });
    info.procs = procs;
    info.mem_unit = 1;
    TRY(mm::copy_to_user(out, info));
    return u64(0);
}

// Clock ticks at AT_CLKTCK (100 Hz).
constexpr u64 kNsPerClockTick = 10000000;

SYSCALL_HANDLER(times, UserPtr<u64> out) {
    Process& p = current_process();
    ResourceUsage const self = p.usage();
    u64 const tms[4] = { self.user_ns / kNsPerClockTick, self.system_ns / kNsPerClockTick,
                         p.children_usage.user_ns / kNsPerClockTick, p.children_usage.system_ns / kNsPerClockTick };
    if (!out.is_null()) TRY(mm::copy_to_user(out.address, tms, sizeof(tms)));
    return sched::now_ns() / kNsPerClockTick;
}

SYSCALL_HANDLER(getrusage, int who, UserPtr<uapi::rusage> out) {
    constexpr int RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
    Process& p = current_process();
    ResourceUsage times;
    switch (who) {
    case RUSAGE_SELF: times = p.usage(); break;
    case RUSAGE_CHILDREN: times = p.children_usage; break;
    case RUSAGE_THREAD: times = ResourceUsage::of(current_thread()); break;
    default: return Errno(EINVAL);
    }
    TRY(mm::copy_to_user(out, to_rusage(times)));
    return u64(0);
}

SYSCALL_HANDLER(prctl, int option, u64 a2, u64 a3, u64 a4, u64 a5) {
    constexpr int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_SET_NAME = 15, PR_GET_NAME = 16,
                  PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37, PR_SET_NO_NEW_PRIVS = 38,
                  PR_GET_NO_NEW_PRIVS = 39;
    Process& p = current_process();
    switch (option) {
    case PR_SET_NAME: {
        char name[17];
        auto copied = mm::copy_string_from_user(UserCString(a2), name, 16);
        if (copied.is_error() && copied.error().code() != ENAMETOOLONG) return copied.error();
        usize length = copied.is_error() ? 15 : lib::min(copied.value(), usize(15)); // Linux truncates
        p.set_name(StringView(name, length));
        current_thread().set_name(p.name());
        return u64(0);
    }
    case PR_GET_NAME: {
        char name[16] = {};
        __builtin_memcpy(name, p.name(), 16);
        TRY(mm::copy_to_user(a2, name, 16));
        return u64(0);
    }
    case PR_SET_CHILD_SUBREAPER: p.set_subreaper(a2 != 0); return u64(0);
    case PR_GET_CHILD_SUBREAPER: TRY(mm::copy_to_user(UserPtr<int>(a2), int(p.is_subreaper()))); return u64(0);
    case PR_SET_PDEATHSIG: return u64(0);
    case PR_GET_PDEATHSIG: TRY(mm::copy_to_user(UserPtr<int>(a2), 0)); return u64(0);
    case PR_SET_NO_NEW_PRIVS:
        if (a2 != 1 || a3 || a4 || a5) return Errno(EINVAL);
        current_thread().no_new_privs = true;
        return u64(0);
    case PR_GET_NO_NEW_PRIVS:
        if (a2 || a3 || a4 || a5) return Errno(EINVAL);
        return u64(current_thread().no_new_privs);
    }
    return Errno(EINVAL);
}

SYSCALL_HANDLER(arch_prctl, int code, u64 address) {
    constexpr int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
    Thread& t = current_thread();
    switch (code) {
    case ARCH_SET_FS:
        if (address >= mm::kUserEnd) return Errno(EPERM);
        t.fs_base = address;
        x86::wrfsbase(address);
        return u64(0);
    case ARCH_GET_FS: TRY(mm::copy_to_user(UserPtr<u64>(address), x86::rdfsbase())); return u64(0);
    case ARCH_SET_GS:
        if (address >= mm::kUserEnd) return Errno(EPERM);
        t.gs_base = address;
        x86::wrgsbase(address);
        return u64(0);
    case ARCH_GET_GS: TRY(mm::copy_to_user(UserPtr<u64>(address), x86::rdgsbase())); return u64(0);
    }
    return Errno(EINVAL);
}

SYSCALL_HANDLER(set_tid_address, u64 address) {
    current_thread().clear_child_tid = address;
    return u64(current_thread().tid());
}

SYSCALL_HANDLER(rseq, u64 area, u32 length, int flags, u32 signature) {
    return rseq::syscall(current_thread(), area, length, flags, signature);
}

SYSCALL_HANDLER(set_robust_list, u64 head, usize length) {
    if (length != 24) return Errno(EINVAL);
    current_thread().robust_list = head;
    return u64(0);
}

SYSCALL_HANDLER(get_robust_list, int tid, UserPtr<u64> head, UserPtr<usize> length) {
    Thread* thread = tid == 0 ? &current_thread() : nullptr;
    if (!thread)
        Process::for_each([&](Process& p) {
            if (Thread* t = p.find_thread(tid)) thread = t;
        });
    if (!thread || !thread->process) return Errno(ESRCH);
    // Linux asks for ptrace access to another process's thread: here, its
    // real uid or root.
    auto const& self = current_process().credentials();
    if (thread->process != &current_process() && self.euid != 0
        && self.uid != thread->process->credentials().uid)
        return Errno(EPERM);
    TRY(mm::copy_to_user(length, usize(24)));
    TRY(mm::copy_to_user(head, thread->robust_list));
    return u64(0);
}

SYSCALL_HANDLER(getrandom, UserPtr<u8> buffer, usize length, u32 flags) {
    if (flags & ~7u) return Errno(EINVAL);
    if (length > 33554431) length = 33554431;
    u8 chunk[256];
    for (usize done = 0; done < length;) {
        usize n = lib::min(length - done, sizeof(chunk));
        random::fill(chunk, n);
        TRY(mm::copy_to_user(buffer.address + done, chunk, n));
        done += n;
    }
    return length;
}

SYSCALL_HANDLER(sched_yield) {
    sched::yield();
    return u64(0);
}

// One CPU, one NUMA node. The third argument (a cache) is unused since 2.6.24.
SYSCALL_HANDLER(getcpu, UserPtr<u32> cpu, UserPtr<u32> node, u64) {
    if (!cpu.is_null()) TRY(mm::copy_to_user(cpu, u32(0)));
    if (!node.is_null()) TRY(mm::copy_to_user(node, u32(0)));
    return u64(0);
}

SYSCALL_HANDLER(sched_getaffinity, int pid, usize size, UserPtr<u8> mask) {
    if (pid && !Process::find(pid)) return Errno(ESRCH);
    if (size < 8 || (size & 7)) return Errno(EINVAL);
    u64 one = 1;
    TRY(mm::copy_to_user(mask.address, &one, sizeof(one)));
    return u64(8);
}

SYSCALL_HANDLER(sched_setaffinity, int pid, usize, UserPtr<u8>) {
    if (pid && !Process::find(pid)) return Errno(ESRCH);
    return u64(0);
}
