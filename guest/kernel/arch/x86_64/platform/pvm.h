// This host's private PVM ABI, as established by black-box experiments
// (docs/pvm.md, docs/pvm-fast-return.md). It is not the upstream virt-pvm
// ABI. Names are ours; the layout of PvmVif comes from the host's BTF.
#pragma once

#include <kernel/arch/x86_64/asm_defs.h>
#include <lib/types.h>

namespace pvm {

inline constexpr u32 kMsrVif = MSR_PVM_VIF;
inline constexpr u32 kMsrSignature = MSR_PVM_SIGNATURE;
inline constexpr u32 kSignature = PVM_SIGNATURE;
inline constexpr u32 kMsrInfo = 0x4b564d12;   // read-only, meaning unknown; reading it traps
inline constexpr u32 kMsrTscKhz = 0x4b564d13; // read-only: TSC frequency in kHz
inline constexpr u64 kCr3UserBit = 1 << 12;   // CR3 bit 12: "the user root of a KPTI pair"

// The VIF page (registered through kMsrVif). In guest kernel mode the
// interrupt flag *is* `if_`; never use CLI/STI/POPF or an emulated IRETQ,
// which move a separate host flag (docs/pvm.md 3.3).
struct Vif {
    volatile u8 if_;     // virtual RFLAGS.IF in kernel mode
    volatile u8 pending; // set by the host: an interrupt waits for if_ = 1
    u8 pad[6];
    volatile u64 cr2;    // #PF address (flag bit 4)
};

} // namespace pvm

extern "C" pvm::Vif pvm_vif_page;
