"""The vDSO (guest/vdso/): clock_gettime and friends in user mode, on both
platforms (tests/integration/programs/vdso_check.c says what is checked)."""
import os
import subprocess
import tempfile

PROGRAM = os.path.join(os.path.dirname(__file__), "programs", "vdso_check.c")


def _initramfs(ctx, tmp):
    binary = os.path.join(tmp, "vdso_check")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, PROGRAM], check=True)
    return ctx.initramfs(tmp, argv=["/vdso_check"], files=[("vdso_check", 0o755, open(binary, "rb").read())])


def test_kvm_vdso(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.vmm("--initrd", _initramfs(ctx, tmp), "--timeout", "30", "--cmdline", "aramid.stdout=pipe",
                      verbose=False)
    assert run.status == 0 and "VDSO_OK" in run.stdout, run


def test_qemu_vdso(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.qemu("aramid.stdout=pipe", initrd=_initramfs(ctx, tmp), timeout=120)
    assert run.status == 0 and "VDSO_OK" in run.stdout, run
