// The SYSCALL entry's C side. Until processes exist there is no user mode
// and no syscall can arrive; the dispatcher proper comes with syscalls.def.
#include <kernel/arch/x86_64/trap_frame.h>
#include <uapi/errno.h>

extern "C" void handle_syscall(TrapFrame* frame) { frame->rax = u64(-ENOSYS); }
