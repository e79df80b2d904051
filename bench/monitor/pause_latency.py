#!/usr/bin/env python3
"""How long the monitor takes to stop the guest, and what its reads cost.

Boots a guest under aramid-vmm --monitor and asks it, through aramid-mon:
  pause       latency from the request until the vCPU is parked (the server
              kicks it out of KVM_RUN with immediate_exit and a signal)
  tasks       a consistent snapshot: the stop latency, and how long the
              guest stayed stopped while the thread table was read
  stacks      the same with every stack's watermark scan and backtrace
  watch poll  one poll of the event ring and every stack's paint (the work
              done every 20 ms while a client watches), from `info`
in two guest states: idle (the vCPU halted in the kernel's idle loop) and
busy (three user processes spinning). Medians, 90th percentiles and maxima
over --samples requests.

usage: bench/monitor/pause_latency.py [--build build] [--samples 50]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import harness  # noqa: E402

SCRIPTS = {
    "idle": "sleep 60",
    "busy": "for i in 1 2 3; do (while :; do :; done) & done; sleep 60",
}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def describe(label, values_ns):
    us = [v / 1000 for v in values_ns]
    print(f"  {label:34s} median {statistics.median(us):8.1f} us   p90 {percentile(us, 0.9):8.1f} us"
          f"   max {max(us):8.1f} us")


def measure(ctx, mon, state, samples):
    with tempfile.TemporaryDirectory() as tmp:
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", SCRIPTS[state]])
        sock = os.path.join(tmp, "monitor.sock")
        with open(os.path.join(tmp, "vm.err"), "wb") as err:
            vm = subprocess.Popen([ctx.vmm_binary, "--monitor", sock, "--initrd", initrd, "--timeout", "120"],
                                  stdout=subprocess.DEVNULL, stderr=err)
        try:
            def ask(*args):
                r = subprocess.run([mon, "--socket", sock, *args, "--json"], capture_output=True, text=True, timeout=10)
                if r.returncode:
                    sys.exit(f"pause_latency: aramid-mon {' '.join(args)}: {r.stderr}")
                return json.loads(r.stdout)
            deadline = time.monotonic() + 10
            while not os.path.exists(sock) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.5)  # the guest settles into its state
            pause, tasks_stop, tasks_held, stacks_stop, stacks_held = [], [], [], [], []
            threads = 0
            for _ in range(samples):
                pause.append(ask("pause")["latency_ns"])
                ask("resume")
                snapshot = ask("tasks")["snapshot"]
                tasks_stop.append(snapshot["pause_latency_ns"])
                tasks_held.append(snapshot["held_ns"])
                report = ask("stacks")
                threads = len(report["stacks"])
                stacks_stop.append(report["snapshot"]["pause_latency_ns"])
                stacks_held.append(report["snapshot"]["held_ns"])
            watcher = subprocess.Popen([mon, "--socket", sock, "watch"], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            time.sleep(2)
            info = ask("info")
            watcher.kill()
            watcher.wait()
        finally:
            vm.kill()
            vm.wait()
    print(f"guest {state} ({threads} threads, {info['platform']}):")
    describe("pause: stop the vCPU", pause)
    describe("tasks: stop the vCPU", tasks_stop)
    describe("tasks: guest held while reading", tasks_held)
    describe("stacks: stop the vCPU", stacks_stop)
    describe("stacks: guest held while reading", stacks_held)
    if info["polls"]:
        print(f"  {'watch: one poll (ring + all stacks)':34s} mean   {info['poll_ns'] / info['polls'] / 1000:8.1f} us"
              f"   over {info['polls']} polls")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(SOURCE, "build"))
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    ctx = harness.Context(os.path.abspath(args.build))
    ctx.require_kvm()
    mon = os.path.join(ctx.build, "monitor", "aramid-mon")
    for state in SCRIPTS:
        measure(ctx, mon, state, args.samples)


if __name__ == "__main__":
    try:
        main()
    except harness.Skip as skip:
        sys.exit(f"pause_latency: {skip}")
