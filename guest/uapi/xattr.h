// Extended attributes (linux/xattr.h): setxattr(2)'s flags and the
// namespace prefixes of xattr(7). The size limits (XATTR_NAME_MAX,
// XATTR_SIZE_MAX, XATTR_LIST_MAX) are in limits.h, as in linux/limits.h.
#pragma once

#include <uapi/types.h>

#if defined(XATTR_CREATE) || defined(XATTR_USER_PREFIX)
#error "<uapi/xattr.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr u32 XATTR_CREATE = 0x1; // set only a new attribute (EEXIST otherwise)
inline constexpr u32 XATTR_REPLACE = 0x2; // set only an existing attribute (ENODATA otherwise)

inline constexpr char XATTR_HURD_PREFIX[] = "gnu."; // ext4 keeps it for the Hurd
inline constexpr char XATTR_SECURITY_PREFIX[] = "security.";
inline constexpr char XATTR_SYSTEM_PREFIX[] = "system.";
inline constexpr char XATTR_TRUSTED_PREFIX[] = "trusted.";
inline constexpr char XATTR_USER_PREFIX[] = "user.";
inline constexpr usize XATTR_HURD_PREFIX_LEN = sizeof(XATTR_HURD_PREFIX) - 1;
inline constexpr usize XATTR_SECURITY_PREFIX_LEN = sizeof(XATTR_SECURITY_PREFIX) - 1;
inline constexpr usize XATTR_SYSTEM_PREFIX_LEN = sizeof(XATTR_SYSTEM_PREFIX) - 1;
inline constexpr usize XATTR_TRUSTED_PREFIX_LEN = sizeof(XATTR_TRUSTED_PREFIX) - 1;
inline constexpr usize XATTR_USER_PREFIX_LEN = sizeof(XATTR_USER_PREFIX) - 1;

// The POSIX ACLs' names.
inline constexpr char XATTR_NAME_POSIX_ACL_ACCESS[] = "system.posix_acl_access";
inline constexpr char XATTR_NAME_POSIX_ACL_DEFAULT[] = "system.posix_acl_default";

} // namespace uapi
