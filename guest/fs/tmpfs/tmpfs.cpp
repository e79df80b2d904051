#include <fs/tmpfs/tmpfs.h>
#include <fs/vfs/file.h>
#include <fs/vfs/file_pages.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/address_space.h>
#include <kernel/mm/physical.h>
#include <lib/kstring.h>
#include <lib/vector.h>
#include <uapi/xattr.h>

namespace {

using mm::kPageSize;

class TmpInode final : public Inode {
public:
    static Result<RefPtr<TmpInode>> create(TmpFs& fs, u32 mode, u32 uid, u32 gid, u64 rdev) {
        auto* inode = new (std::nothrow) TmpInode;
        if (!inode) return Errno(ENOMEM);
        inode->set_fs(&fs);
        auto& m = inode->m_metadata;
        m.ino = fs.allocate_ino();
        m.mode = mode;
        m.uid = uid;
        m.gid = gid;
        m.rdev = rdev;
        m.nlink = vfs::is_directory(mode) ? 2 : 1;
        m.atime = m.mtime = m.ctime = clock::realtime();
        return RefPtr<TmpInode>::adopt(inode);
    }

    // ---- directories
    Result<RefPtr<Inode>> lookup(StringView name) override {
        if (!is_directory()) return Errno(ENOTDIR);
        if (name == ".") return RefPtr<Inode>(this);
        if (name == "..") return RefPtr<Inode>(m_parent ? m_parent : this);
        if (Entry* e = find(name)) return e->inode;
        return Errno(ENOENT);
    }

    Result<RefPtr<Inode>> create(StringView name, u32 mode, u32 uid, u32 gid, u64 rdev) override {
        if (!is_directory()) return Errno(ENOTDIR);
        if (find(name)) return Errno(EEXIST);
        auto child = TRY(TmpInode::create(tmpfs(), mode, uid, gid, rdev));
        TRY(add_entry(name, child));
        if (child->is_directory()) {
            child->m_parent = this;
            m_metadata.nlink++;
        }
        return RefPtr<Inode>(child);
    }

    Result<RefPtr<Inode>> create_symlink(StringView name, StringView target, u32 uid, u32 gid) override {
        if (!is_directory()) return Errno(ENOTDIR);
        if (find(name)) return Errno(EEXIST);
        auto child = TRY(TmpInode::create(tmpfs(), vfs::kModeSymlink | 0777, uid, gid, 0));
        child->m_link_target = TRY(KString::create(target));
        child->m_metadata.size = target.length();
        TRY(add_entry(name, child));
        return RefPtr<Inode>(child);
    }

    Result<void> link(StringView name, Inode& target) override {
        if (!is_directory()) return Errno(ENOTDIR);
        if (find(name)) return Errno(EEXIST);
        if (&target.fs() != &fs()) return Errno(EXDEV);
        auto& t = static_cast<TmpInode&>(target);
        if (t.m_metadata.nlink == 0) return Errno(ENOENT); // already unlinked
        TRY(add_entry(name, RefPtr<TmpInode>(&t)));
        t.m_metadata.nlink++;
        t.m_metadata.ctime = clock::realtime();
        return {};
    }

    Result<void> remove(StringView name, bool directory) override {
        if (!is_directory()) return Errno(ENOTDIR);
        for (usize i = 0; i < m_entries.size(); i++) {
            if (m_entries[i].name.view() != name) continue;
            TmpInode& child = *m_entries[i].inode;
            if (directory) {
                if (!child.is_directory()) return Errno(ENOTDIR);
                if (!child.m_entries.is_empty()) return Errno(ENOTEMPTY);
                child.m_metadata.nlink = 0;
                child.m_parent = nullptr;
                m_metadata.nlink--;
            } else {
                if (child.is_directory()) return Errno(EISDIR);
                child.m_metadata.nlink--;
                child.m_metadata.ctime = clock::realtime();
            }
            m_entries.remove(i);
            touch_modified();
            return {};
        }
        return Errno(ENOENT);
    }

    Result<void> rename(StringView name, Inode& new_parent_inode, StringView new_name) override {
        auto& new_parent = static_cast<TmpInode&>(new_parent_inode);
        Entry* source = find(name);
        if (!source) return Errno(ENOENT);
        RefPtr<TmpInode> moving = source->inode;
        if (Entry* existing = new_parent.find(new_name)) {
            TmpInode& victim = *existing->inode;
            if (victim.is_directory()) {
                if (!victim.m_entries.is_empty()) return Errno(ENOTEMPTY);
                TRY(new_parent.remove(new_name, true));
            } else {
                TRY(new_parent.remove(new_name, false));
            }
        }
        TRY(new_parent.add_entry(new_name, moving));
        // Remove the old entry (find again: the vector may have moved).
        for (usize i = 0; i < m_entries.size(); i++) {
            if (m_entries[i].name.view() == name && m_entries[i].inode.ptr() == moving.ptr()) {
                m_entries.remove(i);
                break;
            }
        }
        if (moving->is_directory() && &new_parent != this) {
            moving->m_parent = &new_parent;
            m_metadata.nlink--;
            new_parent.m_metadata.nlink++;
        }
        moving->m_metadata.ctime = clock::realtime();
        touch_modified();
        new_parent.touch_modified();
        return {};
    }

