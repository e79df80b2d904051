"""aramid-vmm -- PROGRAM ARGS...: init runs exactly that argv with the host's
stdin and stdout, and aramid-vmm exits with the program's status as a shell
reports it."""
import os
import signal
import subprocess
import time


def _run(ctx, *argv, stdin=b""):
    return ctx.vmm("--timeout", "20", "--", *argv, verbose=False, stdin=stdin)


def test_kvm_argv_passes_exactly(ctx):
    args = ["a  b", "", "*", "$HOME", "'q'", '"d"', "\\", "-c", "--", "é ü"]
    r = _run(ctx, "/bin/sh", "-c", 'for a in "$@"; do printf "[%s]\\n" "$a"; done', "sh", *args)
    assert r.status == 0, r
    assert r.stdout == "".join(f"[{a}]\n" for a in args), r


def test_kvm_exit_status(ctx):
    for code in (0, 1, 42, 255):
        r = _run(ctx, "/bin/sh", "-c", f"exit {code}")
        assert r.status == code, (code, r)


def test_kvm_killed_by_signal_is_128_plus(ctx):
    for name, number in (("TERM", 15), ("SEGV", 11), ("KILL", 9)):
        r = _run(ctx, "/bin/sh", "-c", f"kill -{name} $$")
        assert r.status == 128 + number, (name, r)


def test_kvm_missing_or_unrunnable_program(ctx):
    r = _run(ctx, "/nonexistent")
    assert r.status == 127, r
    # The guest has one console: its stderr comes out with its stdout.
    assert "cannot run /nonexistent: No such file or directory" in r.stdout, r
    r = _run(ctx, "/etc")
    assert r.status == 126, r


def test_kvm_piped_stdin_is_a_pipe(ctx):
    """Piped input reaches the program byte for byte, with no echo, no line
    discipline (^C, CR, DEL are data) and its end as EOF."""
    r = _run(ctx, "/bin/wc", "-l", stdin=b"one\ntwo\n")
    assert r.status == 0 and r.stdout.split() == ["2"], r
    r = _run(ctx, "/bin/sh", stdin=b"echo hello; exit 3\n")
    assert r.status == 3 and r.stdout == "hello\n", r
    data = bytes(range(256)) * 4
    r = ctx.vmm("--timeout", "20", "--", "/bin/od", "-An", "-v", "-tx1", verbose=False, stdin=data)
    host = subprocess.run(["od", "-An", "-v", "-tx1"], input=data, capture_output=True).stdout.decode()
    assert r.status == 0 and r.stdout.split() == host.split(), r


def test_kvm_large_piped_stdin_loses_nothing(ctx):
    data = os.urandom(1 << 20)
    r = _run(ctx, "/bin/sh", "-c", "sleep 0.2; md5sum", stdin=data)
    host = subprocess.run(["md5sum"], input=data, capture_output=True).stdout.decode().split()[0]
    assert r.status == 0 and r.stdout.split()[0] == host, r


def test_kvm_argv_over_the_limit_is_a_vmm_error(ctx):
    args = ["x" * 999] * 200  # 200,000 bytes with the NULs: over 128 KiB
    r = _run(ctx, "/bin/true", *args)
    assert r.status == 125, r
    assert "128 KiB" in r.log, r


def test_kvm_no_initrd_has_no_program(ctx):
    r = ctx.vmm("--timeout", "20", "--no-initrd", "--", "/bin/true", verbose=False, stdin=b"")
    assert r.status != 0, r


def test_kvm_sigterm_stops_the_guest(ctx):
    ctx.require_kvm()
    proc = subprocess.Popen([ctx.vmm_binary, "--", "/bin/sleep", "30"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    start = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 128 + 15, (proc.returncode, err)
    assert b"SIGTERM" in err, err
    assert time.monotonic() - start < 5
