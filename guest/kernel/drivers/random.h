// Random bytes for getrandom(), /dev/urandom and AT_RANDOM: xoshiro256**
// seeded from RDRAND (where the CPU has it) and the TSC. Not a
// cryptographic generator yet -- documented in docs/syscalls.md.
#pragma once

#include <lib/types.h>

namespace random {

void init();
u64 next();
void fill(void* buffer, usize length);

} // namespace random
