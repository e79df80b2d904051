// Intrusive reference counting: RefCounted<T> holds the count, RefPtr<T>
// shares ownership. The last reference deletes the object. Counts are
// atomic. A new object starts with one reference: wrap it with
// RefPtr<T>::adopt() (try_make_ref does).
#pragma once

#include <new>
#include <utility>

#include <lib/result.h>

namespace lib {

template<typename T>
class RefCounted {
public:
    void ref() const { __atomic_add_fetch(&m_refs, 1, __ATOMIC_RELAXED); }
    void unref() const {
        if (__atomic_sub_fetch(&m_refs, 1, __ATOMIC_ACQ_REL) == 0) delete static_cast<T const*>(this);
    }
    unsigned ref_count() const { return __atomic_load_n(&m_refs, __ATOMIC_RELAXED); }

protected:
    RefCounted() = default;
    ~RefCounted() = default;

private:
    mutable unsigned m_refs { 1 };
};

template<typename T>
class RefPtr {
public:
    RefPtr() = default;
    RefPtr(decltype(nullptr)) { }
    RefPtr(T* p) : m_ptr(p) {
        if (m_ptr) m_ptr->ref();
    }
    RefPtr(T& r) : RefPtr(&r) { }
    RefPtr(RefPtr const& other) : RefPtr(other.m_ptr) { }
    RefPtr(RefPtr&& other) : m_ptr(std::exchange(other.m_ptr, nullptr)) { }
    template<typename U>
    RefPtr(RefPtr<U> const& other) : RefPtr(other.ptr()) { }
    RefPtr& operator=(RefPtr other) {
        std::swap(m_ptr, other.m_ptr);
        return *this;
    }
    ~RefPtr() {
        if (m_ptr) m_ptr->unref();
    }

    // Takes over a reference the caller already owns (e.g. a fresh object).
    static RefPtr adopt(T* p) {
        RefPtr r;
        r.m_ptr = p;
        return r;
    }

    T* ptr() const { return m_ptr; }
    T* operator->() const { return m_ptr; }
    T& operator*() const { return *m_ptr; }
    explicit operator bool() const { return m_ptr != nullptr; }
    bool operator==(RefPtr const& other) const { return m_ptr == other.m_ptr; }
    bool operator==(T const* other) const { return m_ptr == other; }

private:
    T* m_ptr { nullptr };
};

template<typename T, typename... Args>
Result<RefPtr<T>> try_make_ref(Args&&... args) {
    T* p = new (std::nothrow) T(std::forward<Args>(args)...);
    if (!p) return Errno(ENOMEM);
    return RefPtr<T>::adopt(p);
}

} // namespace lib

using lib::RefCounted;
using lib::RefPtr;
using lib::try_make_ref;
