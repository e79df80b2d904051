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


def _host_output(binary, tmp):
    run = subprocess.run([binary], capture_output=True, text=True, cwd=tmp, stdin=subprocess.DEVNULL, timeout=60)
    return run.stdout + run.stderr, run.returncode


def _guest_outputs(text):
    """{name: (lines, status)} from the guest's marked output."""
    outputs = {}
    name, lines = None, []
    for line in text.replace("\r", "").splitlines():
        if line.startswith("=== begin "):
            name, lines = line[len("=== begin "):], []
        elif line.startswith("=== end ") and name:
            outputs[name] = ("\n".join(lines) + "\n" if lines else "", int(line.split()[-1]))
            name = None
        elif name:
            lines.append(line)
    return outputs


def test_kvm_contract_programs_on_ext4(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        programs = _programs(tmp)
        image = os.path.join(tmp, "disk.img")
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", image, "64M"], check=True, capture_output=True)
        script = "mount -t ext4 /dev/vda /tmp && chmod 1777 /tmp && " + " ; ".join(
            f"echo '=== begin {name}'; /contract/{name} </dev/null 2>&1; echo \"=== end {name} $?\""
            for name, _ in programs) + " ; umount /tmp && echo UNMOUNTED"
        files = [(f"contract/{name}", 0o755, open(binary, "rb").read()) for name, binary in programs]
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script], files=files)
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "240", "--cmdline", "aramid.stdout=pipe",
                      timeout=300)
        guest = _guest_outputs(run.stdout)
        failures = []
        for name, binary in programs:
            host_text, host_status = _host_output(binary, tmp)
            assert host_status == 0 and "CONTRACT_PASS" in host_text, f"{name} fails on the host:\n{host_text}"
            got = guest.get(name)
            same = got is not None and got == (host_text, 0)
            if name in KNOWN:
                if same:
                    failures.append(f"{name} is listed as diverging ({KNOWN[name]}) but now matches")
                continue
            if not same:
                failures.append(f"{name}:\n--- host\n{host_text}--- guest (status {got[1] if got else None})\n"
                                f"{got[0] if got else '(no output)'}")
        assert not failures, "\n".join(failures) + f"\n--- log:\n{run.log[-2000:]}"
        assert "UNMOUNTED" in run.stdout, run
        check = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
        assert check.returncode == 0, f"e2fsck -fn: exit {check.returncode}\n{check.stdout}{check.stderr}"
