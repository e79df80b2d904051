#include <fs/vfs/vfs.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/heap.h>
#include <lib/own_ptr.h>

namespace vfs {

namespace {

struct Mount {
    RefPtr<Inode> mountpoint;
    RefPtr<FileSystem> fs;
    RefPtr<Custody> where; // the path it was mounted on, for /proc/mounts
    char source[64];       // what /proc/mounts shows as the device
};
Mount g_mounts[kMaxMounts];
usize g_mount_count;
RefPtr<Custody> g_root;
RefPtr<FileSystem> g_root_fs; // inodes point back to their file system without a reference
char g_root_source[64] = "rootfs"; // what /proc/mounts shows as the root's device
MagicLinks g_magic_links;

RefPtr<Inode> mounted_root(Inode* inode) {
    for (usize i = 0; i < g_mount_count; i++)
        if (g_mounts[i].mountpoint.ptr() == inode) return g_mounts[i].fs->root();
    return nullptr;
}

// The index of the mount whose root `inode` is, or g_mount_count.
usize mount_rooted_at(Inode const& inode) {
    usize index = g_mount_count;
    for (usize i = 0; i < g_mount_count; i++)
        if (g_mounts[i].fs->root().ptr() == &inode) index = i;
    return index;
}

// Whether a mount sits on `inode` or has it as its root: no place for
// another (mounts do not stack).
bool taken_by_a_mount(Inode const& inode) {
    for (usize i = 0; i < g_mount_count; i++)
        if (g_mounts[i].fs->root().ptr() == &inode || g_mounts[i].mountpoint.ptr() == &inode) return true;
    return false;
}

// Whether another mount sits inside mount `index`'s file system.
bool has_mounts_inside(usize index) {
    for (usize i = 0; i < g_mount_count; i++)
        if (i != index && &g_mounts[i].where->inode().fs() == g_mounts[index].fs.ptr()) return true;
    return false;
}

// A heap buffer for path text (PATH_MAX is too big for a kernel stack).
class PathBuffer {
public:
    PathBuffer() : m_data(static_cast<char*>(kmalloc(kPathMax * 2 + 2))) { }
    ~PathBuffer() { kfree(m_data); }
    char* data() { return m_data; }
    bool ok() const { return m_data != nullptr; }

private:
    char* m_data;
};

bool sticky_denies(Credentials const& cred, Inode const& dir, Inode const& victim) {
    if (!(dir.mode() & kModeSticky) || cred.is_superuser()) return false;
    return cred.fsuid != victim.metadata().uid && cred.fsuid != dir.metadata().uid;
}

// The walk itself. `path` may be rewritten in `scratch` as symlinks expand.
// If `stop_before_last`, returns the parent and leaves the last component
// in `last` (pointing into scratch or path).
Result<RefPtr<Custody>> walk(Context const& c, StringView path, unsigned flags, bool stop_before_last, LastName* last,
                             bool* trailing_slash) {
    if (path.is_empty()) return Errno(ENOENT);
    if (path.length() >= kPathMax) return Errno(ENAMETOOLONG);
    PathBuffer buffers;
    if (!buffers.ok()) return Errno(ENOMEM);
    char* current_path = buffers.data();
    char* link_target = buffers.data() + kPathMax + 1;
    __builtin_memcpy(current_path, path.data(), path.length());
    usize length = path.length();
    current_path[length] = 0;

    RefPtr<Custody> at = path[0] == '/' ? RefPtr<Custody>(&c.root) : RefPtr<Custody>(&c.base);
    unsigned links = 0;
    usize i = 0;
    for (;;) {
        while (i < length && current_path[i] == '/') i++;
        if (i == length) {
            // Path was "/" or ended in slashes after a directory.
            if (stop_before_last) {
                last->text[0] = '.';
                last->text[1] = 0;
                last->length = 1;
                *trailing_slash = true;
            }
            if (!at->inode().is_directory()) return Errno(ENOTDIR);
            return at;
        }
        usize start = i;
        while (i < length && current_path[i] != '/') i++;
        StringView name(current_path + start, i - start);
        if (name.length() > kNameMax) return Errno(ENAMETOOLONG);
        usize rest = i;
        while (rest < length && current_path[rest] == '/') rest++;
        bool const is_last = rest == length;
        bool const slash_after = i < length;

        if (!at->inode().is_directory()) return Errno(ENOTDIR);
        TRY(check_access(c.credentials, at->inode().metadata(), 1));

        if (is_last && stop_before_last) {
            __builtin_memcpy(last->text, name.data(), name.length());
            last->text[name.length()] = 0;
            last->length = name.length();
            *trailing_slash = slash_after;
            return at;
        }

        if (name == ".") {
            i = rest;
            if (is_last) return at;
            continue;
        }
        if (name == "..") {
            if (at.ptr() != &c.root && at->parent()) at = at->parent_ref();
            i = rest;
            if (is_last) return at;
            continue;
        }

        RefPtr<Inode> child = TRY(at->inode().lookup(name));
        if (RefPtr<Inode> mounted = mounted_root(child.ptr())) child = mounted;

        bool const follow = !is_last || slash_after || !(flags & kResolveNoFollow);
        if (child->is_symlink() && follow) {
            if (++links > kMaxSymlinks) return Errno(ELOOP);
            if (g_magic_links.follow) {
                if (RefPtr<Custody> target = TRY(g_magic_links.follow(*child))) {
                    at = target;
                    i = rest;
                    if (is_last) {
                        if (slash_after && !at->inode().is_directory()) return Errno(ENOTDIR);
                        return at;
                    }
                    continue;
                }
            }
            usize target_length = TRY(child->read_link(link_target, kPathMax));
            if (target_length == 0) return Errno(ENOENT);
            usize remaining = length - i;
            if (target_length + remaining >= kPathMax) return Errno(ENAMETOOLONG);
            // New path: target followed by what is left after this component.
            __builtin_memmove(current_path + target_length, current_path + i, remaining);
            __builtin_memcpy(current_path, link_target, target_length);
            length = target_length + remaining;
            current_path[length] = 0;
            i = 0;
            if (current_path[0] == '/') at = RefPtr<Custody>(&c.root);
            continue;
        }

        at = TRY(Custody::create(at, name, child));
        i = rest;
        if (is_last) {
            if (slash_after && !child->is_directory()) return Errno(ENOTDIR);
            return at;
        }
    }
}

} // namespace

void init(RefPtr<FileSystem> root, StringView source, bool read_only) {
    g_root_fs = root;
    g_root = Custody::create(nullptr, StringView("", 0), root->root()).release_value();
    usize const length = lib::min(source.length(), sizeof(g_root_source) - 1);
    __builtin_memcpy(g_root_source, source.data(), length);
    g_root_source[length] = 0;
    root->set_read_only(read_only);
    debug_table::mount_placed(*root, *g_root, read_only);
}

RefPtr<Custody> root_custody() { return g_root; }

Result<void> mount(RefPtr<FileSystem> fs, StringView path) {
    auto target = TRY(resolve(KernelContext().context(), path));
    StringView const source(fs->name());
    return mount(fs, *target, source, false);
}

Result<void> mount(RefPtr<FileSystem> fs, Custody& target, StringView source, bool read_only) {
    if (!target.inode().is_directory()) return Errno(ENOTDIR);
    if (!target.parent() || taken_by_a_mount(target.inode())) return Errno(EBUSY);
    if (g_mount_count == kMaxMounts) return Errno(ENOMEM);
    Mount& m = g_mounts[g_mount_count];
    m.mountpoint = target.inode_ref();
    m.fs = fs;
    m.where = RefPtr<Custody>(&target);
    usize const length = lib::min(source.length(), sizeof(m.source) - 1);
    __builtin_memcpy(m.source, source.data(), length);
    m.source[length] = 0;
    fs->set_read_only(read_only);
    g_mount_count++;
    debug_table::mount_placed(*fs, target, read_only);
    return {};
}

Result<void> move_mount(Custody& source, Custody& target) {
    usize const index = mount_rooted_at(source.inode());
    if (index == g_mount_count) return Errno(EINVAL); // not a mount's root (or the root file system)
    FileSystem& fs = *g_mounts[index].fs;
    if (!target.inode().is_directory()) return Errno(ENOTDIR);
    if (&target.inode().fs() == &fs) return Errno(ELOOP); // under itself
    // The mounts inside would keep their old paths in /proc/mounts.
    if (has_mounts_inside(index) || taken_by_a_mount(target.inode()) || !target.parent()) return Errno(EBUSY);
    // Last in the table, as a new mount: everything it sits on comes before it.
    Mount moved = g_mounts[index];
    for (usize i = index; i + 1 < g_mount_count; i++) g_mounts[i] = g_mounts[i + 1];
    moved.mountpoint = target.inode_ref();
    moved.where = RefPtr<Custody>(&target);
    g_mounts[g_mount_count - 1] = moved;
    debug_table::mount_placed(fs, target, fs.read_only());
    return {};
}

Result<FileSystem*> mounted_at(Custody& target) {
    if (!target.parent()) return g_root_fs.ptr(); // "/" (also a chroot's "/" is no mount's root)
    usize const index = mount_rooted_at(target.inode());
    if (index == g_mount_count) return Errno(EINVAL);
    return g_mounts[index].fs.ptr();
}

Result<void> remount(Custody& target, bool read_only) {
    FileSystem& fs = *TRY(mounted_at(target));
    TRY(fs.remount(read_only));
    for (usize i = 0; i < g_mount_count; i++)
        if (g_mounts[i].fs.ptr() == &fs) debug_table::mount_placed(fs, *g_mounts[i].where, fs.read_only());
    if (&fs == g_root_fs.ptr()) debug_table::mount_placed(fs, *g_root, fs.read_only());
    return {};
}

Result<RefPtr<FileSystem>> unmount(Custody& target, bool (*busy)(FileSystem& fs, void* context), void* context) {
    usize const index = mount_rooted_at(target.inode());
    if (index == g_mount_count) return Errno(EINVAL);
    FileSystem& fs = *g_mounts[index].fs;
    if (has_mounts_inside(index) || busy(fs, context)) return Errno(EBUSY);
    RefPtr<FileSystem> unmounted = g_mounts[index].fs;
    for (usize i = index; i + 1 < g_mount_count; i++) g_mounts[i] = g_mounts[i + 1];
    g_mount_count--;
    g_mounts[g_mount_count] = Mount {};
    return unmounted;
}

void for_each_mount(void (*f)(MountInfo const& mount, void* context), void* context) {
    if (!g_root_fs) return;
    f({ *g_root_fs, *g_root, StringView(g_root_source), g_root_fs->read_only() }, context);
    for (usize i = 0; i < g_mount_count; i++) {
        Mount& m = g_mounts[i];
        f({ *m.fs, *m.where, StringView(m.source), m.fs->read_only() }, context);
    }
}

void sync_all() {
    auto sync = [](FileSystem& fs, char const* source) {
        auto result = fs.sync();
        if (result.is_error()) log_error("sync: %s on %s: errno %d", fs.name(), source, result.error().code());
    };
    if (g_root_fs) sync(*g_root_fs, g_root_source);
    for (usize i = 0; i < g_mount_count; i++) sync(*g_mounts[i].fs, g_mounts[i].source);
}

void shutdown_all() {
    for (usize i = g_mount_count; i-- > 0;) g_mounts[i].fs->shutdown();
    if (g_root_fs) g_root_fs->shutdown();
}

void set_magic_links(MagicLinks links) { g_magic_links = links; }

Result<RefPtr<Custody>> resolve(Context const& c, StringView path, unsigned flags) {
    return walk(c, path, flags, false, nullptr, nullptr);
}

Result<RefPtr<Custody>> resolve_parent(Context const& c, StringView path, LastName& name) {
    name.trailing_slash = false;
    name.length = 0;
    return walk(c, path, kResolveFollow, true, &name, &name.trailing_slash);
}

Result<void> check_access(Credentials const& cred, InodeMetadata const& m, int mask) {
    if (cred.is_superuser()) {
        if (!(mask & 1) || is_directory(m.mode) || (m.mode & 0111)) return {};
        return Errno(EACCES);
    }
    u32 bits;
    if (cred.fsuid == m.uid) bits = (m.mode >> 6) & 7;
    else if (cred.in_group(m.gid)) bits = (m.mode >> 3) & 7;
    else bits = m.mode & 7;
    if ((bits & u32(mask)) == u32(mask)) return {};
    return Errno(EACCES);
}

Result<void> want_write(Inode const& inode) {
    if (inode.fs().read_only()) return Errno(EROFS);
    return {};
}

Result<void> check_permission(Credentials const& cred, Inode& inode, int mask) {
    if ((mask & 2) && (inode.is_regular() || inode.is_directory() || inode.is_symlink())) TRY(want_write(inode));
    return check_access(cred, inode.metadata(), mask);
}

namespace {

Result<RefPtr<File>> open(Context const& c, StringView path, u32 flags, u32 mode, int links);

// O_CREAT on a symlink to nothing creates the file it names (Linux): open
// the link's text, relative to the link's directory.
Result<RefPtr<File>> open_dangling_target(Context const& c, Custody& parent, Inode& link, u32 flags, u32 mode,
                                          int links) {
    if (links == kMaxSymlinks) return Errno(ELOOP);
    HeapBuffer<char> target_buffer(kPathMax);
    if (!target_buffer) return Errno(ENOMEM);
    char* const target = target_buffer.data();
    usize const length = TRY(link.read_link(target, kPathMax - 1));
    if (length == 0) return Errno(ENOENT);
    Context const at_link { c.credentials, c.root, parent };
    return open(at_link, StringView(target, length), flags, mode, links + 1);
}

Result<RefPtr<File>> open(Context const& c, StringView path, u32 flags, u32 mode, int links) {
    RefPtr<Custody> custody;
    bool created = false;
    if (flags & kCreate) {
        LastName last;
        auto parent = TRY(resolve_parent(c, path, last));
        StringView const name = last.view();
        if (last.trailing_slash || name == "." || name == "..") return Errno(EISDIR);
        auto existing = parent->inode().lookup(name);
        if (!existing.is_error()) {
            if (flags & kExclusive) return Errno(EEXIST);
            auto resolved = resolve(c, path, (flags & kNoFollow) ? kResolveNoFollow : kResolveFollow);
            if (resolved.is_error() && resolved.error().code() == ENOENT && existing.value()->is_symlink())
                return open_dangling_target(c, *parent, *existing.value(), flags, mode, links);
            custody = TRY(static_cast<Result<RefPtr<Custody>>&&>(resolved));
        } else if (existing.error().code() == ENOENT) {
            TRY(want_write(parent->inode()));
            TRY(check_access(c.credentials, parent->inode().metadata(), 3));
            u32 gid = (parent->inode().mode() & kModeSetGid) ? parent->inode().metadata().gid : c.credentials.fsgid;
            auto inode = TRY(parent->inode().create(name, kModeRegular | (mode & kModePermissions), c.credentials.fsuid,
                                                    gid, 0));
            custody = TRY(Custody::create(parent, name, inode));
            created = true;
        } else {
            return existing.error();
        }
    } else {
        custody = TRY(resolve(c, path, (flags & kNoFollow) ? kResolveNoFollow : kResolveFollow));
    }
    Inode& inode = custody->inode();
    if (flags & kPath) {
        auto file = TRY(InodeFile::create(inode, flags));
        file->set_custody(custody);
        return file;
    }
    if ((flags & kDirectory) && !inode.is_directory()) return Errno(ENOTDIR);
    if (inode.is_symlink()) return Errno(ELOOP); // O_NOFOLLOW on a symlink
    u32 const access = flags & kAccessModeMask;
    if (inode.is_directory() && (access != kReadOnly || (flags & kCreate))) return Errno(EISDIR);
    // Linux's may_open_dev: device nodes on a nodev mount cannot be opened.
    u32 const type = inode.mode() & kModeTypeMask;
    if ((type == kModeCharacter || type == kModeBlock) && (inode.fs().mount_flags() & kMountNoDev)) return Errno(EACCES);
    if (!created) {
        // O_TRUNC of a regular file asks for the mount first (Linux's do_open).
        if ((flags & kTruncate) && inode.is_regular()) TRY(want_write(inode));
        int mask = 0;
        if (access == kReadOnly || access == kReadWrite) mask |= 4;
        if (access == kWriteOnly || access == kReadWrite || (flags & kTruncate)) mask |= 2;
        TRY(check_permission(c.credentials, inode, mask));
    }
    // A socket's node is only a name for connect(2): open() is ENXIO (Linux's no_open).
    if ((inode.mode() & kModeTypeMask) == kModeSocket) return Errno(ENXIO);
    if ((flags & kTruncate) && inode.is_regular() && access != kReadOnly) TRY(inode.truncate(0));
    auto file = TRY(inode.open(flags));
    if (!g_magic_links.is_open_file || !g_magic_links.is_open_file(inode)) file->set_custody(custody);
    return file;
}

} // namespace

Result<RefPtr<File>> open(Context const& c, StringView path, u32 flags, u32 mode) {
    // Never meaningful together (Linux 6.4 and later: EINVAL).
    if ((flags & kCreate) && (flags & kDirectory)) return Errno(EINVAL);
    return open(c, path, flags, mode, 0);
}

Result<void> mknod(Context const& c, StringView path, u32 mode, u64 device) {
    LastName last;
    auto parent = TRY(resolve_parent(c, path, last));
    StringView const name = last.view();
    bool const trailing = last.trailing_slash;
    if (name == "." || name == ".." || name.is_empty()) return Errno(EEXIST);
    if (trailing && !is_directory(mode)) return Errno(ENOENT);
    if (!parent->inode().lookup(name).is_error()) return Errno(EEXIST);
    TRY(want_write(parent->inode()));
    TRY(check_access(c.credentials, parent->inode().metadata(), 3));
    u32 gid = (parent->inode().mode() & kModeSetGid) ? parent->inode().metadata().gid : c.credentials.fsgid;
    if (is_directory(mode) && (parent->inode().mode() & kModeSetGid)) mode |= kModeSetGid;
    TRY(parent->inode().create(name, mode, c.credentials.fsuid, gid, device));
    return {};
}

Result<void> mkdir(Context const& c, StringView path, u32 mode) {
    return mknod(c, path, kModeDirectory | (mode & 01777), 0);
}

Result<void> unlink(Context const& c, StringView path, bool directory) {
    LastName last;
    auto parent = TRY(resolve_parent(c, path, last));
    StringView const name = last.view();
    bool const trailing = last.trailing_slash;
    if (name == ".") return Errno(directory ? EINVAL : EISDIR);
    if (name == ".." || name.is_empty()) return Errno(directory ? ENOTEMPTY : EISDIR);
    TRY(want_write(parent->inode()));
    auto victim = TRY(parent->inode().lookup(name));
    if (!directory && trailing) return Errno(victim->is_directory() ? EISDIR : ENOTDIR);
    if (directory && !victim->is_directory()) return Errno(ENOTDIR);
    if (!directory && victim->is_directory()) return Errno(EISDIR);
    TRY(check_access(c.credentials, parent->inode().metadata(), 3));
    if (sticky_denies(c.credentials, parent->inode(), *victim)) return Errno(EPERM);
    if (mounted_root(victim.ptr())) return Errno(EBUSY);
    return parent->inode().remove(name, directory);
}

Result<void> rename(Context const& from, StringView old_path, Context const& to, StringView new_path, u32 flags) {
    if (flags & ~(kRenameNoReplace | kRenameExchange)) return Errno(EINVAL);
    if ((flags & kRenameNoReplace) && (flags & kRenameExchange)) return Errno(EINVAL);
    LastName old_last, new_last;
    auto old_parent = TRY(resolve_parent(from, old_path, old_last));
    auto new_parent = TRY(resolve_parent(to, new_path, new_last));
    StringView const old_name = old_last.view(), new_name = new_last.view();
    bool const old_trailing = old_last.trailing_slash, new_trailing = new_last.trailing_slash;
    // Linux's do_renameat2 order: the mounts, the names, then the mount's
    // read-only flag, and only then the lookups.
    if (&old_parent->inode().fs() != &new_parent->inode().fs()) return Errno(EXDEV);
    if (old_name == "." || old_name == ".." || new_name == "." || new_name == ".." || old_name.is_empty()
        || new_name.is_empty())
        return Errno(EBUSY);
    TRY(want_write(old_parent->inode()));
    auto source = TRY(old_parent->inode().lookup(old_name));
    if ((old_trailing || new_trailing) && !source->is_directory()) return Errno(ENOTDIR);
    TRY(check_access(from.credentials, old_parent->inode().metadata(), 3));
    TRY(check_access(to.credentials, new_parent->inode().metadata(), 3));
    if (sticky_denies(from.credentials, old_parent->inode(), *source)) return Errno(EPERM);
    // A directory cannot move into itself or below itself.
    auto moves_below_itself = [](Inode& moving, Custody* destination) {
        if (!moving.is_directory()) return false;
        for (Custody* c = destination; c; c = c->parent())
            if (&c->inode() == &moving) return true;
        return false;
    };
    if (moves_below_itself(*source, new_parent.ptr())) return Errno(EINVAL);
    auto existing = new_parent->inode().lookup(new_name);
    if (flags & kRenameExchange) {
        if (existing.is_error()) return existing.error();
        RefPtr<Inode> other = existing.release_value();
        if (other.ptr() == source.ptr()) return {};
        if (new_trailing && !other->is_directory()) return Errno(ENOTDIR);
        if (moves_below_itself(*other, old_parent.ptr())) return Errno(EINVAL);
        if (sticky_denies(to.credentials, new_parent->inode(), *other)) return Errno(EPERM);
        if (mounted_root(source.ptr()) || mounted_root(other.ptr())) return Errno(EBUSY);
        return old_parent->inode().exchange(old_name, new_parent->inode(), new_name);
    }
    if (!existing.is_error()) {
        if (flags & kRenameNoReplace) return Errno(EEXIST);
        RefPtr<Inode> target = existing.release_value();
        if (target.ptr() == source.ptr()) return {}; // same file: nothing to do
        if (source->is_directory() && !target->is_directory()) return Errno(ENOTDIR);
        if (!source->is_directory() && target->is_directory()) return Errno(EISDIR);
        if (sticky_denies(to.credentials, new_parent->inode(), *target)) return Errno(EPERM);
        if (mounted_root(target.ptr())) return Errno(EBUSY);
    }
    return old_parent->inode().rename(old_name, new_parent->inode(), new_name);
}

Result<void> link(Context const& from, StringView old_path, Context const& to, StringView new_path, bool follow) {
    auto source = TRY(resolve(from, old_path, follow ? kResolveFollow : kResolveNoFollow));
    LastName last;
    auto parent = TRY(resolve_parent(to, new_path, last));
    StringView const name = last.view();
    bool const trailing = last.trailing_slash;
    if (trailing) return Errno(ENOENT);
    if (name == "." || name == ".." || name.is_empty()) return Errno(EEXIST);
    if (!parent->inode().lookup(name).is_error()) return Errno(EEXIST);
    // Linux's do_linkat and vfs_link order: EEXIST, EROFS, EXDEV, the
    // parent's permissions, and only then EPERM for a directory.
    TRY(want_write(parent->inode()));
    if (&parent->inode().fs() != &source->inode().fs()) return Errno(EXDEV);
    TRY(check_access(to.credentials, parent->inode().metadata(), 3));
    if (source->inode().is_directory()) return Errno(EPERM);
    return parent->inode().link(name, source->inode());
}

Result<void> symlink(Context const& c, StringView target, StringView path) {
    if (target.is_empty()) return Errno(ENOENT);
    if (target.length() >= kPathMax) return Errno(ENAMETOOLONG);
    LastName last;
    auto parent = TRY(resolve_parent(c, path, last));
    StringView const name = last.view();
    bool const trailing = last.trailing_slash;
    if (name == "." || name == ".." || name.is_empty() || trailing) return Errno(EEXIST);
    if (!parent->inode().lookup(name).is_error()) return Errno(EEXIST);
    TRY(want_write(parent->inode()));
    TRY(check_access(c.credentials, parent->inode().metadata(), 3));
    TRY(parent->inode().create_symlink(name, target, c.credentials.fsuid, c.credentials.fsgid));
    return {};
}

Result<usize> readlink(Context const& c, StringView path, char* buffer, usize size) {
    auto custody = TRY(resolve(c, path, kResolveNoFollow));
    if (!custody->inode().is_symlink()) return Errno(EINVAL);
    return custody->inode().read_link(buffer, size);
}

Result<void> chmod(Credentials const& cred, Inode& inode, u32 mode) {
    TRY(want_write(inode));
    if (!cred.is_superuser() && cred.fsuid != inode.metadata().uid) return Errno(EPERM);
    // An unprivileged owner outside the file's group loses set-group-ID.
    if (!cred.is_superuser() && !cred.in_group(inode.metadata().gid)) mode &= ~kModeSetGid;
    return inode.set_mode(mode);
}

Result<void> chown(Credentials const& cred, Inode& inode, u32 uid, u32 gid) {
    TRY(want_write(inode));
    auto const& m = inode.metadata();
    if (!cred.is_superuser()) {
        if (uid != ~0u && uid != m.uid) return Errno(EPERM);
        if (gid != ~0u && (cred.fsuid != m.uid || !cred.in_group(gid))) return Errno(EPERM);
        if (uid == ~0u && gid == ~0u && cred.fsuid != m.uid) return Errno(EPERM);
    }
    TRY(inode.set_owner(uid, gid));
    // Changing the owner clears set-user-ID (and set-group-ID if group-executable).
    if (!is_directory(m.mode) && (uid != ~0u || gid != ~0u)) {
        u32 mode = m.mode & kModePermissions;
        u32 cleared = mode & ~kModeSetUid;
        if (mode & 010) cleared &= ~kModeSetGid;
        if (cleared != mode) TRY(inode.set_mode(cleared));
    }
    return {};
}

Result<void> set_times(Credentials const& cred, Inode& inode, Timespec const* atime, Timespec const* mtime,
                       bool set_to_now) {
    TRY(want_write(inode));
    bool const owner = cred.is_superuser() || cred.fsuid == inode.metadata().uid;
    if (set_to_now) {
        if (!owner && check_access(cred, inode.metadata(), 2).is_error()) return Errno(EACCES);
    } else if (!owner) {
        return Errno(EPERM);
    }
    return inode.set_times(atime, mtime);
}

bool has_mount_option(StringView options, StringView name)
{
    while (!options.is_empty()) {
        usize comma = 0;
        while (comma < options.length() && options[comma] != ',') comma++;
        if (options.substring(0, comma) == name) return true;
        options = comma < options.length() ? options.substring(comma + 1, options.length() - comma - 1) : StringView();
    }
    return false;
}

} // namespace vfs
