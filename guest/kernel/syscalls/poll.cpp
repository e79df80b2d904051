// Readiness: poll, ppoll, select, pselect6, epoll, and eventfd.
#include <kernel/sched/scheduler.h>
#include <kernel/sched/wait_queue.h>
#include <kernel/syscalls/helpers.h>
#include <uapi/time.h>
#include <uapi/epoll.h>
#include <uapi/poll.h>
#include <lib/format.h>
#include <lib/vector.h>

#include <new>

namespace {

using PollFd = uapi::pollfd;

using UserTimespec = uapi::timespec;

constexpr u32 kAlwaysReported = vfs::kPollError | vfs::kPollHangup | vfs::kPollInvalid;
constexpr usize kMaxPollFds = 4096;

// Waits on every file's queue until ready() says so; returns EINTR or
// ETIMEDOUT like wait_until. `deadline` 0 waits forever.
template<typename Ready>
Result<void> wait_for_files(RefPtr<File>* files, usize count, Ready ready, u64 deadline) {
    auto** queues = static_cast<WaitQueue**>(kzalloc(sizeof(WaitQueue*) * (count ? count : 1)));
    auto* waiters = static_cast<Waiter*>(kzalloc(sizeof(Waiter) * (count ? count : 1)));
    if (!queues || !waiters) {
        kfree(queues);
        kfree(waiters);
        return Errno(ENOMEM);
    }
    for (usize i = 0; i < count; i++) {
        new (&waiters[i]) Waiter;
        queues[i] = files[i] ? files[i]->wait_queue() : nullptr;
        for (usize j = 0; j < i; j++)
            if (queues[j] == queues[i]) queues[i] = nullptr; // one waiter per queue
    }
    auto result = sched::wait_until_any(queues, waiters, count, ready, deadline);
    kfree(queues);
    kfree(waiters);
    return result;
}

Result<u64> deadline_from_timespec(UserPtr<UserTimespec> timeout, bool& infinite) {
    infinite = timeout.is_null();
    if (infinite) return u64(0);
    UserTimespec t = TRY(mm::copy_from_user(timeout));
    if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000) return Errno(EINVAL);
    return sched::now_ns() + u64(t.tv_sec) * 1000000000 + u64(t.tv_nsec);
}

Result<u64> do_poll(UserPtr<PollFd> user_fds, u64 count, u64 deadline, bool infinite, bool zero_timeout) {
    if (count > kMaxPollFds) return Errno(EINVAL);
    auto* fds = static_cast<PollFd*>(kmalloc(sizeof(PollFd) * (count ? count : 1)));
    auto* files = static_cast<RefPtr<File>*>(kzalloc(sizeof(RefPtr<File>) * (count ? count : 1)));
    if (!fds || !files) {
        kfree(fds);
        kfree(files);
        return Errno(ENOMEM);
    }
    auto release = [&] {
        for (u64 i = 0; i < count; i++) files[i].~RefPtr<File>();
        kfree(files);
        kfree(fds);
    };
    if (mm::copy_from_user(fds, user_fds.address, sizeof(PollFd) * count).is_error()) {
        release();
        return Errno(EFAULT);
    }
    for (u64 i = 0; i < count; i++) {
        new (&files[i]) RefPtr<File>();
        if (fds[i].fd >= 0) {
            auto f = current_process().fds().get(fds[i].fd);
            if (!f.is_error()) files[i] = f.release_value();
        }
    }
    u64 ready = 0;
    auto scan = [&] {
        ready = 0;
        for (u64 i = 0; i < count; i++) {
            if (fds[i].fd < 0) {
                fds[i].revents = 0;
                continue;
            }
            if (!files[i]) {
                fds[i].revents = i16(vfs::kPollInvalid);
                ready++;
                continue;
            }
            u32 events = files[i]->poll_events() & (u32(u16(fds[i].events)) | kAlwaysReported);
            fds[i].revents = i16(events);
            if (events) ready++;
        }
        return ready > 0;
    };
    Result<void> waited;
    if (!scan() && !zero_timeout) waited = wait_for_files(files, count, scan, infinite ? 0 : (deadline ? deadline : 1));
    Result<u64> result = ready;
    if (waited.is_error() && waited.error().code() == EINTR) result = Errno(EINTR);
    else if (mm::copy_to_user(user_fds.address, fds, sizeof(PollFd) * count).is_error()) result = Errno(EFAULT);
    release();
    return result;
}

