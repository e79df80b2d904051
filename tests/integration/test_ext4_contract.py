"""The contract programs that work on files (tests/contract/{fs,fd,vm}), run
in the guest on an ext4 file system mounted read-write on /tmp, where each
makes its working directory. This host's /tmp is ext4 too, and the host's
run of each program is the oracle, as in aramid-test: same lines, exit 0,
CONTRACT_PASS. One VM runs them all in turn; afterwards (every program
removes its directory) `e2fsck -fn` must find the image clean.

A known divergence is listed in KNOWN with its reason; it must still
diverge (a fixed one fails here until it is taken off the list)."""
import glob
import os
import subprocess
import tempfile

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTRACT = os.path.join(ROOT, "tests", "contract")
AREAS = ["fs", "fd", "vm"]
KNOWN = {}


def _programs(tmp):
    programs = []
    for area in AREAS:
        for source in sorted(glob.glob(os.path.join(CONTRACT, area, "*.c"))):
            name = f"{area}.{os.path.basename(source)[:-2]}"
            binary = os.path.join(tmp, name)
            subprocess.run(["musl-gcc", "-static", "-O2", "-I", CONTRACT, "-o", binary, source], check=True)
            programs.append((name, binary))
    return programs


def test_kvm_contract_programs_on_ext4(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        programs = _programs(tmp)
        image = os.path.join(tmp, "disk.img")
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", image, "64M"], check=True, capture_output=True)
        script = ("mount -t ext4 /dev/vda /tmp && chmod 1777 /tmp && "
                  + harness.marked_script((name, f"/contract/{name}") for name, _ in programs)
                  + " ; umount /tmp && echo UNMOUNTED")
        files = [(f"contract/{name}", 0o755, open(binary, "rb").read()) for name, binary in programs]
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script], files=files)
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "240", "--cmdline", "aramid.stdout=pipe",
                      timeout=300)
        failures, host_failures = harness.compare_with_host(programs, harness.marked_outputs(run.stdout), KNOWN, tmp)
        assert not host_failures, "failing on the host:\n" + "\n".join(f"{n}:\n{t}" for n, t in host_failures)
        assert not failures, "\n".join(failures) + f"\n--- log:\n{run.log[-2000:]}"
        assert "UNMOUNTED" in run.stdout, run
        check = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
        assert check.returncode == 0, f"e2fsck -fn: exit {check.returncode}\n{check.stdout}{check.stderr}"
