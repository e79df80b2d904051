// sysinfo(2)'s struct (linux/sysinfo.h).
#pragma once

#include <uapi/types.h>

#if defined(SI_LOAD_SHIFT)
#error "<uapi/sysinfo.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// loads[] are fixed point with this many fraction bits.
inline constexpr int SI_LOAD_SHIFT = 16;

struct sysinfo {
    i64 uptime; // seconds since boot
    u64 loads[3];
    u64 totalram; // the memory sizes are in units of mem_unit bytes
    u64 freeram;
    u64 sharedram;
    u64 bufferram;
    u64 totalswap;
    u64 freeswap;
    u16 procs;
    u16 pad;
    u32 _pad0;
    u64 totalhigh;
    u64 freehigh;
    u32 mem_unit;
    u32 _pad1; // the kernel's char _f[20 - 2 * sizeof(long) - sizeof(u32)] is empty on 64-bit
};
static_assert(sizeof(sysinfo) == 112);

} // namespace uapi
