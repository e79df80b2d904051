"""nosuid, nodev and noexec, and MS_REMOUNT changing them, on a tmpfs mount:
programs/mount_flags.c prints what exec, mmap, mprotect and open make of
them. The oracle is the host running the same static binary in a private
mount namespace (unshare -m), which leaves the host's mounts alone."""
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "tests", "integration", "programs", "mount_flags.c")


def test_kvm_mount_flags_match_the_host(ctx):
    ctx.require_kvm()
    if not shutil.which("unshare"):
        raise AssertionError("unshare (util-linux) is missing: it gives the host run its own mount namespace")
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "mount_flags")
        # glibc, static: strerrorname_np; the same binary on both sides.
        subprocess.run(["gcc", "-O2", "-static", "-o", binary, SOURCE], check=True)
        host = subprocess.run(["unshare", "-m", "--propagation", "private", binary, "--mount-here"],
                              capture_output=True, text=True, timeout=60)
        assert host.returncode == 0 and "remounted without flags" in host.stdout, host
        initrd = ctx.initramfs(tmp, argv=["/mount_flags", "--mount-here"],
                               files=[("mount_flags", 0o755, open(binary, "rb").read())])
        run = ctx.vmm("--initrd", initrd, "--cmdline", "aramid.stdout=pipe")
        assert run.status == 0, run
        assert run.stdout.replace("\r", "") == host.stdout, f"--- host\n{host.stdout}--- guest\n{run.stdout}"
