// The VFS layer: the mount table, path resolution and the operations
// syscalls call (open, mkdir, unlink, rename, ...), with Linux's DAC
// permission checks and errno choices.
//
// Paths resolve from a root custody (the process's root) and a base custody
// (its working directory, or the directory of a dirfd). Symlinks are
// followed up to 40 times in one resolution (then ELOOP), as on Linux.
#pragma once

#include <fs/vfs/credentials.h>
#include <fs/vfs/custody.h>
#include <fs/vfs/file.h>

namespace vfs {

inline constexpr usize kPathMax = 4096;
inline constexpr usize kNameMax = 255;
inline constexpr unsigned kMaxSymlinks = 40;
inline constexpr usize kMaxMounts = 16; // besides the root

// The root file system, at boot: the initramfs's tmpfs ("rootfs"), or the
// disk named by root= ("/dev/vda") without an initramfs.
void init(RefPtr<FileSystem> root, StringView source = StringView("rootfs"), bool read_only = false);
RefPtr<Custody> root_custody();
// Mounts `fs` on the directory `path` (absolute), at boot; /proc/mounts
// names the source after the file system.
Result<void> mount(RefPtr<FileSystem> fs, StringView path);
// mount(2): mounts `fs` on the directory `target`. `source` is what
// /proc/mounts shows first ("/dev/vda", "tmpfs"). A directory that is
// already the root of a mount, or "/", cannot take another one: EBUSY
// (Linux stacks mounts; aramid does not yet). ENOMEM when the table is full.
Result<void> mount(RefPtr<FileSystem> fs, Custody& target, StringView source, bool read_only);
// mount(2) with MS_MOVE: the mount whose root `source` is moves to the
// directory `target`. EINVAL if `source` is no mount's root (or is "/"),
// ELOOP if `target` is inside that mount, EBUSY if `target` is already a
// mount point or another mount sits inside the one moved (aramid keeps
// each mount's path; Linux moves the mounts inside along). Processes
// whose working directory is inside keep their old path for "..".
Result<void> move_mount(Custody& source, Custody& target);
// The file system mounted at `target` (a mount's root, or "/"); EINVAL if
// `target` is no mount's root.
Result<FileSystem*> mounted_at(Custody& target);
// mount(2) with MS_REMOUNT: the file system mounted at `target` becomes
// read-only or writable (FileSystem::remount). EINVAL as mounted_at.
Result<void> remount(Custody& target, bool read_only);
// Whether comma-separated mount options (mount(2)'s data, rootflags=) hold `name`.
bool has_mount_option(StringView options, StringView name);
// umount(2): removes the mount whose root `target` is. EINVAL if it is no
// mount's root (or the root file system's); EBUSY if another mount sits
// inside it or `busy(fs, context)` says it is in use.
// Returns the unmounted file system: the caller drops it after its own
// references into the tree (the target's custody holds its root).
Result<RefPtr<FileSystem>> unmount(Custody& target, bool (*busy)(FileSystem& fs, void* context), void* context);

struct MountInfo {
    FileSystem& fs;
    Custody& mount_point;
    StringView source;
    bool read_only;
};
// Calls f for the root file system and then for each mount, in mount order
// (/proc/mounts).
void for_each_mount(void (*f)(MountInfo const& mount, void* context), void* context);
// sync(2): every mounted file system's sync(); errors are logged (sync
// reports none).
void sync_all();
// At the VM's exit: every mounted file system's shutdown(), newest mount
// first, as an unmount would.
void shutdown_all();

// Magic links (Linux's term): symlinks whose target is an object rather
// than a path -- procfs's /proc/<pid>/fd/N, cwd, root and exe. Following
// one jumps straight to that object, so it works where the text would not
// resolve: a deleted file, a directory outside the caller's root, a pipe
// ("pipe:[7]"). The file system that has such links registers these hooks
// (procfs, when it is created); readlink still returns the text.
struct MagicLinks {
    // The custody `link` leads to, or null when `link` is an ordinary
    // symlink (followed by its text).
    Result<RefPtr<Custody>> (*follow)(Inode& link);
    // Whether `inode`, reached through a magic link, stands in for an open
    // File that has no path (a pipe): open() returns that File as it is,
    // and it keeps its own custody (none) and description.
    bool (*is_open_file)(Inode& inode);
};
void set_magic_links(MagicLinks links);

// Where a path starts: the process's root and base directory.
struct Context {
    Credentials const& credentials;
    Custody& root;
    Custody& base;
};

// The kernel's own view of the tree, for its own lookups (boot-time setup,
// /proc's links): root's credentials, from the root. It keeps both alive
// for the Context it gives.
class KernelContext {
public:
    KernelContext() : m_root(root_custody()) { }
    Context context() const { return { m_credentials, *m_root, *m_root }; }

private:
    Credentials m_credentials;
    RefPtr<Custody> m_root;
};

enum ResolveFlags : unsigned {
    kResolveFollow = 0,        // follow a final symlink (the default)
    kResolveNoFollow = 1 << 0, // do not follow a final symlink
};

Result<RefPtr<Custody>> resolve(Context const& c, StringView path, unsigned flags = kResolveFollow);

// The last component of a path, copied out (symlink expansion may rewrite
// the path while resolving its parent).
struct LastName {
    char text[kNameMax + 1];
    usize length { 0 };
    bool trailing_slash { false };
    StringView view() const { return StringView(text, length); }
};
// Resolves all but the last component, which goes into `name`: "." for "/"
// or a path ending in "/.", and trailing_slash tells whether a "/" followed.
Result<RefPtr<Custody>> resolve_parent(Context const& c, StringView path, LastName& name);

// mask: 4 read, 2 write, 1 execute (search for directories).
Result<void> check_access(Credentials const& credentials, InodeMetadata const& metadata, int mask);
// Linux's inode_permission: on a read-only mount, writing (mask 2) to a
// regular file, directory or symlink is EROFS before any permission check;
// device nodes, fifos and sockets stay writable. Then check_access.
Result<void> check_permission(Credentials const& credentials, Inode& inode, int mask);
// Linux's mnt_want_write: EROFS if `inode` is on a read-only mount. Every
// change to a file system asks this first, in Linux's order: after the
// parent's lookup and the checks on the last name (".", ".." and, for
// creation, EEXIST), before the permission checks.
Result<void> want_write(Inode const& inode);

Result<RefPtr<File>> open(Context const& c, StringView path, u32 flags, u32 mode);
Result<void> mkdir(Context const& c, StringView path, u32 mode);
Result<void> mknod(Context const& c, StringView path, u32 mode, u64 device);
Result<void> unlink(Context const& c, StringView path, bool directory);
Result<void> rename(Context const& from, StringView old_path, Context const& to, StringView new_path, u32 flags);
Result<void> link(Context const& from, StringView old_path, Context const& to, StringView new_path, bool follow);
Result<void> symlink(Context const& c, StringView target, StringView path);
// Reads a symlink's target into buffer; returns the length (not terminated).
Result<usize> readlink(Context const& c, StringView path, char* buffer, usize size);

// Linux's rules for who may change mode, owner and times.
Result<void> chmod(Credentials const& credentials, Inode& inode, u32 mode);
Result<void> chown(Credentials const& credentials, Inode& inode, u32 uid, u32 gid);
Result<void> set_times(Credentials const& credentials, Inode& inode, Timespec const* atime, Timespec const* mtime,
                       bool set_to_now);

inline constexpr u32 kRenameNoReplace = 1;
inline constexpr u32 kRenameExchange = 2;

} // namespace vfs
