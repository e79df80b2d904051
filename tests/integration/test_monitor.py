"""The monitor on a live guest: aramid-vmm --monitor serves the kernel's
debug table and aramid-mon reads it. A deep call chain shows as a stack
watermark above the threshold, and `watch` hears of it; a deliberate overflow
is caught by the guard page, named, streamed to `watch` and ends the VM with
the panic status; a busy guest's switch ring holds real switches between
several processes; info, tasks, mem, pause and resume work, and every error
is one clear line. On /dev/kvm only: the monitor is part of aramid-vmm."""
import json
import os
import re
import socket
import subprocess
import tempfile
import time

import harness

PANIC = 123


def _mon_binary(ctx):
    return os.path.join(ctx.build, "monitor", "aramid-mon")


def _wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class MonitoredVm:
    """aramid-vmm --monitor SOCKET running in the background; its output goes
    to files (a full pipe would stall the vCPU and with it every pause)."""

    def __init__(self, ctx, tmp, *args):
        ctx.require_kvm()
        self.ctx = ctx
        self.tmp = tmp
        self.socket = os.path.join(tmp, "monitor.sock")
        self.result_file = os.path.join(tmp, "result.json")
        self.stdout_path = os.path.join(tmp, "vm.out")
        self.stderr_path = os.path.join(tmp, "vm.err")
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([ctx.vmm_binary, "--result", self.result_file, "--verbose",
                                          "--monitor", self.socket, *args], stdout=out, stderr=err)
        _wait_until(lambda: os.path.exists(self.socket) or self.proc.poll() is not None, 10, "the monitor socket")
        assert os.path.exists(self.socket), f"aramid-vmm exited early:\n{self.log()}"

    def log(self):
        return open(self.stderr_path, errors="replace").read()

    def mon(self, *args, timeout=10):
        return subprocess.run([_mon_binary(self.ctx), "--socket", self.socket, *args],
                              capture_output=True, text=True, timeout=timeout)

    def json(self, *args):
        r = self.mon(*args, "--json")
        assert r.returncode == 0, f"aramid-mon {' '.join(args)}: status {r.returncode}: {r.stderr}\n{self.log()[-3000:]}"
        return json.loads(r.stdout)

    def watch(self, *args):
        return Watch(self, *args)

    def wait_for_watchers(self, count=1):
        _wait_until(lambda: self.json("info")["watchers"] >= count, 10, f"{count} watcher(s)")

    def finish(self, timeout=30):
        self.proc.wait(timeout=timeout)
        result = json.load(open(self.result_file)) if os.path.exists(self.result_file) else {}
        return harness.Run(self.proc.returncode, open(self.stdout_path, errors="replace").read(), self.log(), result)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Watch:
    """aramid-mon watch --json in the background, one event per line."""

    def __init__(self, vm, *args):
        self.path = os.path.join(vm.tmp, f"watch-{time.monotonic_ns()}.out")
        self.err_path = self.path + ".err"
        with open(self.path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([_mon_binary(vm.ctx), "--socket", vm.socket, "watch", "--json", *args],
                                         stdout=out, stderr=err)

    def events(self):
        return [json.loads(line) for line in open(self.path) if line.strip()]

    def finish(self, timeout=10):
        """Waits for watch to end by itself (the VM went away)."""
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"watch did not end with the VM; it printed:\n{open(self.path).read()}")
        return status, self.events(), open(self.err_path).read()


def _named(events, kind, name=None):
    return [e for e in events if e["kind"] == kind and (name is None or e["name"] == name)]


