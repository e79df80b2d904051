// timerfd_create, timerfd_settime, timerfd_gettime: a timer read as a file
// (timerfd_create(2)). Each timerfd is a scheduler timer whose expiries are
// counted for read(2) and poll; a periodic one counts every period that
// passed, as Linux does, even if nobody read in between (it is re-armed at
// the read, with the periods it missed counted).
#include <kernel/proc/process.h>
#include <kernel/sched/scheduler.h>
#include <kernel/syscalls/timerfd.h>
#include <kernel/syscalls/helpers.h>
#include <kernel/syscalls/timer_helpers.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/sched/wait_queue.h>
#include <lib/format.h>
#include <lib/intrusive_list.h>
#include <new>
#include <uapi/time.h>

namespace {

constexpr u32 TFD_TIMER_ABSTIME = 1, TFD_TIMER_CANCEL_ON_SET = 2;

class TimerFd final : public File {
public:
    // Open for reading and writing, as Linux's F_GETFL shows; a write is
    // EINVAL (File's default).
    TimerFd(int clock, u32 flags)
        : File(vfs::kReadWrite | flags), m_realtime(timer_clock::is_wall_clock(clock)) {
        m_timer.context = this;
        m_timer.fire = [](sched::Timer& timer) { static_cast<TimerFd*>(timer.context)->expired(); };
    }
    ~TimerFd() override;
    FileKind kind() const override { return FileKind::TimerFd; }

    Result<usize> read(IoBuffer buffer, usize length) override {
        if (length < 8) return Errno(EINVAL);
        bool irqs = platform::irq_save();
        if (m_expirations == 0 && !m_cancelled) {
            if (non_blocking()) {
                platform::irq_restore(irqs);
                return Errno(EAGAIN);
            }
            platform::irq_restore(irqs);
            auto waited = sched::wait_until(m_queue, [&] { return m_expirations > 0 || m_cancelled; });
            if (waited.is_error()) return Errno(ERESTARTSYS);
            irqs = platform::irq_save();
        }
        bool const cancelled = m_cancelled;
        u64 value = m_expirations;
        m_cancelled = false;
        m_expirations = 0;
        // A periodic timer that fired is re-armed now, its missed periods
        // counted (see sched::forward).
        if (value && m_interval_ns && !m_timer.node.is_linked()) {
            u64 const before = m_timer.deadline_ns;
            value += sched::forward(m_timer.deadline_ns, m_interval_ns, sched::now_ns());
            if (m_wall_deadline_ns) m_wall_deadline_ns += m_timer.deadline_ns - before;
            sched::add_timer(m_timer);
        }
        platform::irq_restore(irqs);
        if (cancelled) return Errno(ECANCELED);
        TRY(buffer.write(0, &value, 8));
        return usize(8);
    }
    u32 poll_events() override { return m_expirations || m_cancelled ? vfs::kPollIn | vfs::kPollReadNormal : 0; }
    WaitQueue* wait_queue() override { return &m_queue; }
    void describe(char* buffer, usize size) override { lib::format_to(buffer, size, "anon_inode:[timerfd]"); }

    // The time left and the interval, as timerfd_gettime(2) reports them.
    uapi::itimerspec current() {
        bool irqs = platform::irq_save();
        u64 const now = sched::now_ns();
        u64 left = 0;
        if (m_timer.node.is_linked()) {
            left = m_timer.deadline_ns > now ? m_timer.deadline_ns - now : 1;
        } else if (m_interval_ns) { // fired, re-armed at the next read
            u64 next = m_timer.deadline_ns;
            sched::forward(next, m_interval_ns, now);
            left = next - now;
        }
        uapi::itimerspec value { ns_timespec(m_interval_ns), ns_timespec(left) };
        platform::irq_restore(irqs);
        return value;
    }

    // `value` is relative, or an absolute time of this timer's clock.
    void arm(u64 value_ns, u64 interval_ns, bool absolute, bool cancel_on_set) {
        bool irqs = platform::irq_save();
        disarm();
        m_expirations = 0;
        m_cancelled = false;
        m_interval_ns = interval_ns;
        if (value_ns) {
            u64 const now = sched::now_ns();
            m_wall_deadline_ns = absolute && m_realtime ? value_ns : 0;
            m_cancel_on_set = m_wall_deadline_ns && cancel_on_set;
            if (!absolute) m_timer.deadline_ns = now + value_ns;
            else m_timer.deadline_ns = m_realtime ? wall_to_monotonic(value_ns, now) : value_ns;
            if (m_wall_deadline_ns) add_wall_timer(*this);
            sched::add_timer(m_timer);
        } else {
            m_interval_ns = 0;
        }
        platform::irq_restore(irqs);
    }

