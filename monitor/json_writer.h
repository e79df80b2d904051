// JsonWriter: builds one JSON document as text, for aramid-mon --json.
// Keys come out in the order they are written, so the output is stable for
// scripts; strings are escaped as RFC 8259 asks, numbers are integers or
// fixed-point decimals.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace aramid::monitor {

class JsonWriter {
public:
    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }
    JsonWriter& key(std::string_view name) {
        separate();
        string_literal(name);
        m_text += ": ";
        m_after_key = true;
        return *this;
    }
    JsonWriter& value(std::string_view text) {
        separate();
        string_literal(text);
        return *this;
    }
    JsonWriter& value(char const* text) { return value(std::string_view(text)); }
    JsonWriter& value(bool b) { return raw(b ? "true" : "false"); }
    JsonWriter& value(uint64_t n) { return raw(std::to_string(n)); }
    JsonWriter& value(uint32_t n) { return raw(std::to_string(n)); }
    JsonWriter& value(int n) { return raw(std::to_string(n)); }
    JsonWriter& value(double d, int decimals = 2) {
        char text[64];
        std::snprintf(text, sizeof(text), "%.*f", decimals, d);
        return raw(text);
    }
    JsonWriter& null() { return raw("null"); }
    template<typename T>
    JsonWriter& field(std::string_view name, T const& v) {
        key(name);
        return value(v);
    }
    std::string const& text() const { return m_text; }

private:
    JsonWriter& raw(std::string_view text) {
        separate();
        m_text += text;
        return *this;
    }
    JsonWriter& open(char bracket) {
        separate();
        m_text += bracket;
        m_first.push_back(true);
        return *this;
    }
    JsonWriter& close(char bracket) {
        m_first.pop_back();
        m_text += bracket;
        return *this;
    }
    // A comma before every element but the first of its container, and none
    // between a key and its value.
    void separate() {
        if (m_after_key) {
            m_after_key = false;
            return;
        }
        if (m_first.empty()) return;
        if (!m_first.back()) m_text += ", ";
        m_first.back() = false;
    }
    void string_literal(std::string_view s) {
        m_text += '"';
        for (char c : s) {
            switch (c) {
            case '"': m_text += "\\\""; break;
            case '\\': m_text += "\\\\"; break;
            case '\n': m_text += "\\n"; break;
            case '\t': m_text += "\\t"; break;
            case '\r': m_text += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
                    m_text += escaped;
                } else {
                    m_text += c;
                }
            }
        }
        m_text += '"';
    }

    std::string m_text;
    std::vector<bool> m_first;
    bool m_after_key { false };
};

} // namespace aramid::monitor
