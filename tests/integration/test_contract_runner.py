"""aramid-test itself, on a small suite of its own: a passing test, a
deliberately broken one (an extra line only in the guest) that must be
reported as DIVERGE showing both lines, and a listed known divergence."""
import json
import os
import subprocess
import tempfile

SUITE = os.path.join(os.path.dirname(__file__), "contract_runner_suite")


def _run(ctx, platform):
    runner = os.path.join(ctx.build, "tests", "aramid-test")
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        proc = subprocess.run([runner, "--source", SUITE, "--platform", platform, "--json", report],
                              capture_output=True, text=True, timeout=300)
        data = json.load(open(report))
    return proc, {t["name"]: t for t in data["tests"]}


def _check(proc, tests):
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the broken test fails the suite
    assert tests["demo.ok"]["verdict"] == "PASS", tests
    assert tests["demo.broken"]["verdict"] == "DIVERGE", tests
    assert "line 2: host 'two', guest 'guest only'" in tests["demo.broken"]["detail"], tests
    assert tests["demo.listed"]["verdict"] == "XFAIL", tests
    lines = proc.stdout.strip().splitlines()
    assert lines[-1] == "2 passed, 1 failed", proc.stdout
    assert "DIVERGE demo.broken" in proc.stdout and "guest 'guest only'" in proc.stdout, proc.stdout


def test_kvm_runner_reports_divergence(ctx):
    ctx.require_kvm()
    proc, tests = _run(ctx, "kvm")
    _check(proc, tests)
    assert tests["demo.ok"]["boot_ms"] > 0 and tests["demo.ok"]["run_ms"] > 0, tests


def test_qemu_runner_reports_divergence(ctx):
    _check(*_run(ctx, "qemu"))
