#!/usr/bin/env python3
"""Boot-phase timing: how long until init runs, over many boots.

  aramid on /dev/kvm   aramid-vmm's --result phases (microseconds since the
                       VMM's main()), for the default userland and for a
                       minimal initramfs, plus the wall time of the process
  aramid, QEMU TCG     microvm through the PVH entry: wall time from starting
                       QEMU to the kernel's "init: running" log line
  Linux, QEMU TCG      Debian's kernel (linux-image-amd64): wall time from
                       starting QEMU to the marker its /init prints

Each is booted --boots times (default 20); the table gives the median and
the 90th percentile. Every guest program exits at once, so the whole run is
boot, exec and shutdown.

usage: bench/boot_times.py [--build DIR] [--boots N] [--no-qemu] [--no-linux]
                           [--json FILE] [--timeout SEC]
"""
import argparse
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ["vm-ready", "first-instruction", "platform-up", "kernel-init-done", "init-exec", "program-exit",
          "vmm-exit"]
ARAMID_INIT_MARKER = b"init: running"
LINUX_INIT_MARKER = b"ARAMID-BENCH-INIT"


def load_mkinitramfs():
    import importlib.util
    path = os.path.join(SOURCE, "guest", "userland", "mkinitramfs.py")
    spec = importlib.util.spec_from_file_location("mkinitramfs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mkinitramfs = load_mkinitramfs()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


# ---- initramfs images

def aramid_images(build, work):
    """The default userland plus /bin/true as the program, and a minimal
    archive: aramid-init and the benchmark binary, which exits at once."""
    default = os.path.join(work, "aramid-default.cpio")
    extra = mkinitramfs.Archive()
    extra.add(".aramid/argv", 0o100644, b"/bin/true\0")
    with open(default, "wb") as out:
        out.write(read(os.path.join(build, "guest", "userland", "initramfs.cpio")) + extra.finish())

    minimal = os.path.join(work, "aramid-minimal.cpio")
    archive = mkinitramfs.Archive()
    for directory in ["bin", "dev", "proc", "tmp", "bench", ".aramid"]:
        archive.add(directory, 0o040755)
    archive.add("init", 0o100755, read(os.path.join(build, "guest", "userland", "aramid-init")))
    archive.add("bench/aramid_bench", 0o100755, read(os.path.join(build, "bench", "aramid_bench")))
    archive.add(".aramid/argv", 0o100644, b"/bench/aramid_bench\0--exit\0")
    with open(minimal, "wb") as out:
        out.write(archive.finish())
    return default, minimal


def linux_image(build, work):
    """linux-init as /init (it prints the marker and powers off: no argv
    file) with busybox and its links, like aramid's default userland."""
    path = os.path.join(work, "linux.cpio")
    archive = mkinitramfs.Archive()
    for directory in ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "root", "tmp"]:
        archive.add(directory, 0o040755)
    archive.add("init", 0o100755, read(os.path.join(build, "bench", "linux-init")))
    archive.add("bin/busybox", 0o100755, read("/bin/busybox"))
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True, check=True).stdout.split()
    for applet in sorted(set(applets) - {"busybox"}):
        archive.add(f"bin/{applet}", 0o120777, b"/bin/busybox")
    with open(path, "wb") as out:
        out.write(archive.finish())
    return path


def linux_kernel():
    """Debian's newest /boot/vmlinuz-*, installing linux-image-amd64 first
    if it is missing (only when this measurement is asked for)."""
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "linux-image-amd64"], capture_output=True,
                            text=True)
    if "install ok installed" not in status.stdout:
        print("boot_times: installing linux-image-amd64", file=sys.stderr)
        sudo = [] if os.getuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        command = sudo + ["apt-get", "install", "-y", "--no-install-recommends", "linux-image-amd64"]
        if subprocess.run(command, env=env, stdout=sys.stderr).returncode != 0:
            subprocess.run(sudo + ["apt-get", "update"], env=env, stdout=sys.stderr)
            subprocess.run(command, env=env, stdout=sys.stderr, check=True)
    kernels = sorted(name for name in os.listdir("/boot") if name.startswith("vmlinuz-"))
    if not kernels:
        raise RuntimeError("linux-image-amd64 is installed but /boot has no vmlinuz-*")
    return os.path.join("/boot", kernels[-1])


# ---- one boot

def time_to_marker(command, marker, timeout):
    """Starts `command`, reads its stdout until `marker` appears and then to
    the end. Returns (seconds to the marker, seconds to the exit, status)."""
    start = time.monotonic()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = b""
    marker_at = None
    try:
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                proc.kill()
                proc.wait()
                return marker_at, None, "timeout"
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            if marker_at is None:
                seen = (seen + chunk)[-4096:]
                if marker in seen:
                    marker_at = time.monotonic() - start
        status = proc.wait()
        return marker_at, time.monotonic() - start, status
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def boot_aramid_kvm(build, initrd, work, timeout):
    result = os.path.join(work, "result.json")
    if os.path.exists(result):
        os.remove(result)
    start = time.monotonic()
    proc = subprocess.run([os.path.join(build, "vmm", "aramid-vmm"), "--initrd", initrd, "--cmdline",
                           "aramid.stdout=pipe", "--timeout", str(int(timeout)), "--result", result],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout + 10)
    wall = time.monotonic() - start
    data = json.load(open(result)) if os.path.exists(result) else {}
    if proc.returncode != 0 or data.get("reason") != "exit":
        raise RuntimeError(f"aramid-vmm exited with {proc.returncode}: {proc.stderr.decode(errors='replace')[-300:]}")
    phases = {name: value / 1000 for name, value in data.get("phases", {}).items()}  # ms
    phases["wall"] = wall * 1000
    return phases


