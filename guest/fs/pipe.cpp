#include <fs/pipe.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>
#include <lib/format.h>

namespace {

u64 g_next_pipe_ino = 1;
constexpr unsigned kBufferOrder = 4; // 16 pages: 64 KiB

class PipeFile final : public File {
public:
    PipeFile(RefPtr<Pipe> pipe, bool write_end, u32 flags) : File(flags), m_pipe(pipe), m_write_end(write_end) {
        m_pipe->add_end(write_end);
    }
    ~PipeFile() override { m_pipe->remove_end(m_write_end); }

    Result<usize> read(IoBuffer buffer, usize length) override {
        if (m_write_end) return Errno(EBADF);
        return m_pipe->read(buffer, length, non_blocking());
    }
    Result<usize> write(IoBuffer buffer, usize length) override {
        if (!m_write_end) return Errno(EBADF);
        return m_pipe->write(buffer, length, non_blocking());
    }
    u32 poll_events() override { return m_pipe->poll_events(m_write_end); }
    WaitQueue* wait_queue() override { return &m_pipe->queue(); }
    InodeMetadata metadata() override {
        InodeMetadata m;
        m.mode = vfs::kModeFifo | 0600;
        m.ino = m_pipe->ino();
        m.nlink = 1;
        return m;
    }
    void describe(char* buffer, usize size) override {
        if (m_custody) return File::describe(buffer, size);
        lib::format_to(buffer, size, "pipe:[%lu]", m_pipe->ino());
    }

private:
    RefPtr<Pipe> m_pipe;
    bool m_write_end;
};

} // namespace

Result<RefPtr<Pipe>> Pipe::create() {
    u64 frames = TRY(mm::allocate_pages(kBufferOrder, false));
    auto* pipe = new (std::nothrow) Pipe(mm::phys_to_ptr<u8>(frames), g_next_pipe_ino++);
    if (!pipe) {
        mm::free_pages(frames, kBufferOrder);
        return Errno(ENOMEM);
    }
    return RefPtr<Pipe>::adopt(pipe);
}

Pipe::~Pipe() { mm::free_pages(mm::virt_to_phys(m_buffer), kBufferOrder); }

Result<void> Pipe::create_pair(u32 flags, RefPtr<File>& read_end, RefPtr<File>& write_end) {
    auto pipe = TRY(create());
    u32 const status = flags & vfs::kNonBlocking;
    auto* r = new (std::nothrow) PipeFile(pipe, false, vfs::kReadOnly | status);
    if (!r) return Errno(ENOMEM);
    read_end = RefPtr<File>::adopt(r);
    auto* w = new (std::nothrow) PipeFile(pipe, true, vfs::kWriteOnly | status);
    if (!w) return Errno(ENOMEM);
    write_end = RefPtr<File>::adopt(w);
    return {};
}

Result<RefPtr<File>> Pipe::open_fifo(RefPtr<Pipe> pipe, u32 flags) {
    u32 const access = flags & vfs::kAccessModeMask;
    if (access == vfs::kReadWrite) return Errno(EINVAL); // a single end only, for now
    auto* file = new (std::nothrow) PipeFile(pipe, access == vfs::kWriteOnly, flags);
    if (!file) return Errno(ENOMEM);
    return RefPtr<File>::adopt(file);
}

void Pipe::add_end(bool write_end) {
    (write_end ? m_writers : m_readers)++;
    m_queue.wake_all();
}

void Pipe::remove_end(bool write_end) {
    (write_end ? m_writers : m_readers)--;
    m_queue.wake_all();
}

Result<usize> Pipe::read(IoBuffer buffer, usize length, bool non_blocking) {
    if (length == 0) return usize(0);
    if (m_used == 0) {
        if (m_writers == 0) return usize(0);
        if (non_blocking) return Errno(EAGAIN);
        TRY(sched::wait_until(m_queue, [&] { return m_used > 0 || m_writers == 0; }));
        if (m_used == 0) return usize(0);
    }
    usize n = lib::min(length, m_used);
    usize first = lib::min(n, kCapacity - m_head);
    TRY(buffer.write(0, m_buffer + m_head, first));
    if (n > first) TRY(buffer.write(first, m_buffer, n - first));
    m_head = (m_head + n) % kCapacity;
    m_used -= n;
    m_queue.wake_all();
    return n;
}

Result<usize> Pipe::write(IoBuffer buffer, usize length, bool non_blocking) {
    if (m_readers == 0) return Errno(EPIPE);
    usize done = 0;
    while (done < length) {
        // Small writes wait for room for all of it (atomic); large ones take what fits.
        usize const want = length - done <= kAtomicWrite ? length - done : 1;
        if (kCapacity - m_used < want) {
            if (non_blocking) {
                if (done) return done;
                return Errno(EAGAIN);
            }
            auto waited = sched::wait_until(m_queue, [&] { return kCapacity - m_used >= want || m_readers == 0; });
            if (waited.is_error()) {
                if (done) return done;
                return waited.error();
            }
            if (m_readers == 0) {
                if (done) return done;
                return Errno(EPIPE);
            }
        }
        usize n = lib::min(length - done, kCapacity - m_used);
        usize tail = (m_head + m_used) % kCapacity;
        usize first = lib::min(n, kCapacity - tail);
        auto copied = buffer.read(done, m_buffer + tail, first);
        if (!copied.is_error() && n > first) copied = buffer.read(done + first, m_buffer, n - first);
        if (copied.is_error()) {
            if (done) return done;
            return copied.error();
        }
        m_used += n;
        done += n;
        m_queue.wake_all();
    }
    return done;
}

u32 Pipe::poll_events(bool write_end) {
    u32 events = 0;
    if (write_end) {
        // Writable and in error at once with no reader, as Linux says it:
        // a write would not block (it fails with EPIPE).
        if (m_readers == 0) events |= vfs::kPollError;
        if (kCapacity - m_used >= kAtomicWrite) events |= vfs::kPollOut | vfs::kPollWriteNormal;
    } else {
        if (m_used) events |= vfs::kPollIn | vfs::kPollReadNormal;
        if (m_writers == 0) events |= vfs::kPollHangup;
    }
    return events;
}
