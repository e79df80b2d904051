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

namespace {

usize depth(Custody const* c) {
    usize d = 0;
    for (; c->parent(); c = c->parent()) d++;
    return d;
}

// Whether two custodies at the same depth name the same path.
bool same_path(Custody const* a, Custody const* b) {
    for (; a != b; a = a->parent(), b = b->parent())
        if (!a->parent() || !b->parent() || a->name() != b->name()) return a->parent() == b->parent();
    return true;
}

} // namespace

// The names from `top` (an ancestor, or this) down to this one.
usize Custody::path_below(Custody const* top, char* buffer, usize size) const {
    // Measure, then fill from the end.
    usize length = 0;
    for (Custody const* c = this; c != top; c = c->m_parent.ptr()) length += 1 + c->m_name_length;
    if (length == 0) length = 1; // "/"
    if (length + 1 > size) {
        if (size) buffer[0] = 0;
        return length;
    }
    buffer[length] = 0;
    if (this == top) {
        buffer[0] = '/';
        return 1;
    }
    usize end = length;
    for (Custody const* c = this; c != top; c = c->m_parent.ptr()) {
        end -= c->m_name_length;
        __builtin_memcpy(buffer + end, c->m_name, c->m_name_length);
        buffer[--end] = '/';
    }
    return length;
}

usize Custody::absolute_path(char* buffer, usize size) const {
    Custody const* top = this;
    while (top->m_parent) top = top->m_parent.ptr();
    return path_below(top, buffer, size);
}

usize Custody::path_from(Custody const& root, char* buffer, usize size, bool* reachable) const {
    // Compared by path, not by object: a mount point's custody and the
    // mounted root's are different objects with one path.
    usize const root_depth = depth(&root);
    usize const own_depth = depth(this);
    Custody const* top = this;
    bool under = own_depth >= root_depth;
    if (under) {
        for (usize i = root_depth; i < own_depth; i++) top = top->m_parent.ptr();
        under = same_path(top, &root);
    }
    if (reachable) *reachable = under;
    if (!under) return absolute_path(buffer, size);
    return path_below(top, buffer, size);
}
