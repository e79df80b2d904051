// KString: an owned, heap-allocated, immutable string (NUL-terminated).
// Creation can fail (ENOMEM).
#pragma once

#include <lib/result.h>
#include <lib/string_view.h>

#include <new>

namespace lib {

class KString {
public:
    static Result<KString> create(StringView text) {
        char* data = static_cast<char*>(::operator new(text.length() + 1, std::nothrow));
        if (!data) return Errno(ENOMEM);
        for (usize i = 0; i < text.length(); i++) data[i] = text[i];
        data[text.length()] = 0;
        return KString(data, text.length());
    }
    KString() = default;
    KString(KString&& other) : m_data(other.m_data), m_length(other.m_length) {
        other.m_data = nullptr;
        other.m_length = 0;
    }
    KString& operator=(KString&& other) {
        if (this != &other) {
            ::operator delete(m_data);
            m_data = other.m_data;
            m_length = other.m_length;
            other.m_data = nullptr;
            other.m_length = 0;
        }
        return *this;
    }
    KString(KString const&) = delete;
    KString& operator=(KString const&) = delete;
    ~KString() { ::operator delete(m_data); }

    StringView view() const { return StringView(m_data ? m_data : "", m_length); }
    char const* c_str() const { return m_data ? m_data : ""; }
    usize length() const { return m_length; }

private:
    KString(char* data, usize length) : m_data(data), m_length(length) { }
    char* m_data { nullptr };
    usize m_length { 0 };
};

} // namespace lib

using lib::KString;
