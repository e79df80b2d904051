// Syscall handlers. Each is defined with its real argument types:
//
//   SYSCALL_HANDLER(read, int fd, UserPtr<u8> buffer, usize count) { ... }
//
// which also defines sys_read_entry(), the uniform entry the dispatch table
// (generated from syscalls.def) calls. Arguments are converted from the
// registers as Linux does (an `int` takes the low 32 bits). A handler
// returns Result<u64>; the dispatcher turns an error into -errno.
#pragma once

#include <kernel/arch/x86_64/trap_frame.h>
#include <kernel/mm/user.h>
#include <kernel/proc/process.h>
#include <lib/result.h>

#include <type_traits>
#include <utility>

struct SyscallArgs {
    u64 values[6];
};

template<typename T>
struct SyscallArg {
    static T from(u64 v) {
        static_assert(std::is_integral_v<T> || std::is_enum_v<T>, "syscall arguments are integers or user pointers");
        return static_cast<T>(v);
    }
};
template<typename T>
struct SyscallArg<UserPtr<T>> {
    static UserPtr<T> from(u64 v) { return UserPtr<T>(v); }
};
template<>
struct SyscallArg<UserCString> {
    static UserCString from(u64 v) { return UserCString(v); }
};

template<typename... P, usize... I>
Result<u64> syscall_call(Result<u64> (*f)(P...), SyscallArgs const& a, std::index_sequence<I...>) {
    return f(SyscallArg<std::remove_cvref_t<P>>::from(a.values[I])...);
}

template<typename... P>
u64 syscall_invoke(Result<u64> (*f)(P...), SyscallArgs const& a) {
    static_assert(sizeof...(P) <= 6);
    auto result = syscall_call(f, a, std::index_sequence_for<P...>());
    return result.is_error() ? u64(-i64(result.error().code())) : result.value();
}

#define SYSCALL_HANDLER(name, ...)                                                             \
    static Result<u64> sys_##name(__VA_ARGS__);                                                \
    u64 sys_##name##_entry(SyscallArgs const& args) { return syscall_invoke(sys_##name, args); } \
    static Result<u64> sys_##name(__VA_ARGS__)

// The current thread and process (a syscall always has both).
inline Thread& current_thread() { return *sched::current(); }
inline Process& current_process() { return *sched::current()->process; }
// The syscall's own register frame (execve, fork, sigreturn change it).
inline TrapFrame& syscall_frame() { return *sched::current()->user_frame(); }

namespace syscalls {
char const* name(u64 number);
} // namespace syscalls
