// IoBuffer: a buffer that is either in kernel memory or in user memory, so
// that one read()/write() implementation serves syscalls (user buffers,
// EFAULT on bad pointers) and the kernel itself (exec reading an ELF).
#pragma once

#include <kernel/mm/user.h>
#include <lib/result.h>

class IoBuffer {
public:
    static IoBuffer user(u64 address) { return IoBuffer(address, true); }
    static IoBuffer kernel(void* p) { return IoBuffer(u64(p), false); }
    static IoBuffer kernel(void const* p) { return IoBuffer(u64(p), false); }

    // Copies `length` bytes into the buffer at `offset`.
    Result<void> write(usize offset, void const* source, usize length) const {
        if (m_user) return mm::copy_to_user(m_address + offset, source, length);
        __builtin_memcpy(reinterpret_cast<void*>(m_address + offset), source, length);
        return {};
    }
    // Copies `length` bytes out of the buffer at `offset`.
    Result<void> read(usize offset, void* destination, usize length) const {
        if (m_user) return mm::copy_from_user(destination, m_address + offset, length);
        __builtin_memcpy(destination, reinterpret_cast<void const*>(m_address + offset), length);
        return {};
    }
    Result<void> fill_zero(usize offset, usize length) const {
        if (m_user) return mm::clear_user(m_address + offset, length);
        __builtin_memset(reinterpret_cast<void*>(m_address + offset), 0, length);
        return {};
    }
    IoBuffer offset(usize n) const { return IoBuffer(m_address + n, m_user); }
    bool is_user() const { return m_user; }

private:
    IoBuffer(u64 address, bool user) : m_address(address), m_user(user) { }
    u64 m_address;
    bool m_user;
};
