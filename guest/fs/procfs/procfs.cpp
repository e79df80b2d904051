#include <fs/procfs/nodes.h>
#include <fs/procfs/procfs.h>
#include <fs/vfs/vfs.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <kernel/sched/scheduler.h>
#include <lib/format.h>
#include <lib/vector.h>

#include <new>

namespace procfs {

namespace {

ProcFs* g_procfs; // the mount table keeps it alive

constexpr u32 kDirectory = vfs::kModeDirectory;
constexpr u32 kRegular = vfs::kModeRegular;
constexpr u32 kSymlink = vfs::kModeSymlink;

struct FixedEntry {
    char const* name;
    Node node;
    u32 mode;
};

constexpr FixedEntry kRootEntries[] = {
    { "self", Node::SelfLink, kSymlink | 0777 },
    { "thread-self", Node::ThreadSelfLink, kSymlink | 0777 },
    { "cmdline", Node::Cmdline, kRegular | 0444 },
    { "cpuinfo", Node::CpuInfo, kRegular | 0444 },
    { "filesystems", Node::FileSystems, kRegular | 0444 },
    { "loadavg", Node::LoadAverage, kRegular | 0444 },
    { "meminfo", Node::MemInfo, kRegular | 0444 },
    { "mounts", Node::MountsLink, kSymlink | 0777 },
    { "stat", Node::Stat, kRegular | 0444 },
    { "sys", Node::SysDirectory, kDirectory | 0555 },
    { "uptime", Node::Uptime, kRegular | 0444 },
    { "version", Node::Version, kRegular | 0444 },
};

constexpr FixedEntry kSysEntries[] = {
    { "kernel", Node::SysKernelDirectory, kDirectory | 0555 },
};

constexpr FixedEntry kSysKernelEntries[] = {
    { "hostname", Node::Hostname, kRegular | 0444 },
    { "osrelease", Node::OsRelease, kRegular | 0444 },
    { "ostype", Node::OsType, kRegular | 0444 },
    { "pid_max", Node::PidMax, kRegular | 0444 },
};

// /proc/<pid>; a thread's directory (task/<tid>) has the same without "task".
constexpr FixedEntry kProcessEntries[] = {
    { "cmdline", Node::ProcessCmdline, kRegular | 0444 },
    { "comm", Node::ProcessComm, kRegular | 0444 },
    { "cwd", Node::CwdLink, kSymlink | 0777 },
    { "environ", Node::ProcessEnviron, kRegular | 0400 },
    { "exe", Node::ExeLink, kSymlink | 0777 },
    { "fd", Node::FdDirectory, kDirectory | 0500 },
    { "maps", Node::ProcessMaps, kRegular | 0444 },
    { "mountinfo", Node::ProcessMountinfo, kRegular | 0444 },
    { "mounts", Node::ProcessMounts, kRegular | 0444 },
    { "root", Node::RootLink, kSymlink | 0777 },
    { "stat", Node::ProcessStat, kRegular | 0444 },
    { "statm", Node::ProcessStatm, kRegular | 0444 },
    { "status", Node::ProcessStatus, kRegular | 0444 },
    { "task", Node::TaskDirectory, kDirectory | 0555 },
};
constexpr usize kThreadEntryCount = sizeof(kProcessEntries) / sizeof(kProcessEntries[0]) - 1;

struct EntryTable {
    FixedEntry const* entries;
    usize count;
};

template<usize N>
constexpr EntryTable table(FixedEntry const (&entries)[N]) {
    return { entries, N };
}

EntryTable fixed_entries(Node directory) {
    switch (directory) {
    case Node::Root: return table(kRootEntries);
    case Node::SysDirectory: return table(kSysEntries);
    case Node::SysKernelDirectory: return table(kSysKernelEntries);
    case Node::ProcessDirectory: return table(kProcessEntries);
    case Node::ThreadDirectory: return { kProcessEntries, kThreadEntryCount };
    default: return { nullptr, 0 };
    }
}

// The directory holding `id` (for ".." in listings).
NodeId parent_of(NodeId const& id) {
    switch (id.node) {
    case Node::SysKernelDirectory: return { Node::SysDirectory };
    case Node::TaskDirectory: return { Node::ProcessDirectory, id.pid };
    case Node::ThreadDirectory: return { Node::TaskDirectory, id.pid };
    case Node::FdDirectory:
        return id.tid ? NodeId { Node::ThreadDirectory, id.pid, id.tid } : NodeId { Node::ProcessDirectory, id.pid };
    default: return { Node::Root };
    }
}

// A decimal name without sign or leading zeros, as Linux accepts for pids and fds.
bool parse_number(StringView name, int& out) {
    if (name.is_empty() || name.length() > 9 || (name.length() > 1 && name[0] == '0')) return false;
    int value = 0;
    for (char c : name) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    out = value;
    return true;
}

// Linux's fd links show the access mode: lr-x------, l-wx------ or lrwx------.
u32 fd_link_mode(File& file) {
    u32 const access = file.status_flags() & vfs::kAccessModeMask;
    if (access == vfs::kReadOnly) return kSymlink | 0500;
    if (access == vfs::kWriteOnly) return kSymlink | 0300;
    return kSymlink | 0700;
}

Timespec process_start_realtime(Process& process) {
    u64 const boot_ns = clock::realtime().to_ns() - clock::monotonic_ns();
    return Timespec::from_ns(boot_ns + process.start_time_ns);
}

// Following or reading cwd, root, exe and fd links takes what Linux's
// ptrace access check asks: the same user, or root.
Result<void> check_link_access(Process& target) {
    Process* caller = Process::current();
    if (!caller) return Errno(EACCES);
    Credentials const& c = caller->credentials();
    Credentials const& t = target.credentials();
    if (c.is_superuser()) return {};
    if (c.fsuid == t.uid && c.fsuid == t.euid && c.fsuid == t.suid && c.fsgid == t.gid && c.fsgid == t.egid
        && c.fsgid == t.sgid)
        return {};
    return Errno(EACCES);
}

// A heap buffer of PATH_MAX for link text.
class LinkText {
public:
    LinkText() : m_data(static_cast<char*>(kmalloc(vfs::kPathMax))) { }
    ~LinkText() { kfree(m_data); }
    LinkText(LinkText const&) = delete;
    char* data() { return m_data; }
    bool ok() const { return m_data != nullptr; }

private:
    char* m_data;
};

class ProcNode : public Inode {
public:
    NodeId const& id() const { return m_id; }
    // Per-process nodes belong to the process's effective user, and date
    // from its start.
    void set_owner_from(Process& process) {
        m_metadata.uid = process.credentials().euid;
        m_metadata.gid = process.credentials().egid;
        m_metadata.atime = m_metadata.mtime = m_metadata.ctime = process_start_realtime(process);
    }

protected:
    ProcNode(ProcFs& fs, NodeId id, u32 mode) : m_id(id) {
        set_fs(&fs);
        m_metadata.ino = id.ino();
        m_metadata.mode = mode;
        m_metadata.nlink = vfs::is_directory(mode) ? 2 : 1;
        m_metadata.atime = m_metadata.mtime = m_metadata.ctime = clock::realtime();
    }
    ProcFs& procfs() const { return static_cast<ProcFs&>(fs()); }
    NodeId m_id;
};

Result<RefPtr<Inode>> make_node(ProcFs& fs, NodeId id, u32 mode);

class ProcDirectory final : public ProcNode {
public:
    ProcDirectory(ProcFs& fs, NodeId id, u32 mode) : ProcNode(fs, id, mode) { }