def boot_aramid_qemu(build, initrd, timeout):
    command = ["qemu-system-x86_64", "-M", "microvm,accel=tcg,acpi=off", "-cpu", "max", "-m", "256",
               "-display", "none", "-no-reboot", "-nodefaults", "-serial", "null", "-debugcon", "stdio",
               "-kernel", os.path.join(build, "guest", "kernel", "aramid.elf"), "-initrd", initrd,
               "-append", "aramid.stdout=pipe", "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    marker, total, status = time_to_marker(command, ARAMID_INIT_MARKER, timeout)
    if marker is None:
        raise RuntimeError(f"QEMU (aramid) never logged {ARAMID_INIT_MARKER.decode()!r} (status {status})")
    return {"init": marker * 1000, "wall": (total or 0) * 1000}


def boot_linux_qemu(kernel, initrd, timeout):
    command = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512", "-display", "none",
               "-no-reboot", "-nodefaults", "-serial", "stdio", "-kernel", kernel, "-initrd", initrd,
               "-append", "console=ttyS0 quiet loglevel=1 panic=-1"]
    marker, total, status = time_to_marker(command, LINUX_INIT_MARKER, timeout)
    if marker is None:
        raise RuntimeError(f"QEMU (Linux) never printed {LINUX_INIT_MARKER.decode()!r} (status {status})")
    return {"init": marker * 1000, "wall": (total or 0) * 1000}


# ---- the table

def summarize(samples):
    """{phase: [ms...]} from a list of {phase: ms} dicts."""
    phases = {}
    for sample in samples:
        for name, value in sample.items():
            phases.setdefault(name, []).append(value)
    return {name: {"median_ms": round(median(values), 3), "p90_ms": round(percentile(values, 0.9), 3),
                   "n": len(values)} for name, values in phases.items()}


def print_table(results):
    """One block per configuration, one line per phase (ms since the start:
    aramid-vmm's main() on KVM, the start of the QEMU process under TCG)."""
    width = max([len(f"  {p}") for p in PHASES + ["init", "wall"]] + [len(t) for t in results] + [10])
    line = "-" * (width + 30)
    print(f"{'boot':<{width}}{'n':>4}{'median':>13}{'p90':>13}")
    print(line)
    for title, summary in results.items():
        print(title)
        for phase in [p for p in PHASES + ["init", "wall"] if p in summary]:
            s = summary[phase]
            print(f"{'  ' + phase:<{width}}{s['n']:>4}{s['median_ms']:>10.2f} ms{s['p90_ms']:>10.2f} ms")
    print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--boots", type=int, default=20)
    parser.add_argument("--no-qemu", action="store_true", help="skip aramid under QEMU TCG")
    parser.add_argument("--no-linux", action="store_true", help="skip Debian's Linux under QEMU TCG")
    parser.add_argument("--json", help="write the summary as JSON")
    parser.add_argument("--timeout", type=float, default=120, help="per boot")
    args = parser.parse_args()
    for needed in ["vmm/aramid-vmm", "guest/kernel/aramid.elf", "guest/userland/initramfs.cpio",
                   "bench/aramid_bench", "bench/linux-init"]:
        if not os.path.exists(os.path.join(args.build, needed)):
            sys.exit(f"boot_times: {os.path.join(args.build, needed)} is missing; build first")

    work = tempfile.mkdtemp(prefix="aramid-boot-times-")
    results = {}
    failures = []
    try:
        default, minimal = aramid_images(args.build, work)
        runs = []
        if os.path.exists("/dev/kvm"):
            runs += [("aramid kvm, busybox userland", lambda: boot_aramid_kvm(args.build, default, work,
                                                                              args.timeout)),
                     ("aramid kvm, minimal initramfs", lambda: boot_aramid_kvm(args.build, minimal, work,
                                                                               args.timeout))]
        if not args.no_qemu:
            runs += [("aramid qemu-tcg microvm, busybox userland",
                      lambda: boot_aramid_qemu(args.build, default, args.timeout))]
        if not args.no_linux:
            kernel = linux_kernel()
            image = linux_image(args.build, work)
            runs += [(f"linux qemu-tcg ({os.path.basename(kernel)})",
                      lambda: boot_linux_qemu(kernel, image, args.timeout))]
        for title, boot in runs:
            samples = []
            for i in range(args.boots):
                try:
                    samples.append(boot())
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    failures.append(f"{title}, boot {i + 1}: {e}")
            print(f"boot_times: {title}: {len(samples)} of {args.boots} boots", file=sys.stderr)
            if samples:
                results[title] = summarize(samples)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    for failure in failures:
        print("  FAILED " + failure)
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"boots": args.boots, "results": results, "failures": failures}, out, indent=2)
            out.write("\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
