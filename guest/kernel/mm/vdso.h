// The vDSO (guest/vdso/): clock_gettime and friends in user mode. Its image
// and the data page it reads are kernel pages mapped into every address
// space, like the PVM return trampoline: outside every region, so that
// munmap, mprotect and fork leave them alone.
#pragma once

#include <kernel/mm/layout.h>
#include <kernel/mm/page_table.h>
#include <lib/result.h>

namespace vdso {

// Just below the PVM trampoline page, above the stack: one data page, then
// the image (AT_SYSINFO_EHDR).
inline constexpr u64 kDataAddress = mm::kUserMapEnd;
inline constexpr u64 kImageAddress = kDataAddress + 0x1000;

// Publishes the clock to user mode (the TSC parameters and the wall-clock
// offset); called again whenever the offset changes.
void publish_clock(u64 tsc_start, u64 tsc_mult, i64 realtime_offset_ns, i64 coarse_resolution_ns);
// Maps the data page and the image into a new address space.
Result<void> map(mm::RootPair roots);
// The image's size in whole pages.
u64 image_size();

} // namespace vdso