    Result<RefPtr<Inode>> lookup(StringView name) override {
        if (name == ".") return RefPtr<Inode>(this);
        if (name == "..") return make_node(procfs(), parent_of(m_id), kDirectory | 0555);
        if (m_id.pid && !find_process(m_id)) return Errno(ENOENT);
        EntryTable const fixed = fixed_entries(m_id.node);
        for (usize i = 0; i < fixed.count; i++) {
            if (name == fixed.entries[i].name)
                return make_node(procfs(), { fixed.entries[i].node, m_id.pid, m_id.tid }, fixed.entries[i].mode);
        }
        int number;
        if (!parse_number(name, number)) return Errno(ENOENT);
        switch (m_id.node) {
        case Node::Root: {
            if (Process::find(number)) return make_node(procfs(), { Node::ProcessDirectory, number }, kDirectory | 0555);
            // A thread that is not its process's leader: Linux resolves
            // /proc/<tid> too, without listing it.
            int owner = 0;
            Thread::for_each([&](Thread& t) {
                if (int(t.tid()) == number && t.process) owner = t.process->pid();
            });
            if (!owner) return Errno(ENOENT);
            return make_node(procfs(), { Node::ThreadDirectory, owner, number }, kDirectory | 0555);
        }
        case Node::TaskDirectory: {
            Process* process = find_process(m_id);
            if (!process->find_thread(number)) return Errno(ENOENT);
            return make_node(procfs(), { Node::ThreadDirectory, m_id.pid, number }, kDirectory | 0555);
        }
        case Node::FdDirectory: {
            Process* process = find_process(m_id);
            if (process->is_zombie()) return Errno(ENOENT);
            auto file = process->fds().get(number);
            if (file.is_error()) return Errno(ENOENT);
            return make_node(procfs(), { Node::FdLink, m_id.pid, m_id.tid, number }, fd_link_mode(*file.value()));
        }
        default: return Errno(ENOENT);
        }
    }

