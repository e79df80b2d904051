#!/usr/bin/env python3
"""What a dynamic (glibc) program costs to start: fork + exec + exit + wait
of the host's own /bin/true, from a root file system that tools/mkrootfs
makes of this host's programs, in the guest and on the host (chroot into
the same tree), as a ratio in the same run.

The workload is a dash loop (the tree's /bin/sh) that runs /bin/true
--count times between two `date +%s%N`, after a warm-up loop, so the page
cache is hot on both sides; each boot or host run gives one figure, and
the median of --runs is printed with min and max. The guest's minor faults
for one `cat` are printed too (the dynamic loader's page faults are what
PVM makes expensive). --kernel compares another build's kernel (an A/B
run: pass both).

usage: bench/dynamic/exec_cost.py [--build build] [--runs 7] [--count 200] [--kernel ELF ...]
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

RESULT = re.compile(r"EXEC (\d+) (\d+)")
FAULTS = re.compile(r"FAULTS (\d+)")


def loop_script(count):
    loop = f"i=0; while [ $i -lt {count} ]; do /bin/true; i=$((i+1)); done"
    return (f"{loop}\nt0=$(date +%s%N)\n{loop}\nt1=$(date +%s%N)\necho EXEC {count} $((t1 - t0))\n"
            "echo FAULTS $(cut -d' ' -f10 /proc/self/stat 2>/dev/null || echo 0)\n")


def per_exec_us(text):
    m = RESULT.search(text)
    return int(m.group(2)) / int(m.group(1)) / 1000 if m else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--kernel", action="append", default=[], help="kernel ELF to measure (repeatable)")
    args = parser.parse_args()
    vmm = os.path.join(args.build, "vmm", "aramid-vmm")
    kernels = args.kernel or [os.path.join(args.build, "guest", "kernel", "aramid.elf")]
    mkrootfs = harness.mkrootfs
    with tempfile.TemporaryDirectory() as tmp:
        tree, image = os.path.join(tmp, "root"), os.path.join(tmp, "root.img")
        mkrootfs.make_tree(tree, ["sh", "true", "date", "cut"])
        with open(os.path.join(tree, "loop.sh"), "w") as f:
            f.write(loop_script(args.count))
        mkrootfs.make_image(tree, image, "64M")
        host, guests, faults = [], {k: [] for k in kernels}, {}
        for _ in range(args.runs):
            run = subprocess.run(["chroot", tree, "/bin/sh", "/loop.sh"], capture_output=True, text=True,
                                 env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
            host.append(per_exec_us(run.stdout))
            for kernel in kernels:
                run = subprocess.run([vmm, "--kernel", kernel, "--disk", image, "--disk-readonly",
                                      "--cmdline", "root=/dev/vda aramid.stdout=pipe", "--", "/bin/sh", "/loop.sh"],
                                     capture_output=True, text=True, timeout=120)
                value = per_exec_us(run.stdout)
                if value is None:
                    sys.exit(f"exec_cost: the guest failed (status {run.returncode}):\n{run.stdout}{run.stderr}")
                guests[kernel].append(value)
                m = FAULTS.search(run.stdout)
                faults[kernel] = m.group(1) if m else "?"
    h = statistics.median(host)
    print(f"dynamic /bin/true, fork + exec + exit + wait, us (median of {args.runs}, {args.count} each):")
    print(f"  host (chroot)   {h:8.1f}  (min {min(host):.1f}, max {max(host):.1f})")
    for kernel in kernels:
        g = statistics.median(guests[kernel])
        print(f"  aramid {os.path.relpath(kernel, SOURCE) if kernel.startswith(SOURCE) else kernel}")
        print(f"                  {g:8.1f}  (min {min(guests[kernel]):.1f}, max {max(guests[kernel]):.1f})"
              f"  aramid/host {g / h:.2f}; minor faults of one cut: {faults[kernel]}")


if __name__ == "__main__":
    main()
