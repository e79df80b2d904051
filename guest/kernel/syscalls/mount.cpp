// mount(2) and umount2(2): new mounts of ext2/ext3/ext4 (from a disk),
// tmpfs and proc, and their removal.
//
// Checks in Linux's order (do_mount, path_mount, do_new_mount): the strings
// are copied (EFAULT), the target resolved (ENOENT, ENOTDIR ...), then
// root is required (EPERM), then the flags and the type (ENODEV for an
// unknown one), then the source device (ENOTBLK, ENXIO).
//
// Where we differ from Linux:
//  - ext2/ext3/ext4 are written in place without the journal (a journal
//    left by a crash is replayed at mount first, as Linux does); one with
//    a feature the writer cannot keep consistent (or a journal it cannot
//    replay) mounts read-only only (EROFS without MS_RDONLY; busybox's
//    mount then retries read-only by itself, as for a write-protected disk,
//    which is EACCES).
//  - MS_MOVE moves a mount without the mounts inside it (EBUSY if there
//    are any: see vfs::move_mount).
//  - MS_REMOUNT changes only the read-only flag (of the file system: a
//    disk mounts once); remounting ext* read-only with a file removed but
//    still open is EBUSY (Linux keeps it on the orphan list). MS_REMOUNT
//    with MS_BIND, MS_BIND and the propagation flags are EINVAL;
//    nosuid, nodev and noexec are enforced (exec, open, mmap); other flags
//    (atime, sync, dirsync ...) are accepted and not. Of the mount options
//    (`data`) only ext*'s noload and norecovery do something; the others
//    are accepted and ignored (Linux rejects the ones it does not know).
//  - Mounts do not stack: a directory that is already a mount's root is EBUSY.
//  - A disk mounts once: mounting it again elsewhere is EBUSY (Linux shows
//    the one file system at both places).
//  - umount2: MNT_FORCE, MNT_DETACH and MNT_EXPIRE are EINVAL. A mount is
//    busy (EBUSY) when another mount sits inside it, or any process has its
//    working directory, root or executable there, or an open file there;
//    on ext* also while any of its inodes is referenced at all (a mapping
//    included), which ext* can count exactly.
#include <fs/ext4/ext4_fs.h>
#include <fs/procfs/procfs.h>
#include <fs/tmpfs/tmpfs.h>
#include <kernel/syscalls/helpers.h>