    // Positions are indexes: "." 0, ".." 1, then the entries in order.
    Result<u64> read_directory(u64 start, bool (*f)(DirectoryEntry const&, void*), void* context) override {
        if (m_id.pid && !find_process(m_id)) return Errno(ENOENT);
        // The numbered entries are collected first: emitting them copies to
        // user memory, and the process table must not be walked across that.
        struct Numbered {
            int number;
            u32 mode;
        };
        Vector<Numbered> numbered;
        Result<void> collected {};
        auto add = [&](int number, u32 mode) {
            if (!collected.is_error()) collected = numbered.try_append({ number, mode });
        };
        Node child_node = Node::Root;
        if (m_id.node == Node::Root) {
            child_node = Node::ProcessDirectory;
            Process::for_each([&](Process& p) { add(p.pid(), kDirectory | 0555); });
        } else if (m_id.node == Node::TaskDirectory) {
            child_node = Node::ThreadDirectory;
            find_process(m_id)->for_each_thread([&](Thread& t) { add(int(t.tid()), kDirectory | 0555); });
        } else if (m_id.node == Node::FdDirectory) {
            child_node = Node::FdLink;
            Process* process = find_process(m_id);
            if (!process->is_zombie()) process->fds().for_each([&](int fd, File& file) { add(fd, fd_link_mode(file)); });
        }
        TRY(collected);

        EntryTable const fixed = fixed_entries(m_id.node);
        u64 const total = 2 + fixed.count + numbered.size();
        for (u64 index = start; index < total; index++) {
            char name[16];
            DirectoryEntry entry;
            if (index == 0) {
                entry = { StringView("."), m_metadata.ino, m_metadata.mode, index };
            } else if (index == 1) {
                entry = { StringView(".."), parent_of(m_id).ino(), kDirectory | 0555, index };
            } else if (index - 2 < fixed.count) {
                FixedEntry const& e = fixed.entries[index - 2];
                entry = { StringView(e.name), NodeId { e.node, m_id.pid, m_id.tid }.ino(), e.mode, index };
            } else {
                Numbered const& n = numbered[index - 2 - fixed.count];
                usize length = lib::format_to(name, sizeof(name), "%d", n.number);
                NodeId child { child_node, m_id.pid, m_id.tid };
                if (child_node == Node::ProcessDirectory) child = { child_node, n.number };
                else if (child_node == Node::ThreadDirectory) child.tid = n.number;
                else child.fd = n.number;
                entry = { StringView(name, length), child.ino(), n.mode, index };
            }
            if (!f(entry, context)) return index;
        }
        return total;
    }
};

class ProcFile final : public ProcNode {
public:
    ProcFile(ProcFs& fs, NodeId id, u32 mode) : ProcNode(fs, id, mode) { }

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override {
        TextBuffer text;
        if (m_id.pid) TRY(generate_process_file(m_id, text));
        else TRY(generate_system_file(m_id.node, text, procfs().kernel_command_line()));
        TRY(text.status());
        if (offset >= text.size()) return usize(0);
        usize const n = usize(lib::min(u64(length), text.size() - offset));
        TRY(buffer.write(0, text.data() + offset, n));
        return n;
    }
};

class ProcLink final : public ProcNode {
public:
    ProcLink(ProcFs& fs, NodeId id, u32 mode) : ProcNode(fs, id, mode) { }

