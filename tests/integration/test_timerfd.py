"""timerfd and a wall clock that is set (tests/integration/programs/
timerfd_clock_set.c): run in the guest only, since setting the clock is not
something a contract test may do to its host."""
import os
import subprocess
import tempfile

PROGRAM = os.path.join(os.path.dirname(__file__), "programs", "timerfd_clock_set.c")


def _initramfs(ctx, tmp):
    binary = os.path.join(tmp, "timerfd_clock_set")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, PROGRAM], check=True)
    return ctx.initramfs(tmp, argv=["/timerfd_clock_set"],
                         files=[("timerfd_clock_set", 0o755, open(binary, "rb").read())])


def test_kvm_timerfd_follows_a_clock_set(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.vmm("--initrd", _initramfs(ctx, tmp), "--timeout", "30", "--cmdline", "aramid.stdout=pipe",
                      verbose=False)
    assert run.status == 0 and "TIMERFD_OK" in run.stdout, run


def test_qemu_timerfd_follows_a_clock_set(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.qemu("aramid.stdout=pipe", initrd=_initramfs(ctx, tmp), timeout=120)
    assert run.status == 0 and "TIMERFD_OK" in run.stdout, run
