// KVM ioctls whose <linux/kvm.h> structs end in a __DECLARE_FLEX_ARRAY.
// In C++ that macro adds an empty struct, so sizeof() and the array's offset
// differ from C (12 instead of 8) and the ioctl numbers come out wrong
// (EINVAL). These are the C layouts, spelled out.
#pragma once

#include <cstdint>
#include <linux/kvm.h>

namespace vmm::kvm_abi {

struct CpuidHeader {
    uint32_t nent;
    uint32_t padding;
};
static_assert(sizeof(CpuidHeader) == 8);

inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, CpuidHeader);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);

template<unsigned N>
struct Cpuid {
    CpuidHeader header;
    kvm_cpuid_entry2 entries[N];
};

struct MsrsHeader {
    uint32_t nmsrs;
    uint32_t pad;
};
inline constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, MsrsHeader);
inline constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, MsrsHeader);

template<unsigned N>
struct Msrs {
    MsrsHeader header;
    kvm_msr_entry entries[N];
};

} // namespace vmm::kvm_abi
