// Pipes and fifos: a 64 KiB ring (Linux's default capacity) shared by a
// read end and a write end. Writes of at most PIPE_BUF (4096) bytes are
// atomic. Reading with no writer left gives end-of-file; writing with no
// reader left fails with EPIPE (the syscall layer then raises SIGPIPE).
#pragma once

#include <fs/vfs/file.h>
#include <kernel/sched/wait_queue.h>

class Pipe : public RefCounted<Pipe> {
public:
    static constexpr usize kCapacity = 64 * 1024;
    static constexpr usize kAtomicWrite = 4096;

    static Result<RefPtr<Pipe>> create();
    ~Pipe();
    // pipe2(): both ends.
    static Result<void> create_pair(u32 flags, RefPtr<File>& read_end, RefPtr<File>& write_end);
    // open() of a fifo node, as fifo(7): O_RDONLY waits for a writer and
    // O_WRONLY for a reader, unless O_NONBLOCK (then a writer without a
    // reader gets ENXIO); O_RDWR is both ends and never waits.
    static Result<RefPtr<File>> open_fifo(RefPtr<Pipe> pipe, u32 flags);

    Result<usize> read(IoBuffer buffer, usize length, bool non_blocking);
    Result<usize> write(IoBuffer buffer, usize length, bool non_blocking);
    u32 poll_events(bool write_end);
    WaitQueue& queue() { return m_queue; }
    u64 ino() const { return m_ino; }

    void add_ends(bool reads, bool writes);
    void remove_ends(bool reads, bool writes);

private:
    Pipe(u8* buffer, u64 ino) : m_buffer(buffer), m_ino(ino) { }
    u8* m_buffer;
    usize m_head { 0 };  // next byte to read
    usize m_used { 0 };
    u32 m_readers { 0 };
    u32 m_writers { 0 };
    // Ends ever opened: a fifo open waits for the other side's count to
    // change, so a partner that opens and closes at once still ends the wait.
    u64 m_reader_opens { 0 };
    u64 m_writer_opens { 0 };
    u64 m_ino;
    WaitQueue m_queue;
};
