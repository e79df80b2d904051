"""The virtio block device end to end: aramid-vmm --disk (and QEMU's
virtio-blk-device, the reference) serve a host file, and a program in the
guest reads and writes it as /dev/vda (programs/disk_check.c). The host
file is checked after the guest exits: every byte written is there, and
nothing else changed."""
import os
import subprocess
import tempfile

PROGRAMS = os.path.join(os.path.dirname(__file__), "programs")
DISK_SIZE = 1 << 20


def _pattern():
    return bytes((i * 7 + 3) & 0xff for i in range(DISK_SIZE))


def _expected_after_writes():
    """What disk_check rw leaves in the file."""
    disk = bytearray(_pattern())
    disk[510:525] = b"ARAMID-WAS-HERE"
    start = 65536 + 100
    disk[start:start + 200 * 1024] = bytes(i % 253 for i in range(200 * 1024))
    disk[DISK_SIZE - 3:] = b"ETA"  # "END", then "TAIL" cut at the end
    return bytes(disk)


def _setup(ctx, tmp, mode):
    binary = os.path.join(tmp, "disk_check")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, os.path.join(PROGRAMS, "disk_check.c")], check=True)
    initrd = ctx.initramfs(tmp, argv=["/disk_check", mode], files=[("disk_check", 0o755, open(binary, "rb").read())])
    disk = os.path.join(tmp, "disk.img")
    with open(disk, "wb") as out:
        out.write(_pattern())
    return initrd, disk


def _kvm(ctx, mode, *disk_args):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        initrd, disk = _setup(ctx, tmp, mode)
        args = ["--initrd", initrd, "--timeout", "60", "--cmdline", "aramid.stdout=pipe"]
        if mode != "none":
            args += ["--disk", disk, *disk_args]
        run = ctx.vmm(*args, timeout=90)
        return run, open(disk, "rb").read()


def _qemu(ctx, mode, readonly=False):
    with tempfile.TemporaryDirectory() as tmp:
        initrd, disk = _setup(ctx, tmp, mode)
        drive = f"id=d0,file={disk},format=raw,if=none" + (",readonly=on" if readonly else "")
        extra = ["-global", "virtio-mmio.force-legacy=false", "-drive", drive, "-device", "virtio-blk-device,drive=d0"]
        run = ctx.qemu("aramid.stdout=pipe", initrd=initrd, timeout=240, extra=extra if mode != "none" else ())
        return run, open(disk, "rb").read()


def test_kvm_disk_read_write(ctx):
    run, disk = _kvm(ctx, "rw")
    assert run.status == 0 and "DISK_OK" in run.stdout, run
    assert disk == _expected_after_writes(), "the host file is not what the guest wrote"


def test_kvm_disk_read_only(ctx):
    run, disk = _kvm(ctx, "ro", "--disk-readonly")
    assert run.status == 0 and "DISK_OK" in run.stdout, run
    assert disk == _pattern(), "a read-only disk changed"


def test_kvm_no_disk(ctx):
    run, _ = _kvm(ctx, "none")
    assert run.status == 0 and "DISK_OK" in run.stdout, run


def test_kvm_disk_that_is_missing(ctx):
    ctx.require_kvm()
    run = ctx.vmm("--disk", "/nonexistent/disk.img", "--", "/bin/true")
    assert run.status == 125 and "/nonexistent/disk.img" in run.log, run


def test_qemu_disk_read_write(ctx):
    run, disk = _qemu(ctx, "rw")
    assert run.status == 0 and "DISK_OK" in run.stdout, run
    assert disk == _expected_after_writes(), "the host file is not what the guest wrote"


def test_qemu_disk_read_only(ctx):
    run, disk = _qemu(ctx, "ro", readonly=True)
    assert run.status == 0 and "DISK_OK" in run.stdout, run
    assert disk == _pattern(), "a read-only disk changed"
