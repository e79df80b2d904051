// The kernel's own symbol table, embedded by a second link pass
// (gen_ksyms.py), for backtraces and for the monitor.
#pragma once

#include <lib/types.h>

namespace ksyms {

inline constexpr u32 kMagic = 0x4d59534b; // "KSYM"

// Layout of the .ksyms section (also read by the monitor, from guest memory).
struct Header {
    u32 magic;
    u32 count;
    u64 names_offset; // from the header to the NUL-terminated names
};
struct Entry {
    u64 address;
    u32 name_offset; // into the names
    u32 reserved;
};

struct Symbol {
    char const* name; // "?" if unknown
    u64 offset;       // address - symbol start
};

Symbol lookup(u64 address);
Header const* table();

} // namespace ksyms
