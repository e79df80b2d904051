// Vector<T>: a growable array whose growth can fail: try_append() returns
// ENOMEM instead of throwing or panicking.
#pragma once

#include <new>
#include <utility>

#include <lib/result.h>

namespace lib {

template<typename T>
class Vector {
public:
    Vector() = default;
    Vector(Vector&& other)
        : m_data(std::exchange(other.m_data, nullptr))
        , m_size(std::exchange(other.m_size, 0))
        , m_capacity(std::exchange(other.m_capacity, 0)) { }
    Vector& operator=(Vector&& other) {
        if (this != &other) {
            clear_and_free();
            m_data = std::exchange(other.m_data, nullptr);
            m_size = std::exchange(other.m_size, 0);
            m_capacity = std::exchange(other.m_capacity, 0);
        }
        return *this;
    }
    Vector(Vector const&) = delete;
    Vector& operator=(Vector const&) = delete;
    ~Vector() { clear_and_free(); }

    usize size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }
    T& operator[](usize i) { return m_data[i]; }
    T const& operator[](usize i) const { return m_data[i]; }
    T* begin() { return m_data; }
    T* end() { return m_data + m_size; }
    T const* begin() const { return m_data; }
    T const* end() const { return m_data + m_size; }
    T& last() { return m_data[m_size - 1]; }

    Result<void> try_reserve(usize capacity) {
        if (capacity <= m_capacity) return {};
        T* fresh = static_cast<T*>(::operator new(capacity * sizeof(T), std::nothrow));
        if (!fresh) return Errno(ENOMEM);
        for (usize i = 0; i < m_size; i++) {
            new (&fresh[i]) T(std::move(m_data[i]));
            m_data[i].~T();
        }
        ::operator delete(m_data);
        m_data = fresh;
        m_capacity = capacity;
        return {};
    }
    Result<void> try_append(T value) {
        if (m_size == m_capacity) TRY(try_reserve(m_capacity ? m_capacity * 2 : 4));
        new (&m_data[m_size++]) T(std::move(value));
        return {};
    }
    Result<void> try_insert(usize index, T value) {
        if (m_size == m_capacity) TRY(try_reserve(m_capacity ? m_capacity * 2 : 4));
        new (&m_data[m_size]) T(std::move(value));
        for (usize i = m_size; i > index; i--) std::swap(m_data[i], m_data[i - 1]);
        m_size++;
        return {};
    }
    // Grows to `size` default-constructed elements, or shrinks.
    Result<void> try_resize(usize size) {
        TRY(try_reserve(size));
        while (m_size < size) new (&m_data[m_size++]) T();
        while (m_size > size) m_data[--m_size].~T();
        return {};
    }
    void remove(usize index) {
        for (usize i = index; i + 1 < m_size; i++) std::swap(m_data[i], m_data[i + 1]);
        m_data[--m_size].~T();
    }
    T take_last() {
        T value = std::move(m_data[m_size - 1]);
        m_data[--m_size].~T();
        return value;
    }
    void clear() {
        while (m_size) m_data[--m_size].~T();
    }

private:
    void clear_and_free() {
        clear();
        ::operator delete(m_data);
        m_data = nullptr;
        m_capacity = 0;
    }
    T* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
};

} // namespace lib

using lib::Vector;
