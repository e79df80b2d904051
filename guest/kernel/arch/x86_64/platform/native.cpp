// The native implementation of the platform layer: VMX/SVM KVM and QEMU TCG.
#include <kernel/arch/x86_64/platform/platform.h>

namespace platform::native_impl {

void idle() {
    // STI's one-instruction shadow makes "enable and halt" atomic.
    asm volatile("sti; hlt" ::: "memory");
}

} // namespace platform::native_impl
