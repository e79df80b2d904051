// Deliberate kernel faults, selected with `aramid.fault=<kind>` on the
// command line. Always compiled in: tests use them to prove that every kind
// of fault produces a clear report and the panic exit status.
//
//   pagefault  write to an unmapped address        null     read address 0
//   gp         non-canonical access                ud       UD2
//   divide     integer division by zero            panic    panic()
//   stack-overflow  a thread recursing into its guard page
//   canary     a thread breaking its own stack canary, caught at a switch
//   deep-stack a thread "deep" using ~13 KiB of its 16 KiB stack, sleeping
//              there 3 s for the monitor to see, then returning (no fault:
//              boot goes on)
//   triple     an empty IDT, then an exception: triple fault
//   hang       spin forever with interrupts off (for --timeout)
#pragma once

#include <lib/string_view.h>

namespace fault_injection {

// Injects the fault named `kind` (does nothing for an empty kind; panics
// on an unknown one).
void inject(StringView kind);

} // namespace fault_injection
