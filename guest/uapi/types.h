// The scalar types of the Linux x86-64 user ABI (asm/posix_types_64.h and
// asm-generic/posix_types.h), and the conventions every uapi header follows.
//
// Everything in guest/uapi/ lives in namespace uapi and keeps its Linux
// spelling (README.md). A user-space pointer inside an ABI struct is a u64
// address: the kernel never dereferences it, it wraps it in UserPtr<T>.
#pragma once

#include <lib/types.h>

static_assert(sizeof(void*) == 8 && sizeof(long) == 8, "guest/uapi describes the LP64 x86-64 ABI");

namespace uapi {

using pid_t = i32;
using uid_t = u32;
using gid_t = u32;
using mode_t = u32;
using dev_t = u64;
using ino_t = u64;
using nlink_t = u64;
using off_t = i64;
using loff_t = i64;
using blksize_t = i64;
using blkcnt_t = i64;
using time_t = i64;
using suseconds_t = i64;
using clock_t = i64;
using clockid_t = i32;
using timer_t = i32; // the kernel's timer id; glibc's timer_t is a pointer
using key_t = i32;
using socklen_t = u32;
using sa_family_t = u16;
using rlim_t = u64;
using nfds_t = u64;

} // namespace uapi
