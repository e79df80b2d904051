#include <kernel/mm/user.h>

extern "C" u64 user_copy(void* destination, void const* source, u64 length);
extern "C" u64 user_clear(void* destination, u64 length);

namespace mm {

Result<void> copy_from_user(void* destination, u64 user_source, usize length) {
    if (!is_user_range(user_source, length)) return Errno(EFAULT);
    if (user_copy(destination, reinterpret_cast<void const*>(user_source), length)) return Errno(EFAULT);
    return {};
}

Result<void> copy_to_user(u64 user_destination, void const* source, usize length) {
    if (!is_user_range(user_destination, length)) return Errno(EFAULT);
    if (user_copy(reinterpret_cast<void*>(user_destination), source, length)) return Errno(EFAULT);
    return {};
}

Result<void> clear_user(u64 user_destination, usize length) {
    if (!is_user_range(user_destination, length)) return Errno(EFAULT);
    if (user_clear(reinterpret_cast<void*>(user_destination), length)) return Errno(EFAULT);
    return {};
}

Result<usize> copy_string_from_user(UserCString source, char* buffer, usize max) {
    u64 address = source.address;
    usize copied = 0;
    // Copy up to page boundaries so that a string ending just before an
    // unmapped page does not fault.
    while (copied <= max) {
        usize chunk = kPageSize - (address & (kPageSize - 1));
        if (chunk > max + 1 - copied) chunk = max + 1 - copied;
        TRY(copy_from_user(buffer + copied, address, chunk));
        for (usize i = 0; i < chunk; i++)
            if (buffer[copied + i] == 0) return copied + i;
        copied += chunk;
        address += chunk;
    }
    return Errno(ENAMETOOLONG);
}

} // namespace mm
