// The VM ABI: the one header shared by the guest kernel and aramid-vmm.
//
// It holds every I/O port number, the exit-status values, the boot-phase ids
// and the boot-info layout (a Xen PVH `hvm_start_info`, version 1, on both
// boot paths). It is plain C-compatible C++ with only <stdint.h>, because the
// freestanding kernel includes it too.
#pragma once

#include <stdint.h>

namespace aramid::abi {

// ---- I/O ports -------------------------------------------------------------

// 16550 COM1: the program's console (tty). Its LSR always reports ready.
inline constexpr uint16_t kPortCom1 = 0x3f8;
// Debug console, one byte per write: the kernel log (QEMU `-debugcon`).
inline constexpr uint16_t kPortDebugCon = 0xe9;
// Exit: a 32-bit write of an exit word (see below). QEMU's isa-debug-exit
// makes the QEMU process exit with (word << 1) | 1.
inline constexpr uint16_t kPortExit = 0xf4;
// Fast console: a 32-bit write of the GPA of a FastConBuffer. One exit per
// buffer instead of one per byte. aramid-vmm only; announced by
// `aramid.fastcon=1` on the command line.
inline constexpr uint16_t kPortFastCon = 0x5e0;
// Boot-phase timestamp: a 32-bit write of a Phase id.
inline constexpr uint16_t kPortPhase = 0x5e4;
// Debug-table registration: a 32-bit write of the table's GPA (monitor).
inline constexpr uint16_t kPortDebugTable = 0x5e8;
// Fast console input: a 32-bit write of the GPA of a FastConBuffer whose len
// is the room the guest has. The VMM fills bytes with the next bytes of
// COM1's input queue and sets len to their count (0: none queued), all in
// that one exit -- instead of two exits (LSR, RBR) per byte. aramid-vmm
// only; announced by `aramid.fastcon=1` like the fast console.
inline constexpr uint16_t kPortFastConIn = 0x5ec;

// ---- virtio-mmio -----------------------------------------------------------
//
// aramid-vmm's one virtio-mmio device (virtio 1.1 §4.2.2, modern only:
// Version 2): a block device, present with --disk. As on Linux and
// Firecracker, the command line announces it: aramid-vmm appends
// `virtio_mmio.device=4K@0xd0000000:5`. The window sits above the largest
// RAM (3 GiB ends at 0xc0000000) and below the IOAPIC and LAPIC. Its
// interrupt is an edge on IOAPIC pin 5 (ISA IRQ 5, unused on this machine).
inline constexpr uint64_t kVirtioMmioBase = 0xd0000000;
inline constexpr uint64_t kVirtioMmioSize = 0x1000;
inline constexpr uint32_t kVirtioBlkGsi = 5;

// ---- fast console ----------------------------------------------------------

enum FastConStream : uint32_t {
    kStreamProgram = 1,   // the program's stdout/stderr: the VMM's stdout
    kStreamKernelLog = 2, // the kernel log: the VMM's stderr or --log FILE
};

struct FastConBuffer {
    uint32_t len;    // bytes that follow, at most kFastConMaxLen
    uint32_t stream; // a FastConStream
    // char bytes[len] follows
};
inline constexpr uint32_t kFastConMaxLen = 4096 - sizeof(FastConBuffer);

// ---- exit word -------------------------------------------------------------
//
// Bits 0-7: the status aramid-vmm exits with. Bits 8-15: why the guest
// stopped. A program's status s gives s, a program killed by signal n gives
// 128 + n (as a shell reports it). A kernel panic writes kExitPanic with
// kExitReasonPanic, so the VMM never confuses it with a program exiting 123.

enum ExitReason : uint32_t {
    kExitReasonProgram = 0, // the program (or the kernel's self-test) exited
    kExitReasonPanic = 1,   // the kernel panicked
};

inline constexpr uint32_t exit_word(ExitReason reason, uint8_t status) {
    return (uint32_t(reason) << 8) | status;
}
inline constexpr uint8_t exit_word_status(uint32_t word) { return word & 0xff; }
inline constexpr uint32_t exit_word_reason(uint32_t word) { return (word >> 8) & 0xff; }

// Reserved statuses of aramid-vmm (each with a one-line reason on stderr).
inline constexpr int kExitPanic = 123;    // kernel panic or triple fault
inline constexpr int kExitTimeout = 124;  // as timeout(1)
inline constexpr int kExitVmmError = 125; // bad arguments, bad ELF, no /dev/kvm

// ---- boot phases -----------------------------------------------------------

enum class Phase : uint32_t {
    VmmStart = 0,         // aramid-vmm main() (recorded by the VMM)
    VmReady = 1,          // VM and vCPU created, image loaded (VMM)
    FirstInstruction = 2, // the guest's first instruction (guest)
    PlatformUp = 3,       // platform detected and enabled (guest)
    KernelInitDone = 4,   // kernel_main finished initialising (guest)
    InitExec = 5,         // init exec'd (guest)
    ProgramExit = 6,      // the program exited (guest)
    VmmExit = 7,          // aramid-vmm is about to exit (VMM)
    Count = 8,
};

inline constexpr char const* phase_name(Phase p) {
    switch (p) {
    case Phase::VmmStart: return "vmm-start";
    case Phase::VmReady: return "vm-ready";
    case Phase::FirstInstruction: return "first-instruction";
    case Phase::PlatformUp: return "platform-up";
    case Phase::KernelInitDone: return "kernel-init-done";
    case Phase::InitExec: return "init-exec";
    case Phase::ProgramExit: return "program-exit";
    case Phase::VmmExit: return "vmm-exit";
    case Phase::Count: break;
    }
    return "?";
}

// ---- boot info: Xen PVH hvm_start_info, version 1 ---------------------------
//
// QEMU builds it for the PVH entry (ebx = its GPA). aramid-vmm builds the same
// structure and enters the 64-bit entry with rbx = its GPA, so the kernel
// parses one format. modlist[0], if present, is the initramfs.

inline constexpr uint32_t kHvmStartMagic = 0x336ec578;
inline constexpr uint32_t kXenElfNotePhys32Entry = 18;

struct HvmStartInfo {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    // version >= 1
    uint64_t memmap_paddr;
    uint32_t memmap_entries;
    uint32_t reserved;
};
static_assert(sizeof(HvmStartInfo) == 56);

struct HvmModlistEntry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};
static_assert(sizeof(HvmModlistEntry) == 32);

enum HvmMemmapType : uint32_t {
    kMemmapRam = 1,
    kMemmapReserved = 2,
    kMemmapAcpi = 3,
    kMemmapNvs = 4,
    kMemmapUnusable = 5,
};

struct HvmMemmapEntry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
    uint32_t reserved;
};
static_assert(sizeof(HvmMemmapEntry) == 24);

// ---- guest-physical layout promised by the boot paths ----------------------
//
// Both boot paths keep everything the loader builds (GDT, page tables, boot
// info, command line) below kLowMemoryEnd and load the kernel at or above it.
// The kernel never allocates below kLowMemoryEnd. RAM that holds neither the
// kernel image nor the initramfs reads as zero at entry (fresh anonymous
// memory in aramid-vmm and QEMU): the kernel relies on it to avoid touching
// every page at boot, which costs a shadow-MMU fault per page under PVM.
inline constexpr uint64_t kLowMemoryEnd = 0x100000;
inline constexpr uint64_t kKernelVirtualBase = 0xffffffff80000000ull;
inline constexpr uint32_t kMaxCmdline = 4096;

} // namespace aramid::abi
