// User memory as its own types. UserPtr<T>, UserSpan and UserCString cannot
// be dereferenced: only the copy functions below touch them, and they return
// EFAULT for an address outside user space or one that faults. A bad user
// pointer never panics the kernel.
#pragma once

#include <kernel/mm/layout.h>
#include <lib/result.h>
#include <lib/types.h>

template<typename T>
struct UserPtr {
    u64 address { 0 };
    UserPtr() = default;
    explicit UserPtr(u64 a) : address(a) { }
    bool is_null() const { return address == 0; }
    UserPtr offset(u64 elements) const { return UserPtr(address + elements * sizeof(T)); }
};

struct UserCString {
    u64 address { 0 };
    UserCString() = default;
    explicit UserCString(u64 a) : address(a) { }
    bool is_null() const { return address == 0; }
};

namespace mm {

// Whether [address, address + length) lies inside user space (no wrap).
inline bool is_user_range(u64 address, u64 length) {
    return address <= kUserEnd && length <= kUserEnd - address;
}

Result<void> copy_from_user(void* destination, u64 user_source, usize length);
Result<void> copy_to_user(u64 user_destination, void const* source, usize length);
Result<void> clear_user(u64 user_destination, usize length);

template<typename T>
Result<T> copy_from_user(UserPtr<T> source) {
    T value;
    TRY(copy_from_user(&value, source.address, sizeof(T)));
    return value;
}
template<typename T>
Result<void> copy_to_user(UserPtr<T> destination, T const& value) {
    return copy_to_user(destination.address, &value, sizeof(T));
}

// Copies a NUL-terminated string of at most `max` bytes (without the NUL)
// into `buffer` (which holds max + 1). ENAMETOOLONG if longer, EFAULT on a
// bad pointer. Returns the length.
Result<usize> copy_string_from_user(UserCString source, char* buffer, usize max);

} // namespace mm
