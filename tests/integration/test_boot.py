"""Boot: the kernel boots, says who and where it is, times its phases and
exits 0 -- under aramid-vmm on /dev/kvm and under QEMU TCG (PVH entry)."""

BANNER = "aramid 0.1.0 (x86_64)"
KVM_PHASES = ["vmm-start", "vm-ready", "first-instruction", "platform-up", "kernel-init-done", "vmm-exit"]


def test_kvm_boot(ctx):
    run = ctx.vmm("--timings", "--cmdline", "aramid.noinit=1")
    assert run.status == 0, run
    assert BANNER in run.log, run
    assert f"platform: {ctx.expected_kvm_platform()}" in run.log, run
    assert run.result.get("status") == 0 and run.result.get("reason") == "exit", run.result
    for phase in KVM_PHASES:
        assert phase in run.result["phases"], f"phase {phase} missing: {run.result}"
        assert f"phase {phase}" in run.log, run
    times = [run.result["phases"][p] for p in KVM_PHASES]
    assert times == sorted(times), f"phases out of order: {run.result['phases']}"


def test_kvm_boot_is_quiet_by_default(ctx):
    run = ctx.vmm("--cmdline", "aramid.noinit=1", verbose=False)
    assert run.status == 0, run
    assert run.log == "", f"expected no kernel log without --verbose:\n{run.log}"
    assert run.stdout == "", run


def test_qemu_boot(ctx):
    run = ctx.qemu("aramid.noinit=1")
    assert run.status == 0, run
    assert BANNER in run.log, run
    assert "platform: native" in run.log, run
    assert "vm exit: status 0" in run.log, run


def _selftest(run):
    assert run.status == 0, run
    for line in ["selftest: physical allocator ok", "selftest: heap ok", "selftest: kernel threads ok",
                 "selftest: stack painting ok", "selftest: timer ok", "selftest: interrupt storm ok",
                 "selftest: all passed"]:
        assert line in run.log, f"missing {line!r}:\n{run}"


def test_kvm_selftest(ctx):
    _selftest(ctx.vmm("--cmdline", "aramid.selftest=1 aramid.noinit=1", "--timeout", "20"))


def test_qemu_selftest(ctx):
    _selftest(ctx.qemu("aramid.selftest=1 aramid.noinit=1"))


# As on Linux, the command line's words after `--` are init's argv after its
# path; double quotes group a word.
INIT_ARGUMENTS = 'init=/bin/busybox -- sh -c "echo $((6 * 7)) $0; exit 7" second'


def test_kvm_init_arguments(ctx):
    run = ctx.vmm("--cmdline", INIT_ARGUMENTS)
    assert run.status == 7 and run.stdout.splitlines() == ["42 second"], run


def test_qemu_init_arguments(ctx):
    run = ctx.qemu(INIT_ARGUMENTS, initrd=ctx.default_initramfs)
    assert run.status == 7 and run.stdout.replace("\r", "").splitlines()[-1:] == ["42 second"], run