// ppoll/pselect: install a temporary signal mask until the return to user.
Result<void> swap_mask(UserPtr<u64> set, usize size) {
    if (set.is_null()) return {};
    if (size != 8) return Errno(EINVAL);
    u64 mask = TRY(mm::copy_from_user(set));
    Thread& t = current_thread();
    t.saved_mask = t.signal_mask;
    t.restore_saved_mask = true;
    t.signal_mask = mask & ~signals::kUnblockable;
    return {};
}

} // namespace

SYSCALL_HANDLER(poll, UserPtr<PollFd> fds, u64 count, int timeout_ms) {
    bool const infinite = timeout_ms < 0;
    u64 deadline = infinite ? 0 : sched::now_ns() + u64(timeout_ms) * 1000000;
    return do_poll(fds, count, deadline, infinite, timeout_ms == 0);
}

SYSCALL_HANDLER(ppoll, UserPtr<PollFd> fds, u64 count, UserPtr<UserTimespec> timeout, UserPtr<u64> mask, usize size) {
    bool infinite;
    u64 deadline = TRY(deadline_from_timespec(timeout, infinite));
    bool zero = !infinite && deadline <= sched::now_ns();
    TRY(swap_mask(mask, size));
    return do_poll(fds, count, deadline, infinite, zero);
}

namespace {

Result<u64> do_select(int nfds, UserPtr<u64> read_set, UserPtr<u64> write_set, UserPtr<u64> except_set, u64 deadline,
                      bool infinite, bool zero) {
    if (nfds < 0 || nfds > 1024) return Errno(EINVAL);
    u64 sets[3][16] = {};
    UserPtr<u64> const user_sets[3] = { read_set, write_set, except_set };
    usize const bytes = usize((nfds + 63) / 64) * 8;
    for (int s = 0; s < 3; s++)
        if (!user_sets[s].is_null()) TRY(mm::copy_from_user(sets[s], user_sets[s].address, bytes));
    // As poll: build the list of descriptors of interest.
    usize count = 0;
    for (int fd = 0; fd < nfds; fd++)
        if ((sets[0][fd / 64] | sets[1][fd / 64] | sets[2][fd / 64]) & (1ull << (fd % 64))) count++;
    auto* files = static_cast<RefPtr<File>*>(kzalloc(sizeof(RefPtr<File>) * (count ? count : 1)));
    auto* numbers = static_cast<int*>(kmalloc(sizeof(int) * (count ? count : 1)));
    if (!files || !numbers) {
        kfree(files);
        kfree(numbers);
        return Errno(ENOMEM);
    }
    usize k = 0;
    Result<u64> result = u64(0);
    for (int fd = 0; fd < nfds; fd++) {
        if (!((sets[0][fd / 64] | sets[1][fd / 64] | sets[2][fd / 64]) & (1ull << (fd % 64)))) continue;
        new (&files[k]) RefPtr<File>();
        auto f = current_process().fds().get(fd);
        if (f.is_error()) result = Errno(EBADF);
        else files[k] = f.release_value();
        numbers[k++] = fd;
    }
    u64 out[3][16];
    u64 ready = 0;
    auto scan = [&] {
        __builtin_memset(out, 0, sizeof(out));
        ready = 0;
        for (usize i = 0; i < count; i++) {
            int fd = numbers[i];
            u32 events = files[i]->poll_events();
            u64 bit = 1ull << (fd % 64);
            if ((sets[0][fd / 64] & bit) && (events & (vfs::kPollIn | vfs::kPollHangup | vfs::kPollError))) out[0][fd / 64] |= bit, ready++;
            if ((sets[1][fd / 64] & bit) && (events & (vfs::kPollOut | vfs::kPollError))) out[1][fd / 64] |= bit, ready++;
            if ((sets[2][fd / 64] & bit) && (events & vfs::kPollPri)) out[2][fd / 64] |= bit, ready++;
        }
        return ready > 0;
    };
    if (!result.is_error()) {
        Result<void> waited;
        if (!scan() && !zero) waited = wait_for_files(files, count, scan, infinite ? 0 : (deadline ? deadline : 1));
        if (waited.is_error() && waited.error().code() == EINTR) result = Errno(EINTR);
        else {
            result = ready;
            for (int s = 0; s < 3; s++)
                if (!user_sets[s].is_null() && mm::copy_to_user(user_sets[s].address, out[s], bytes).is_error())
                    result = Errno(EFAULT);
        }
    }
    for (usize i = 0; i < k; i++) files[i].~RefPtr<File>();
    kfree(files);
    kfree(numbers);
    return result;
}

} // namespace

