#include <vmm/boot/boot_info.h>
#include <vmm/boot/layout.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

namespace vmm {

using namespace aramid::abi;

uint64_t write_boot_info(GuestMemory& memory, BootInfoSpec const& spec) {
    if (spec.cmdline.size() + 1 > kMaxCmdline)
        throw VmmError("command line too long (" + std::to_string(spec.cmdline.size()) + " bytes, at most "
                       + std::to_string(kMaxCmdline - 1) + ")");
    if (memory.size() <= kLowMemoryEnd) throw VmmError("guest memory too small");
    if (!memory.write_bytes(layout::kCmdline, spec.cmdline.c_str(), spec.cmdline.size() + 1))
        throw VmmError("guest memory too small for the command line");

    HvmMemmapEntry const memmap[] = {
        { 0, kLowMemoryEnd, kMemmapReserved, 0 },
        { kLowMemoryEnd, memory.size() - kLowMemoryEnd, kMemmapRam, 0 },
    };
    static_assert(std::size(memmap) <= layout::kMaxMemmap);
    if (!memory.write_bytes(layout::kMemmap, memmap, sizeof(memmap))) throw VmmError("guest memory too small");

    HvmStartInfo info {};
    info.magic = kHvmStartMagic;
    info.version = 1;
    info.cmdline_paddr = layout::kCmdline;
    info.memmap_paddr = layout::kMemmap;
    info.memmap_entries = std::size(memmap);
    if (spec.initrd_size) {
        if (spec.initrd_gpa < kLowMemoryEnd || !memory.contains(spec.initrd_gpa, spec.initrd_size))
            throw VmmError("initrd outside guest RAM");
        HvmModlistEntry module { spec.initrd_gpa, spec.initrd_size, 0, 0 };
        memory.write(layout::kModlist, module);
        info.nr_modules = 1;
        info.modlist_paddr = layout::kModlist;
    }
    memory.write(layout::kStartInfo, info);
    return layout::kStartInfo;
}

uint64_t place_initrd(uint64_t memory_size, uint64_t size, uint64_t lowest_free) {
    uint64_t const page = 4096;
    if (size > memory_size || memory_size - size < lowest_free)
        throw VmmError("initrd (" + std::to_string(size) + " bytes) does not fit in guest RAM ("
                       + std::to_string(memory_size >> 20) + " MiB) above the kernel; raise --mem");
    uint64_t gpa = (memory_size - size) & ~(page - 1);
    if (gpa < lowest_free)
        throw VmmError("initrd does not fit in guest RAM above the kernel; raise --mem");
    return gpa;
}

} // namespace vmm
