#include <fs/pipe.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>
#include <lib/format.h>

namespace {

u64 g_next_pipe_ino = 1;
constexpr unsigned kBufferOrder = 4; // 16 pages: 64 KiB

class PipeFile final : public File {
public:
    // A pipe end reads or writes; a fifo opened O_RDWR does both.
    PipeFile(RefPtr<Pipe> pipe, bool reads, bool writes, u32 flags)
        : File(flags), m_pipe(pipe), m_reads(reads), m_writes(writes) {
        m_pipe->add_ends(reads, writes);
    }
    ~PipeFile() override { m_pipe->remove_ends(m_reads, m_writes); }

    Result<usize> read(IoBuffer buffer, usize length) override {
        if (!m_reads) return Errno(EBADF);
        return m_pipe->read(buffer, length, non_blocking());
    }
    Result<usize> write(IoBuffer buffer, usize length) override {
        if (!m_writes) return Errno(EBADF);
        return m_pipe->write(buffer, length, non_blocking());
    }
    u32 poll_events() override {
        u32 events = 0;
        if (m_reads) events |= m_pipe->poll_events(false);
        if (m_writes) events |= m_pipe->poll_events(true);
        return events;
    }
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
    bool m_reads;
    bool m_writes;
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
    auto* r = new (std::nothrow) PipeFile(pipe, true, false, vfs::kReadOnly | status);
    if (!r) return Errno(ENOMEM);
    read_end = RefPtr<File>::adopt(r);
    auto* w = new (std::nothrow) PipeFile(pipe, false, true, vfs::kWriteOnly | status);
    if (!w) return Errno(ENOMEM);
    write_end = RefPtr<File>::adopt(w);
    return {};
}

Result<RefPtr<File>> Pipe::open_fifo(RefPtr<Pipe> pipe, u32 flags) {
    u32 const access = flags & vfs::kAccessModeMask;
    bool const reads = access != vfs::kWriteOnly, writes = access != vfs::kReadOnly;
    bool const non_blocking = flags & vfs::kNonBlocking;
    if (writes && !reads && non_blocking && pipe->m_readers == 0) return Errno(ENXIO);
    auto* file = new (std::nothrow) PipeFile(pipe, reads, writes, flags);
    if (!file) return Errno(ENOMEM);
    auto opened = RefPtr<File>::adopt(file);
    if (reads && writes) return opened;
    // A signal ends the wait; the open restarts under SA_RESTART, as Linux's
    // wait_for_partner() (ERESTARTSYS).
    Result<void> waited;
    if (reads && !non_blocking && pipe->m_writers == 0) {
        u64 const seen = pipe->m_writer_opens;
        waited = sched::wait_until(pipe->m_queue, [&] { return pipe->m_writer_opens != seen; });
    } else if (writes && pipe->m_readers == 0) {
        u64 const seen = pipe->m_reader_opens;
        waited = sched::wait_until(pipe->m_queue, [&] { return pipe->m_reader_opens != seen; });
    }
    if (waited.is_error()) return Errno(waited.error().code() == EINTR ? ERESTARTSYS : waited.error().code());
    return opened;
}

void Pipe::add_ends(bool reads, bool writes) {
    if (reads) m_readers++, m_reader_opens++;
    if (writes) m_writers++, m_writer_opens++;
    m_queue.wake_all();
}

void Pipe::remove_ends(bool reads, bool writes) {
    if (reads) m_readers--;
    if (writes) m_writers--;
    // A fifo keeps its Pipe, but as in Linux its data lives only while
    // someone has it open.
    if (m_readers == 0 && m_writers == 0) m_head = m_used = 0;
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
