// Result<T>: a value or a Linux errno. The one error type of guest code.
//
// Handlers propagate errors with TRY(expr); only the syscall entry turns an
// error into -errno for user space. There are no exceptions and no -1
// sentinels in the kernel.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include <lib/types.h>
#include <uapi/errno.h>

namespace lib {

class Errno {
public:
    constexpr explicit Errno(int code) : m_code(code) { }
    constexpr int code() const { return m_code; }
    constexpr bool operator==(Errno const&) const = default;

private:
    int m_code;
};

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T const& value) : m_error(0) { new (&m_value) T(value); }
    Result(T&& value) : m_error(0) { new (&m_value) T(std::move(value)); }
    template<typename U>
        requires(std::is_convertible_v<U &&, T> && !std::is_same_v<std::remove_cvref_t<U>, T>
                 && !std::is_same_v<std::remove_cvref_t<U>, Errno>)
    Result(U&& value) : m_error(0) { new (&m_value) T(std::forward<U>(value)); }
    Result(Errno error) : m_error(error.code()) { }

    Result(Result&& other) : m_error(other.m_error) {
        if (!m_error) new (&m_value) T(std::move(other.m_value));
    }
    Result(Result const&) = delete;
    Result& operator=(Result const&) = delete;
    Result& operator=(Result&& other) {
        if (this != &other) {
            this->~Result();
            new (this) Result(std::move(other));
        }
        return *this;
    }
    ~Result() {
        if (!m_error) m_value.~T();
    }

    bool is_error() const { return m_error != 0; }
    Errno error() const { return Errno(m_error); }
    T& value() { return m_value; }
    T const& value() const { return m_value; }
    T release_value() { return std::move(m_value); }
    T value_or(T fallback) const { return is_error() ? fallback : m_value; }

private:
    int m_error;
    union {
        T m_value;
    };
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() : m_error(0) { }
    Result(Errno error) : m_error(error.code()) { }
    bool is_error() const { return m_error != 0; }
    Errno error() const { return Errno(m_error); }
    void release_value() { }

private:
    int m_error;
};

} // namespace lib

using lib::Errno;
using lib::Result;

// Evaluate a Result; on error return it from the enclosing function,
// otherwise yield the value.
#define TRY(expression)                                        \
    ({                                                         \
        auto _try_result = (expression);                       \
        if (_try_result.is_error()) [[unlikely]]               \
            return _try_result.error();                        \
        _try_result.release_value();                           \
    })
