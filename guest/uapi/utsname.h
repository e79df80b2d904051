// uname(2)'s struct new_utsname (linux/utsname.h): six NUL-terminated
// 65-byte fields.
#pragma once

#include <uapi/types.h>

namespace uapi {

inline constexpr usize kUtsFieldLength = 65; // __NEW_UTS_LEN + 1

struct new_utsname {
    char sysname[kUtsFieldLength];
    char nodename[kUtsFieldLength];
    char release[kUtsFieldLength];
    char version[kUtsFieldLength];
    char machine[kUtsFieldLength];
    char domainname[kUtsFieldLength];
};
static_assert(sizeof(new_utsname) == 390);

} // namespace uapi
