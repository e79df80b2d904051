// Credentials: who is asking, for permission checks (DAC, as on Linux).
// Root (fsuid 0) bypasses read/write checks and execute checks when any
// execute bit is set.
#pragma once

#include <lib/types.h>

struct Credentials {
    u32 uid { 0 }, euid { 0 }, suid { 0 }, fsuid { 0 };
    u32 gid { 0 }, egid { 0 }, sgid { 0 }, fsgid { 0 };
    static constexpr usize kMaxGroups = 32;
    u32 groups[kMaxGroups] {};
    u32 group_count { 0 };

    bool is_superuser() const { return fsuid == 0; }
    bool in_group(u32 g) const {
        if (g == fsgid) return true;
        for (u32 i = 0; i < group_count; i++)
            if (groups[i] == g) return true;
        return false;
    }
};