SYSCALL_HANDLER(select, int nfds, UserPtr<u64> r, UserPtr<u64> w, UserPtr<u64> e, UserPtr<i64> timeout) {
    bool infinite = timeout.is_null();
    u64 deadline = 0;
    bool zero = false;
    if (!infinite) {
        i64 tv[2];
        TRY(mm::copy_from_user(tv, timeout.address, sizeof(tv)));
        if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000) return Errno(EINVAL);
        u64 duration = u64(tv[0]) * 1000000000 + u64(tv[1]) * 1000;
        zero = duration == 0;
        deadline = sched::now_ns() + duration;
    }
    auto result = do_select(nfds, r, w, e, deadline, infinite, zero);
    if (!infinite) {
        u64 now = sched::now_ns(), left = deadline > now ? deadline - now : 0;
        i64 tv[2] = { i64(left / 1000000000), i64(left / 1000 % 1000000) };
        (void)mm::copy_to_user(timeout.address, tv, sizeof(tv)); // Linux updates it
    }
    return result;
}

SYSCALL_HANDLER(pselect6, int nfds, UserPtr<u64> r, UserPtr<u64> w, UserPtr<u64> e, UserPtr<UserTimespec> timeout,
                UserPtr<u64> mask_argument) {
    bool infinite;
    u64 deadline = TRY(deadline_from_timespec(timeout, infinite));
    bool zero = !infinite && deadline <= sched::now_ns();
    if (!mask_argument.is_null()) {
        u64 pair[2]; // { const sigset_t* ss; size_t ss_len; }
        TRY(mm::copy_from_user(pair, mask_argument.address, sizeof(pair)));
        TRY(swap_mask(UserPtr<u64>(pair[0]), usize(pair[1])));
    }
    return do_select(nfds, r, w, e, deadline, infinite, zero);
}

// ---- eventfd ---------------------------------------------------------------------

namespace {

class EventFd final : public File {
public:
    EventFd(u64 initial, bool semaphore, u32 flags) : File(flags), m_counter(initial), m_semaphore(semaphore) { }
    Result<usize> read(IoBuffer buffer, usize length) override {
        if (length < 8) return Errno(EINVAL);
        if (m_counter == 0) {
            if (non_blocking()) return Errno(EAGAIN);
            auto waited = sched::wait_until(m_queue, [&] { return m_counter > 0; });
            if (waited.is_error()) return Errno(ERESTARTSYS);
        }
        u64 value = m_semaphore ? 1 : m_counter;
        TRY(buffer.write(0, &value, 8));
        m_counter -= value;
        m_queue.wake_all();
        return usize(8);
    }
    Result<usize> write(IoBuffer buffer, usize length) override {
        if (length < 8) return Errno(EINVAL);
        u64 value;
        TRY(buffer.read(0, &value, 8));
        if (value == ~0ull) return Errno(EINVAL);
        constexpr u64 kMax = ~0ull - 1;
        if (kMax - m_counter < value) {
            if (non_blocking()) return Errno(EAGAIN);
            auto waited = sched::wait_until(m_queue, [&] { return kMax - m_counter >= value; });
            if (waited.is_error()) return Errno(ERESTARTSYS);
        }
        m_counter += value;
        m_queue.wake_all();
        return usize(8);
    }
    u32 poll_events() override {
        u32 events = 0;
        if (m_counter > 0) events |= vfs::kPollIn | vfs::kPollReadNormal;
        if (m_counter < ~0ull - 1) events |= vfs::kPollOut | vfs::kPollWriteNormal;
        return events;
    }
    WaitQueue* wait_queue() override { return &m_queue; }
    void describe(char* buffer, usize size) override { lib::format_to(buffer, size, "anon_inode:[eventfd]"); }

private:
    u64 m_counter;
    bool m_semaphore;
    WaitQueue m_queue;
};

Result<u64> make_eventfd(u32 initial, u32 flags) {
    constexpr u32 EFD_SEMAPHORE = 1;
    if (flags & ~(EFD_SEMAPHORE | vfs::kCloseOnExec | vfs::kNonBlocking)) return Errno(EINVAL);
    auto* f = new (std::nothrow) EventFd(initial, flags & EFD_SEMAPHORE, vfs::kReadWrite | (flags & vfs::kNonBlocking));
    if (!f) return Errno(ENOMEM);
    return TRY(current_process().fds().allocate(RefPtr<File>::adopt(f), flags & vfs::kCloseOnExec));
}

} // namespace