    Result<usize> read_link(char* buffer, usize size) override {
        LinkText text;
        if (!text.ok()) return Errno(ENOMEM);
        usize length = TRY(link_text(text.data(), vfs::kPathMax));
        length = lib::min(length, size);
        __builtin_memcpy(buffer, text.data(), length);
        return length;
    }

private:
    // Writes the target (NUL-terminated) and returns its length.
    Result<usize> link_text(char* out, usize size) {
        switch (m_id.node) {
        case Node::SelfLink: {
            Process* self = Process::current();
            if (!self) return Errno(ENOENT);
            return lib::format_to(out, size, "%d", self->pid());
        }
        case Node::ThreadSelfLink: {
            Process* self = Process::current();
            if (!self) return Errno(ENOENT);
            return lib::format_to(out, size, "%d/task/%u", self->pid(), sched::current()->tid());
        }
        case Node::MountsLink: return lib::format_to(out, size, "self/mounts");
        default: break;
        }
        Process* process = find_process(m_id);
        if (!process || process->is_zombie()) return Errno(ENOENT);
        TRY(check_link_access(*process));
        RefPtr<Custody> custody;
        switch (m_id.node) {
        case Node::CwdLink: custody = process->fs().cwd; break;
        case Node::RootLink: custody = process->fs().root; break;
        case Node::ExeLink: custody = executable_of(*process); break;
        case Node::FdLink: {
            auto file = process->fds().get(m_id.fd);
            if (file.is_error()) return Errno(ENOENT);
            describe_file(*file.value(), out, size);
            return lib::cstring_length(out);
        }
        default: return Errno(EINVAL);
        }
        if (!custody) return Errno(ENOENT);
        usize length = seen_path(*custody, out, size);
        if (length >= size) return Errno(ENAMETOOLONG);
        return append_deleted(custody->inode(), out, size);
    }
};

// Where an fd link to a file without a path leads: its stat is the file's,
// and opening it gives the File itself.
class OpenFileNode final : public ProcNode {
public:
    OpenFileNode(ProcFs& fs, NodeId id, RefPtr<File> file, Process& process)
        : ProcNode(fs, id, kSymlink), m_file(file) {
        u64 const ino = m_metadata.ino;
        m_metadata = file->metadata();
        if (!m_metadata.ino) m_metadata.ino = ino;
        m_metadata.uid = process.credentials().euid;
        m_metadata.gid = process.credentials().egid;
        m_metadata.nlink = 1;
    }

