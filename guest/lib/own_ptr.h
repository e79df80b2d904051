// OwnPtr<T>: sole ownership of a heap object, deleted with it.
// Create with adopt_own(new (std::nothrow) T(...)) and check for null, or
// with try_make<T>(...) which returns Result<OwnPtr<T>> (ENOMEM on failure).
#pragma once

#include <new>
#include <utility>

#include <lib/result.h>

namespace lib {

template<typename T>
class OwnPtr {
public:
    OwnPtr() = default;
    OwnPtr(decltype(nullptr)) { }
    explicit OwnPtr(T* p) : m_ptr(p) { }
    OwnPtr(OwnPtr&& other) : m_ptr(other.leak()) { }
    template<typename U>
    OwnPtr(OwnPtr<U>&& other) : m_ptr(other.leak()) { }
    OwnPtr& operator=(OwnPtr&& other) {
        if (this != &other) {
            delete m_ptr;
            m_ptr = other.leak();
        }
        return *this;
    }
    OwnPtr(OwnPtr const&) = delete;
    OwnPtr& operator=(OwnPtr const&) = delete;
    ~OwnPtr() { delete m_ptr; }

    T* ptr() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }
    T* leak() { return std::exchange(m_ptr, nullptr); }
    void clear() {
        delete m_ptr;
        m_ptr = nullptr;
    }

private:
    T* m_ptr { nullptr };
};

template<typename T>
OwnPtr<T> adopt_own(T* p) { return OwnPtr<T>(p); }

template<typename T, typename... Args>
Result<OwnPtr<T>> try_make(Args&&... args) {
    T* p = new (std::nothrow) T(std::forward<Args>(args)...);
    if (!p) return Errno(ENOMEM);
    return OwnPtr<T>(p);
}

} // namespace lib

using lib::adopt_own;
using lib::OwnPtr;
using lib::try_make;
