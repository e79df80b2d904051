// StringView: a borrowed (pointer, length) string; no NUL terminator needed.
#pragma once

#include <lib/types.h>

namespace lib {

constexpr usize cstring_length(char const* s) {
    usize n = 0;
    while (s[n]) n++;
    return n;
}

class StringView {
public:
    constexpr StringView() = default;
    constexpr StringView(char const* s) : m_data(s), m_length(s ? cstring_length(s) : 0) { }
    constexpr StringView(char const* s, usize length) : m_data(s), m_length(length) { }

    constexpr char const* data() const { return m_data; }
    constexpr usize length() const { return m_length; }
    constexpr bool is_empty() const { return m_length == 0; }
    constexpr char operator[](usize i) const { return m_data[i]; }
    constexpr char const* begin() const { return m_data; }
    constexpr char const* end() const { return m_data + m_length; }

    constexpr bool operator==(StringView other) const {
        if (m_length != other.m_length) return false;
        for (usize i = 0; i < m_length; i++)
            if (m_data[i] != other.m_data[i]) return false;
        return true;
    }
    constexpr bool starts_with(StringView prefix) const {
        return prefix.m_length <= m_length && substring(0, prefix.m_length) == prefix;
    }
    constexpr bool ends_with(StringView suffix) const {
        return suffix.m_length <= m_length && substring(m_length - suffix.m_length) == suffix;
    }
    constexpr StringView substring(usize start, usize length = ~usize(0)) const {
        if (start > m_length) start = m_length;
        if (length > m_length - start) length = m_length - start;
        return StringView(m_data + start, length);
    }
    // Index of the first `c`, or length() if absent.
    constexpr usize find(char c, usize from = 0) const {
        for (usize i = from; i < m_length; i++)
            if (m_data[i] == c) return i;
        return m_length;
    }
    constexpr bool contains(char c) const { return find(c) != m_length; }

    // Parses the whole view as an unsigned number: decimal, or hex with 0x.
    constexpr bool to_u64(u64& out) const {
        usize i = 0;
        u64 base = 10;
        if (m_length > 2 && m_data[0] == '0' && (m_data[1] == 'x' || m_data[1] == 'X')) {
            base = 16;
            i = 2;
        }
        if (i == m_length) return false;
        u64 value = 0;
        for (; i < m_length; i++) {
            char c = m_data[i];
            u64 digit;
            if (c >= '0' && c <= '9') digit = u64(c - '0');
            else if (base == 16 && c >= 'a' && c <= 'f') digit = u64(c - 'a' + 10);
            else if (base == 16 && c >= 'A' && c <= 'F') digit = u64(c - 'A' + 10);
            else return false;
            if (value > (~u64(0) - digit) / base) return false; // overflow
            value = value * base + digit;
        }
        out = value;
        return true;
    }

private:
    char const* m_data { nullptr };
    usize m_length { 0 };
};

} // namespace lib

using lib::StringView;