    Result<RefPtr<File>> open(u32) override {
        // A pipe opens again; sockets and anonymous inodes do not (ENXIO, as on Linux).
        if (vfs::is_fifo(m_metadata.mode)) return m_file;
        return Errno(ENXIO);
    }

private:
    RefPtr<File> m_file;
};

Result<RefPtr<Inode>> make_node(ProcFs& fs, NodeId id, u32 mode) {
    Process* process = id.pid ? find_process(id) : nullptr;
    if (id.pid && !process) return Errno(ENOENT);
    ProcNode* node;
    if (vfs::is_directory(mode)) node = new (std::nothrow) ProcDirectory(fs, id, mode);
    else if (vfs::is_symlink(mode)) node = new (std::nothrow) ProcLink(fs, id, mode);
    else node = new (std::nothrow) ProcFile(fs, id, mode);
    if (!node) return Errno(ENOMEM);
    if (process) node->set_owner_from(*process);
    return RefPtr<Inode>::adopt(node);
}

bool is_procfs_inode(Inode& inode) { return g_procfs && &inode.fs() == g_procfs; }

// The device node of a console opened without a path (init's stdio).
char const* console_path(File& file) {
    InodeMetadata const m = file.metadata();
    if (!vfs::is_character_device(m.mode)) return nullptr;
    if (m.rdev == vfs::make_device(5, 1)) return "/dev/console";
    if (m.rdev == vfs::make_device(5, 0)) return "/dev/tty";
    if (m.rdev == vfs::make_device(4, 64)) return "/dev/ttyS0";
    return nullptr;
}

Result<RefPtr<Custody>> follow_magic_link(Inode& link) {
    if (!is_procfs_inode(link)) return RefPtr<Custody>();
    NodeId const& id = static_cast<ProcNode&>(link).id();
    if (id.node != Node::CwdLink && id.node != Node::RootLink && id.node != Node::ExeLink && id.node != Node::FdLink)
        return RefPtr<Custody>();
    Process* process = find_process(id);
    if (!process || process->is_zombie()) return Errno(ENOENT);
    TRY(check_link_access(*process));
    switch (id.node) {
    case Node::CwdLink: return process->fs().cwd;
    case Node::RootLink: return process->fs().root;
    case Node::ExeLink: {
        RefPtr<Custody> exe = executable_of(*process);
        if (!exe) return Errno(ENOENT);
        return exe;
    }
    default: break;
    }
    auto found = process->fds().get(id.fd);
    if (found.is_error()) return Errno(ENOENT);
    RefPtr<File> file = found.release_value();
    if (file->custody()) return RefPtr<Custody>(file->custody());
    if (char const* path = console_path(*file)) {
        auto device = vfs::resolve(vfs::KernelContext().context(), StringView(path));
        if (!device.is_error()) return device.release_value();
    }
    auto* node = new (std::nothrow) OpenFileNode(*g_procfs, { Node::OpenFile, id.pid, id.tid, id.fd }, file, *process);
    if (!node) return Errno(ENOMEM);
    RefPtr<Inode> inode = RefPtr<Inode>::adopt(node);
    char name[64];
    describe_file(*file, name, sizeof(name));
    return Custody::create(nullptr, StringView(name), inode);
}

bool is_open_file(Inode& inode) {
    return is_procfs_inode(inode) && static_cast<ProcNode&>(inode).id().node == Node::OpenFile;
}

} // namespace

u64 NodeId::ino() const {
    u64 const low = node == Node::FdLink ? (u64(1) << 17) | (u64(fd) & 0x1ffff) : u64(node);
    return (u64(pid) << 40) | (u64(tid) << 18) | low;
}

Process* find_process(NodeId const& id) {
    Process* process = Process::find(id.pid);
    if (!process) return nullptr;
    if (id.tid && !process->find_thread(id.tid)) return nullptr;
    return process;
}

Thread* thread_for(Process& process, NodeId const& id) {
    return id.tid ? process.find_thread(id.tid) : process.main_thread();
}

void describe_file(File& file, char* buffer, usize size) {
    if (!file.custody()) {
        if (char const* path = console_path(file)) {
            lib::format_to(buffer, size, "%s", path);
            return;
        }
    }
    if (!file.custody()) return file.describe(buffer, size);
    seen_path(*file.custody(), buffer, size);
    append_deleted(file.custody()->inode(), buffer, size);
}

usize seen_path(Custody const& custody, char* buffer, usize size, bool* reachable) {
    Process* reader = Process::current();
    if (!reader || !reader->fs().root) {
        if (reachable) *reachable = true;
        return custody.absolute_path(buffer, size);
    }
    return custody.path_from(*reader->fs().root, buffer, size, reachable);
}

usize append_deleted(Inode& inode, char* buffer, usize size) {
    usize length = lib::cstring_length(buffer);
    // Linux's d_path: a file unlinked since it was opened keeps its old path.
    if (inode.metadata().nlink == 0 && !inode.is_directory() && length + 1 < size)
        length = lib::min(length + lib::format_to(buffer + length, size - length, " (deleted)"), size - 1);
    return length;
}

RefPtr<Custody> executable_of(Process& process) { return process.executable; }

Result<void> mount(StringView kernel_command_line) {
    auto fs = TRY(ProcFs::create(kernel_command_line));
    // As an init mounts it (and /proc/mounts has always shown it so here).
    fs->set_mount_flags(vfs::kMountNoSuid | vfs::kMountNoDev | vfs::kMountNoExec);
    g_procfs = fs.ptr();
    vfs::set_magic_links({ follow_magic_link, is_open_file });
    return vfs::mount(fs, "/proc");
}

} // namespace procfs

Result<RefPtr<ProcFs>> ProcFs::create(StringView kernel_command_line) {
    auto* raw = new (std::nothrow) ProcFs;
    if (!raw) return Errno(ENOMEM);
    auto fs = RefPtr<ProcFs>::adopt(raw);
    fs->m_command_line = static_cast<char*>(kmalloc(kernel_command_line.length() + 1));
    if (!fs->m_command_line) return Errno(ENOMEM);
    __builtin_memcpy(fs->m_command_line, kernel_command_line.data(), kernel_command_line.length());
    fs->m_command_line_length = kernel_command_line.length();
    fs->m_root = TRY(procfs::make_node(*fs, { procfs::Node::Root }, vfs::kModeDirectory | 0555));
    return fs;
}

ProcFs::~ProcFs() { kfree(m_command_line); }
