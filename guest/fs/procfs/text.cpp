#include <fs/procfs/text.h>

#include <new>
#include <stdarg.h>

namespace procfs {

TextBuffer::~TextBuffer() { ::operator delete(m_data); }

bool TextBuffer::grow(usize needed) {
    if (m_failed) return false;
    if (needed <= m_capacity) return true;
    usize capacity = m_capacity ? m_capacity : 256;
    while (capacity < needed) capacity *= 2;
    char* fresh = static_cast<char*>(::operator new(capacity, std::nothrow));
    if (!fresh) {
        m_failed = true;
        return false;
    }
    if (m_size) __builtin_memcpy(fresh, m_data, m_size);
    ::operator delete(m_data);
    m_data = fresh;
    m_capacity = capacity;
    return true;
}

void TextBuffer::write(char const* data, usize length) {
    if (!grow(m_size + length)) return;
    __builtin_memcpy(m_data + m_size, data, length);
    m_size += length;
}

void TextBuffer::appendf(char const* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    lib::vformat(*this, fmt, args);
    va_end(args);
}

void TextBuffer::pad_to_column(usize column) {
    usize line_start = m_size;
    while (line_start > 0 && m_data[line_start - 1] != '\n') line_start--;
    while (m_size - line_start < column && !m_failed) append(' ');
}

void format_stat(TextBuffer& text, StatFields const& f) {
    text.appendf("%d (%.*s) %c %d %d %d %d %d %u ", f.pid, int(f.comm.length()), f.comm.data(), f.state, f.ppid,
                 f.pgrp, f.session, f.tty_nr, f.tpgid, f.flags);
    text.appendf("%lu %lu %lu %lu %lu %lu %ld %ld %ld %ld %ld 0 %lu %lu %lu %lu ", f.minflt, f.cminflt, f.majflt,
                 f.cmajflt, f.utime, f.stime, f.cutime, f.cstime, f.priority, f.nice, f.num_threads, f.starttime,
                 f.vsize, f.rss, f.rsslim);
    text.appendf("%lu %lu %lu %lu %lu %lu %lu %lu %lu %lu 0 0 %d %d %u %u 0 0 0 ", f.startcode, f.endcode,
                 f.startstack, f.kstkesp, f.kstkeip, f.signal, f.blocked, f.sigignore, f.sigcatch, f.wchan,
                 f.exit_signal, f.processor, f.rt_priority, f.policy);
    text.appendf("%lu %lu %lu %lu %lu %lu %lu %d\n", f.start_data, f.end_data, f.start_brk, f.arg_start, f.arg_end,
                 f.env_start, f.env_end, f.exit_code);
}

void format_mask_line(TextBuffer& text, StringView label, u64 mask) {
    text.appendf("%.*s:\t%016lx\n", int(label.length()), label.data(), mask);
}

void format_status_kb(TextBuffer& text, StringView label, u64 kb) {
    text.appendf("%.*s:\t%8lu kB\n", int(label.length()), label.data(), kb);
}

void format_meminfo_kb(TextBuffer& text, StringView label, u64 kb) {
    text.append(label);
    text.append(':');
    for (usize column = label.length() + 1; column < 16; column++) text.append(' ');
    text.appendf("%8lu kB\n", kb);
}

void format_seconds(TextBuffer& text, u64 ns) {
    u64 const centiseconds = ns / 10000000;
    text.appendf("%lu.%02lu", centiseconds / 100, centiseconds % 100);
}

void format_maps_line(TextBuffer& text, MapsLine const& l) {
    text.appendf("%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", l.start, l.end, l.read ? 'r' : '-',
                 l.write ? 'w' : '-', l.execute ? 'x' : '-', l.shared ? 's' : 'p', l.offset, l.major, l.minor,
                 l.inode);
    if (!l.name.is_empty()) {
        // Linux pads the name to start in column 73 (on 64-bit), and always
        // leaves at least one space before it.
        text.pad_to_column(72);
        text.append(' ');
        text.append(l.name);
    }
    text.append('\n');
}

char const* state_description(char state) {
    switch (state) {
    case 'R': return "R (running)";
    case 'S': return "S (sleeping)";
    case 'D': return "D (disk sleep)";
    case 'T': return "T (stopped)";
    case 't': return "t (tracing stop)";
    case 'X': return "X (dead)";
    case 'Z': return "Z (zombie)";
    case 'I': return "I (idle)";
    }
    return "R (running)";
}

} // namespace procfs
