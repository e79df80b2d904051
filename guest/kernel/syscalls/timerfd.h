// timerfd (syscalls/timerfd.cpp): what the rest of the kernel tells it.
#pragma once

namespace timerfd {

// The wall clock was set (clock_settime, settimeofday): timers armed for an
// absolute CLOCK_REALTIME time move with it, or report ECANCELED when armed
// with TFD_TIMER_CANCEL_ON_SET.
void clock_was_set();

} // namespace timerfd
