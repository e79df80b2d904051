"""The main job, interactively: aramid-vmm with no program boots the
default initramfs into busybox's shell on the console, as a user at a
terminal sees it (a pty here). Line editing, ^C, ^Z and job control, vi
in raw mode, and the exit status of `exit N`."""
import os
import pty
import select
import signal
import time


class Terminal:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execv(argv[0], argv)
        self.output = b""

    def expect(self, pattern, timeout=10):
        """Reads until `pattern` (bytes) appears after what earlier calls
        consumed; returns the text up to and including it."""
        deadline = time.monotonic() + timeout
        while pattern not in self.output:
            left = deadline - time.monotonic()
            assert left > 0, f"no {pattern!r} on the console; it shows:\n{self.output.decode(errors='replace')}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                assert chunk, f"the console closed before {pattern!r}:\n{self.output.decode(errors='replace')}"
                self.output += chunk
        end = self.output.index(pattern) + len(pattern)
        seen, self.output = self.output[:end], self.output[end:]
        return seen

    def send(self, data):
        os.write(self.fd, data)

    def status(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
            try:  # keep draining, or a full pty would block the VMM
                if select.select([self.fd], [], [], 0.05)[0]:
                    os.read(self.fd, 4096)
            except OSError:
                time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise AssertionError("aramid-vmm did not exit")


PROMPT = b"~ # "


def test_kvm_interactive_shell(ctx):
    ctx.require_kvm()
    term = Terminal([ctx.vmm_binary, "--timeout", "60"])
    term.expect(PROMPT)
    term.send(b"echo sum $((40+2))\n")
    term.expect(b"sum 42")
    term.expect(PROMPT)

    # Erase (DEL) works in canonical mode: the shell sees "echo ok".
    term.send(b"echo okx\x7f\n")
    assert b"ok\r" in term.expect(PROMPT)

    # ^C interrupts the foreground job, not the shell.
    term.send(b"sleep 30\n")
    term.expect(b"sleep 30")
    time.sleep(0.2)
    term.send(b"\x03")
    term.expect(PROMPT)
    term.send(b"echo status $?\n")
    term.expect(b"status 130")
    term.expect(PROMPT)

    # ^Z stops it; the shell's job control sees it stopped. (Output below
    # is what busybox ash prints on Linux, checked on the host.)
    term.send(b"sleep 30\n")
    term.expect(b"sleep 30")
    time.sleep(0.2)
    term.send(b"\x1a")
    term.expect(b"Stopped")
    term.expect(PROMPT)
    # (ash reports the stop status it saw, 128+SIGTSTP, as on Linux.)
    term.send(b"kill %1; wait %1; echo killed $?\n")
    term.expect(b"killed 148")
    term.expect(PROMPT)
    # Still stopped, with SIGTERM pending; fg continues it and it acts.
    term.send(b"fg; echo fg $?; jobs; echo done\n")
    term.expect(b"Terminated")
    assert b"Stopped" not in term.expect(b"fg 143\r\r\ndone")
    term.expect(PROMPT)

    # vi: raw mode, escape sequences out, keys in; the file is written.
    term.send(b"vi /tmp/note\n")
    term.expect(b"/tmp/note")
    term.send(b"ihello from vi\x1b")
    time.sleep(0.2)
    term.send(b":wq\n")
    term.expect(PROMPT)
    term.send(b"cat /tmp/note\n")
    term.expect(b"hello from vi\r")
    term.expect(PROMPT)

    term.send(b"exit 7\n")
    assert term.status() == 7
