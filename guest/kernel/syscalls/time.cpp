// Time: clocks, sleeping, and futexes.
#include <kernel/proc/futex.h>
#include <kernel/sched/clock.h>
#include <kernel/sched/scheduler.h>
#include <kernel/syscalls/helpers.h>
#include <kernel/syscalls/timer_helpers.h>
#include <uapi/time.h>

namespace {

using UserTimespec = uapi::timespec;

enum Clock : int {
    CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
    CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
    CLOCK_REALTIME_ALARM = 8, CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11,
};

// Linux's CPU-clock ids, as clock_getcpuclockid and pthread_getcpuclockid
// make them: ~pid << 3 | per-thread << 2 | which (PROF user+system, VIRT
// user, SCHED run time; ours are all the run time). Pid 0 is the caller.
constexpr int kCpuClockVirt = 1, kCpuClockSched = 2, kCpuClockPerThread = 4; // PROF is 0

Result<Timespec> read_cpu_clock(int id) {
    int const which = id & 3;
    if (which > kCpuClockSched) return Errno(EINVAL);
    int const pid = ~(id >> 3);
    ResourceUsage times;
    if (id & kCpuClockPerThread) {
        // Only threads of the caller's own process (Linux: same_thread_group).
        Thread* thread = pid == 0 ? &current_thread() : current_process().find_thread(pid);
        if (!thread) return Errno(EINVAL);
        times = ResourceUsage::of(*thread);
    } else {
        // A process by its pid, or by the caller's own tid.
        Process* process = pid == 0 || pid == int(current_thread().tid()) ? &current_process() : Process::find(pid);
        if (!process) return Errno(EINVAL);
        times = process->usage();
    }
    return Timespec::from_ns(which == kCpuClockVirt ? times.user_ns : times.user_ns + times.system_ns);
}

Result<Timespec> read_clock(int id) {
    if (id < 0) return read_cpu_clock(id);
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI: return clock::realtime();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM: return clock::monotonic();
    case CLOCK_PROCESS_CPUTIME_ID: {
        ResourceUsage const t = current_process().usage();
        return Timespec::from_ns(t.user_ns + t.system_ns);
    }
    case CLOCK_THREAD_CPUTIME_ID: {
        ResourceUsage const t = ResourceUsage::of(current_thread());
        return Timespec::from_ns(t.user_ns + t.system_ns);
    }
    }
    return Errno(EINVAL);
}

Result<u64> read_timeout(UserPtr<UserTimespec> user) { return timespec_ns(TRY(mm::copy_from_user(user))); }

// Sleeps until the monotonic deadline; EINTR if a signal interrupts.
Result<void> sleep_until(u64 deadline) {
    WaitQueue never;
    auto waited = sched::wait_until(never, [] { return false; }, deadline ? deadline : 1);
    if (waited.is_error() && waited.error().code() == ETIMEDOUT) return {};
    return waited;
}

void write_remaining(UserPtr<UserTimespec> remaining, u64 deadline) {
    u64 const now = sched::now_ns(), left = deadline > now ? deadline - now : 0;
    // Linux reports EFAULT here too, but the sleep has ended either way.
    (void)mm::copy_to_user(remaining, UserTimespec { i64(left / 1000000000), i64(left % 1000000000) });
}

Result<u64> resume_sleep(Thread::RestartBlock const& block);

// A relative sleep (nanosleep, clock_nanosleep without TIMER_ABSTIME). When
// a signal interrupts it, the time left goes to `remaining`; if no handler
// runs (a stop and continue, an ignored signal) it resumes through
// restart_syscall toward the same deadline, as Linux's restart_block does.
Result<u64> sleep_relative(u64 deadline, UserPtr<UserTimespec> remaining) {
    if (!sleep_until(deadline).is_error()) return u64(0);
    if (!remaining.is_null()) write_remaining(remaining, deadline);
    Thread::RestartBlock& restart = current_thread().restart;
    restart = {};
    restart.resume = resume_sleep;
    restart.deadline_ns = deadline;
    restart.address = remaining.address;
    return Errno(ERESTART_RESTARTBLOCK);
}

