// Memory mappings: mmap(2), mprotect(2), mremap(2), madvise(2), msync(2) and
// mlockall(2) (asm-generic/mman-common.h, asm-generic/mman.h, asm/mman.h,
// linux/mman.h).
#pragma once

#include <uapi/types.h>

#if defined(PROT_READ) || defined(MAP_PRIVATE) || defined(MADV_DONTNEED) || defined(MREMAP_MAYMOVE)
#error "<uapi/mman.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr int PROT_NONE = 0x0;
inline constexpr int PROT_READ = 0x1;
inline constexpr int PROT_WRITE = 0x2;
inline constexpr int PROT_EXEC = 0x4;
inline constexpr int PROT_SEM = 0x8;
inline constexpr int PROT_GROWSDOWN = 0x01000000; // mprotect(2) only
inline constexpr int PROT_GROWSUP = 0x02000000;

// The mapping type: exactly one of these, in the low bits.
inline constexpr int MAP_SHARED = 0x01;
inline constexpr int MAP_PRIVATE = 0x02;
inline constexpr int MAP_SHARED_VALIDATE = 0x03; // MAP_SHARED, but unknown flags are EOPNOTSUPP
inline constexpr int MAP_TYPE = 0x0f;

inline constexpr int MAP_FIXED = 0x10;
inline constexpr int MAP_ANONYMOUS = 0x20;
inline constexpr int MAP_ANON = MAP_ANONYMOUS;
inline constexpr int MAP_FILE = 0;
inline constexpr int MAP_32BIT = 0x40; // x86-64: below 2 GiB
inline constexpr int MAP_GROWSDOWN = 0x0100;
inline constexpr int MAP_DENYWRITE = 0x0800; // ignored
inline constexpr int MAP_EXECUTABLE = 0x1000; // ignored
inline constexpr int MAP_LOCKED = 0x2000;
inline constexpr int MAP_NORESERVE = 0x4000;
inline constexpr int MAP_POPULATE = 0x008000;
inline constexpr int MAP_NONBLOCK = 0x010000;
inline constexpr int MAP_STACK = 0x020000;
inline constexpr int MAP_HUGETLB = 0x040000;
inline constexpr int MAP_SYNC = 0x080000;
inline constexpr int MAP_FIXED_NOREPLACE = 0x100000; // MAP_FIXED, but EEXIST over an existing mapping
inline constexpr int MAP_UNINITIALIZED = 0x4000000;

// mmap(2)'s error return, as user space sees it: (void*)-1.
inline constexpr u64 MAP_FAILED = ~u64(0);

inline constexpr int MREMAP_MAYMOVE = 1;
inline constexpr int MREMAP_FIXED = 2;
inline constexpr int MREMAP_DONTUNMAP = 4;

inline constexpr int MADV_NORMAL = 0;
inline constexpr int MADV_RANDOM = 1;
inline constexpr int MADV_SEQUENTIAL = 2;
inline constexpr int MADV_WILLNEED = 3;
inline constexpr int MADV_DONTNEED = 4; // private anonymous pages read back as zero
inline constexpr int MADV_FREE = 8;
inline constexpr int MADV_REMOVE = 9;
inline constexpr int MADV_DONTFORK = 10;
inline constexpr int MADV_DOFORK = 11;
inline constexpr int MADV_MERGEABLE = 12;
inline constexpr int MADV_UNMERGEABLE = 13;
inline constexpr int MADV_HUGEPAGE = 14;
inline constexpr int MADV_NOHUGEPAGE = 15;
inline constexpr int MADV_DONTDUMP = 16;
inline constexpr int MADV_DODUMP = 17;
inline constexpr int MADV_WIPEONFORK = 18;
inline constexpr int MADV_KEEPONFORK = 19;
inline constexpr int MADV_COLD = 20;
inline constexpr int MADV_PAGEOUT = 21;
inline constexpr int MADV_POPULATE_READ = 22;
inline constexpr int MADV_POPULATE_WRITE = 23;
inline constexpr int MADV_HWPOISON = 100;

inline constexpr int MS_ASYNC = 1;
inline constexpr int MS_INVALIDATE = 2;
inline constexpr int MS_SYNC = 4;

inline constexpr int MCL_CURRENT = 1;
inline constexpr int MCL_FUTURE = 2;
inline constexpr int MCL_ONFAULT = 4;

} // namespace uapi
