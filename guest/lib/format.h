// printf-style formatting for guest code, checked by the compiler's format
// attribute. Supported: %d %i %u %x %X %o %p %s %c %%, flags '-' and '0',
// width and precision (also '*'), length modifiers hh h l ll z t.
// "%.*s" with a StringView's length and data prints a view.
#pragma once

#include <stdarg.h>

#include <lib/types.h>

namespace lib {

// Receives formatted output in pieces.
class FormatSink {
public:
    virtual void write(char const* data, usize length) = 0;

protected:
    ~FormatSink() = default;
};

void vformat(FormatSink& sink, char const* fmt, va_list args);
void format(FormatSink& sink, char const* fmt, ...) __attribute__((format(printf, 2, 3)));

// Formats into a fixed buffer, always NUL-terminated when size > 0. Returns
// the length the full output would have had (like snprintf).
usize vformat_to(char* buffer, usize size, char const* fmt, va_list args);
usize format_to(char* buffer, usize size, char const* fmt, ...) __attribute__((format(printf, 3, 4)));

} // namespace lib
