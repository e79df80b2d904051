// procfs: the process and system information file system mounted at /proc,
// in Linux's formats (proc(5)).
//
// Nothing is stored: every inode is made on lookup from what it names --
// a node kind, a pid, a tid, a descriptor number -- and every file's text
// is generated again on each read. Inodes keep the pid, never a pointer to
// the process, and find it again in the process table on every operation:
// a process that has been reaped gives ENOENT (lookups) or ESRCH (reads).
// Inode numbers derive from the same fields, so they stay the same across
// lookups.
//
// /proc/<pid>/fd/N, cwd, root and exe are magic links (see vfs.h): they
// lead to the object itself. An fd link to a file with a path leads to its
// custody, so opening it opens that file afresh, as Linux does; one to a
// pipe or another file without a path leads to a stand-in inode whose
// open() returns the very File (Linux reopens the pipe itself; the
// difference shows only when the access mode differs from the original).
//
// Concurrency: one CPU and a non-preemptive kernel. Text is generated from
// the process table and address spaces without blocking, into a heap
// buffer, and copied to the caller only after that.
#pragma once

#include <fs/vfs/inode.h>

class ProcFs final : public FileSystem {
public:
    // `kernel_command_line` is what /proc/cmdline shows.
    static Result<RefPtr<ProcFs>> create(StringView kernel_command_line);
    char const* name() const override { return "proc"; }
    RefPtr<Inode> root() override { return m_root; }
    StringView kernel_command_line() const { return StringView(m_command_line, m_command_line_length); }
    ~ProcFs() override;

private:
    ProcFs() = default;
    RefPtr<Inode> m_root;
    char* m_command_line { nullptr };
    usize m_command_line_length { 0 };
};

namespace procfs {

// Creates procfs, registers its magic links with the VFS and mounts it at
// /proc.
Result<void> mount(StringView kernel_command_line);

} // namespace procfs