Result<u64> resume_sleep(Thread::RestartBlock const& block) {
    return sleep_relative(block.deadline_ns, UserPtr<UserTimespec>(block.address));
}

Result<u64> resume_futex_wait(Thread::RestartBlock const& block);

// A futex wait: an untimed one restarts under SA_RESTART; a timed one
// fails with EINTR after any handler, else resumes toward the same deadline.
Result<u64> futex_wait(u64 address, futex::Scope scope, u32 value, u64 deadline, u32 bitset) {
    auto waited = futex::wait(address, scope, value, deadline, bitset);
    if (!waited.is_error()) return u64(0);
    if (waited.error().code() != EINTR) return waited.error();
    if (!deadline) return Errno(ERESTARTSYS);
    Thread::RestartBlock& restart = current_thread().restart;
    restart = {};
    restart.resume = resume_futex_wait;
    restart.deadline_ns = deadline;
    restart.address = address;
    restart.value = value;
    restart.bitset = bitset;
    restart.scope = u8(scope);
    return Errno(ERESTART_RESTARTBLOCK);
}

Result<u64> resume_futex_wait(Thread::RestartBlock const& block) {
    return futex_wait(block.address, futex::Scope(block.scope), block.value, block.deadline_ns, block.bitset);
}

} // namespace

SYSCALL_HANDLER(clock_gettime, int id, UserPtr<UserTimespec> out) {
    Timespec t = TRY(read_clock(id));
    TRY(mm::copy_to_user(out, UserTimespec { t.sec, t.nsec }));
    return u64(0);
}

SYSCALL_HANDLER(clock_getres, int id, UserPtr<UserTimespec> out) {
    TRY(read_clock(id));
    // The coarse clocks, and the sampled CPU clocks (PROF, VIRT), tick.
    bool const coarse = id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE
        || (id < 0 && (id & 3) != kCpuClockSched);
    UserTimespec resolution { 0, coarse ? i64(1000000000 / sched::kTickHz) : 1 };
    if (!out.is_null()) TRY(mm::copy_to_user(out, resolution));
    return u64(0);
}

namespace {

// Setting the wall clock, in Linux's order of checks (do_sys_settimeofday64):
// the time's validity, then root (CAP_SYS_TIME), then the time zone's. It
// moves the realtime clock and what hangs on it (timerfds armed at a
// wall-clock time). The time zone is not kept: nothing here uses it.
Result<u64> set_wall_clock(Timespec const* now, uapi::timezone const* zone) {
    if (now && (now->sec < 0 || now->nsec < 0 || now->nsec >= 1000000000)) return Errno(EINVAL);
    if (current_process().credentials().euid != 0) return Errno(EPERM);
    if (zone && (zone->tz_minuteswest < -15 * 60 || zone->tz_minuteswest > 15 * 60)) return Errno(EINVAL);
    if (now) clock::set_realtime(*now);
    return u64(0);
}

} // namespace

SYSCALL_HANDLER(clock_settime, int id, UserPtr<UserTimespec> in) {
    UserTimespec const t = TRY(mm::copy_from_user(in));
    if (id < 0) {
        TRY(read_cpu_clock(id));
        return Errno(EPERM); // a CPU clock by pid exists but can never be set
    }
    if (id != CLOCK_REALTIME) return Errno(EINVAL); // the only one that can be set
    Timespec const now { t.tv_sec, t.tv_nsec };
    return set_wall_clock(&now, nullptr);
}

SYSCALL_HANDLER(settimeofday, UserPtr<uapi::timeval> tv, UserPtr<uapi::timezone> tz) {
    Timespec now;
    uapi::timezone zone {};
    if (!tv.is_null()) {
        uapi::timeval const t = TRY(mm::copy_from_user(tv));
        if (t.tv_usec < 0 || t.tv_usec >= 1000000) return Errno(EINVAL);
        now = { t.tv_sec, t.tv_usec * 1000 };
    }
    if (!tz.is_null()) zone = TRY(mm::copy_from_user(tz));
    return set_wall_clock(tv.is_null() ? nullptr : &now, tz.is_null() ? nullptr : &zone);
}

