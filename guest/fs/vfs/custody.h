// Custody: an inode together with the path by which it was reached -- a
// chain of (parent custody, name). Path resolution produces custodies; the
// working directory, the root, getcwd() and /proc/<pid>/cwd use them, and
// ".." walks the chain (so it also crosses mount points correctly).
#pragma once

#include <fs/vfs/inode.h>
#include <lib/ref_ptr.h>

class Custody : public RefCounted<Custody> {
public:
    static Result<RefPtr<Custody>> create(RefPtr<Custody> parent, StringView name, RefPtr<Inode> inode);
    ~Custody();

    Custody* parent() const { return m_parent.ptr(); }
    RefPtr<Custody> parent_ref() const { return m_parent; }
    Inode& inode() const { return *m_inode; }
    RefPtr<Inode> inode_ref() const { return m_inode; }
    StringView name() const { return StringView(m_name, m_name_length); }

    // Writes the absolute path, NUL-terminated; returns its length or, if it
    // did not fit, the length it needs (like snprintf).
    usize absolute_path(char* buffer, usize size) const;
    // The path as a process whose root is `root` sees it (chroot): what
    // getcwd and /proc show. Outside that root (`reachable` false), the
    // absolute path.
    usize path_from(Custody const& root, char* buffer, usize size, bool* reachable = nullptr) const;

private:
    usize path_below(Custody const* top, char* buffer, usize size) const;
    Custody(RefPtr<Custody> parent, RefPtr<Inode> inode) : m_parent(parent), m_inode(inode) { }
    RefPtr<Custody> m_parent;
    RefPtr<Inode> m_inode;
    char* m_name { nullptr };
    usize m_name_length { 0 };
};