namespace {

// <linux/mount.h>
constexpr u64 MS_RDONLY = 1;
constexpr u64 MS_REMOUNT = 32;
// The mount flags that change what a file system allows (vfs::kMountNoSuid ...).
constexpr u32 kEnforcedFlags = vfs::kMountNoSuid | vfs::kMountNoDev | vfs::kMountNoExec;
constexpr u64 MS_BIND = 4096;
constexpr u64 MS_MOVE = 8192;
constexpr u64 MS_UNBINDABLE = 1 << 17;
constexpr u64 MS_PRIVATE = 1 << 18;
constexpr u64 MS_SLAVE = 1 << 19;
constexpr u64 MS_SHARED = 1 << 20;
constexpr u64 MS_NOUSER = 1u << 31;
constexpr u64 MS_MGC_MASK = 0xffff0000;
constexpr u64 MS_MGC_VAL = 0xc0ed0000; // the old "magic" in the high bits, ignored
constexpr u32 MNT_FORCE = 1;
constexpr u32 MNT_DETACH = 2;
constexpr u32 MNT_EXPIRE = 4;
constexpr u32 UMOUNT_NOFOLLOW = 8;

// A mount string (type or source) copied in when present, as Linux's
// copy_mount_string: null stays null, a bad pointer is EFAULT.
Result<OwnPtr<UserPath>> copy_if_present(UserCString string)
{
    if (string.is_null()) return OwnPtr<UserPath>();
    return try_make<UserPath>(TRY(UserPath::copy(string)));
}

// The disk a block device node names.
Result<BlockDevice*> disk_at(StringView source)
{
    if (source.is_empty()) return Errno(ENOENT);
    auto start = TRY(PathStart::create(AT_FDCWD, source));
    auto custody = TRY(vfs::resolve(start.context(), source));
    InodeMetadata const& m = custody->inode().metadata();
    if ((m.mode & vfs::kModeTypeMask) != vfs::kModeBlock) return Errno(ENOTBLK);
    BlockDevice* device = block::find(m.rdev);
    if (!device) return Errno(ENXIO);
    return device;
}

// The first proc mount's command line, for another proc instance.
StringView kernel_command_line()
{
    StringView line;
    vfs::for_each_mount(
        [](vfs::MountInfo const& mount, void* context) {
            auto& out = *static_cast<StringView*>(context);
            if (out.is_empty() && StringView(mount.fs.name()) == "proc")
                out = static_cast<ProcFs&>(mount.fs).kernel_command_line();
        },
        &line);
    return line;
}

bool is_ext(StringView type) { return Ext4FileSystem::type_name(type) != nullptr; }

void copy_name(char* out, usize size, StringView a, StringView b = StringView())
{
    usize n = 0;
    for (char c : a)
        if (n + 1 < size) out[n++] = c;
    for (char c : b)
        if (n + 1 < size) out[n++] = c;
    out[n] = 0;
}

// The new file system, and in `source_name` what /proc/mounts calls its source.
Result<RefPtr<FileSystem>> create_file_system(
    StringView type, UserPath const* source, bool read_only, StringView options, char* source_name, usize source_size)
{
    if (is_ext(type)) {
        if (!source) return Errno(EINVAL); // Linux: "No source specified"
        BlockDevice* device = TRY(disk_at(source->view()));
        copy_name(source_name, source_size, "/dev/", device->name());
        char const* name = Ext4FileSystem::type_name(type);
        bool const no_load = vfs::has_mount_option(options, "noload") || vfs::has_mount_option(options, "norecovery");
        return RefPtr<FileSystem>(TRY(Ext4FileSystem::create(*device, name, read_only, no_load)));
    }
    // Memory file systems ignore the source but show it, as Linux does.
    copy_name(source_name, source_size, source ? source->view() : StringView("none"));
    if (type == "tmpfs") return RefPtr<FileSystem>(TRY(TmpFs::create()));
    if (type == "proc") return RefPtr<FileSystem>(TRY(ProcFs::create(kernel_command_line())));
    return Errno(ENODEV);
}

// Whether a file on `fs` is open for writing (remount,ro's busy rule).
bool open_for_writing(FileSystem& fs)
{
    bool found = false;
    Process::for_each([&](Process& p) {
        if (found || p.is_zombie()) return;
        p.fds().for_each([&](int, File& file) {
            RefPtr<Inode> inode = file.inode();
            if (file.writable() && inode && &inode->fs() == &fs) found = true;
        });
    });
    return found;
}

// umount's busy rule (see the top of this file).
bool in_use(FileSystem& fs, void* context)
{
    auto& ext = *static_cast<Ext4FileSystem**>(context);
    // The caller's custody of the target holds one reference to the root.
    if (ext && ext->busy(1)) return true;
    bool busy = false;
    auto on_fs = [&](Custody* custody) { return custody && &custody->inode().fs() == &fs; };
    Process::for_each([&](Process& p) {
        if (busy || p.is_zombie()) return;
        if (on_fs(p.fs().cwd.ptr()) || on_fs(p.fs().root.ptr()) || on_fs(p.executable.ptr())) {
            busy = true;
            return;
        }
        p.fds().for_each([&](int, File& file) {
            RefPtr<Inode> inode = file.inode();
            if (on_fs(file.custody()) || (inode && &inode->fs() == &fs)) busy = true;
        });
    });
    return busy;
}

} // namespace

