"""Kernel faults: each deliberate fault (aramid.fault=...) produces a clear
report -- the exception, the thread, the registers, a symbolized backtrace --
and the panic status, on /dev/kvm and under QEMU."""
import re

PANIC = 123


def check_report(run, exception, extra=()):
    assert run.status == PANIC, run
    assert "KERNEL PANIC:" in run.log, run
    assert exception in run.log, run
    assert re.search(r"\[0\] 0x[0-9a-f]+ fault_injection::", run.log), f"no symbolized backtrace:\n{run}"
    for text in extra:
        assert text in run.log, f"missing {text!r}:\n{run}"


FAULTS = {
    "pagefault": ("page fault (#PF)", ["not-present page on write at 0x00000000dead0000 (kernel mode)",
                                       "thread 0 (boot)", "rip 0x"]),
    "null": ("page fault (#PF)", ["not-present page on read at"]),
    "gp": ("general protection (#GP)", []),
    "ud": ("invalid opcode (#UD)", []),
    "divide": ("divide error (#DE)", []),
}


def _faults(runner):
    for kind, (exception, extra) in FAULTS.items():
        check_report(runner(f"aramid.fault={kind}"), exception, extra)


def test_kvm_fault_reports(ctx):
    _faults(lambda cmdline: ctx.vmm("--cmdline", cmdline, "--timeout", "10"))


def test_qemu_fault_reports(ctx):
    _faults(lambda cmdline: ctx.qemu(cmdline))


def test_kvm_panic_shown_without_verbose(ctx):
    run = ctx.vmm("--cmdline", "aramid.fault=panic", verbose=False)
    assert run.status == PANIC, run
    assert "KERNEL PANIC: requested by aramid.fault=panic" in run.log, run
    assert run.result["reason"] == "panic", run.result


def _stack_overflow(run):
    assert run.status == PANIC, run
    assert "double fault (#DF)" in run.log, run
    assert re.search(r"KERNEL STACK OVERFLOW: 0x[0-9a-f]+ is in the guard page of thread \d+ \(overflow\)", run.log), run
    assert "recurse_deeply" in run.log, run


def test_kvm_stack_overflow_hits_guard_page(ctx):
    _stack_overflow(ctx.vmm("--cmdline", "aramid.fault=stack-overflow", "--timeout", "10"))


def test_qemu_stack_overflow_hits_guard_page(ctx):
    _stack_overflow(ctx.qemu("aramid.fault=stack-overflow"))


def _canary(run):
    assert run.status == PANIC, run
    assert re.search(r"kernel stack canary of thread \d+ \(canary\) broken at a context switch", run.log), run


def test_kvm_canary_checked_at_switch(ctx):
    _canary(ctx.vmm("--cmdline", "aramid.fault=canary", "--timeout", "10"))


def test_qemu_canary_checked_at_switch(ctx):
    _canary(ctx.qemu("aramid.fault=canary"))


def test_kvm_triple_fault(ctx):
    run = ctx.vmm("--cmdline", "aramid.fault=triple", "--timeout", "10")
    assert run.status == PANIC, run
    assert "triple fault" in run.log and "rip=" in run.log and "cr3=" in run.log, run
    assert run.result["reason"] == "triple-fault", run.result


def test_qemu_triple_fault(ctx):
    run = ctx.qemu("aramid.fault=triple")
    assert run.status == PANIC, run


def test_kvm_hang_times_out(ctx):
    run = ctx.vmm("--cmdline", "aramid.fault=hang", "--timeout", "0.5")
    assert run.status == 124, run
    assert run.result["reason"] == "timeout", run.result
    assert "--timeout" in run.log, run
