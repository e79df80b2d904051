// Starting user space: pid 1 runs `init=` from the command line (default
// /init) with the console (or, when aramid-vmm's stdio is piped, pipe-like
// files) as descriptors 0, 1 and 2. When pid 1 exits, the VM exits with
// its status (Linux would panic instead: here that is the normal end).
#pragma once

#include <lib/command_line.h>

namespace init_process {

// Creates pid 1; it starts running once the scheduler picks it. Its argv
// is the path, then the command line's words after `--`, as on Linux.
void start(CommandLine const& command_line);

} // namespace init_process
