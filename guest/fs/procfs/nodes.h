// procfs internals: what each inode names, and the generators of file text
// (process_files.cpp for /proc/<pid>/..., system_files.cpp for the rest).
#pragma once

#include <fs/procfs/text.h>
#include <fs/vfs/file.h>

class Process;
class Thread;

namespace procfs {

enum class Node : u8 {
    Root = 1,
    // /proc
    SelfLink,
    ThreadSelfLink,
    MountsLink,
    Cmdline,
    CpuInfo,
    FileSystems,
    LoadAverage,
    MemInfo,
    Stat,
    Uptime,
    Version,
    SysDirectory,
    SysKernelDirectory,
    Hostname,
    OsRelease,
    OsType,
    PidMax,
    // /proc/<pid> and /proc/<pid>/task/<tid>
    ProcessDirectory,
    TaskDirectory,
    ThreadDirectory,
    FdDirectory,
    ProcessCmdline,
    ProcessComm,
    ProcessEnviron,
    ProcessMaps,
    ProcessMounts,
    ProcessMountinfo,
    ProcessStat,
    ProcessStatm,
    ProcessStatus,
    CwdLink,
    RootLink,
    ExeLink,
    FdLink,
    // What an fd link to a file without a path leads to.
    OpenFile,
};

// What an inode names. `pid` is 0 for system nodes; `tid` is 0 for the
// process as a whole (its first thread answers thread questions), else the
// thread, under task/<tid> (or /proc/<tid> for a thread that is not the
// leader, which Linux also resolves though it does not list it).
struct NodeId {
    Node node { Node::Root };
    int pid { 0 };
    int tid { 0 };
    int fd { 0 };
    u64 ino() const;
};

// The process and, if the node names one, the thread. Null when gone.
Process* find_process(NodeId const& id);
// The thread whose state and signals per-thread fields show.
Thread* thread_for(Process& process, NodeId const& id);

// ---- text of regular files (they return ESRCH when the process is gone)
Result<void> generate_process_file(NodeId const& id, TextBuffer& text);
Result<void> generate_system_file(Node node, TextBuffer& text, StringView kernel_command_line);
// The /proc/mounts text (also /proc/<pid>/mounts).
void generate_mounts(TextBuffer& text);
// /proc/<pid>/mountinfo: mount ids, parents, device numbers (Linux's format,
// no optional fields).
void generate_mountinfo(TextBuffer& text);

// What an fd link reads as: File::describe(), except that a console
// opened without a path (init's stdio) names its device node.
void describe_file(File& file, char* buffer, usize size);
// Appends " (deleted)" to the path in `buffer` if `inode` has been unlinked
// (as Linux's d_path does); returns the new length.
usize append_deleted(Inode& inode, char* buffer, usize size);
// A path as the reading process sees it from its root (chroot); `reachable`
// false when it lies outside that root.
usize seen_path(Custody const& custody, char* buffer, usize size, bool* reachable = nullptr);

// The path of the program `process` runs, if known.
RefPtr<Custody> executable_of(Process& process);

} // namespace procfs
