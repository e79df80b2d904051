#include <lib/format.h>
#include <lib/string_view.h>

namespace lib {

namespace {

struct Spec {
    bool left = false;
    bool zero = false;
    bool plus = false;
    bool space = false;
    bool alternate = false;
    int width = 0;
    int precision = -1;
};

void pad(FormatSink& sink, char c, int count) {
    char chunk[16];
    for (auto& x : chunk) x = c;
    while (count > 0) {
        int n = count < 16 ? count : 16;
        sink.write(chunk, usize(n));
        count -= n;
    }
}

void emit_padded(FormatSink& sink, Spec const& spec, char const* data, usize length) {
    int padding = spec.width > int(length) ? spec.width - int(length) : 0;
    if (!spec.left) pad(sink, ' ', padding);
    sink.write(data, length);
    if (spec.left) pad(sink, ' ', padding);
}

void emit_number(FormatSink& sink, Spec const& spec, u64 magnitude, bool negative, unsigned base,
                 bool upper, char const* prefix) {
    char digits[24];
    int n = 0;
    char const* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    while (magnitude) {
        digits[n++] = alphabet[magnitude % base];
        magnitude /= base;
    }
    int precision = spec.precision < 0 ? 1 : spec.precision;
    int zeros = precision > n ? precision - n : 0;
    char sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : 0;
    int prefix_length = int(cstring_length(prefix));
    int body = n + zeros + (sign ? 1 : 0) + prefix_length;
    if (spec.zero && !spec.left && spec.precision < 0 && spec.width > body) {
        zeros += spec.width - body;
        body = spec.width;
    }
    int padding = spec.width > body ? spec.width - body : 0;
    if (!spec.left) pad(sink, ' ', padding);
    if (sign) sink.write(&sign, 1);
    sink.write(prefix, usize(prefix_length));
    pad(sink, '0', zeros);
    for (int i = n - 1; i >= 0; i--) sink.write(&digits[i], 1);
    if (spec.left) pad(sink, ' ', padding);
}

} // namespace

void vformat(FormatSink& sink, char const* fmt, va_list args) {
    while (*fmt) {
        char const* literal = fmt;
        while (*fmt && *fmt != '%') fmt++;
        if (fmt != literal) sink.write(literal, usize(fmt - literal));
        if (!*fmt) break;
        fmt++; // '%'
        Spec spec;
        for (;; fmt++) {
            if (*fmt == '-') spec.left = true;
            else if (*fmt == '0') spec.zero = true;
            else if (*fmt == '+') spec.plus = true;
            else if (*fmt == ' ') spec.space = true;
            else if (*fmt == '#') spec.alternate = true;
            else break;
        }
        if (*fmt == '*') {
            spec.width = va_arg(args, int);
            if (spec.width < 0) {
                spec.left = true;
                spec.width = -spec.width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9') spec.width = spec.width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            spec.precision = 0;
            if (*fmt == '*') {
                spec.precision = va_arg(args, int);
                if (spec.precision < 0) spec.precision = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9') spec.precision = spec.precision * 10 + (*fmt++ - '0');
            }
        }
        int longness = 0; // -2 hh, -1 h, 0 int, 1 long, 2 long long / size_t
        for (;; fmt++) {
            if (*fmt == 'h') longness = longness == -1 ? -2 : -1;
            else if (*fmt == 'l') longness = longness == 1 ? 2 : 1;
            else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') longness = 2;
            else break;
        }
        char conversion = *fmt;
        if (!conversion) break;
        fmt++;
        switch (conversion) {
        case 'd':
        case 'i': {
            i64 v = longness >= 1 ? va_arg(args, i64) : i64(va_arg(args, int));
            if (longness == -1) v = i16(v);
            if (longness == -2) v = i8(v);
            u64 magnitude = v < 0 ? u64(0) - u64(v) : u64(v);
            emit_number(sink, spec, magnitude, v < 0, 10, false, "");
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            u64 v = longness >= 1 ? va_arg(args, u64) : u64(va_arg(args, unsigned));
            if (longness == -1) v = u16(v);
            if (longness == -2) v = u8(v);
            unsigned base = conversion == 'u' ? 10 : conversion == 'o' ? 8 : 16;
            char const* prefix = "";
            if (spec.alternate && v && base == 16) prefix = conversion == 'X' ? "0X" : "0x";
            if (spec.alternate && base == 8) prefix = "0";
            emit_number(sink, spec, v, false, base, conversion == 'X', prefix);
            break;
        }
        case 'p': {
            u64 v = u64(va_arg(args, void*));
            emit_number(sink, spec, v, false, 16, false, "0x");
            break;
        }
        case 's': {
            char const* s = va_arg(args, char const*);
            if (!s) s = "(null)";
            usize length = 0;
            while ((spec.precision < 0 || length < usize(spec.precision)) && s[length]) length++;
            emit_padded(sink, spec, s, length);
            break;
        }
        case 'c': {
            char c = char(va_arg(args, int));
            emit_padded(sink, spec, &c, 1);
            break;
        }
        case '%':
            sink.write("%", 1);
            break;
        default:
            // Unknown conversion: print it as is so the mistake is visible.
            sink.write(fmt - 1, 1);
            break;
        }
    }
}

void format(FormatSink& sink, char const* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vformat(sink, fmt, args);
    va_end(args);
}

namespace {
class BufferSink final : public FormatSink {
public:
    BufferSink(char* buffer, usize size) : m_buffer(buffer), m_size(size) { }
    void write(char const* data, usize length) override {
        for (usize i = 0; i < length; i++, m_total++)
            if (m_total + 1 < m_size) m_buffer[m_total] = data[i];
    }
    usize finish() {
        if (m_size) m_buffer[m_total < m_size ? m_total : m_size - 1] = 0;
        return m_total;
    }

private:
    char* m_buffer;
    usize m_size;
    usize m_total { 0 };
};
} // namespace

usize vformat_to(char* buffer, usize size, char const* fmt, va_list args) {
    BufferSink sink(buffer, size);
    vformat(sink, fmt, args);
    return sink.finish();
}

usize format_to(char* buffer, usize size, char const* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    usize n = vformat_to(buffer, size, fmt, args);
    va_end(args);
    return n;
}

} // namespace lib
