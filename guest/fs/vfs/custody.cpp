#include <fs/vfs/custody.h>
#include <kernel/mm/heap.h>

#include <new>

Result<RefPtr<Custody>> Custody::create(RefPtr<Custody> parent, StringView name, RefPtr<Inode> inode) {
    auto* custody = new (std::nothrow) Custody(parent, inode);
    if (!custody) return Errno(ENOMEM);
    custody->m_name = static_cast<char*>(kmalloc(name.length() + 1));
    if (!custody->m_name) {
        delete custody;
        return Errno(ENOMEM);
    }
    __builtin_memcpy(custody->m_name, name.data(), name.length());
    custody->m_name[name.length()] = 0;
    custody->m_name_length = name.length();
    return RefPtr<Custody>::adopt(custody);
}

Custody::~Custody() { kfree(m_name); }

usize Custody::absolute_path(char* buffer, usize size) const {
    // Measure, then fill from the end.
    usize length = 0;
    for (Custody const* c = this; c->m_parent; c = c->m_parent.ptr()) length += 1 + c->m_name_length;
    if (length == 0) length = 1; // "/"
    if (length + 1 > size) {
        if (size) buffer[0] = 0;
        return length;
    }
    buffer[length] = 0;
    if (!m_parent) {
        buffer[0] = '/';
        return 1;
    }
    usize end = length;
    for (Custody const* c = this; c->m_parent; c = c->m_parent.ptr()) {
        end -= c->m_name_length;
        __builtin_memcpy(buffer + end, c->m_name, c->m_name_length);
        buffer[--end] = '/';
    }
    return length;
}
