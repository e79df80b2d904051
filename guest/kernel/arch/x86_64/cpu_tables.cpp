#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/cpu_tables.h>
#include <kernel/arch/x86_64/platform/platform.h>

#define ENTRY_RO __attribute__((section(".entry.ro")))
#define ENTRY_RW __attribute__((section(".entry.rw")))

extern "C" char trap_stubs[];
extern "C" char syscall_entry[];

Cpu g_cpu;

namespace cpu_tables {

namespace {

struct PACKED Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
};
static_assert(sizeof(Tss) == 104);

struct PACKED DescriptorPointer {
    u16 limit;
    u64 base;
};

struct IdtGate {
    u64 low, high;
};

// Linux layout: 0x10 kernel CS, 0x18 kernel DS, 0x23 user32 CS, 0x2b user
// DS, 0x33 user CS (SYSRET needs this order), 0x40 TSS (two slots).
alignas(4096) ENTRY_RO u64 g_gdt[16] = {
    0, 0, 0x00af9b000000ffff, 0x00cf93000000ffff, 0x00cffb000000ffff, 0x00cff3000000ffff, 0x00affb000000ffff,
};
alignas(64) ENTRY_RO Tss g_tss;
alignas(4096) ENTRY_RO IdtGate g_idt[256];

// TSS.rsp0 and IST stacks. User code can write them under PVM (they are
// mapped into the user page table): the entry code copies frames off them
// at once and never trusts what it finds there otherwise.
constexpr usize kEntryStackSize = 4096;
alignas(4096) ENTRY_RW u8 g_entry_stack[kEntryStackSize];
alignas(4096) ENTRY_RW u8 g_ist_stacks[3][kEntryStackSize];

void set_gate(unsigned vector, u64 handler, u8 ist, u8 dpl) {
    g_idt[vector].low = (handler & 0xffff) | (u64(KERNEL_CS) << 16) | (u64(ist) << 32)
        | (u64(0x8e | (dpl << 5)) << 40) | (((handler >> 16) & 0xffff) << 48);
    g_idt[vector].high = handler >> 32;
}

} // namespace

bool is_entry_stack(u64 address) {
    u64 a = u64(g_entry_stack), b = u64(g_ist_stacks);
    return (address >= a && address < a + sizeof(g_entry_stack)) || (address >= b && address < b + sizeof(g_ist_stacks));
}

void init() {
    u64 tss = u64(&g_tss);
    g_gdt[TSS_SELECTOR / 8] = (sizeof(Tss) - 1) | ((tss & 0xffffff) << 16) | (0x89ull << 40) | (((tss >> 24) & 0xff) << 56);
    g_gdt[TSS_SELECTOR / 8 + 1] = tss >> 32;
    g_tss.rsp[0] = u64(g_entry_stack) + sizeof(g_entry_stack);
    for (int i = 0; i < 3; i++) g_tss.ist[i] = u64(g_ist_stacks[i]) + kEntryStackSize;
    g_tss.iomap_base = sizeof(Tss);
    g_cpu.entry_stack_top = g_tss.rsp[0];

    for (unsigned v = 0; v < 256; v++) {
        u8 ist = v == 8 ? kIstDoubleFault : v == 2 ? kIstNmi : v == 18 ? kIstMachineCheck : 0;
        // int3 and into may be used from user mode, as on Linux.
        u8 dpl = (v == 3 || v == 4) ? 3 : 0;
        set_gate(v, u64(trap_stubs) + 16 * v, ist, dpl);
    }

    // LGDT, LTR, LIDT and WRMSR trap under PVM (~10 us each): boot only.
    DescriptorPointer gdtr { sizeof(g_gdt) - 1, u64(g_gdt) };
    DescriptorPointer idtr { sizeof(g_idt) - 1, u64(g_idt) };
    asm volatile("lgdt %0" ::"m"(gdtr));
    asm volatile("pushq %[cs]; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:\n"
                 "mov %[ds], %%eax; mov %%eax, %%ss; mov %%eax, %%ds; mov %%eax, %%es\n"
                 :
                 : [cs] "i"(KERNEL_CS), [ds] "i"(KERNEL_DS)
                 : "rax", "memory");
    asm volatile("ltr %w0" ::"r"(TSS_SELECTOR));
    asm volatile("lidt %0" ::"m"(idtr));

    x86::wrmsr(x86::kMsrStar, (u64(KERNEL_CS) << 32) | (u64(USER32_CS & ~3) << 48));
    x86::wrmsr(x86::kMsrLstar, u64(syscall_entry));
    // Clear TF, DF, IF, IOPL, AC, NT on SYSCALL.
    x86::wrmsr(x86::kMsrSfmask, 0x47700);
}

} // namespace cpu_tables
