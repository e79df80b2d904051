// The extended-attribute syscalls (xattr(7)): set, get, list and remove an
// attribute by path (following a final symlink), by path without following
// it (the l* calls) or by descriptor (the f* calls).
//
// Arguments are checked in Linux's order, so that the first error is
// Linux's: the flags, the name, the value's size and bytes, then the path
// or descriptor; then, for a change, the mount's read-only flag; then
// Linux's xattr_permission rules for the namespace; then the inode. The
// POSIX ACL names are answered here, as Linux's VFS does before the file
// system: no ACL is ever kept (get ENODATA; set and remove EOPNOTSUPP,
// where Linux would store or drop one).
#include <kernel/syscalls/helpers.h>
#include <uapi/limits.h>
#include <uapi/xattr.h>

namespace {

using uapi::XATTR_LIST_MAX;
using uapi::XATTR_NAME_MAX;
using uapi::XATTR_SIZE_MAX;
using vfs::XattrNamespace;

// What a call acts on: an inode and its metadata. A descriptor of an
// object outside any file system (a pipe(2), a socket, an eventfd) has no
// inode here; Linux gives it one without attributes, so its mode alone
// decides (user. is refused before the missing attributes are).
struct Target {
    RefPtr<Inode> inode;
    InodeMetadata metadata;
};

Result<Target> target_at(UserCString user_path, bool follow) {
    auto path = TRY(UserPath::copy(user_path));
    if (path.is_empty()) return Errno(ENOENT);
    auto start = TRY(PathStart::create(AT_FDCWD, path.view()));
    auto custody
        = TRY(vfs::resolve(start.context(), path.view(), follow ? vfs::kResolveFollow : vfs::kResolveNoFollow));
    auto inode = custody->inode_ref();
    return Target { inode, inode->metadata() };
}

// A descriptor opened for I/O: an O_PATH one is EBADF (Linux's fdget). A
// device or fifo opened by name is a File of its own kind, but its
// attributes are those of the node it was opened through.
Result<Target> target_of(int fd) {
    auto file = TRY(file_for(fd));
    if (file->status_flags() & vfs::kPath) return Errno(EBADF);
    RefPtr<Inode> inode = file->inode();
    if (!inode && file->custody()) inode = file->custody()->inode_ref();
    if (inode) return Target { inode, inode->metadata() };
    return Target { nullptr, file->metadata() };
}

// An attribute name copied in: 1 to XATTR_NAME_MAX bytes, else ERANGE
// (Linux's import_xattr_name).
struct Name {
    char text[XATTR_NAME_MAX + 1];
    usize length { 0 };
    StringView view() const { return StringView(text, length); }
};

Result<void> copy_name(UserCString user_name, Name& name) {
    auto length = mm::copy_string_from_user(user_name, name.text, XATTR_NAME_MAX);
    if (length.is_error()) return length.error().code() == ENAMETOOLONG ? Errno(ERANGE) : length.error();
    if (length.value() == 0) return Errno(ERANGE);
    name.length = length.value();
    return {};
}

// Linux's xattr_permission, and the capability check its security hook
// adds for security. names (cap_inode_setxattr, cap_inode_removexattr).
// `write`: set and remove.
Result<void> check_permission(Target const& target, StringView name, bool write) {
    auto const& credentials = current_process().credentials();
    auto const& m = target.metadata;
    switch (vfs::xattr_namespace(name)) {
    case XattrNamespace::Security:
        // Anyone may read them (an LSM would decide); changing them needs
        // CAP_SYS_ADMIN.
        if (write && !credentials.is_superuser()) return Errno(EPERM);
        return {};
    case XattrNamespace::System:
        return {}; // the ACLs and the file system decide
    case XattrNamespace::Trusted:
        // Only for CAP_SYS_ADMIN; to anyone else they do not exist.
        if (!credentials.is_superuser()) return Errno(write ? EPERM : ENODATA);
        return {};
    case XattrNamespace::User:
        // Files and directories only: on a device node or fifo they would
        // let anyone who may write the device store data in the file system.
        if (!vfs::is_regular(m.mode) && !vfs::is_directory(m.mode)) return Errno(write ? EPERM : ENODATA);
        // A sticky directory's are its owner's, as its entries are.
        if (write && vfs::is_directory(m.mode) && (m.mode & vfs::kModeSticky) && !credentials.is_superuser()
            && credentials.fsuid != m.uid)
            return Errno(EPERM);
        break;
    case XattrNamespace::Other:
        break; // the file system refuses it (EOPNOTSUPP) once the bits allow
    }
    return vfs::check_access(credentials, m, write ? 2 : 4);
}

// Where Linux asks the ACL code (vfs_get_acl): a file system without
// attributes, or a symlink, has none to give (EOPNOTSUPP).
bool keeps_acl_names(Target const& target) {
    return target.inode && target.inode->fs().has_xattrs() && !vfs::is_symlink(target.metadata.mode);
}

// Checks a set or remove on `target` short of asking its inode.
Result<void> check_change(Target const& target, StringView name) {
    if (target.inode) TRY(vfs::want_write(*target.inode));
    TRY(check_permission(target, name, true));
    if (vfs::is_posix_acl_name(name) || !target.inode) return Errno(EOPNOTSUPP);
    return {};
}

// setxattr's arguments are all copied in before the path is looked at
// (Linux's setxattr_copy).
template<typename GetTarget>
Result<u64> set_xattr(UserCString user_name, UserPtr<u8> user_value, usize size, u32 flags, GetTarget get_target) {
    if (flags & ~(uapi::XATTR_CREATE | uapi::XATTR_REPLACE)) return Errno(EINVAL);
    Name name;
    TRY(copy_name(user_name, name));
    if (size > XATTR_SIZE_MAX) return Errno(E2BIG);
    HeapBuffer<u8> value(size ? size : 1); // an empty value is one too
    if (!value) return Errno(ENOMEM);
    if (size) TRY(mm::copy_from_user(value.data(), user_value.address, size));
    auto target = TRY(get_target());
    TRY(check_change(target, name.view()));
    TRY(target.inode->set_xattr(name.view(), value.data(), size, flags));
    return u64(0);
}

template<typename GetTarget>
Result<u64> get_xattr(UserCString user_name, UserPtr<u8> user_value, usize size, GetTarget get_target) {
    Name name;
    TRY(copy_name(user_name, name));
    auto target = TRY(get_target());
    TRY(check_permission(target, name.view(), false));
    if (vfs::is_posix_acl_name(name.view())) return Errno(keeps_acl_names(target) ? ENODATA : EOPNOTSUPP);
    if (!target.inode) return Errno(EOPNOTSUPP);
    // No value is longer than XATTR_SIZE_MAX, so no bigger buffer is needed.
    usize const capacity = lib::min(size, XATTR_SIZE_MAX);
    HeapBuffer<u8> value(capacity ? capacity : 1);
    if (!value) return Errno(ENOMEM);
    auto length = target.inode->get_xattr(name.view(), value.data(), capacity);
    if (length.is_error()) {
        // One that does not fit the largest buffer (a disk's, say) is E2BIG.
        if (length.error().code() == ERANGE && size >= XATTR_SIZE_MAX) return Errno(E2BIG);
        return length.error();
    }
    if (capacity && length.value()) TRY(mm::copy_to_user(user_value.address, value.data(), length.value()));
    return u64(length.value());
}

// The names, each followed by a NUL, into `buffer` (when it is not null)
// of `capacity` bytes; `length` counts them all. trusted. names are only
// listed for CAP_SYS_ADMIN (Linux's file systems leave them out).
struct Listing {
    char* buffer;
    usize capacity;
    usize length;
    bool trusted;
    bool overflow;
};

bool list_one(StringView name, void* context) {
    auto& listing = *static_cast<Listing*>(context);
    if (!listing.trusted && vfs::xattr_namespace(name) == XattrNamespace::Trusted) return true;
    usize const needed = name.length() + 1;
    if (listing.buffer) {
        if (needed > listing.capacity - listing.length) {
            listing.overflow = true;
            return false;
        }
        __builtin_memcpy(listing.buffer + listing.length, name.data(), name.length());
        listing.buffer[listing.length + name.length()] = 0;
    }
    listing.length += needed;
    return true;
}

template<typename GetTarget>
Result<u64> list_xattrs(UserPtr<char> user_list, usize size, GetTarget get_target) {
    auto target = TRY(get_target());
    if (!target.inode) return u64(0);
    usize const capacity = lib::min(size, XATTR_LIST_MAX);
    HeapBuffer<char> names(capacity ? capacity : 1);
    if (!names) return Errno(ENOMEM);
    Listing listing { capacity ? names.data() : nullptr, capacity, 0,
        current_process().credentials().is_superuser(), false };
    TRY(target.inode->list_xattrs(list_one, &listing));
    if (listing.overflow) return Errno(size >= XATTR_LIST_MAX ? E2BIG : ERANGE);
    if (capacity && listing.length) TRY(mm::copy_to_user(user_list.address, names.data(), listing.length));
    return u64(listing.length);
}

template<typename GetTarget>
Result<u64> remove_xattr(UserCString user_name, GetTarget get_target) {
    Name name;
    TRY(copy_name(user_name, name));
    auto target = TRY(get_target());
    TRY(check_change(target, name.view()));
    TRY(target.inode->remove_xattr(name.view()));
    return u64(0);
}

} // namespace

