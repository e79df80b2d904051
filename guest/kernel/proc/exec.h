// execve: replaces the current process's program. Loads ELF executables
// (ET_EXEC and ET_DYN; a PT_INTERP names the dynamic loader, which is
// loaded beside the program and started instead, as Linux does) and
// #! scripts. Segments map the file's own pages where the file system
// allows (text shared read-only, data copy-on-write); the stack's top pages
// are mapped at once, since a fault costs more than the copy under PVM.
#pragma once

#include <fs/vfs/vfs.h>
#include <kernel/arch/x86_64/trap_frame.h>
#include <kernel/mm/user.h>
#include <lib/result.h>
#include <lib/vector.h>

class Process;
class Thread;

namespace exec {

// argv and envp, copied into the kernel before the old program goes away.
class Arguments {
public:
    static constexpr usize kMaxTotal = 1024 * 1024; // E2BIG beyond (ARG_MAX-like)
    static constexpr usize kMaxString = 128 * 1024;  // MAX_ARG_STRLEN
    Arguments() = default;
    ~Arguments();
    Arguments(Arguments const&) = delete;

    Result<void> add(StringView string);
    Result<void> copy_from_user(UserPtr<u64> vector);
    usize count() const { return m_offsets.size(); }
    StringView at(usize i) const;
    // All strings, NUL-separated, in order (for the stack and /proc cmdline).
    char const* data() const { return m_data; }
    usize size() const { return m_size; }

private:
    char* m_data { nullptr };
    usize m_size { 0 };
    usize m_capacity { 0 };
    Vector<usize> m_offsets;
};

inline constexpr u64 kStackTop = 0x7ffffffde000;
inline constexpr u64 kStackSize = 8 * 1024 * 1024;

// Runs `path` in the current process. On success `frame` describes the new
// program's first instruction and the old address space is gone.
Result<void> execve(Thread& thread, TrapFrame& frame, StringView path, Arguments& argv, Arguments& envp);

} // namespace exec