SYSCALL_HANDLER(gettimeofday, UserPtr<i64> tv, UserPtr<i32> tz) {
    Timespec t = clock::realtime();
    if (!tv.is_null()) {
        i64 value[2] = { t.sec, t.nsec / 1000 };
        TRY(mm::copy_to_user(tv.address, value, sizeof(value)));
    }
    if (!tz.is_null()) {
        i32 zone[2] = { 0, 0 };
        TRY(mm::copy_to_user(tz.address, zone, sizeof(zone)));
    }
    return u64(0);
}

SYSCALL_HANDLER(time, UserPtr<i64> out) {
    i64 now = clock::realtime().sec;
    if (!out.is_null()) TRY(mm::copy_to_user(out, now));
    return u64(now);
}

SYSCALL_HANDLER(nanosleep, UserPtr<UserTimespec> request, UserPtr<UserTimespec> remaining) {
    u64 const duration = TRY(read_timeout(request));
    return sleep_relative(sched::now_ns() + duration, remaining);
}

SYSCALL_HANDLER(clock_nanosleep, int id, int flags, UserPtr<UserTimespec> request, UserPtr<UserTimespec> remaining) {
    constexpr int TIMER_ABSTIME = 1;
    if (id == CLOCK_THREAD_CPUTIME_ID || (id < 0 && (id & kCpuClockPerThread))) return Errno(EINVAL);
    TRY(read_clock(id));
    if (id == CLOCK_PROCESS_CPUTIME_ID || id < 0) return Errno(ENOTSUP);
    u64 const value = TRY(read_timeout(request));
    u64 const now = sched::now_ns();
    if (!(flags & TIMER_ABSTIME)) return sleep_relative(now + value, remaining);
    // An absolute sleep simply runs again if no handler interrupted it.
    u64 const clock_now = TRY(read_clock(id)).to_ns();
    if (sleep_until(value > clock_now ? now + (value - clock_now) : now).is_error()) return Errno(ERESTARTNOHAND);
    return u64(0);
}

SYSCALL_HANDLER(futex, u64 address, int op, u32 value, u64 timeout_or_value2, u64 address2, u32 value3) {
    constexpr int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAIT_BITSET = 9,
                  FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
    int const command = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    auto const scope = (op & FUTEX_PRIVATE_FLAG) ? futex::Scope::Private : futex::Scope::Shared;
    switch (command) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        u32 const bitset = command == FUTEX_WAIT ? futex::kBitsetMatchAny : value3;
        u64 deadline = 0;
        if (timeout_or_value2) {
            u64 t = TRY(read_timeout(UserPtr<UserTimespec>(timeout_or_value2)));
            if (command == FUTEX_WAIT) {
                deadline = sched::now_ns() + t;
            } else if (op & FUTEX_CLOCK_REALTIME) {
                u64 real = clock::realtime().to_ns();
                deadline = sched::now_ns() + (t > real ? t - real : 0);
            } else {
                deadline = t;
            }
            if (!deadline) deadline = 1;
        }
        return futex_wait(address, scope, value, deadline, bitset);
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
        u32 const bitset = command == FUTEX_WAKE ? futex::kBitsetMatchAny : value3;
        if (bitset == 0) return Errno(EINVAL);
        return futex::wake(address, scope, value, bitset);
    }
    case FUTEX_REQUEUE: return futex::requeue(address, scope, value, address2, u32(timeout_or_value2));
    case FUTEX_CMP_REQUEUE: {
        u32 current = TRY(mm::copy_from_user(UserPtr<u32>(address)));
        if (current != value3) return Errno(EAGAIN);
        return futex::requeue(address, scope, value, address2, u32(timeout_or_value2));
    }
    }
    return Errno(ENOSYS);
}
