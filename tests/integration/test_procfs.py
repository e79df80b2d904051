"""/proc on both platforms: tests/integration/programs/procfs_check.c checks
what /proc shows -- stat, status, cmdline, maps, fd links, exe, task,
meminfo, uptime, mounts -- against the system calls, and must pass on the
host first (Linux is the reference). Busybox ps must list the processes."""
import os
import subprocess
import tempfile

PROGRAM = os.path.join(os.path.dirname(__file__), "programs", "procfs_check.c")


def _build(tmp):
    binary = os.path.join(tmp, "procfs_check")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, PROGRAM], check=True)
    return binary


def _failures(output):
    return "\n".join(line for line in output.splitlines() if not line.startswith("ok "))


def _initramfs(ctx, tmp, argv, binary=None):
    files = [("procfs_check", 0o755, open(binary, "rb").read())] if binary else []
    return ctx.initramfs(tmp, argv=argv, files=files)


def test_host_procfs_check(ctx):
    # The checker itself is right: Linux passes it.
    with tempfile.TemporaryDirectory() as tmp:
        binary = _build(tmp)
        proc = subprocess.run([binary], capture_output=True, text=True, timeout=60, cwd=tmp)
    assert proc.returncode == 0 and "PROCFS_OK" in proc.stdout, _failures(proc.stdout) + proc.stderr


def test_kvm_procfs(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        path = _initramfs(ctx, tmp, ["/procfs_check"], _build(tmp))
        run = ctx.vmm("--initrd", path, "--timeout", "30", "--cmdline", "aramid.stdout=pipe", verbose=False)
    assert run.status == 0 and "PROCFS_OK" in run.stdout, f"{_failures(run.stdout)}\n{run!r}"


def test_qemu_procfs(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        path = _initramfs(ctx, tmp, ["/procfs_check"], _build(tmp))
        run = ctx.qemu("aramid.stdout=pipe", initrd=path, timeout=120)
    assert run.status == 0 and "PROCFS_OK" in run.stdout, f"{_failures(run.stdout)}\n{run!r}"


# Two sleeps in the background (once they have exec'd), then ps: its header,
# both sleeps with their arguments, and the shell; -o picks columns, and the
# command name of a busybox applet is the applet's (exec's path), not
# "busybox".
_PS_SCRIPT = r"""
running() { until [ "$(tr '\0' ' ' < /proc/$1/cmdline)" = "$2 " ]; do :; done; }
sleep 30 &
s1=$!
sleep 31 &
s2=$!
running $s1 'sleep 30'
running $s2 'sleep 31'
ps > /tmp/ps.out
ps -o pid,ppid,stat,comm,args > /tmp/ps-o.out
head -1 /tmp/ps.out | tr -s ' ' | sed 's/^ //'
grep -c 'sleep 3[01]$' /tmp/ps.out
grep -q "^ *$s1 .*sleep 30$" /tmp/ps.out && echo "first sleep listed by pid"
grep -q "^ *$s2 .*sleep 31$" /tmp/ps.out && echo "second sleep listed by pid"
grep -q "^ *$$ " /tmp/ps.out && echo "the shell is listed"
head -1 /tmp/ps-o.out | tr -s ' ' | sed 's/^ //'
awk -v p=$s1 -v me=$$ '$1 == p { print ($2 == me ? "ppid is the shell" : "ppid " $2), $3, $4 }' /tmp/ps-o.out
kill $s1 $s2
wait
echo done
"""

_PS_EXPECTED = """PID USER COMMAND
2
first sleep listed by pid
second sleep listed by pid
the shell is listed
PID PPID STAT COMMAND COMMAND
ppid is the shell S sleep
done
"""


def _check_ps(output):
    assert output == _PS_EXPECTED, f"--- expected\n{_PS_EXPECTED}--- got\n{output}"


def test_host_busybox_ps(ctx):
    proc = subprocess.run(["/bin/busybox", "sh", "-c", _PS_SCRIPT.replace("/tmp/", "./")], capture_output=True,
                          text=True, timeout=60, cwd=tempfile.gettempdir(),
                          env={"PATH": "/bin:/usr/bin"})
    _check_ps(proc.stdout)


def test_kvm_busybox_ps(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        path = _initramfs(ctx, tmp, ["/bin/sh", "-c", _PS_SCRIPT])
        run = ctx.vmm("--initrd", path, "--timeout", "30", "--cmdline", "aramid.stdout=pipe aramid.stdin=pipe",
                      verbose=False, stdin=b"")
    assert run.status == 0, run
    _check_ps(run.stdout)


def test_qemu_busybox_ps(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        path = _initramfs(ctx, tmp, ["/bin/sh", "-c", _PS_SCRIPT])
        run = ctx.qemu("aramid.stdout=pipe", initrd=path, timeout=120)
    assert run.status == 0, run
    _check_ps(run.stdout)
