#!/usr/bin/env python3
"""Sequential write throughput of the ext4 writer, in the guest, as a ratio
to this host writing the same files on its own ext4 file system.

Each of --runs boots aramid-vmm with a fresh 64 MiB ext4 image (4 KiB
blocks) as its disk; the guest mounts it read-write on /mnt and runs
writebench.c (next to this script; a static musl program that times itself
with CLOCK_MONOTONIC), in this order:
  big    a new 16 MiB file in 64 KiB writes, then fsync;
  small  500 new files of 1-8 KiB (sizes from a fixed seed), then syncfs;
  raw    16 MiB over /dev/vda itself from offset 0 (after an unmount; the
         device without the file system: the ceiling), then fsync.
The host runs big and small the same way in a directory under $TMPDIR (its
ext4), between the boots. Durability is part of every figure: the guest's
fsync reaches the image file through the VMM's fdatasync, the host's its
own disk. Prints the median, min and max MB/s (10^6 bytes/s) and the
guest/host ratio of the medians.

usage: bench/ext4/write_throughput.py [--build build] [--runs 7] [--kernel ELF]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import harness  # noqa: E402

RESULT = re.compile(r"WRITE (\w+) (\d+) (\d+) ([0-9.]+) ([0-9.]+)")
BIG_BYTES = 16 * 1024 * 1024
SMALL_FILES = 500

GUEST = ("mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && mkdir /mnt/dir && "
         f"/writebench big /mnt/big {BIG_BYTES} && /writebench small /mnt/dir {SMALL_FILES} && "
         f"umount /mnt && /writebench raw /dev/vda {BIG_BYTES}")


def parse(text):
    return {m.group(1): float(m.group(5)) for m in RESULT.finditer(text)}


def boot(ctx, kernel, initrd, tmp):
    image = os.path.join(tmp, "disk.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", image, "64M"], check=True, capture_output=True)
    proc = subprocess.run([ctx.vmm_binary, "--kernel", kernel, "--initrd", initrd, "--disk", image,
                           "--timeout", "60", "--cmdline", "aramid.stdout=pipe"], capture_output=True, text=True,
                          timeout=90)
    found = parse(proc.stdout)
    if proc.returncode or set(found) != {"small", "big", "raw"}:
        sys.exit(f"write_throughput: the guest failed (status {proc.returncode}):\n"
                 f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return found


def host(program, tmp):
    work = tempfile.mkdtemp(dir=tmp)
    os.mkdir(os.path.join(work, "dir"))
    out = subprocess.run([program, "big", os.path.join(work, "big"), str(BIG_BYTES)], capture_output=True,
                         text=True, check=True).stdout
    out += subprocess.run([program, "small", os.path.join(work, "dir"), str(SMALL_FILES)], capture_output=True,
                          text=True, check=True).stdout
    subprocess.run(["rm", "-rf", work], check=True)
    return parse(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--kernel", help="the kernel to boot (default: the build's)")
    args = parser.parse_args()
    ctx = harness.Context(os.path.abspath(args.build))
    ctx.require_kvm()
    kernel = args.kernel or ctx.kernel
    with tempfile.TemporaryDirectory() as tmp:
        program = os.path.join(tmp, "writebench")
        subprocess.run(["musl-gcc", "-static", "-O2", "-o", program, os.path.join(HERE, "writebench.c")], check=True)
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", GUEST],
                               files=[("writebench", 0o755, open(program, "rb").read())])
        guest = {"small": [], "big": [], "raw": []}
        native = {"small": [], "big": []}
        for _ in range(args.runs):
            for name, value in boot(ctx, kernel, initrd, tmp).items():
                guest[name].append(value)
            for name, value in host(program, tmp).items():
                native[name].append(value)
    print(f"{os.path.basename(kernel)}: MB/s, median of {args.runs} runs (min, max)")
    titles = {"big": "16 MiB file + fsync", "small": f"{SMALL_FILES} files (1-8 KiB) + syncfs",
              "raw": "/dev/vda, 16 MiB + fsync"}
    print(f"  {'':34} {'guest':>22}  {'host':>22}  guest/host")
    for name in ("big", "small", "raw"):
        g = guest[name]
        line = f"  {titles[name]:34} {statistics.median(g):8.2f} ({min(g):6.2f}, {max(g):6.2f})"
        if name in native:
            h = native[name]
            line += f"  {statistics.median(h):8.2f} ({min(h):6.2f}, {max(h):6.2f})"
            line += f"  {statistics.median(g) / statistics.median(h):.2f}"
        print(line)


if __name__ == "__main__":
    main()
