#include <fs/vfs/vfs.h>
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/process.h>
#include <kernel/sched/scheduler.h>
#include <kernel/vm.h>

#include <new>

namespace {
int g_next_pid = 2; // 1 is init's
} // namespace

int allocate_pid() { return g_next_pid++; }

ProcessList& all_processes() {
    static ProcessList list;
    return list;
}

Process* Process::current() {
    Thread* t = this_cpu().current;
    return t ? t->process : nullptr;
}

Process* Process::find(int pid) {
    for (Process& p : all_processes())
        if (p.m_pid == pid) return &p;
    return nullptr;
}

Process* Process::init() { return find(1); }

int Process::ppid() const { return m_parent ? m_parent->m_pid : 0; }

void Process::set_name(StringView name) {
    usize n = lib::min(name.length(), kNameSize - 1);
    __builtin_memcpy(m_name, name.data(), n);
    m_name[n] = 0;
}

void Process::set_command_line(char const* data, usize length) {
    char* copy = static_cast<char*>(kmalloc(length ? length : 1));
    if (!copy) return; // /proc shows an empty command line; nothing else depends on it
    __builtin_memcpy(copy, data, length);
    kfree(m_cmdline);
    m_cmdline = copy;
    m_cmdline_length = length;
}

Process::~Process() { kfree(m_cmdline); }

Result<Process*> Process::create_init() {
    auto* p = new (std::nothrow) Process;
    if (!p) return Errno(ENOMEM);
    p->m_pid = 1;
    p->m_pgid = 1;
    p->m_sid = 1;
    p->set_name("init");
    auto space = TRY(mm::AddressSpace::create());
    p->m_space = TRY(try_make_ref<SharedAddressSpace>(static_cast<OwnPtr<mm::AddressSpace>&&>(space)));
    p->m_fds = TRY(FdTable::create());
    p->m_fs = TRY(try_make_ref<FsContext>());
    p->m_fs->root = vfs::root_custody();
    p->m_fs->cwd = vfs::root_custody();
    p->m_handlers = TRY(signals::Handlers::create());
    for (auto& limit : p->limits) limit = { ~0ull, ~0ull };
    p->limits[7] = { 1024, 4096 };              // RLIMIT_NOFILE
    p->limits[3] = { 8ull << 20, ~0ull };       // RLIMIT_STACK
    p->start_time_ns = sched::now_ns();
    all_processes().append(*p);
    return p;
}

Result<Process*> Process::clone(Thread& parent_thread, u64 flags, TrapFrame const& frame, Thread*& new_thread) {
    constexpr u64 CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
                  CLONE_PARENT = 0x8000;
    Process& parent = *parent_thread.process;
    auto* p = new (std::nothrow) Process;
    if (!p) return Errno(ENOMEM);
    OwnPtr<Process> guard(p); // deleted on failure below
    p->m_pgid = parent.m_pgid;
    p->m_sid = parent.m_sid;
    p->m_credentials = parent.m_credentials;
    __builtin_memcpy(p->m_name, parent.m_name, kNameSize);
    p->set_command_line(parent.m_cmdline, parent.m_cmdline_length);
    __builtin_memcpy(p->limits, parent.limits, sizeof(limits));
    if (flags & CLONE_VM) {
        p->m_space = parent.m_space;
    } else {
        auto space = TRY(parent.address_space().fork());
        p->m_space = TRY(try_make_ref<SharedAddressSpace>(static_cast<OwnPtr<mm::AddressSpace>&&>(space)));
    }
    p->m_fds = (flags & CLONE_FILES) ? parent.m_fds : TRY(parent.m_fds->clone());
    if (flags & CLONE_FS) {
        p->m_fs = parent.m_fs;
    } else {
        p->m_fs = TRY(try_make_ref<FsContext>());
        p->m_fs->root = parent.m_fs->root;
        p->m_fs->cwd = parent.m_fs->cwd;
        p->m_fs->umask = parent.m_fs->umask;
    }
    p->executable = parent.executable;
    p->m_handlers = (flags & CLONE_SIGHAND) ? parent.m_handlers : TRY(parent.m_handlers->clone());
    p->m_pid = allocate_pid();
    TrapFrame child_frame = frame;
    child_frame.rax = 0;
    Thread* thread = TRY(Thread::create_user(*p, child_frame, parent_thread.name(), nullptr, u32(p->m_pid)));
    // Copy the parent thread's user register state that is not in the frame.
    __builtin_memcpy(thread->fpu_state, parent_thread.fpu_state, fpu::state_size());
    thread->fs_base = parent_thread.fs_base;
    thread->gs_base = parent_thread.gs_base;
    thread->signal_mask = parent_thread.signal_mask;
    thread->altstack_sp = parent_thread.altstack_sp;
    thread->altstack_size = parent_thread.altstack_size;
    thread->altstack_disabled = parent_thread.altstack_disabled;
    thread->no_new_privs = parent_thread.no_new_privs;
    // A forked child runs the parent's code on a copy of its memory: the
    // registration stays valid there (Linux's rseq_fork); vfork's does not.
    if (!(flags & CLONE_VM)) thread->rseq = parent_thread.rseq;
    p->m_parent = (flags & CLONE_PARENT) && parent.m_parent ? parent.m_parent : &parent;
    p->m_parent->m_children.append(*p);
    p->start_time_ns = sched::now_ns();
    all_processes().append(*p);
    new_thread = thread;
    return guard.leak();
}