def test_kvm_deep_stack_watermark_seen_by_stacks_and_watch(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        initrd = ctx.initramfs(tmp, argv=["/bin/true"])
        with MonitoredVm(ctx, tmp, "--initrd", initrd, "--cmdline", "aramid.fault=deep-stack",
                         "--paused", "--timeout", "20") as vm:
            watch = vm.watch()  # first, so that it sees everything
            vm.wait_for_watchers()
            assert vm.json("resume")["resumed"]

            def deep_stack():
                for stack in vm.json("stacks")["stacks"]:
                    if stack["name"] == "deep" and stack["watermark_percent"] > 75:
                        return stack
                return None
            deep = _wait_until(deep_stack, 10, "the deep thread at the bottom of its stack")
            assert 75 < deep["watermark_percent"] < 100, deep
            assert deep["size"] == 16384 and 12 * 1024 < deep["watermark_bytes"] < 16384, deep
            assert deep["canary_intact"] and deep["guard_page"], deep
            assert deep["state"] == "blocked" and deep["context_source"] == "saved", deep
            assert deep["saved_rip"]["symbol"], deep
            symbols = [frame["symbol"] or "" for frame in deep["backtrace"]]
            assert any("descend" in s for s in symbols), symbols
            assert any("deep_thread" in s for s in symbols), symbols

            run = vm.finish()
            assert run.status == 0, run
            status, events, _ = watch.finish()
        assert status == 0, events
        crossed = _named(events, "watermark-threshold", "deep")
        assert len(crossed) == 1, events
        assert 75 < crossed[0]["watermark_percent"] < 100, crossed
        assert _named(events, "thread-created", "deep") and _named(events, "thread-exited", "deep"), events
        assert not _named(events, "watermark-threshold", "idle"), events
        assert events[-1]["kind"] == "vm-exited" and events[-1]["value"] == 0, events
        # The kernel measured its own stack once the thread was back up: the
        # monitor, reading while it slept, saw the same paint gone.
        kernel = re.search(r"deep-stack: thread \d+ \(deep\) is back; watermark (\d+) of 16384 bytes", run.log)
        assert kernel, run
        assert deep["watermark_bytes"] <= int(kernel.group(1)) <= deep["watermark_bytes"] + 512, (deep, kernel.group(0))


def test_kvm_stack_overflow_reported_streamed_and_panics(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        with MonitoredVm(ctx, tmp, "--cmdline", "aramid.fault=stack-overflow", "--paused", "--timeout", "20") as vm:
            watch = vm.watch()
            vm.wait_for_watchers()
            vm.json("resume")
            run = vm.finish()
            status, events, _ = watch.finish()
    assert run.status == PANIC, run
    assert run.result.get("reason") == "panic", run.result
    assert re.search(r"KERNEL STACK OVERFLOW: 0x[0-9a-f]+ is in the guard page of thread \d+ \(overflow\)", run.log), run
    assert status == 0, events
    overflow = _named(events, "stack-overflow", "overflow")
    assert overflow and overflow[0]["from_guest"], events
    assert overflow[0]["value"] >= 0xffff800000000000, overflow  # the faulting address, in the guard page
    panic = _named(events, "panic")
    assert panic and "double fault" in panic[0]["text"] and panic[0]["name"] == "overflow", events
    # The guard page stopped it: the paint is gone to the very bottom of its
    # own stack, and the canary below the last frame still holds.
    deepest = _named(events, "watermark-threshold", "overflow")
    assert deepest and deepest[0]["watermark_percent"] > 99, events
    assert not _named(events, "canary-broken"), events
    assert events[-1]["kind"] == "vm-exited" and events[-1]["value"] == PANIC, events


def test_kvm_broken_canary_streamed_and_panics(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        with MonitoredVm(ctx, tmp, "--cmdline", "aramid.fault=canary", "--paused", "--timeout", "20") as vm:
            watch = vm.watch()
            vm.wait_for_watchers()
            vm.json("resume")
            run = vm.finish()
            status, events, _ = watch.finish()
    assert run.status == PANIC, run
    assert re.search(r"kernel stack canary of thread \d+ \(canary\) broken at a context switch", run.log), run
    assert status == 0
    from_guest = [e for e in _named(events, "canary-broken", "canary") if e["from_guest"]]
    assert from_guest, events
    assert _named(events, "panic", "canary"), events


# Three looping processes for two seconds. The shell reaps them before it
# exits (init must not be left with orphans: see the report on issue 5).
PROBE = r"""
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void) {
    long r = syscall(1000);
    printf("syscall 1000: %ld %s\n", r, strerror(errno));
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, 0, 0);
    return 0;
}
"""


def test_kvm_unknown_syscall_and_thread_events(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        source, binary = os.path.join(tmp, "probe.c"), os.path.join(tmp, "probe")
        open(source, "w").write(PROBE)
        subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, source], check=True)
        initrd = ctx.initramfs(tmp, argv=["/probe"], files=[("probe", 0o755, open(binary, "rb").read())])
        with MonitoredVm(ctx, tmp, "--initrd", initrd, "--paused", "--timeout", "20") as vm:
            watch = vm.watch()
            vm.wait_for_watchers()
            vm.json("resume")
            run = vm.finish()
            status, events, _ = watch.finish()
    assert run.status == 0 and "syscall 1000: -1 Function not implemented" in run.stdout, run
    assert status == 0, events
    unknown = _named(events, "unknown-syscall", "probe")
    assert unknown and unknown[0]["value"] == 1000 and unknown[0]["from_guest"], events
    # The forked child is created as "probe" and exits; both processes exit
    # with their pid as the value (a thread is created before it joins its
    # process, so thread-created carries no pid yet).
    child = _named(events, "thread-created", "probe")
    assert len(child) == 1, events
    exited = _named(events, "thread-exited", "probe")
    assert {e["tid"] for e in exited} == {child[0]["tid"], unknown[0]["tid"]}, exited
    assert all(e["value"] == e["tid"] for e in exited), exited
    times = [e["time_ns"] for e in events if e["from_guest"]]
    assert times == sorted(times), times


BUSY = "pids=; for i in 1 2 3; do (while :; do :; done) & pids=\"$pids $!\"; done; sleep 2; kill $pids; wait; echo done"


def test_kvm_switches_on_a_busy_guest(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", BUSY])
        with MonitoredVm(ctx, tmp, "--initrd", initrd, "--timeout", "20") as vm:
            def busy_tasks():
                tasks = vm.json("tasks")["tasks"]
                # The loops are forked before `sleep 2`: once sleep has
                # exec'd, the runnable shells are the loops (a runnable
                # child that has not exec'd sleep yet is named sh too).
                if not any(t["name"] == "sleep" for t in tasks):
                    return None
                # Processes are named after the path exec ran (/bin/sh), as on Linux.
                loops = [t for t in tasks
                         if t["pid"] > 2 and t["name"] == "sh" and t["state"] in ("running", "runnable")]
                return loops if len(loops) >= 3 else None
            loops = _wait_until(busy_tasks, 10, "three looping shells")
            time.sleep(0.5)  # time slices among them: 4 ms each
            report = vm.json("switches")
            run = vm.finish()
    assert run.status == 0 and "done" in run.stdout, run
    assert report["snapshot"]["paused"], report
    cpu = report["cpus"][0]
    assert not cpu["torn"], cpu
    records = cpu["records"]
    assert len(records) == min(256, cpu["switch_count"]) and len(records) >= 30, cpu["switch_count"]
    loop_tids = {t["tid"] for t in loops}
    switched = {r["from_tid"] for r in records} | {r["to_tid"] for r in records}
    assert len(loop_tids & switched) >= 3, (loop_tids, switched)
    between = [r for r in records if r["from_tid"] in loop_tids and r["to_tid"] in loop_tids]
    assert between and any(r["reason"] == "preempt" for r in between), records[-10:]
    assert all(r["from_name"] == "sh" for r in between), between[:3]
    times = [r["time_ns"] for r in records]
    assert times == sorted(times) and times[0] > 0, times[:5]
    assert cpu["current_tid"] == records[-1]["to_tid"], cpu


def test_kvm_info_tasks_mem_pause_resume(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        script = "(while :; do :; done) & a=$!; (while :; do :; done) & b=$!; sleep 3; kill $a $b; wait"
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script])
        with MonitoredVm(ctx, tmp, "--initrd", initrd, "--timeout", "20") as vm:
            def registered():
                info = vm.json("info")
                return info if info["table_problem"] is None else None
            info = _wait_until(registered, 5, "the debug table")
            assert info["kernel_version"].startswith("aramid "), info
            assert info["platform"] == ctx.expected_kvm_platform(), info
            assert info["state"] == "running" and info["uptime_ns"] > 0, info
            memory = info["memory"]
            assert 0 < memory["free_pages"] < memory["total_pages"] <= info["guest_ram_bytes"] // 4096, memory
            assert memory["heap_bytes"] > 0 and memory["heap_allocations"] >= memory["heap_frees"], memory
            text = vm.mon("info")
            assert text.returncode == 0 and "platform" in text.stdout and "pages free" in text.stdout, text

            def shells():
                tasks = vm.json("tasks")["tasks"]
                return tasks if len([t for t in tasks if t["name"] == "sh"]) >= 3 else None
            tasks = _wait_until(shells, 10, "the shell and its loops")
            names = {t["name"] for t in tasks}
            assert "idle" in names, names
            assert any(t["pid"] == 1 for t in tasks), tasks
            assert all(t["cpu"] == 0 and not t["torn"] for t in tasks), tasks
            text = vm.mon("tasks")
            assert text.returncode == 0 and "idle" in text.stdout and "TID" in text.stdout, text

            # The table's own header, by guest-physical address.
            table = info["debug_table_gpa"]
            raw = vm.json("mem", hex(table), "16")
            assert raw["gpa"] == table and raw["length"] == 16 and raw["hex"].startswith("52444247"), raw  # "RDBG"
            dump = vm.mon("mem", str(table), "32")
            assert dump.returncode == 0 and "|RDBG" in dump.stdout, dump
            outside = vm.mon("mem", hex(info["guest_ram_bytes"] - 8), "16")
            assert outside.returncode == 1 and "outside guest RAM" in outside.stderr, outside
            assert len(outside.stderr.strip().splitlines()) == 1, outside.stderr
            large = vm.mon("mem", "0", "65537")
            assert large.returncode == 2 and "65536" in large.stderr, large

            # Pause: the busy guest stops switching; resume: it goes on.
            paused = vm.json("pause")
            assert paused["paused"] and not paused["already_paused"] and paused["latency_ns"] > 0, paused
            assert vm.json("pause")["already_paused"]
            assert vm.json("info")["state"] == "paused"
            first = vm.json("switches", "--limit", "1")["cpus"][0]["switch_count"]
            time.sleep(0.2)
            assert vm.json("switches", "--limit", "1")["cpus"][0]["switch_count"] == first, "a paused guest switched"
            resumed = vm.json("resume")
            assert resumed["resumed"] and resumed["paused_ns"] >= 200_000_000, resumed
            assert not vm.json("resume")["resumed"]
            _wait_until(lambda: vm.json("switches", "--limit", "1")["cpus"][0]["switch_count"] > first, 5,
                        "switches after resume")
            run = vm.finish()
            assert run.status == 0, run
            # Gone: the socket is removed, and asking is a clear error.
            assert not os.path.exists(vm.socket)
            gone = vm.mon("info")
            assert gone.returncode == 1 and "no monitor socket" in gone.stderr, gone


def test_monitor_errors_are_one_clear_line(ctx):
    mon = _mon_binary(ctx)
    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "missing.sock")
        r = subprocess.run([mon, "--socket", missing, "info"], capture_output=True, text=True, timeout=10)
        assert r.returncode == 1, r
        assert r.stderr == f"aramid-mon: no monitor socket at '{missing}' (is aramid-vmm running with --monitor {missing}?)\n", r.stderr

        # A socket file nobody serves: the VM that made it has gone.
        stale = os.path.join(tmp, "stale.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(stale)
        s.close()
        r = subprocess.run([mon, "--socket", stale, "tasks", "--json"], capture_output=True, text=True, timeout=10)
        assert r.returncode == 1 and "the VM has gone away" in r.stderr and r.stdout == "", r
        assert len(r.stderr.splitlines()) == 1, r.stderr

        for args, message in ((["info"], "--socket PATH is required"),
                              (["--socket", missing, "frobnicate"], "unknown command 'frobnicate'"),
                              (["--socket", missing, "mem", "0x1000"], "mem takes ADDR and LEN"),
                              (["--socket", missing, "watch", "--threshold", "101"], "larger than 100")):
            r = subprocess.run([mon, *args], capture_output=True, text=True, timeout=10)
            assert r.returncode == 2 and message in r.stderr and len(r.stderr.splitlines()) == 1, (args, r)


def test_kvm_protocol_mismatch_and_vmm_option_errors(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        initrd = ctx.initramfs(tmp, argv=["/bin/true"])
        with MonitoredVm(ctx, tmp, "--initrd", initrd, "--paused", "--timeout", "20") as vm:
            r = vm.mon("--protocol", "99", "info")
            assert r.returncode == 1, r
            assert re.fullmatch(r"aramid-mon: protocol version mismatch: aramid-mon speaks version 99, "
                                r"the VMM at '.*' \(aramid-vmm [^)]*\) speaks version 1\n", r.stderr), r.stderr
            # A second VMM cannot take a socket that is being served.
            clash = ctx.vmm("--monitor", vm.socket, "--initrd", initrd, "--timeout", "5")
            assert clash.status == 125 and "is in use" in clash.log, clash
            # --paused held the guest before its first instruction all along.
            info = vm.json("info")
            assert info["state"] == "paused" and info["table_problem"], info
            vm.json("resume")
            assert vm.finish().status == 0
        # Held and never resumed: the --timeout clock still runs.
        held = ctx.vmm("--monitor", os.path.join(tmp, "held.sock"), "--paused", "--timeout", "0.5")
        assert held.status == 124 and held.result["reason"] == "timeout", held
        not_socket = os.path.join(tmp, "file")
        open(not_socket, "w").close()
        r = ctx.vmm("--monitor", not_socket, "--timeout", "5")
        assert r.status == 125 and "exists and is not a socket" in r.log, r
        r = ctx.vmm("--paused", "--timeout", "5")
        assert r.status == 125 and "--paused needs --monitor" in r.log, r