SYSCALL_HANDLER(eventfd, u32 initial) { return make_eventfd(initial, 0); }
SYSCALL_HANDLER(eventfd2, u32 initial, u32 flags) { return make_eventfd(initial, flags); }

// ---- epoll -----------------------------------------------------------------------

namespace {

using EpollEvent = uapi::epoll_event;

constexpr u32 EPOLLIN = 1, EPOLLPRI = 2, EPOLLOUT = 4, EPOLLERR = 8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000,
              EPOLLEXCLUSIVE = 1u << 28, EPOLLWAKEUP = 1u << 29, EPOLLONESHOT = 1u << 30, EPOLLET = 1u << 31;
constexpr int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;

class Epoll final : public File {
public:
    explicit Epoll(u32 flags) : File(vfs::kReadWrite | flags) { }
    FileKind kind() const override { return FileKind::Epoll; }
    u32 poll_events() override { return 0; } // epoll inside epoll/poll is not supported yet
    void describe(char* buffer, usize size) override { lib::format_to(buffer, size, "anon_inode:[eventpoll]"); }

    struct Interest {
        int fd;
        RefPtr<File> file;
        u32 events;
        u64 data;
        u64 seen_generation;
        bool disabled;
    };
    Vector<Interest> interests;

    // Linux drops an interest when its file is closed everywhere: here, when
    // the interest holds the only reference left.
    void forget_closed() {
        for (usize i = interests.size(); i > 0; i--)
            if (interests[i - 1].file->ref_count() == 1) interests.remove(i - 1);
    }
    Interest* find(int fd, File* file) {
        for (auto& interest : interests)
            if (interest.fd == fd && interest.file.ptr() == file) return &interest;
        return nullptr;
    }
};

Result<Epoll*> epoll_for(int fd) {
    auto file = TRY(file_for(fd));
    if (file->kind() != FileKind::Epoll) return Errno(EINVAL);
    return static_cast<Epoll*>(file.ptr()); // the descriptor keeps it alive during the call
}

Result<u64> make_epoll(u32 flags) {
    if (flags & ~vfs::kCloseOnExec) return Errno(EINVAL);
    auto* e = new (std::nothrow) Epoll(0);
    if (!e) return Errno(ENOMEM);
    return TRY(current_process().fds().allocate(RefPtr<File>::adopt(e), flags & vfs::kCloseOnExec));
}

Result<u64> do_epoll_wait(int epfd, UserPtr<EpollEvent> events, int max_events, u64 deadline, bool infinite, bool zero) {
    if (max_events <= 0 || max_events > 65536) return Errno(EINVAL);
    auto holder = TRY(file_for(epfd));
    if (holder->kind() != FileKind::Epoll) return Errno(EINVAL);
    auto* epoll = static_cast<Epoll*>(holder.ptr());
    auto* out = static_cast<EpollEvent*>(kmalloc(sizeof(EpollEvent) * usize(max_events)));
    if (!out) return Errno(ENOMEM);
    int ready = 0;
    auto scan = [&] {
        epoll->forget_closed();
        ready = 0;
        for (auto& interest : epoll->interests) {
            if (ready == max_events) break;
            if (interest.disabled) continue;
            u32 revents = interest.file->poll_events() & ((interest.events & ~(EPOLLET | EPOLLONESHOT)) | EPOLLERR | EPOLLHUP);
            if (!revents) continue;
            WaitQueue* q = interest.file->wait_queue();
            u64 generation = q ? q->generation() : 0;
            if ((interest.events & EPOLLET) && generation == interest.seen_generation) continue;
            interest.seen_generation = generation;
            out[ready++] = { revents, interest.data };
            if (interest.events & EPOLLONESHOT) interest.disabled = true;
        }
        return ready > 0;
    };
    Result<void> waited;
    if (!scan() && !zero) {
        usize count = epoll->interests.size();
        auto* files = static_cast<RefPtr<File>*>(kzalloc(sizeof(RefPtr<File>) * (count ? count : 1)));
        if (!files) {
            kfree(out);
            return Errno(ENOMEM);
        }
        for (usize i = 0; i < count; i++) new (&files[i]) RefPtr<File>(epoll->interests[i].file);
        waited = wait_for_files(files, count, scan, infinite ? 0 : (deadline ? deadline : 1));
        for (usize i = 0; i < count; i++) files[i].~RefPtr<File>();
        kfree(files);
    }
    Result<u64> result = u64(ready);
    if (waited.is_error() && waited.error().code() == EINTR) result = Errno(EINTR);
    else if (ready && mm::copy_to_user(events.address, out, sizeof(EpollEvent) * usize(ready)).is_error())
        result = Errno(EFAULT);
    kfree(out);
    return result;
}

} // namespace