    Result<void> exchange(StringView name, Inode& other_parent_inode, StringView other_name) override {
        auto& other_parent = static_cast<TmpInode&>(other_parent_inode);
        Entry* mine = find(name);
        Entry* theirs = other_parent.find(other_name);
        if (!mine || !theirs) return Errno(ENOENT);
        RefPtr<TmpInode> a = mine->inode, b = theirs->inode;
        mine->inode = b;
        theirs->inode = a;
        // A directory that changed parent moves its ".." link with it.
        if (&other_parent != this) {
            if (a->is_directory()) {
                a->m_parent = &other_parent;
                m_metadata.nlink--;
                other_parent.m_metadata.nlink++;
            }
            if (b->is_directory()) {
                b->m_parent = this;
                other_parent.m_metadata.nlink--;
                m_metadata.nlink++;
            }
        }
        a->m_metadata.ctime = b->m_metadata.ctime = clock::realtime();
        touch_modified();
        other_parent.touch_modified();
        return {};
    }

    // Positions are indexes: "." 0, ".." 1, then the entries in order.
    Result<u64> read_directory(u64 start, bool (*f)(DirectoryEntry const&, void*), void* context) override {
        if (!is_directory()) return Errno(ENOTDIR);
        u64 index = start;
        for (;; index++) {
            DirectoryEntry entry;
            if (index == 0) {
                entry = { StringView("."), m_metadata.ino, m_metadata.mode, index };
            } else if (index == 1) {
                TmpInode* parent = m_parent ? m_parent : this;
                entry = { StringView(".."), parent->m_metadata.ino, parent->m_metadata.mode, index };
            } else if (index - 2 < m_entries.size()) {
                Entry& e = m_entries[index - 2];
                entry = { e.name.view(), e.inode->m_metadata.ino, e.inode->m_metadata.mode, index };
            } else {
                return index;
            }
            if (!f(entry, context)) return index;
        }
    }

    // ---- contents
    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override {
        if (is_directory()) return Errno(EISDIR);
        if (offset >= m_metadata.size) return 0;
        length = usize(lib::min(u64(length), m_metadata.size - offset));
        usize done = 0;
        while (done < length) {
            u64 position = offset + done;
            usize in_page = usize(position % kPageSize);
            usize chunk = lib::min(length - done, usize(kPageSize - in_page));
            u64 frame = m_pages.at(FilePages::index_of(position));
            if (frame) TRY(buffer.write(done, mm::phys_to_ptr<u8>(frame) + in_page, chunk));
            else TRY(buffer.fill_zero(done, chunk)); // a hole
            done += chunk;
        }
        return done;
    }

    Result<usize> write(u64 offset, IoBuffer buffer, usize length) override {
        if (is_directory()) return Errno(EISDIR);
        if (offset + length < offset) return Errno(EFBIG);
        m_pages.zero_past_end(m_metadata.size, offset);
        usize done = 0;
        while (done < length) {
            u64 position = offset + done;
            usize in_page = usize(position % kPageSize);
            usize chunk = lib::min(length - done, usize(kPageSize - in_page));
            u64 frame = TRY(m_pages.get_or_make(FilePages::index_of(position)));
            auto copied = buffer.read(done, mm::phys_to_ptr<u8>(frame) + in_page, chunk);
            if (copied.is_error()) {
                if (done) break; // a partial write counts
                return copied.error();
            }
            done += chunk;
        }
        if (offset + done > m_metadata.size) m_metadata.size = offset + done;
        touch_modified();
        return done;
    }

    Result<void> truncate(u64 size) override {
        if (is_directory()) return Errno(EISDIR);
        if (!is_regular()) return Errno(EINVAL);
        m_pages.zero_past_end(m_metadata.size, size);
        m_pages.shrink(static_cast<Inode const*>(this), size);
        m_metadata.size = size;
        touch_modified();
        return {};
    }

    // Any page holding file bytes, the partial last one too (its tail past
    // EOF is kept zero, see FilePages); a hole gets a page now, since a
    // shared mapping must write into the file. ENXIO past EOF, so that
    // callers can tell it from the Inode default's ENOENT (no frames at all).
    Result<u64> page_frame(u64 offset, bool) override {
        if (!is_regular()) return Errno(ENOENT);
        if (offset % kPageSize) return Errno(EINVAL);
        if (offset >= m_metadata.size) return Errno(ENXIO);
        u64 const frame = TRY(m_pages.get_or_make(FilePages::index_of(offset)));
        mm::page_ref(frame);
        return frame;
    }

