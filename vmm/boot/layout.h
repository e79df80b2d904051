// Where aramid-vmm puts its boot structures in guest-physical memory.
// All of them sit below abi::kLowMemoryEnd, which the kernel never allocates.
#pragma once

#include <cstdint>

namespace vmm::layout {

inline constexpr uint64_t kGdt = 0x1000;
inline constexpr uint64_t kStartInfo = 0x2000;    // HvmStartInfo
inline constexpr uint64_t kModlist = 0x2080;      // HvmModlistEntry[kMaxModules]
inline constexpr uint64_t kMemmap = 0x2100;       // HvmMemmapEntry[kMaxMemmap]
inline constexpr uint64_t kCmdline = 0x3000;      // up to abi::kMaxCmdline bytes incl. NUL
// Boot page tables. The PML4's GPA has bit 12 clear: the PVM host reads CR3
// bit 12 as "this is the user half of a KPTI pair" (docs/pvm.md 2.1).
inline constexpr uint64_t kPml4 = 0x10000;
inline constexpr uint64_t kPdptLow = 0x11000;
inline constexpr uint64_t kPdptHigh = 0x12000;
inline constexpr uint64_t kPd = 0x13000;
inline constexpr uint64_t kBootMapSize = 1ull << 30; // identity + kernel alias of the first GiB

inline constexpr unsigned kMaxModules = 4;
inline constexpr unsigned kMaxMemmap = 16;

} // namespace vmm::layout
