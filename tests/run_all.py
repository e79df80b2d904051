#!/usr/bin/env python3
"""Runs every test of the three kinds and prints one summary.

  unit         GoogleTest (build/tests/unit/unit-tests), one result per test case
  integration  tests/integration/test_*.py: each test_* function is one test
  contract     build/tests/aramid-test (when it exists), one result per program,
               on /dev/kvm; contract-qemu: the same programs under QEMU TCG

The last line is "N passed, N failed", counted over all of them. The exit
status is non-zero if anything failed.
"""
import argparse
import concurrent.futures
import fnmatch
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "integration"))

import harness  # noqa: E402


class Results:
    def __init__(self):
        self.rows = []  # (kind, name, verdict, detail, seconds)

    def add(self, kind, name, verdict, detail="", seconds=0.0):
        self.rows.append((kind, name, verdict, detail, seconds))
        line = f"{verdict:5} {kind}.{name}"
        if seconds:
            line += f" ({seconds * 1000:.0f} ms)"
        if detail and verdict != "PASS":
            line += "\n      " + detail.strip().replace("\n", "\n      ")
        print(line, flush=True)

    def count(self, verdict):
        return sum(1 for r in self.rows if r[2] == verdict)


def run_unit(build, pattern, jobs, results):
    """GoogleTest's own sharding: `jobs` processes, each a share of the cases."""
    exe = os.path.join(build, "tests", "unit", "unit-tests")
    shards = max(1, jobs)
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for index in range(shards):
            out = os.path.join(tmp, f"unit-{index}.json")
            env = dict(os.environ, GTEST_TOTAL_SHARDS=str(shards), GTEST_SHARD_INDEX=str(index))
            procs.append((out, subprocess.Popen([exe, f"--gtest_output=json:{out}"], env=env, text=True,
                                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        suites = []
        for out, proc in procs:
            stdout, stderr = proc.communicate(timeout=600)
            if not os.path.exists(out):
                results.add("unit", "unit-tests", "FAIL", stdout[-2000:] + stderr[-2000:])
                continue
            suites += json.load(open(out)).get("testsuites", [])
        report = {"testsuites": suites}
    for suite in report.get("testsuites", []):
        for case in suite.get("testsuite", []):
            name = f"{suite['name']}.{case['name']}"
            if not fnmatch.fnmatch(f"unit.{name}", pattern):
                continue
            failures = case.get("failures", [])
            seconds = float(case.get("time", "0s").rstrip("s") or 0)
            if case.get("result") == "SKIPPED":
                results.add("unit", name, "SKIP", "", seconds)
            elif failures:
                results.add("unit", name, "FAIL", "\n".join(f["failure"] for f in failures), seconds)
            else:
                results.add("unit", name, "PASS", "", seconds)


def integration_tests(pattern):
    directory = os.path.join(HERE, "integration")
    for filename in sorted(os.listdir(directory)):
        if not (filename.startswith("test_") and filename.endswith(".py")):
            continue
        module_name = filename[:-3]
        spec = importlib.util.spec_from_file_location(module_name, os.path.join(directory, filename))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for attr in sorted(dir(module)):
            if attr.startswith("test_") and callable(getattr(module, attr)):
                name = f"{module_name[5:]}.{attr[5:]}"
                if fnmatch.fnmatch(f"integration.{name}", pattern):
                    yield name, getattr(module, attr)


def run_integration(build, pattern, jobs, results):
    context = harness.Context(build)

    def one(item):
        name, function = item
        start = time.monotonic()
        try:
            function(context)
            return name, "PASS", "", time.monotonic() - start
        except harness.Skip as skip:
            return name, "SKIP", str(skip), time.monotonic() - start
        except AssertionError as failure:
            return name, "FAIL", str(failure) or traceback.format_exc(limit=3), time.monotonic() - start
        except Exception:  # a broken test is a failing test
            return name, "FAIL", traceback.format_exc(limit=5), time.monotonic() - start

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for name, verdict, detail, seconds in pool.map(one, list(integration_tests(pattern))):
            results.add("integration", name, verdict, detail, seconds)


def run_contract(build, kind, platform, pattern, jobs, results):
    """One pass of the contract suite: `kind` is the result prefix, `platform`
    the runner's --platform (None: its default, KVM where it exists)."""
    runner = os.path.join(build, "tests", "aramid-test")
    if not os.path.exists(runner):
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "contract.json")
        command = [runner, "--json", out, "--jobs", str(jobs), "--keep-going",
                   "--filter", pattern[len(kind) + 1:] if pattern.startswith(kind + ".") else "*"]
        if platform:
            command += ["--platform", platform]
        subprocess.run(command, timeout=3600)
        if not os.path.exists(out):
            results.add(kind, "aramid-test", "FAIL", "the runner wrote no report")
            return
        report = json.load(open(out))
    for test in report.get("tests", []):
        verdict = {"PASS": "PASS", "XFAIL": "PASS", "SKIP": "SKIP"}.get(test["verdict"], "FAIL")
        results.add(kind, test["name"], verdict, test.get("detail", ""), test.get("seconds", 0))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build")
    parser.add_argument("--filter", default="*", help="glob over kind.name, e.g. 'integration.boot.*'")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    build = os.path.abspath(args.build)

    results = Results()
    start = time.monotonic()
    if fnmatch.fnmatch("unit.x", args.filter.split(".")[0] + ".*") or args.filter == "*":
        run_unit(build, args.filter, args.jobs, results)
    run_integration(build, args.filter, args.jobs, results)
    # The contract suite on KVM (or QEMU where there is no /dev/kvm), and
    # again under QEMU, which is how the native (PVH) path gets tested here.
    passes = [("contract", None)] + ([("contract-qemu", "qemu")] if os.path.exists("/dev/kvm") else [])
    for kind, platform in passes:
        if args.filter == "*" or args.filter.startswith(kind + "."):
            run_contract(build, kind, platform, args.filter, args.jobs, results)

    passed, failed, skipped = results.count("PASS"), results.count("FAIL"), results.count("SKIP")
    print(f"{skipped} skipped; wall time {time.monotonic() - start:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
