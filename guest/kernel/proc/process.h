// Process: a thread group with its address space, file descriptors,
// credentials, working directory and signal dispositions -- each of which
// clone() may share (CLONE_VM, CLONE_FILES, CLONE_FS, CLONE_SIGHAND).
//
// Lifetime: the process table owns every process. A process whose last
// thread exits becomes a zombie (its resources released) until its parent
// reaps it with wait4/waitid, or at once if the parent ignores SIGCHLD.
// Children of an exiting process go to the nearest subreaper ancestor, or
// to init (pid 1). When init exits, the VM exits with its status.
#pragma once

#include <fs/vfs/credentials.h>
#include <fs/vfs/custody.h>
#include <kernel/mm/address_space.h>
#include <kernel/proc/fd_table.h>
#include <kernel/proc/posix_timers.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait_queue.h>
#include <lib/intrusive_list.h>

// A refcounted handle on an address space, for CLONE_VM sharing.
class SharedAddressSpace : public RefCounted<SharedAddressSpace> {
public:
    explicit SharedAddressSpace(OwnPtr<mm::AddressSpace> space) : m_space(static_cast<OwnPtr<mm::AddressSpace>&&>(space)) { }
    mm::AddressSpace& get() { return *m_space; }

private:
    OwnPtr<mm::AddressSpace> m_space;
};

// Working directory and root (CLONE_FS shares them), with the umask.
class FsContext : public RefCounted<FsContext> {
public:
    RefPtr<Custody> root;
    RefPtr<Custody> cwd;
    u32 umask { 022 };
};

struct ResourceLimit {
    u64 current;
    u64 maximum;
};

// What getrusage(2) reports: CPU time and context switches.
struct ResourceUsage {
    u64 user_ns { 0 };
    u64 system_ns { 0 };
    u64 voluntary_switches { 0 };
    u64 involuntary_switches { 0 };
    u64 minor_faults { 0 };
    ResourceUsage& operator+=(ResourceUsage const& other) {
        user_ns += other.user_ns;
        system_ns += other.system_ns;
        voluntary_switches += other.voluntary_switches;
        involuntary_switches += other.involuntary_switches;
        minor_faults += other.minor_faults;
        return *this;
    }
    // A thread's: its run time so far, split as its ticks were, and its
    // switches.
    static ResourceUsage of(Thread const& thread);
};

class Process {
public:
    static constexpr usize kNameSize = 16;

    int pid() const { return m_pid; }
    int ppid() const;
    int pgid() const { return m_pgid; }
    int sid() const { return m_sid; }
    Process* parent() const { return m_parent; }
    char const* name() const { return m_name; }
    void set_name(StringView name);

    Credentials& credentials() { return m_credentials; }
    mm::AddressSpace& address_space() { return m_space->get(); }
    RefPtr<SharedAddressSpace> shared_address_space() { return m_space; }
    void set_address_space(RefPtr<SharedAddressSpace> space) { m_space = space; }
    FdTable& fds() { return *m_fds; }
    FsContext& fs() { return *m_fs; }
    signals::Handlers& signal_handlers() { return *m_handlers; }

    // The command line as exec saw it (NUL-separated), for /proc.
    StringView command_line() const { return StringView(m_cmdline, m_cmdline_length); }
    void set_command_line(char const* data, usize length);

    // ---- process tree and groups
    Result<void> set_pgid(int pgid) {
        m_pgid = pgid;
        return {};
    }
    void set_session(int sid) { m_sid = m_pgid = sid; }
    bool is_subreaper() const { return m_subreaper; }
    void set_subreaper(bool value) { m_subreaper = value; }

    // ---- state
    bool is_zombie() const { return m_zombie; }
    // The wait status (as wait4 encodes it) of a zombie.
    int exit_status() const { return m_exit_status; }
    bool exiting() const { return m_exiting; }
    // Stops: job control.
    bool stopped() const { return m_stopped; }
    int stop_signal() const { return m_stop_signal; }
    // Events a parent may wait for besides exit.
    bool stop_reported { true };
    bool continue_reported { true };

    // Children changes and SIGCHLD wake this queue (wait4 sleeps on it).
    WaitQueue& child_wait() { return m_child_wait; }
    // Job-control stop/continue wake threads stopped here.
    WaitQueue& stop_wait() { return m_stop_wait; }

    template<typename F>
    void for_each_thread(F f) {
        for (Thread& t : m_threads) f(t);
    }
    template<typename F>
    void for_each_child(F f) {
        for (Process& p : m_children) f(p);
    }
    usize thread_count() const { return m_threads.size(); }
    Thread* main_thread() { return m_threads.first(); }
    // Its live thread with this tid, if any.
    Thread* find_thread(int tid) {
        for (Thread& t : m_threads)
            if (int(t.tid()) == tid) return &t;
        return nullptr;
    }