Process* Process::find_reaper() {
    for (Process* a = m_parent; a; a = a->m_parent)
        if (a->m_subreaper && !a->m_zombie && !a->m_exiting) return a;
    return init();
}

void Process::reparent_children() {
    // Init has no one to hand its children to: the VM ends with it.
    Process* reaper = m_pid == 1 ? nullptr : find_reaper();
    while (Process* child = m_children.take_first()) {
        child->m_parent = reaper;
        if (!reaper) continue;
        reaper->m_children.append(*child);
        if (child->m_zombie) {
            signals::Info info;
            info.signo = signals::SIGCHLD;
            info.code = signals::CLD_EXITED;
            info.pid = child->m_pid;
            signals::send_to_process(*reaper, info);
        }
        reaper->m_child_wait.wake_all();
    }
}

void Process::exit_group(int wait_status) {
    if (!m_exiting) {
        m_exiting = true;
        m_exit_status = wait_status;
    }
    // Every other thread leaves at its next return to user mode; waiting
    // threads wake with EINTR (current_has_pending_signal sees m_exiting).
    for (Thread& t : m_threads)
        if (&t != sched::current()) sched::make_runnable(t);
    m_stop_wait.wake_all();
}

ResourceUsage ResourceUsage::of(Thread const& thread) {
    u64 ticks_run = thread.runtime_ticks;
    if (&thread == this_cpu().current)
        ticks_run += debug_table::ticks_running(this_cpu().context_switches, x86::rdtsc());
    u64 const runtime = tsc::ticks_ns(ticks_run);
    u64 const ticks = u64(thread.user_ticks) + thread.system_ticks;
    // All user time if never sampled in the kernel (or never sampled at all),
    // as Linux's cputime_adjust() decides; else runtime * user_ticks / ticks
    // without a 128-bit product (no libgcc here): the remainder term fits
    // while the tick counts stay under 2^32.
    u64 const user = thread.system_ticks == 0
        ? runtime
        : runtime / ticks * thread.user_ticks + runtime % ticks * thread.user_ticks / ticks;
    return { user, runtime - user, thread.switches.voluntary, thread.switches.involuntary, thread.minor_faults };
}

ResourceUsage Process::usage() {
    ResourceUsage total = exited_threads_usage;
    for (Thread& t : m_threads) total += ResourceUsage::of(t);
    return total;
}

void Process::thread_exited(Thread& thread) {
    // Robust mutexes it holds pass to the next locker, even when the whole
    // process dies (the others may be in other processes).
    futex::release_robust_list(thread.robust_list, thread.tid());
    thread.robust_list = 0;
    // CLONE_CHILD_CLEARTID: zero the tid word and wake a futex waiter.
    if (thread.clear_child_tid && !m_exiting) {
        u32 zero = 0;
        if (!mm::copy_to_user(thread.clear_child_tid, &zero, sizeof(zero)).is_error())
            futex::wake(thread.clear_child_tid, futex::Scope::Shared, 1); // Linux: a shared-key wake
    }
    exited_threads_usage += ResourceUsage::of(thread);
    m_threads.remove(thread);
    thread.process = nullptr;
    m_thread_exit_wait.wake_all();
    if (m_threads.is_empty()) become_zombie();
}

void Process::become_zombie() {
    if (!m_exiting) {
        m_exiting = true;
        m_exit_status = 0;
    }
    // Release what a zombie does not need. The address space goes last and
    // only after leaving it: CR3 may point at it.
    posix_timers::delete_all(*this);
    m_fds->close_all();
    m_fds = nullptr;
    m_fs = nullptr;
    m_handlers = nullptr;
    mm::load_roots(mm::kernel_roots());
    m_space = nullptr;
    reparent_children();
    m_zombie = true;

    if (m_pid == 1) {
        int status = m_exit_status;
        u8 code = (status & 0x7f) ? u8(128 + (status & 0x7f)) : u8((status >> 8) & 0xff);
        log_info("init exited with wait status %#x", status);
        mark_phase(aramid::abi::Phase::ProgramExit);
        vm_exit(code);
    }
    Process* parent = m_parent;
    if (!parent) return;
    auto const& action = parent->m_handlers ? parent->m_handlers->actions[signals::SIGCHLD] : signals::Action {};
    if (action.handler == signals::kHandlerIgnore || (action.flags & signals::SA_NOCLDWAIT)) {
        reap(); // nobody will wait for it
        parent->m_child_wait.wake_all();
        return;
    }
    signals::Info info;
    info.signo = signals::SIGCHLD;
    int const status = m_exit_status;
    if (status & 0x7f) {
        info.code = (status & 0x80) ? signals::CLD_DUMPED : signals::CLD_KILLED;
        info.status = status & 0x7f;
    } else {
        info.code = signals::CLD_EXITED;
        info.status = (status >> 8) & 0xff;
    }
    info.pid = m_pid;
    info.uid = m_credentials.uid;
    signals::send_to_process(*parent, info);
    parent->m_child_wait.wake_all();
}

