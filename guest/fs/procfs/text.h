// The text formats of procfs files, apart from where their numbers come
// from: a growable text buffer and the line layouts of proc(5) -- the
// 52-field stat line, signal masks, "kB" lines, maps lines. Freestanding
// and free of kernel state, so the host unit tests check them against
// what Linux prints.
#pragma once

#include <lib/format.h>
#include <lib/result.h>
#include <lib/string_view.h>

namespace procfs {

// The whole text of one procfs file, generated again on every read (as
// Linux's seq_file does) into a heap buffer that grows as needed. An
// allocation failure is remembered: the read then fails with ENOMEM.
class TextBuffer final : public lib::FormatSink {
public:
    TextBuffer() = default;
    ~TextBuffer();
    TextBuffer(TextBuffer const&) = delete;
    TextBuffer& operator=(TextBuffer const&) = delete;

    void write(char const* data, usize length) override;
    void append(StringView text) { write(text.data(), text.length()); }
    void append(char c) { write(&c, 1); }
    void appendf(char const* fmt, ...) __attribute__((format(printf, 2, 3)));
    // Appends spaces until the text since the last newline is `column` long.
    void pad_to_column(usize column);

    char const* data() const { return m_data; }
    usize size() const { return m_size; }
    StringView view() const { return StringView(m_data, m_size); }
    // Allocation failed elsewhere while producing the text.
    void mark_failed() { m_failed = true; }
    Result<void> status() const {
        if (m_failed) return Errno(ENOMEM);
        return {};
    }

private:
    bool grow(usize needed);
    char* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
    bool m_failed { false };
};

// USER_HZ: the unit of the times in stat files.
inline constexpr u64 kClockTicksPerSecond = 100;
inline constexpr u64 ns_to_clock_ticks(u64 ns) { return ns / (1000000000 / kClockTicksPerSecond); }

// /proc/<pid>/stat: the fields proc(5) numbers 1 to 52. What the kernel
// does not track stays 0.
struct StatFields {
    int pid { 0 };
    StringView comm;
    char state { 'R' };
    int ppid { 0 };
    int pgrp { 0 };
    int session { 0 };
    int tty_nr { 0 };
    int tpgid { -1 };
    u32 flags { 0 };
    u64 minflt { 0 }, cminflt { 0 }, majflt { 0 }, cmajflt { 0 };
    u64 utime { 0 }, stime { 0 };
    i64 cutime { 0 }, cstime { 0 };
    i64 priority { 20 };
    i64 nice { 0 };
    i64 num_threads { 1 };
    u64 starttime { 0 };
    u64 vsize { 0 };
    u64 rss { 0 };
    u64 rsslim { ~0ull };
    u64 startcode { 0 }, endcode { 0 }, startstack { 0 }, kstkesp { 0 }, kstkeip { 0 };
    u64 signal { 0 }, blocked { 0 }, sigignore { 0 }, sigcatch { 0 };
    u64 wchan { 0 };
    int exit_signal { 17 }; // SIGCHLD
    int processor { 0 };
    u32 rt_priority { 0 }, policy { 0 };
    u64 start_data { 0 }, end_data { 0 }, start_brk { 0 };
    u64 arg_start { 0 }, arg_end { 0 }, env_start { 0 }, env_end { 0 };
    int exit_code { 0 };
};
void format_stat(TextBuffer& text, StatFields const& fields);

// "SigBlk:\t0000000000010000" and the like: 16 hex digits, as status shows masks.
void format_mask_line(TextBuffer& text, StringView label, u64 mask);
// "VmRSS:\t    1624 kB" (status).
void format_status_kb(TextBuffer& text, StringView label, u64 kb);
// "MemTotal:       24683656 kB" (meminfo: the label padded to 16 columns).
void format_meminfo_kb(TextBuffer& text, StringView label, u64 kb);
// Seconds with two decimals from nanoseconds ("9909.22"), as uptime shows them.
void format_seconds(TextBuffer& text, u64 ns);

// One line of /proc/<pid>/maps.
struct MapsLine {
    u64 start { 0 }, end { 0 };
    bool read { false }, write { false }, execute { false }, shared { false };
    u64 offset { 0 };
    u32 major { 0 }, minor { 0 };
    u64 inode { 0 };
    StringView name;
};
void format_maps_line(TextBuffer& text, MapsLine const& line);

// The one-letter state and its status word: 'R' -> "R (running)".
char const* state_description(char state);

} // namespace procfs
