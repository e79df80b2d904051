// FdTable: a process's file descriptors. Each slot holds a File (shared by
// dup and fork) and the per-descriptor close-on-exec flag. CLONE_FILES
// shares one table between processes.
#pragma once

#include <fs/vfs/file.h>
#include <lib/ref_ptr.h>
#include <lib/vector.h>

class FdTable : public RefCounted<FdTable> {
public:
    static constexpr int kDefaultLimit = 1024; // RLIMIT_NOFILE

    static Result<RefPtr<FdTable>> create();
    Result<RefPtr<FdTable>> clone();

    // The file behind `fd`, or EBADF.
    Result<RefPtr<File>> get(int fd);
    // The lowest free descriptor >= minimum (EMFILE when none).
    Result<int> allocate(RefPtr<File> file, bool close_on_exec, int minimum = 0);
    // dup2/dup3: puts `file` at exactly `fd`, closing what was there.
    Result<void> install(int fd, RefPtr<File> file, bool close_on_exec);
    Result<void> close(int fd);
    Result<bool> close_on_exec(int fd);
    Result<void> set_close_on_exec(int fd, bool value);
    // execve: closes every close-on-exec descriptor.
    void close_on_exec_all();
    void close_all();
    int limit() const { return m_limit; }
    void set_limit(int limit) { m_limit = limit; }
    int highest_open() const;

    template<typename F>
    void for_each(F f) {
        for (usize i = 0; i < m_slots.size(); i++)
            if (m_slots[i].file) f(int(i), *m_slots[i].file);
    }

private:
    FdTable() = default;
    struct Slot {
        RefPtr<File> file;
        bool close_on_exec { false };
    };
    Vector<Slot> m_slots;
    int m_limit { kDefaultLimit };
};
