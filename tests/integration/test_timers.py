"""Timers in the guest only (each program refuses to run anywhere else, as
it sets the wall clock, which a contract test must not do to its host):
- programs/timerfd_clock_set.c: timerfds follow a clock that is set;
- programs/timer_torture.c: every kind of timer at once with random and
  absurd values, in several processes, while the clock is set: no panic,
  and the program finishes."""
import os
import subprocess
import tempfile

PROGRAMS = os.path.join(os.path.dirname(__file__), "programs")


def _initramfs(ctx, tmp, name, args):
    binary = os.path.join(tmp, name)
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, os.path.join(PROGRAMS, name + ".c")], check=True)
    return ctx.initramfs(tmp, argv=["/" + name, *args], files=[(name, 0o755, open(binary, "rb").read())])


def _kvm(ctx, name, *args):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        return ctx.vmm("--initrd", _initramfs(ctx, tmp, name, args), "--timeout", "60", "--cmdline",
                       "aramid.stdout=pipe", verbose=True, timeout=90)


def _qemu(ctx, name, *args):
    with tempfile.TemporaryDirectory() as tmp:
        return ctx.qemu("aramid.stdout=pipe", initrd=_initramfs(ctx, tmp, name, args), timeout=240)


def test_kvm_timerfd_follows_a_clock_set(ctx):
    run = _kvm(ctx, "timerfd_clock_set")
    assert run.status == 0 and "TIMERFD_OK" in run.stdout, run


def test_qemu_timerfd_follows_a_clock_set(ctx):
    run = _qemu(ctx, "timerfd_clock_set")
    assert run.status == 0 and "TIMERFD_OK" in run.stdout, run


def test_kvm_timer_torture(ctx):
    run = _kvm(ctx, "timer_torture")
    assert run.status == 0 and "TORTURE_DONE" in run.stdout and "KERNEL PANIC" not in run.log, run


def test_qemu_timer_torture(ctx):
    run = _qemu(ctx, "timer_torture", "400")  # TCG is slow: fewer rounds
    assert run.status == 0 and "TORTURE_DONE" in run.stdout, run