    ResourceLimit limits[16];
    signals::PendingSignals pending; // process-directed
    u64 start_time_ns { 0 };
    u64 alarm_deadline_ns { 0 };
    u64 alarm_interval_ns { 0 };  // ITIMER_REAL's it_interval: re-armed by this much
    sched::Timer alarm_timer;    // ITIMER_REAL / alarm(): SIGALRM when it fires
    // Re-arms alarm_timer for alarm_deadline_ns (0 cancels).
    void arm_alarm();
    // SIGALRM was taken: a periodic ITIMER_REAL that fired runs again.
    void alarm_signal_taken();
    // ITIMER_VIRTUAL and ITIMER_PROF: due when the process's user (or user
    // plus system) CPU time reaches expires_ns (0: disarmed). The timer tick
    // checks them for the process it interrupted, so they fire within a tick
    // of CPU time, never early.
    struct CpuTimer {
        u64 expires_ns { 0 };
        u64 interval_ns { 0 };
    };
    CpuTimer virtual_timer, prof_timer;
    void check_cpu_timers();
    posix_timers::List posix_timers; // timer_create(2)'s, owned
    int next_timer_id { 0 };
    // CPU time of the live threads plus those that exited (getrusage
    // RUSAGE_SELF, times, /proc/<pid>/stat), and of the children waited for
    // (RUSAGE_CHILDREN, and their own children in turn).
    ResourceUsage usage();
    ResourceUsage exited_threads_usage;
    ResourceUsage children_usage;
    // The ELF file the process runs (a script's interpreter): /proc/<pid>/exe.
    RefPtr<Custody> executable;

    // execve succeeded: counts, and wakes a vfork parent.
    void note_exec() {
        m_exec_count++;
        if (m_parent) m_parent->m_child_wait.wake_all();
    }
    u32 exec_count() const { return m_exec_count; }

    // ---- lifecycle (process.cpp)
    // Creates pid 1 with no threads, on the root file system.
    static Result<Process*> create_init();
    // fork/vfork/clone without CLONE_THREAD: a new process whose first
    // thread starts from `frame` (rax = 0).
    static Result<Process*> clone(Thread& parent_thread, u64 flags, TrapFrame const& frame, Thread*& new_thread);
    // Terminates the whole group with `wait_status` (exit_group, fatal
    // signals). Returns only to let the current thread unwind to user return.
    void exit_group(int wait_status);
    // Called by each thread as it leaves: the last one makes the zombie.
    void thread_exited(Thread& thread);
    // execve from `survivor`: every other thread exits first (Linux's
    // de_thread). Returns EINTR if the survivor is killed meanwhile.
    Result<void> kill_other_threads(Thread& survivor);
    // Job control.
    void stop(int signal);
    void resume();
    // Removes a reaped zombie from the table and deletes it.
    void reap();

    // ---- the process table
    static Process* find(int pid);
    static Process* init();
    template<typename F>
    static void for_each(F f);
    IntrusiveListNode m_table_node;
    IntrusiveListNode m_sibling_node;

    ~Process();

private:
    friend class Thread;
    Process() = default;
    void become_zombie();
    void reparent_children();
    Process* find_reaper();

    int m_pid { 0 };
    int m_pgid { 0 };
    int m_sid { 0 };
    Process* m_parent { nullptr };
    char m_name[kNameSize] {};
    char* m_cmdline { nullptr };
    usize m_cmdline_length { 0 };
    Credentials m_credentials;
    RefPtr<SharedAddressSpace> m_space;
    RefPtr<FdTable> m_fds;
    RefPtr<FsContext> m_fs;
    RefPtr<signals::Handlers> m_handlers;
    IntrusiveList<Thread, &Thread::m_process_node> m_threads;
    IntrusiveList<Process, &Process::m_sibling_node> m_children;
    WaitQueue m_child_wait;
    WaitQueue m_stop_wait;
    WaitQueue m_thread_exit_wait;
    bool m_zombie { false };
    bool m_exiting { false };
    bool m_stopped { false };
    bool m_subreaper { false };
    int m_stop_signal { 0 };
    int m_exit_status { 0 };
    u32 m_exec_count { 0 };

public:
    // The process the current thread belongs to (null for kernel threads).
    static Process* current();
    IntrusiveList<Thread, &Thread::m_process_node>& threads() { return m_threads; }
    void add_thread(Thread& thread) { m_threads.append(thread); }
};

using ProcessList = IntrusiveList<Process, &Process::m_table_node>;
// Pids and tids come from one counter, as on Linux; pid 1 is init's.
int allocate_pid();
ProcessList& all_processes();

template<typename F>
void Process::for_each(F f) {
    for (Process& p : all_processes()) f(p);
}

// Wait-status encodings (as <sys/wait.h> decodes them).
inline int wait_status_exited(int code) { return (code & 0xff) << 8; }
inline int wait_status_signaled(int signal, bool core) { return (signal & 0x7f) | (core ? 0x80 : 0); }
inline int wait_status_stopped(int signal) { return ((signal & 0xff) << 8) | 0x7f; }
inline constexpr int kWaitStatusContinued = 0xffff;
