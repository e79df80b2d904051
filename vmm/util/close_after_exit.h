// close_after_exit: keeps descriptors open in a child until this process
// has exited, and lets the child close them.
//
// KVM destroys a VM when the last reference to its file goes, and on this
// host that takes 2-15 ms (it waits for RCU grace periods) after the guest's
// status is already known. Whoever waits for aramid-vmm -- a shell, the
// contract runner -- would wait for that too. A child holding the VM's
// descriptor makes this process's own close cheap; the child waits until
// this process has exited, so its close is the last one, and does it in the
// background. The child closes everything else at once: pipes to stdout and
// stderr reach EOF when this process exits, as before.
#pragma once

#include <initializer_list>

namespace vmm {

// Best effort: if the child cannot be created, the descriptors are closed
// the usual way. Call it when nothing else will use `fds` in this process.
void close_after_exit(std::initializer_list<int> fds);

} // namespace vmm
