#!/usr/bin/env python3
"""Sequential read throughput of the ext4 reader, in the guest.

Builds an ext4 image with mke2fs -d from a tree of
- big: a 16 MiB file of random bytes, and
- dir/: 500 small files of 1-8 KiB (random bytes, sizes fixed by a seed),
and boots aramid-vmm with it as a read-only disk, --runs times. Each boot
mounts it on /mnt and runs readbench.c (next to this script; a static musl
program that reads with a 64 KiB buffer and times itself with
CLOCK_MONOTONIC) three times, in this order:
  small  every file of /mnt/dir (open, read to EOF, close; cold: the first
         thing read after the mount);
  big    /mnt/big (16 MiB; the block cache holds 2 MiB, so it is cold);
  raw    the first 16 MiB of /dev/vda: the device without the file system,
         through its own 64 KiB requests -- the reference the file reads
         are measured against.
It prints the median, min and max MB/s (10^6 bytes per second) of each.

A new boot per sample: a second read in the same boot would find the small
files in the block cache and measure memory copies, not the disk.

usage: bench/ext4/read_throughput.py [--build build] [--runs 7] [--kernel ELF]
--kernel boots another kernel under the same VMM (to compare a kernel built
before a change with the current one).
"""
import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import harness  # noqa: E402

RESULT = re.compile(r"READ (\w+) (\d+) (\d+) ([0-9.]+) ([0-9.]+)")
BIG_BYTES = 16 * 1024 * 1024
SMALL_FILES = 500

GUEST = ("mkdir -p /mnt && mount -t ext4 -o ro /dev/vda /mnt && "
         "/readbench small /mnt/dir/* && "
         "/readbench big /mnt/big && "
         f"/readbench raw --limit {BIG_BYTES} /dev/vda")


def make_image(tmp):
    tree = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(tree, "dir"))
    rng = random.Random(1)
    with open(os.path.join(tree, "big"), "wb") as out:
        out.write(rng.randbytes(BIG_BYTES))
    for i in range(SMALL_FILES):
        with open(os.path.join(tree, "dir", f"file{i:03}"), "wb") as out:
            out.write(rng.randbytes(rng.randint(1024, 8192)))
    image = os.path.join(tmp, "disk.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree, image, "64M"], check=True,
                   capture_output=True, env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    return image


def boot(ctx, kernel, initrd, image):
    proc = subprocess.run([ctx.vmm_binary, "--kernel", kernel, "--initrd", initrd, "--disk", image, "--disk-readonly",
                           "--timeout", "60", "--cmdline", "aramid.stdout=pipe"], capture_output=True, text=True,
                          timeout=90)
    found = {m.group(1): float(m.group(5)) for m in RESULT.finditer(proc.stdout)}
    if proc.returncode or set(found) != {"small", "big", "raw"}:
        sys.exit(f"read_throughput: the guest failed (status {proc.returncode}):\n"
                 f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return found


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
        program = os.path.join(tmp, "readbench")
        subprocess.run(["musl-gcc", "-static", "-O2", "-o", program, os.path.join(HERE, "readbench.c")], check=True)
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", GUEST],
                               files=[("readbench", 0o755, open(program, "rb").read())])
        image = make_image(tmp)
        samples = {"small": [], "big": [], "raw": []}
        for _ in range(args.runs):
            for name, value in boot(ctx, kernel, initrd, image).items():
                samples[name].append(value)
    print(f"{os.path.basename(kernel)}: MB/s, median of {args.runs} boots (min, max)")
    titles = {"small": f"{SMALL_FILES} small files (1-8 KiB)", "big": "16 MiB file", "raw": "/dev/vda, 16 MiB"}
    for name in ("small", "big", "raw"):
        values = samples[name]
        print(f"  {titles[name]:28} {statistics.median(values):8.2f}  ({min(values):.2f}, {max(values):.2f})")


if __name__ == "__main__":
    main()
