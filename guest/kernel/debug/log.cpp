#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/log.h>
#include <kernel/drivers/console.h>
#include <kernel/mm/layout.h>
#include <lib/format.h>

namespace {

LogLevel g_console_level = LogLevel::Debug;
u64 (*g_uptime_ns)() = nullptr;

// The most recent log text; the monitor reads it through the debug table.
constexpr usize kRingSize = 64 * 1024;
char g_ring[kRingSize];
u64 g_ring_written;

// Builds one line at a time, then hands it to the ring and the console.
class LineSink final : public lib::FormatSink {
public:
    explicit LineSink(bool to_console) : m_to_console(to_console) { }
    void write(char const* data, usize length) override {
        for (usize i = 0; i < length; i++) {
            if (m_length == 0) start_line();
            m_line[m_length++] = data[i];
            if (data[i] == '\n' || m_length == sizeof(m_line) - 1) {
                if (data[i] != '\n') m_line[m_length++] = '\n';
                flush();
            }
        }
    }
    void finish() {
        if (m_length > 0) {
            m_line[m_length++] = '\n';
            flush();
        }
    }

private:
    void start_line() {
        if (!g_uptime_ns) return;
        u64 ns = g_uptime_ns();
        m_length = lib::format_to(m_line, sizeof(m_line), "[%5lu.%06lu] ", ns / 1000000000, ns / 1000 % 1000000);
    }
    void flush() {
        for (usize i = 0; i < m_length; i++) g_ring[g_ring_written++ % kRingSize] = m_line[i];
        if (m_to_console) console::write(console::Stream::KernelLog, m_line, m_length);
        m_length = 0;
    }

    bool m_to_console;
    char m_line[256];
    usize m_length { 0 };
};

} // namespace

void log_set_console_level(LogLevel level) { g_console_level = level; }

char const* log_ring(u64& size, u64& written_address) {
    size = kRingSize;
    written_address = mm::virt_to_phys(&g_ring_written);
    return g_ring;
}
void log_set_clock(u64 (*uptime_ns)()) { g_uptime_ns = uptime_ns; }

void vlog(LogLevel level, char const* fmt, va_list args) {
    bool const was_enabled = platform::irq_save();
    LineSink sink(u8(level) <= u8(g_console_level));
    lib::vformat(sink, fmt, args);
    sink.finish();
    platform::irq_restore(was_enabled);
}

void log(LogLevel level, char const* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vlog(level, fmt, args);
    va_end(args);
}