SYSCALL_HANDLER(epoll_create, int size) {
    if (size <= 0) return Errno(EINVAL);
    return make_epoll(0);
}
SYSCALL_HANDLER(epoll_create1, u32 flags) { return make_epoll(flags); }

SYSCALL_HANDLER(epoll_ctl, int epfd, int op, int fd, UserPtr<EpollEvent> event) {
    Epoll* epoll = TRY(epoll_for(epfd));
    auto target = TRY(file_for(fd));
    if (target.ptr() == epoll) return Errno(EINVAL);
    if (target->kind() == FileKind::Inode && target->inode() && (target->inode()->is_regular() || target->inode()->is_directory()))
        return Errno(EPERM); // regular files are always ready: Linux refuses them
    EpollEvent value {};
    if (op != EPOLL_CTL_DEL) value = TRY(mm::copy_from_user(event));
    epoll->forget_closed();
    auto* existing = epoll->find(fd, target.ptr());
    switch (op) {
    case EPOLL_CTL_ADD:
        if (existing) return Errno(EEXIST);
        TRY(epoll->interests.try_append({ fd, target, value.events, value.data, ~0ull, false }));
        return u64(0);
    case EPOLL_CTL_MOD:
        if (!existing) return Errno(ENOENT);
        if (value.events & EPOLLEXCLUSIVE) return Errno(EINVAL);
        existing->events = value.events;
        existing->data = value.data;
        existing->seen_generation = ~0ull;
        existing->disabled = false;
        return u64(0);
    case EPOLL_CTL_DEL:
        if (!existing) return Errno(ENOENT);
        for (usize i = 0; i < epoll->interests.size(); i++)
            if (&epoll->interests[i] == existing) {
                epoll->interests.remove(i);
                break;
            }
        return u64(0);
    }
    return Errno(EINVAL);
}

SYSCALL_HANDLER(epoll_wait, int epfd, UserPtr<EpollEvent> events, int max_events, int timeout_ms) {
    bool const infinite = timeout_ms < 0;
    u64 deadline = infinite ? 0 : sched::now_ns() + u64(timeout_ms) * 1000000;
    return do_epoll_wait(epfd, events, max_events, deadline, infinite, timeout_ms == 0);
}

SYSCALL_HANDLER(epoll_pwait, int epfd, UserPtr<EpollEvent> events, int max_events, int timeout_ms, UserPtr<u64> mask,
                usize size) {
    TRY(swap_mask(mask, size));
    bool const infinite = timeout_ms < 0;
    u64 deadline = infinite ? 0 : sched::now_ns() + u64(timeout_ms) * 1000000;
    return do_epoll_wait(epfd, events, max_events, deadline, infinite, timeout_ms == 0);
}
