// How the uapi tests compare guest/uapi with the host's headers.
//
// libc and <linux/...> define most uapi names as macros, which would rewrite
// `uapi::O_CLOEXEC` into `uapi::02000000`. So each test translation unit
// works in two phases:
//  1. include the uapi header and this one (neither includes libc), and
//     record every uapi fact under a pasted name: `UAPI_RECORD_CONSTANT(X)`
//     defines `ours_X`, `UAPI_RECORD_FIELD(ns, T, f)` defines `ns::offset_f`
//     and `ns::size_f`;
//  2. include the host's headers and build a table of Facts, each pairing a
//     recorded value with the host's, spelled with the host's macros.
// A name list macro (`#define FCNTL_CONSTANTS(X) X(O_RDONLY) X(...)`) is
// written once and expanded in both phases; the X macros paste the raw name
// into the recorded identifier, so a host macro of that name cannot disturb
// it. In phase 2 the host's spelling is expanded, which is what a host field
// that is a macro needs (glibc's si_pid is _sifields._kill.si_pid).
//
// A translation unit that includes <linux/...> or <asm/...> headers that
// clash with glibc cannot include GoogleTest (which pulls in glibc's
// <signal.h>, <time.h>, <sys/stat.h> ...): it exports its table through a
// function, and the area's test file checks it.
#pragma once

#include <stddef.h>

#include <type_traits>

namespace uapi_test {

struct Fact {
    char const* what;
    unsigned long long ours;
    unsigned long long host;
};

struct Facts {
    Fact const* facts;
    size_t count;
};

template<size_t N> constexpr Facts facts_of(Fact const (&table)[N]) { return { table, N }; }

} // namespace uapi_test

// Phase 1. A constant keeps its uapi type, so that phase 2 compares the host
// value converted to that type: the bits that cross the user/kernel boundary.
#define UAPI_RECORD_CONSTANT(name) static constexpr auto ours_##name = uapi::name;

#define UAPI_RECORD_TYPE(ns, T)                                                                                        \
    namespace ns {                                                                                                     \
    constexpr size_t type_size = sizeof(T);                                                                            \
    constexpr size_t type_align = alignof(T);                                                                          \
    }

#define UAPI_RECORD_FIELD(ns, T, field)                                                                                \
    namespace ns {                                                                                                     \
    constexpr size_t offset_##field = offsetof(T, field);                                                              \
    constexpr size_t size_##field = sizeof(static_cast<T*>(nullptr)->field);                                           \
    }

// A field recorded under a tag, for paths (`sigchld.si_pid`) and renames.
#define UAPI_RECORD_MEMBER(ns, tag, T, path)                                                                           \
    namespace ns {                                                                                                     \
    constexpr size_t offset_##tag = offsetof(T, path);                                                                 \
    constexpr size_t size_##tag = sizeof(static_cast<T*>(nullptr)->path);                                              \
    }

// Phase 2.
#define UAPI_FACT_CONSTANT(name)                                                                                       \
    { #name, static_cast<unsigned long long>(ours_##name),                                                             \
        static_cast<unsigned long long>(static_cast<std::remove_cv_t<decltype(ours_##name)>>(name)) },

#define UAPI_FACT_TYPE(ns, HostT)                                                                                      \
    { #ns ": sizeof", ns::type_size, sizeof(HostT) }, { #ns ": alignof", ns::type_align, alignof(HostT) },

#define UAPI_FACT_FIELD(ns, HostT, field)                                                                              \
    { #ns "." #field ": offset", ns::offset_##field, offsetof(HostT, field) },                                         \
        { #ns "." #field ": size", ns::size_##field, sizeof(static_cast<HostT*>(nullptr)->field) },

#define UAPI_FACT_MEMBER(ns, tag, HostT, host_path)                                                                    \
    { #ns "." #tag ": offset", ns::offset_##tag, offsetof(HostT, host_path) },                                         \
        { #ns "." #tag ": size", ns::size_##tag, sizeof(static_cast<HostT*>(nullptr)->host_path) },

// Offset only, where the host's field has another type or width.
#define UAPI_FACT_OFFSET(ns, tag, HostT, host_path)                                                                    \
    { #ns "." #tag ": offset", ns::offset_##tag, offsetof(HostT, host_path) },

// A value with no host header to compare against: the expected value is
// written in the test, with a comment citing the kernel source.
#define UAPI_FACT_VALUE(name, value)                                                                                   \
    { #name, static_cast<unsigned long long>(ours_##name),                                                             \
        static_cast<unsigned long long>(static_cast<std::remove_cv_t<decltype(ours_##name)>>(value)) },