SYSCALL_HANDLER(
    mount, UserCString user_source, UserCString user_target, UserCString user_type, u64 flags, UserPtr<u8> data)
{
    auto type = TRY(copy_if_present(user_type));
    auto source = TRY(copy_if_present(user_source));
    // The options, as a string of at most a page. Linux copies what it
    // can of a page and fails only when not even the first byte reads; a
    // string that is not whole is no option this kernel reads.
    HeapBuffer<char> options_buffer(mm::kPageSize, false);
    if (!options_buffer) return Errno(ENOMEM);
    StringView options;
    if (!data.is_null()) {
        auto length = mm::copy_string_from_user(UserCString(data.address), options_buffer.data(), mm::kPageSize - 1);
        if (!length.is_error()) {
            options = StringView(options_buffer.data(), length.value());
        } else {
            u8 first;
            TRY(mm::copy_from_user(&first, data.address, 1));
        }
    }
    auto target_path = TRY(UserPath::copy(user_target));
    if (target_path.is_empty()) return Errno(ENOENT);
    auto start = TRY(PathStart::create(AT_FDCWD, target_path.view()));
    auto target = TRY(vfs::resolve(start.context(), target_path.view()));

    // CAP_SYS_ADMIN: capabilities follow the effective uid.
    if (current_process().credentials().euid != 0) return Errno(EPERM);
    if ((flags & MS_MGC_MASK) == MS_MGC_VAL) flags &= ~MS_MGC_MASK;
    if ((flags & MS_REMOUNT) && !(flags & MS_BIND)) {
        // Linux's do_remount: the target must be a mount's root; only the
        // read-only flag changes anything here. A file open for writing
        // keeps it writable (EBUSY, as sb_prepare_remount_readonly).
        FileSystem& fs = *TRY(vfs::mounted_at(*target));
        if ((flags & MS_RDONLY) && !fs.read_only() && open_for_writing(fs)) return Errno(EBUSY);
        TRY(vfs::remount(*target, flags & MS_RDONLY));
        fs.set_mount_flags(u32(flags) & kEnforcedFlags);
        return u64(0);
    }
    if (flags & MS_MOVE) {
        // Linux's do_move_mount: the type and the other flags are ignored.
        if (!source) return Errno(EINVAL);
        auto from_start = TRY(PathStart::create(AT_FDCWD, source->view()));
        auto from = TRY(vfs::resolve(from_start.context(), source->view()));
        TRY(vfs::move_mount(*from, *target));
        return u64(0);
    }
    if (flags & (MS_NOUSER | MS_REMOUNT | MS_BIND | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
        return Errno(EINVAL);
    if (!type) return Errno(EINVAL);
    if (!target->inode().is_directory()) return Errno(ENOTDIR);

    StringView const type_name = type->view();
    bool const read_only = flags & MS_RDONLY;
    char source_name[64];
    auto fs = TRY(create_file_system(type_name, source.ptr(), read_only, options, source_name, sizeof(source_name)));
    fs->set_mount_flags(u32(flags) & kEnforcedFlags);
    // Memory file systems do not enforce read-only: /proc/mounts says rw.
    TRY(vfs::mount(fs, *target, StringView(source_name), read_only && is_ext(type_name)));
    return u64(0);
}

SYSCALL_HANDLER(umount2, UserCString user_target, u32 flags)
{
    if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) return Errno(EINVAL);
    auto target_path = TRY(UserPath::copy(user_target));
    if (target_path.is_empty()) return Errno(ENOENT);
    auto start = TRY(PathStart::create(AT_FDCWD, target_path.view()));
    auto target = TRY(vfs::resolve(
        start.context(), target_path.view(), (flags & UMOUNT_NOFOLLOW) ? vfs::kResolveNoFollow : vfs::kResolveFollow));
    if (current_process().credentials().euid != 0) return Errno(EPERM);
    if (flags & (MNT_FORCE | MNT_DETACH | MNT_EXPIRE)) return Errno(EINVAL);
    // The ext* file system, if that is what is mounted here, for its exact count.
    Ext4FileSystem* ext = nullptr;
    if (is_ext(target->inode().fs().name())) ext = static_cast<Ext4FileSystem*>(&target->inode().fs());
    RefPtr<FileSystem> unmounted = TRY(vfs::unmount(*target, in_use, &ext));
    // The target's custody holds the file system's root inode: it goes
    // first, then the file system (its inodes must not outlive it).
    target = nullptr;
    return u64(0);
}
