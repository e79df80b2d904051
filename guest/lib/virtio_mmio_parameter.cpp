#include <lib/virtio_mmio_parameter.h>

namespace lib {

namespace {

// Reads an unsigned number at `text[i]` the way strtoull(..., 0) does:
// 0x/0X hex, a leading 0 octal, else decimal. `i` moves past it. False if
// there is no digit or the value overflows.
bool parse_number(StringView text, usize& i, u64& out, bool decimal_only = false) {
    u64 base = 10;
    usize const n = text.length();
    if (!decimal_only && i + 1 < n && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
        base = 16;
        i += 2;
    } else if (!decimal_only && i < n && text[i] == '0') {
        base = 8;
    }
    usize const start = i;
    u64 value = 0;
    for (; i < n; i++) {
        char const c = text[i];
        u64 digit;
        if (c >= '0' && c <= '9') digit = u64(c - '0');
        else if (c >= 'a' && c <= 'f') digit = u64(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') digit = u64(c - 'A' + 10);
        else break;
        if (digit >= base) break;
        if (value > (~u64(0) - digit) / base) return false;
        value = value * base + digit;
    }
    if (i == start) return false;
    out = value;
    return true;
}

// memparse's suffixes: each step is a factor of 1024.
unsigned suffix_shift(char c) {
    switch (c) {
    case 'K': case 'k': return 10;
    case 'M': case 'm': return 20;
    case 'G': case 'g': return 30;
    case 'T': case 't': return 40;
    case 'P': case 'p': return 50;
    case 'E': case 'e': return 60;
    default: return 0;
    }
}

bool parse_size(StringView text, usize& i, u64& out) {
    if (!parse_number(text, i, out)) return false;
    if (i < text.length()) {
        // A hex number has already consumed e.g. an 'E'; only the other
        // bases reach here with a letter left.
        if (unsigned const shift = suffix_shift(text[i])) {
            if (out > (~u64(0) >> shift)) return false;
            out <<= shift;
            i++;
        }
    }
    return true;
}

} // namespace

Result<u64> parse_memory_size(StringView text) {
    usize i = 0;
    u64 size;
    if (!parse_size(text, i, size) || i != text.length()) return Errno(EINVAL);
    return size;
}

Result<VirtioMmioParameter> parse_virtio_mmio_parameter(StringView text) {
    VirtioMmioParameter p;
    usize i = 0;
    u64 irq;
    if (!parse_size(text, i, p.size)) return Errno(EINVAL);
    if (i >= text.length() || text[i++] != '@') return Errno(EINVAL);
    if (!parse_number(text, i, p.base)) return Errno(EINVAL);
    if (i >= text.length() || text[i++] != ':') return Errno(EINVAL);
    if (!parse_number(text, i, irq, true) || irq == 0 || irq > 0xffffffffu) return Errno(EINVAL);
    p.irq = u32(irq);
    if (i < text.length()) {
        u64 id;
        if (text[i++] != ':' || !parse_number(text, i, id, true) || i != text.length()) return Errno(EINVAL);
    }
    if (p.size == 0 || p.base + p.size < p.base) return Errno(EINVAL);
    return p;
}

} // namespace lib
