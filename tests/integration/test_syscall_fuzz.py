"""Garbage into every syscall (fixed seeds): the kernel never panics and
keeps every kernel stack under 75% of its size."""
import os
import re
import subprocess
import tempfile

PROGRAM = os.path.join(os.path.dirname(__file__), "programs", "syscall_fuzz.c")


def _build(tmp):
    binary = os.path.join(tmp, "fuzz")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, PROGRAM], check=True)
    return open(binary, "rb").read()


def _check(run, children):
    assert run.status == 0, run
    assert "KERNEL PANIC" not in run.log, run
    assert f"fuzz: {children} children" in run.stdout and "FUZZ_DONE" in run.stdout, run
    match = re.search(r"deepest kernel stack use (\d+) of (\d+) bytes", run.log)
    assert match, f"no stack report:\n{run}"
    used, size = int(match.group(1)), int(match.group(2))
    assert used < size * 3 // 4, f"a kernel stack reached {used} of {size} bytes:\n{run.log[-2000:]}"


def test_kvm_syscall_fuzz(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        path = ctx.initramfs(tmp, argv=["/fuzz", "32", "1500"], files=[("fuzz", 0o755, _build(tmp))])
        run = ctx.vmm("--initrd", path, "--timeout", "120", "--cmdline", "aramid.stackcheck=1 aramid.stdout=pipe",
                      verbose=True)
    _check(run, 32)


def test_qemu_syscall_fuzz(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        path = ctx.initramfs(tmp, argv=["/fuzz", "8", "800"], files=[("fuzz", 0o755, _build(tmp))])
        run = ctx.qemu("aramid.stackcheck=1 aramid.stdout=pipe", initrd=path, timeout=240)
    _check(run, 8)
