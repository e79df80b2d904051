#include <kernel/mm/layout.h>
#include <kernel/mm/vdso.h>
#include <vdso/vdso_data.h>

extern "C" char const vdso_image[];     // vdso_image.S: page-aligned,
extern "C" char const vdso_image_end[]; // padded to a whole page

namespace vdso {

namespace {

// A page of its own: all of it is visible to user mode.
union alignas(4096) DataPage {
    aramid_vdso_data data;
    u8 bytes[4096];
};
DataPage g_page;

} // namespace

void publish_clock(u64 tsc_start, u64 tsc_mult, i64 realtime_offset_ns, i64 coarse_resolution_ns) {
    aramid_vdso_data& d = g_page.data;
    d.sequence = d.sequence + 1; // odd: readers retry
    asm volatile("" ::: "memory");
    d.tsc_start = tsc_start;
    d.tsc_mult = tsc_mult;
    d.realtime_offset_ns = realtime_offset_ns;
    d.coarse_resolution_ns = coarse_resolution_ns;
    d.enabled = 1;
    asm volatile("" ::: "memory");
    d.sequence = d.sequence + 1;
}

u64 image_size() { return u64(vdso_image_end - vdso_image + 0xfff) & ~u64(0xfff); }

Result<void> map(mm::RootPair roots) {
    // Read-only for user mode; only the image is executable.
    *TRY(mm::walk(roots, kDataAddress, true)) = mm::virt_to_phys(&g_page) | mm::kPtePresent | mm::kPteUser | mm::kPteNoExecute;
    for (u64 i = 0; i < image_size() / 0x1000; i++)
        *TRY(mm::walk(roots, kImageAddress + i * 0x1000, true))
            = mm::virt_to_phys(vdso_image + i * 0x1000) | mm::kPtePresent | mm::kPteUser;
    return {};
}

} // namespace vdso
