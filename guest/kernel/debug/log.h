// The kernel log (printk). Each message becomes one or more lines with an
// uptime prefix, kept in a ring buffer and sent to the console's kernel-log
// stream if its level passes the console threshold (`quiet` on the command
// line shows only warnings and errors, as on Linux).
#pragma once

#include <stdarg.h>

#include <lib/types.h>

enum class LogLevel : u8 { Error = 3, Warning = 4, Info = 6, Debug = 7 };

void vlog(LogLevel level, char const* fmt, va_list args);
void log(LogLevel level, char const* fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log(LogLevel::Error, __VA_ARGS__)
#define log_warn(...) log(LogLevel::Warning, __VA_ARGS__)
#define log_info(...) log(LogLevel::Info, __VA_ARGS__)
#define log_debug(...) log(LogLevel::Debug, __VA_ARGS__)

// Messages at `level` or more important reach the console.
void log_set_console_level(LogLevel level);
// Supplies the uptime for line prefixes once a clock exists.
void log_set_clock(u64 (*uptime_ns)());