    Result<u64> cached_page_frame(u64 offset) override {
        if (!is_regular()) return Errno(ENOENT);
        return m_pages.cached(offset, m_metadata.size);
    }

    Result<void> adopt_pages(u64 const* frames, usize count, u64 size) override {
        if (!is_regular() || m_metadata.size || !m_pages.is_empty()) return Errno(EINVAL);
        if (size > count * kPageSize) return Errno(EINVAL);
        TRY(m_pages.adopt(frames, count));
        m_metadata.size = size;
        touch_modified();
        return {};
    }

    Result<usize> read_link(char* buffer, usize size) override {
        if (!is_symlink()) return Errno(EINVAL);
        usize n = lib::min(size, m_link_target.length());
        __builtin_memcpy(buffer, m_link_target.c_str(), n);
        return n;
    }

    // ---- extended attributes: user., trusted. and security., in memory,
    // on any kind of inode (the syscalls keep user. to files and
    // directories), as Linux 6.18's tmpfs. Unlike Linux, whose tmpfs counts
    // them against the mount's inode space, nothing limits them but memory.
    Result<usize> get_xattr(StringView name, u8* buffer, usize size) override {
        TRY(vfs::check_xattr_name(name));
        Xattr* xattr = find_xattr(name);
        if (!xattr) return Errno(ENODATA);
        usize const length = xattr->value.size();
        if (size == 0) return length;
        if (size < length) return Errno(ERANGE);
        if (length) __builtin_memcpy(buffer, xattr->value.begin(), length);
        return length;
    }

    Result<void> list_xattrs(bool (*f)(StringView, void*), void* context) override {
        for (auto const& xattr : m_xattrs)
            if (!f(xattr.name.view(), context)) break;
        return {};
    }

    Result<void> set_xattr(StringView name, u8 const* value, usize size, u32 flags) override {
        TRY(vfs::check_xattr_name(name));
        Xattr* existing = find_xattr(name);
        if (existing && (flags & uapi::XATTR_CREATE)) return Errno(EEXIST);
        if (!existing && (flags & uapi::XATTR_REPLACE)) return Errno(ENODATA);
        // The new value is complete before the old one goes, so that a
        // failure (ENOMEM) leaves the attribute as it was.
        Vector<u8> bytes;
        TRY(bytes.try_resize(size));
        if (size) __builtin_memcpy(bytes.begin(), value, size);
        if (existing) {
            existing->value = static_cast<Vector<u8>&&>(bytes);
        } else {
            TRY(m_xattrs.try_append(Xattr { TRY(KString::create(name)), static_cast<Vector<u8>&&>(bytes) }));
        }
        m_metadata.ctime = clock::realtime();
        return {};
    }

    Result<void> remove_xattr(StringView name) override {
        TRY(vfs::check_xattr_name(name));
        for (usize i = 0; i < m_xattrs.size(); i++) {
            if (m_xattrs[i].name.view() != name) continue;
            m_xattrs.remove(i);
            m_metadata.ctime = clock::realtime();
            return {};
        }
        return Errno(ENODATA);
    }

private:
    TmpInode() = default;
    struct Entry {
        KString name;
        RefPtr<TmpInode> inode;
    };

    TmpFs& tmpfs() { return static_cast<TmpFs&>(fs()); }

    Entry* find(StringView name) {
        for (auto& e : m_entries)
            if (e.name.view() == name) return &e;
        return nullptr;
    }
    Result<void> add_entry(StringView name, RefPtr<TmpInode> inode) {
        // A removed directory (someone's cwd, say) takes no new names (Linux).
        if (m_metadata.nlink == 0) return Errno(ENOENT);
        TRY(m_entries.try_append(Entry { TRY(KString::create(name)), inode }));
        touch_modified();
        return {};
    }
    struct Xattr {
        KString name;
        Vector<u8> value;
    };
    Xattr* find_xattr(StringView name) {
        for (auto& xattr : m_xattrs)
            if (xattr.name.view() == name) return &xattr;
        return nullptr;
    }

    Vector<Entry> m_entries;     // directories
    TmpInode* m_parent { nullptr }; // directories: not owning (the parent owns us)
    FilePages m_pages;           // regular files: frames, 0 for holes
    KString m_link_target;       // symlinks
    Vector<Xattr> m_xattrs;      // in the order they were made
};

} // namespace

Result<RefPtr<TmpFs>> TmpFs::create() {
    auto* raw = new (std::nothrow) TmpFs;
    if (!raw) return Errno(ENOMEM);
    auto fs = RefPtr<TmpFs>::adopt(raw);
    fs->m_root = TRY(TmpInode::create(*fs, vfs::kModeDirectory | 0755, 0, 0, 0));
    return fs;
}
