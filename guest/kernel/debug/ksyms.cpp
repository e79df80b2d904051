#include <kernel/debug/ksyms.h>

extern "C" char const ksyms_table[]; // debug/gen_ksyms.py
extern "C" char const __kernel_start[], __kernel_end[];

namespace ksyms {

Header const* table() { return reinterpret_cast<Header const*>(ksyms_table); }

Symbol lookup(u64 address) {
    Header const& h = *table();
    if (h.magic != kMagic || h.count == 0) return { "?", 0 };
    if (address < u64(__kernel_start) || address >= u64(__kernel_end)) return { "?", 0 };
    auto const* entries = reinterpret_cast<Entry const*>(ksyms_table + sizeof(Header));
    auto const* names = ksyms_table + h.names_offset;
    // The last entry whose address is <= address.
    u32 low = 0, high = h.count;
    while (high - low > 1) {
        u32 mid = (low + high) / 2;
        if (entries[mid].address <= address) low = mid;
        else high = mid;
    }
    if (entries[low].address > address) return { "?", 0 };
    return { names + entries[low].name_offset, address - entries[low].address };
}

} // namespace ksyms