SYSCALL_HANDLER(setxattr, UserCString path, UserCString name, UserPtr<u8> value, usize size, u32 flags) {
    return set_xattr(name, value, size, flags, [&] { return target_at(path, true); });
}
SYSCALL_HANDLER(lsetxattr, UserCString path, UserCString name, UserPtr<u8> value, usize size, u32 flags) {
    return set_xattr(name, value, size, flags, [&] { return target_at(path, false); });
}
SYSCALL_HANDLER(fsetxattr, int fd, UserCString name, UserPtr<u8> value, usize size, u32 flags) {
    return set_xattr(name, value, size, flags, [&] { return target_of(fd); });
}

SYSCALL_HANDLER(getxattr, UserCString path, UserCString name, UserPtr<u8> value, usize size) {
    return get_xattr(name, value, size, [&] { return target_at(path, true); });
}
SYSCALL_HANDLER(lgetxattr, UserCString path, UserCString name, UserPtr<u8> value, usize size) {
    return get_xattr(name, value, size, [&] { return target_at(path, false); });
}
SYSCALL_HANDLER(fgetxattr, int fd, UserCString name, UserPtr<u8> value, usize size) {
    return get_xattr(name, value, size, [&] { return target_of(fd); });
}

SYSCALL_HANDLER(listxattr, UserCString path, UserPtr<char> list, usize size) {
    return list_xattrs(list, size, [&] { return target_at(path, true); });
}
SYSCALL_HANDLER(llistxattr, UserCString path, UserPtr<char> list, usize size) {
    return list_xattrs(list, size, [&] { return target_at(path, false); });
}
SYSCALL_HANDLER(flistxattr, int fd, UserPtr<char> list, usize size) {
    return list_xattrs(list, size, [&] { return target_of(fd); });
}

SYSCALL_HANDLER(removexattr, UserCString path, UserCString name) {
    return remove_xattr(name, [&] { return target_at(path, true); });
}
SYSCALL_HANDLER(lremovexattr, UserCString path, UserCString name) {
    return remove_xattr(name, [&] { return target_at(path, false); });
}
SYSCALL_HANDLER(fremovexattr, int fd, UserCString name) {
    return remove_xattr(name, [&] { return target_of(fd); });
}
