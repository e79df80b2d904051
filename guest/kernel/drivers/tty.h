// The console TTY: termios line discipline (canonical mode with echo and
// erase, raw mode), job-control signals (^C, ^Z, ^\ to the foreground
// process group) and the terminal ioctls.
//
// When aramid-vmm's own stdin or stdout is not a terminal (a pipe or a
// file), it says so on the command line (aramid.stdin=pipe,
// aramid.stdout=pipe) and init's standard descriptors are then plain
// pipe-like files instead of the tty -- what the same program sees on the
// host when its stdio is piped, so that outputs compare byte for byte.
#pragma once

#include <fs/vfs/file.h>

namespace tty {

void init(bool stdin_is_pipe, bool stdout_is_pipe);
Result<RefPtr<File>> open_console(u64 rdev, u32 flags);
// The files init gets as descriptors 0, 1 and 2.
Result<RefPtr<File>> open_stdio(int fd);

// Input from the console driver (interrupt context is fine).
void receive(char const* data, usize length);
void receive_end_of_input();
// Bytes receive() can take without dropping any: the serial driver leaves
// the rest in the UART (and aramid-vmm in its queue, and then the host pipe)
// until a read makes room.
usize input_room();

} // namespace tty
