#include <kernel/arch/x86_64/cpu.h>
#include <kernel/drivers/console.h>
#include <proto/vm_abi.h>

using namespace aramid::abi;

namespace console {

namespace {

bool g_fast;

// One buffer per stream, in the kernel image: its GPA is its VA minus the
// image base. The fast-console protocol needs the GPA of the header.
struct alignas(4096) FastBuffer {
    FastConBuffer header;
    char bytes[kFastConMaxLen];
};
FastBuffer g_buffers[2];

u32 image_gpa(void const* p) { return u32(reinterpret_cast<u64>(p) - kKernelVirtualBase); }

void serial_write(char const* data, usize length) {
    for (usize i = 0; i < length; i++) {
        // Wait for THR empty; bounded so a broken UART cannot hang the kernel.
        for (int spin = 0; spin < 100000 && !(x86::in8(kPortCom1 + 5) & 0x20); spin++) x86::pause();
        x86::out8(kPortCom1, u8(data[i]));
    }
}

} // namespace

void configure(bool fast_console) { g_fast = fast_console; }
bool fast_console() { return g_fast; }

void write(Stream stream, char const* data, usize length) {
    if (!g_fast) {
        if (stream == Stream::Program) {
            serial_write(data, length);
        } else {
            for (usize i = 0; i < length; i++) x86::out8(kPortDebugCon, u8(data[i]));
        }
        return;
    }
    FastBuffer& buffer = g_buffers[stream == Stream::Program ? 0 : 1];
    while (length > 0) {
        usize n = length < kFastConMaxLen ? length : kFastConMaxLen;
        for (usize i = 0; i < n; i++) buffer.bytes[i] = data[i];
        buffer.header.len = u32(n);
        buffer.header.stream = stream == Stream::Program ? kStreamProgram : kStreamKernelLog;
        x86::compiler_barrier();
        x86::out32(kPortFastCon, image_gpa(&buffer));
        data += n;
        length -= n;
    }
}

} // namespace console