    // The wall clock was set: an absolute wall-clock timer moves to the new
    // time, and one armed with TFD_TIMER_CANCEL_ON_SET also becomes readable
    // and its next read fails with ECANCELED (it stays armed, as on Linux).
    // Interrupts disabled.
    void clock_was_set() {
        bool const waiting = m_timer.node.is_linked(); // not a fired periodic timer awaiting its read
        sched::cancel_timer(m_timer);
        m_timer.deadline_ns = wall_to_monotonic(m_wall_deadline_ns, sched::now_ns());
        if (waiting) sched::add_timer(m_timer);
        if (m_cancel_on_set) {
            m_cancelled = true;
            m_queue.wake_all();
        }
    }

    IntrusiveListNode m_wall_node;

private:
    void disarm();
    static void add_wall_timer(TimerFd& timer);

    // In interrupt context. A periodic timer stays stopped until read.
    void expired() {
        m_expirations++;
        if (!m_interval_ns && m_wall_deadline_ns) disarm();
        m_queue.wake_all();
    }

    bool m_realtime;
    sched::Timer m_timer;
    u64 m_interval_ns { 0 };
    u64 m_expirations { 0 };
    u64 m_wall_deadline_ns { 0 }; // armed at this wall-clock time (0: not a wall-clock timer)
    bool m_cancel_on_set { false };
    bool m_cancelled { false };
    WaitQueue m_queue;
};

// Timers armed at an absolute wall-clock time: when the clock is set, they
// move (and those asked to are cancelled). Interrupts disabled.
IntrusiveList<TimerFd, &TimerFd::m_wall_node> g_wall_timers;

TimerFd::~TimerFd() { disarm(); }

void TimerFd::disarm() {
    bool irqs = platform::irq_save();
    sched::cancel_timer(m_timer);
    if (m_wall_node.is_linked()) g_wall_timers.remove(*this);
    m_wall_deadline_ns = 0;
    m_cancel_on_set = false;
    platform::irq_restore(irqs);
}

void TimerFd::add_wall_timer(TimerFd& timer) { g_wall_timers.append(timer); }

Result<TimerFd*> timerfd_for(int fd) {
    auto file = TRY(file_for(fd));
    if (file->kind() != FileKind::TimerFd) return Errno(EINVAL);
    return static_cast<TimerFd*>(file.ptr()); // the descriptor keeps it alive during the call
}

} // namespace

namespace timerfd {

void clock_was_set() {
    bool irqs = platform::irq_save();
    for (TimerFd& t : g_wall_timers) t.clock_was_set(); // neither leaves the list
    platform::irq_restore(irqs);
}

} // namespace timerfd

SYSCALL_HANDLER(timerfd_create, int clock, u32 flags) {
    if (flags & ~(vfs::kCloseOnExec | vfs::kNonBlocking)) return Errno(EINVAL);
    TRY(timer_clock::check(clock));
    auto* f = new (std::nothrow) TimerFd(clock, flags & vfs::kNonBlocking);
    if (!f) return Errno(ENOMEM);
    return TRY(current_process().fds().allocate(RefPtr<File>::adopt(f), flags & vfs::kCloseOnExec));
}

SYSCALL_HANDLER(timerfd_settime, int fd, u32 flags, UserPtr<uapi::itimerspec> in, UserPtr<uapi::itimerspec> out) {
    TimerFd* timer = TRY(timerfd_for(fd));
    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) return Errno(EINVAL);
    uapi::itimerspec const value = TRY(mm::copy_from_user(in));
    u64 const initial = TRY(timespec_ns(value.it_value));
    u64 const interval = TRY(timespec_ns(value.it_interval));
    if (!out.is_null()) TRY(mm::copy_to_user(out, timer->current()));
    timer->arm(initial, interval, flags & TFD_TIMER_ABSTIME,
               (flags & (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) == (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET));
    return u64(0);
}

SYSCALL_HANDLER(timerfd_gettime, int fd, UserPtr<uapi::itimerspec> out) {
    TimerFd* timer = TRY(timerfd_for(fd));
    TRY(mm::copy_to_user(out, timer->current()));
    return u64(0);
}
