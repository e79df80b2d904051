#!/usr/bin/env python3
"""What the debug table's switch ring costs each context switch.

Two measurements, each in a kernel with the ring and in one without:
- the kernel's self-test (aramid.selftest=1) ping-pongs two kernel threads
  through sched::yield() 20000 times each and logs the switches and the
  time they took: the bare switch path, where the ring's share is largest;
- pingpong.c (next to this script) passes a byte between two user processes
  through pipes: two process switches and four syscalls per round trip, what
  a real workload sees.
What the ring adds is debug_table::context_switch(): one 8-byte switch
record stored in the per-CPU ring, 51 bits of which (the TSC) are the
scheduler's own: the kernel without the ring keeps the TSC in a variable of
its own instead. Everything else the monitor shows about switches (thread
states, switch counts, the CPU's counters) it reads in place from the
kernel's own fields, which the kernel keeps with or without it.

There is no boot flag to turn the ring off (it would cost a branch on the
same path, and the kernel files outside the fault injectors are not the
monitor's), so this builds a second kernel from a copy of the source tree in
which context_switch() stores only the timestamp, and boots both kernels in turn,
--runs times each, under the same aramid-vmm. It reports the median time per
switch of each and the difference, in ns and as a share of the switch.

A copy of the ring kernel boots as a third kernel: how far its median lies
from the first one's is the noise floor of the self-test figure.

Comparing kernels across boots cannot resolve 1 ns: one kernel's boots
spread over 27-43 ns a switch, and builds that differ only in where the
code lies (padding) differ by a few ns. So a fourth kernel has both the
ring and the variable, chosen by a flag that its self-test flips between
16 runs of the ping-pong in one boot (the bench's own copy of the tree;
both modes pay for the flag). The A/B figure is the median over the boots
of each boot's difference: the same memory and the same code on both
sides. It is the one to read for the budget.

usage: bench/monitor/switch_cost.py [--build build] [--runs 40] [--variant-build DIR]
                                    [--ab-build DIR] [--round-trips 20000]
The variants' build directories are kept (defaults /tmp/aramid-bench-noring
and /tmp/aramid-bench-ab) and their sources refreshed from this tree on
every run, so that a second run rebuilds only what changed.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import harness  # noqa: E402

PINGPONG = re.compile(r"PINGPONG (\d+) ([0-9.]+)")
PATTERN = re.compile(r"selftest: kernel threads ok \((\d+) context switches in (\d+) ns\)")
DEBUG_TABLE_H = "guest/kernel/debug/debug_table.h"
SELFTEST_CPP = "guest/kernel/debug/selftest.cpp"
RING_READ = ("    return (now - detail::g_cpu_record.switches[(n - 1) % aramid::debug::kSwitchRing].word) & "
             "aramid::debug::kSwitchTscMask;\n")
RING_STORE_WORD = "aramid::debug::switch_record(tsc, to_slot, reason)"
RING_STORE = f"    detail::g_cpu_record.switches[n % aramid::debug::kSwitchRing] = {RING_STORE_WORD};\n"
# The ring store in debug_table::context_switch() and the scheduler's read
# of its timestamp (debug/debug_table.h), and what the kernel without the
# ring does instead: keep the timestamp in a variable of its own.
NO_RING = {DEBUG_TABLE_H: [
    ("inline void context_switch(u64 n,",
     "inline u64 g_switched_in_tsc; // bench: no ring\ninline void context_switch(u64 n,"),
    (RING_STORE, "    g_switched_in_tsc = tsc, (void)n, (void)to_slot, (void)reason; // bench: no ring\n"),
    (RING_READ, "    return (void)n, now - g_switched_in_tsc; // bench: no ring\n"),
]}
# Both in one kernel, chosen by a flag that the self-test flips between runs
# of its ping-pong (in the order ring, none, none, ring, so that a drift
# during the boot weighs on both alike). Each boot then measures the pair
# with the same memory placement and the same code: comparing two kernels
# across boots, each boot's own spread (27-43 ns for one kernel) and the
# code layout (a few ns between builds that differ only in padding) swamp a
# difference of 1 ns. Both modes pay the flag's test and branch.
AB_RUNS = 20  # the first four (one ring-none-none-ring block) warm up and are not counted
AB = {
    DEBUG_TABLE_H: [
        ("inline void context_switch(u64 n,",
         "inline bool g_bench_ring = true; // bench: A/B\ninline u64 g_switched_in_tsc;\n"
         "inline void context_switch(u64 n,"),
        (RING_STORE, "    if (g_bench_ring) detail::g_cpu_record.switches[n % aramid::debug::kSwitchRing] = "
                     f"{RING_STORE_WORD};\n    else g_switched_in_tsc = tsc; // bench: A/B\n"),
        (RING_READ, "    return g_bench_ring ? " + RING_READ.strip()[len("return "):-1]
                    + " : now - g_switched_in_tsc; // bench: A/B\n"),
    ],
    SELFTEST_CPP: [
        ("#include <kernel/debug/log.h>\n", "#include <kernel/debug/debug_table.h>\n#include <kernel/debug/log.h>\n"),
        ("    log_info(\"selftest: kernel threads ok (%lu context switches in %lu ns)\", switches, elapsed);\n",
         "    log_info(\"selftest: kernel threads ok (%lu context switches in %lu ns) ring=%d\", switches, elapsed,\n"
         "             int(debug_table::g_bench_ring)); // bench: A/B\n"),
        ("    threads();\n",
         f"    for (int i = 0; i < {AB_RUNS}; i++) {{ // bench: A/B\n"
         "        debug_table::g_bench_ring = i % 4 == 0 || i % 4 == 3;\n"
         "        threads();\n"
         "    }\n"
         "    debug_table::g_bench_ring = true;\n"),
    ],
}
AB_PATTERN = re.compile(r"selftest: kernel threads ok \((\d+) context switches in (\d+) ns\) ring=([01])")


def build_variant(directory, hooks):
    """A copy of the source tree with `hooks` ({path: [(old, new)]}) applied."""
    source = os.path.join(directory, "src")
    build = os.path.join(directory, "build")
    kernel = os.path.join(build, "guest", "kernel", "aramid.elf")
    # The copy is refreshed every run (tar keeps the mtimes, so ninja
    # rebuilds only what changed): a stale copy would compare this kernel
    # with an older one.
    os.makedirs(source, exist_ok=True)
    with tempfile.TemporaryFile() as archive:
        with tarfile.open(fileobj=archive, mode="w") as tar:
            for name in os.listdir(SOURCE):
                if not name.startswith("build") and not name.startswith("."):
                    tar.add(os.path.join(SOURCE, name), arcname=name)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            tar.extractall(source)
    for relative, replacements in hooks.items():
        path = os.path.join(source, relative)
        text = open(path).read()
        for old, new in replacements:
            if text.count(old) != 1:
                sys.exit(f"switch_cost: {relative} changed; update the hooks in this script")
            text = text.replace(old, new)
        open(path, "w").write(text)
    if not os.path.exists(os.path.join(build, "build.ninja")):
        subprocess.run(["meson", "setup", build, source], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["ninja", "-C", build, "guest/kernel/aramid.elf"], check=True, stdout=subprocess.DEVNULL)
    return kernel


def switch_ns(vmm, kernel):
    proc = subprocess.run([vmm, "--kernel", kernel, "--verbose", "--timeout", "10",
                           "--cmdline", "aramid.selftest=1 aramid.noinit=1"], capture_output=True, text=True)
    match = PATTERN.search(proc.stderr)
    if not match:
        sys.exit(f"switch_cost: no self-test line from {kernel}:\n{proc.stderr[-2000:]}")
    return int(match.group(2)) / int(match.group(1))


def ab_ns(vmm, kernel):
    """One boot of the A/B kernel: ns per switch with the ring and without."""
    proc = subprocess.run([vmm, "--kernel", kernel, "--verbose", "--timeout", "20",
                           "--cmdline", "aramid.selftest=1 aramid.noinit=1"], capture_output=True, text=True)
    runs = AB_PATTERN.findall(proc.stderr)
    if len(runs) != AB_RUNS:
        sys.exit(f"switch_cost: {len(runs)} of {AB_RUNS} A/B self-test lines from {kernel}:\n{proc.stderr[-2000:]}")
    totals = {"1": [0, 0], "0": [0, 0]}
    for switches, ns, ring in runs[4:]:
        totals[ring][0] += int(switches)
        totals[ring][1] += int(ns)
    return tuple(totals[mode][1] / totals[mode][0] for mode in ("1", "0"))


def pingpong_ns(vmm, kernel, initrd):
    proc = subprocess.run([vmm, "--kernel", kernel, "--initrd", initrd, "--timeout", "60"], capture_output=True,
                          text=True)
    match = PINGPONG.search(proc.stdout)
    if not match or proc.returncode:
        sys.exit(f"switch_cost: pingpong failed (status {proc.returncode}):\n{proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    return float(match.group(2))


def report(title, with_values, without_values, per, unit_switches):
    with_ns = statistics.median(with_values)
    without_ns = statistics.median(without_values)
    added = (with_ns - without_ns) / unit_switches
    print(f"{title} (median of {len(with_values)} boots each, ns per {per}):")
    print(f"  with the switch ring      {with_ns:10.1f}  (min {min(with_values):.1f}, max {max(with_values):.1f})")
    print(f"  without                   {without_ns:10.1f}  (min {min(without_values):.1f}, max {max(without_values):.1f})")
    print(f"  added per switch          {added:10.1f} ns = {100 * (with_ns - without_ns) / without_ns:.1f}% (budget 2%)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--variant-build", default="/tmp/aramid-bench-noring")
    parser.add_argument("--ab-build", default="/tmp/aramid-bench-ab")
    parser.add_argument("--round-trips", type=int, default=20000)
    args = parser.parse_args()
    vmm = os.path.join(args.build, "vmm", "aramid-vmm")
    with_ring = os.path.join(args.build, "guest", "kernel", "aramid.elf")
    print("building the kernel without the switch ring ...", file=sys.stderr)
    without_ring = build_variant(args.variant_build, NO_RING)
    print("building the kernel with both (A/B) ...", file=sys.stderr)
    both = build_variant(args.ab_build, AB)

    program = os.path.join(args.variant_build, "pingpong")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", program, os.path.join(HERE, "pingpong.c")], check=True)
    ctx = harness.Context(os.path.abspath(args.build))
    initrd = ctx.initramfs(args.variant_build, argv=["/pingpong", str(args.round_trips)],
                           files=[("pingpong", 0o755, open(program, "rb").read())])

    # The control: the ring kernel again, from a copy, as if it were a third
    # kernel. What it differs from the first by is the noise floor.
    control = os.path.join(args.variant_build, "control.elf")
    shutil.copyfile(with_ring, control)
    selftest = {"with": [], "without": [], "control": []}
    pipes = {"with": [], "without": []}
    paired = []
    for _ in range(args.runs):  # interleaved, so that drift hits all alike
        selftest["with"].append(switch_ns(vmm, with_ring))
        selftest["without"].append(switch_ns(vmm, without_ring))
        selftest["control"].append(switch_ns(vmm, control))
        paired.append(ab_ns(vmm, both))
    for _ in range(max(5, args.runs // 4)):
        pipes["with"].append(pingpong_ns(vmm, with_ring, initrd))
        pipes["without"].append(pingpong_ns(vmm, without_ring, initrd))
    report("kernel threads, sched::yield() ping-pong", selftest["with"], selftest["without"], "switch", 1)
    control_ns = statistics.median(selftest["control"])
    print(f"  control (the ring kernel again) {control_ns:6.1f}: the noise floor is about "
          f"{abs(control_ns - statistics.median(selftest['with'])):.1f} ns")
    ring_ns = statistics.median(ring for ring, _ in paired)
    none_ns = statistics.median(none for _, none in paired)
    added = sorted(ring - none for ring, none in paired)
    quartiles = statistics.quantiles(added, n=4)
    print(f"kernel threads, A/B in one boot ({AB_RUNS - 4} ping-pongs a boot, {len(paired)} boots, ns per switch):")
    print(f"  with the switch ring      {ring_ns:10.2f}  (median)")
    print(f"  without                   {none_ns:10.2f}  (median)")
    print(f"  added per switch          {statistics.median(added):10.2f} ns = {100 * statistics.median(added) / none_ns:.1f}%"
          f" (budget 2%; the boots' middle half {quartiles[0]:+.2f} to {quartiles[2]:+.2f} ns)")
    report(f"user processes, pipe ping-pong ({args.round_trips} round trips)", pipes["with"], pipes["without"],
           "round trip (2 switches)", 2)


if __name__ == "__main__":
    main()
