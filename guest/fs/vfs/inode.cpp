#include <fs/devfs/devices.h>
#include <fs/pipe.h>
#include <fs/vfs/file.h>
#include <fs/vfs/inode.h>
#include <uapi/xattr.h>

Result<RefPtr<Inode>> Inode::lookup(StringView) { return Errno(ENOTDIR); }
Result<RefPtr<Inode>> Inode::create(StringView, u32, u32, u32, u64) { return Errno(is_directory() ? EPERM : ENOTDIR); }
Result<RefPtr<Inode>> Inode::create_symlink(StringView, StringView, u32, u32) {
    return Errno(is_directory() ? EPERM : ENOTDIR);
}
Result<void> Inode::link(StringView, Inode&) { return Errno(is_directory() ? EPERM : ENOTDIR); }
Result<void> Inode::remove(StringView, bool) { return Errno(is_directory() ? EPERM : ENOTDIR); }
Result<void> Inode::rename(StringView, Inode&, StringView) { return Errno(is_directory() ? EXDEV : ENOTDIR); }
Result<void> Inode::exchange(StringView, Inode&, StringView) { return Errno(is_directory() ? EINVAL : ENOTDIR); }
Result<u64> Inode::read_directory(u64, bool (*)(DirectoryEntry const&, void*), void*) { return Errno(ENOTDIR); }
Result<usize> Inode::read(u64, IoBuffer, usize) { return Errno(is_directory() ? EISDIR : EINVAL); }
Result<usize> Inode::write(u64, IoBuffer, usize) { return Errno(is_directory() ? EISDIR : EINVAL); }
Result<void> Inode::truncate(u64) { return Errno(is_directory() ? EISDIR : EINVAL); }
Result<usize> Inode::read_link(char*, usize) { return Errno(EINVAL); }
Result<usize> Inode::get_xattr(StringView, u8*, usize) { return Errno(EOPNOTSUPP); }
Result<void> Inode::list_xattrs(bool (*)(StringView, void*), void*) { return {}; }
Result<void> Inode::set_xattr(StringView, u8 const*, usize, u32) { return Errno(EOPNOTSUPP); }
Result<void> Inode::remove_xattr(StringView) { return Errno(EOPNOTSUPP); }

Result<void> Inode::set_mode(u32 mode) {
    m_metadata.mode = (m_metadata.mode & vfs::kModeTypeMask) | (mode & vfs::kModePermissions);
    m_metadata.ctime = clock::realtime();
    return {};
}

Result<void> Inode::set_owner(u32 uid, u32 gid) {
    if (uid != ~0u) m_metadata.uid = uid;
    if (gid != ~0u) m_metadata.gid = gid;
    m_metadata.ctime = clock::realtime();
    return {};
}

Result<void> Inode::set_times(Timespec const* atime, Timespec const* mtime) {
    if (atime) m_metadata.atime = *atime;
    if (mtime) m_metadata.mtime = *mtime;
    m_metadata.ctime = clock::realtime();
    return {};
}

void Inode::touch_modified() { m_metadata.mtime = m_metadata.ctime = clock::realtime(); }

Inode::Inode() = default;
Inode::~Inode() = default;

Result<RefPtr<File>> Inode::open(u32 flags) {
    if (vfs::is_character_device(m_metadata.mode)) return devices::open(m_metadata.rdev, flags);
    if (vfs::is_block_device(m_metadata.mode)) return devices::open_block(m_metadata.rdev, flags);
    if (vfs::is_fifo(m_metadata.mode)) {
        if (!m_fifo) m_fifo = TRY(Pipe::create());
        return Pipe::open_fifo(m_fifo, flags);
    }
    return InodeFile::create(*this, flags);
}

namespace {
u64 g_next_device = 1;
}

FileSystem::FileSystem() : m_anonymous_minor(u32(g_next_device++)) { }

namespace vfs {

namespace {

struct Namespace {
    StringView prefix;
    XattrNamespace space;
};
constexpr Namespace kNamespaces[] = {
    { uapi::XATTR_USER_PREFIX, XattrNamespace::User },
    { uapi::XATTR_TRUSTED_PREFIX, XattrNamespace::Trusted },
    { uapi::XATTR_SECURITY_PREFIX, XattrNamespace::Security },
    { uapi::XATTR_SYSTEM_PREFIX, XattrNamespace::System },
};

} // namespace

XattrNamespace xattr_namespace(StringView name) {
    for (auto const& known : kNamespaces)
        if (name.starts_with(known.prefix)) return known.space;
    return XattrNamespace::Other;
}

Result<void> check_xattr_name(StringView name) {
    for (auto const& known : kNamespaces) {
        if (!name.starts_with(known.prefix)) continue;
        if (known.space == XattrNamespace::System) break;
        return name.length() == known.prefix.length() ? Errno(EINVAL) : Result<void> {};
    }
    return Errno(EOPNOTSUPP);
}

bool is_posix_acl_name(StringView name) {
    return name == uapi::XATTR_NAME_POSIX_ACL_ACCESS || name == uapi::XATTR_NAME_POSIX_ACL_DEFAULT;
}

} // namespace vfs
