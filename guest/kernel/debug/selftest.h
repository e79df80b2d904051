// Boot self-tests (`aramid.selftest=1`): the allocators, kernel threads and
// context switches, the timer, stack painting. Each logs one line with what
// it measured; a failure panics with what broke.
#pragma once

namespace selftest {

void run();

} // namespace selftest