void Process::reap() {
    sched::cancel_timer(alarm_timer);
    if (m_parent) m_parent->m_children.remove(*this);
    all_processes().remove(*this);
    delete this;
}

void Process::arm_alarm() {
    sched::cancel_timer(alarm_timer);
    if (!alarm_deadline_ns) return;
    alarm_timer.deadline_ns = alarm_deadline_ns;
    alarm_timer.context = this;
    alarm_timer.fire = [](sched::Timer& timer) {
        auto* process = static_cast<Process*>(timer.context);
        // Disarmed until SIGALRM is taken, which re-arms a periodic timer
        // (alarm_signal_taken), as on Linux; getitimer reads 0 meanwhile.
        process->alarm_deadline_ns = 0;
        signals::Info info;
        info.signo = signals::SIGALRM;
        info.code = signals::SI_KERNEL;
        signals::send_to_process(*process, info);
    };
    sched::add_timer(alarm_timer);
}

void Process::alarm_signal_taken() {
    bool irqs = platform::irq_save();
    if (alarm_interval_ns && !alarm_deadline_ns && !alarm_timer.node.is_linked()) {
        // Periods missed meanwhile are dropped.
        sched::forward(alarm_timer.deadline_ns, alarm_interval_ns, sched::now_ns());
        alarm_deadline_ns = alarm_timer.deadline_ns;
        sched::add_timer(alarm_timer);
    }
    platform::irq_restore(irqs);
}

void Process::check_cpu_timers() {
    posix_timers::check_cpu_timers(*this);
    if (!virtual_timer.expires_ns && !prof_timer.expires_ns) return;
    ResourceUsage const used = usage();
    auto check = [&](CpuTimer& timer, u64 cpu_ns, int signo) {
        if (!timer.expires_ns || cpu_ns < timer.expires_ns) return;
        // Periods missed within one tick are dropped, as for ITIMER_REAL.
        timer.expires_ns = timer.interval_ns ? lib::max(timer.expires_ns + timer.interval_ns, cpu_ns + 1) : 0;
        signals::Info info;
        info.signo = signo;
        info.code = signals::SI_KERNEL;
        signals::send_to_process(*this, info);
    };
    check(virtual_timer, used.user_ns, signals::SIGVTALRM);
    check(prof_timer, used.user_ns + used.system_ns, signals::SIGPROF);
}

Result<void> Process::kill_other_threads(Thread& survivor) {
    for (Thread& t : m_threads) {
        if (&t == &survivor) continue;
        t.exit_requested = true;
        sched::make_runnable(t);
    }
    return sched::wait_until(m_thread_exit_wait, [&] { return m_threads.size() == 1; });
}

void Process::stop(int signal) {
    if (m_stopped) return;
    m_stopped = true;
    m_stop_signal = signal;
    stop_reported = false;
    if (m_parent) {
        auto const& action = m_parent->m_handlers ? m_parent->m_handlers->actions[signals::SIGCHLD] : signals::Action {};
        if (!(action.flags & signals::SA_NOCLDSTOP)) {
            signals::Info info;
            info.signo = signals::SIGCHLD;
            info.code = signals::CLD_STOPPED;
            info.status = signal;
            info.pid = m_pid;
            signals::send_to_process(*m_parent, info);
        }
        m_parent->m_child_wait.wake_all();
    }
}

void Process::resume() {
    if (!m_stopped) return;
    m_stopped = false;
    continue_reported = false;
    m_stop_wait.wake_all();
    if (m_parent) {
        auto const& action = m_parent->m_handlers ? m_parent->m_handlers->actions[signals::SIGCHLD] : signals::Action {};
        if (!(action.flags & signals::SA_NOCLDSTOP)) {
            signals::Info info;
            info.signo = signals::SIGCHLD;
            info.code = signals::CLD_CONTINUED;
            info.status = signals::SIGCONT;
            info.pid = m_pid;
            signals::send_to_process(*m_parent, info);
        }
        m_parent->m_child_wait.wake_all();
    }
}
