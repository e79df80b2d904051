"""aramid-vmm on bad input: each mistake a user can make (a file that is not
a kernel, a kernel for another machine, an initrd too big for the guest, a
missing file, a bad option, a device that is not KVM) ends with status 125 and
one clear line on stderr -- never a crash, a core dump or a traceback.

aramid-vmm checks its inputs before it opens the KVM device, so these tests
need /dev/kvm only where a guest actually runs."""
import json
import os
import struct
import subprocess
import tempfile

import harness

EM_X86_64 = 62
EM_AARCH64 = 183
KERNEL_BASE = 0xFFFFFFFF80000000

# A guest that only writes exit status 42 to the exit port (0xf4):
#   mov $0xf4, %dx; mov $42, %eax; out %eax, (%dx); 1: hlt; jmp 1b
EXIT_42 = bytes.fromhex("66baf400" "b82a000000" "ef" "f4" "ebfd")


def make_elf(machine=EM_X86_64, paddr=0x100000, vaddr=None, entry=None, code=EXIT_42, bss=0x100):
    """A minimal ELF64 executable: one PT_LOAD of `code` (plus `bss`),
    entered at its first byte unless `entry` says otherwise."""
    vaddr = KERNEL_BASE + paddr if vaddr is None else vaddr
    entry = vaddr if entry is None else entry
    ehdr_size, phdr_size = 64, 56
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # ELFCLASS64, little-endian, EV_CURRENT
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, entry, ehdr_size, 0, 0,  # ET_EXEC
                               ehdr_size, phdr_size, 1, 0, 0, 0)
    offset = ehdr_size + phdr_size
    phdr = struct.pack("<IIQQQQQQ", 1, 7, offset, vaddr, paddr, len(code), len(code) + bss, 16)  # PT_LOAD, RWX
    return ehdr + phdr + code


def run_vmm(ctx, *args, result=False):
    """Runs aramid-vmm without a guest-side timeout, optionally with
    --result; returns (status, stdout, stderr, result JSON or None)."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [ctx.vmm_binary]
        result_file = os.path.join(tmp, "result.json")
        if result:
            command += ["--result", result_file]
        proc = subprocess.run(command + list(args), capture_output=True, timeout=30)
        data = json.load(open(result_file)) if os.path.exists(result_file) else None
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"), data


def expect_vmm_error(ctx, args, *expected, result=False):
    """aramid-vmm ARGS exits 125 with exactly one stderr line that starts
    with "aramid-vmm: " and contains each of `expected`."""
    status, stdout, stderr, data = run_vmm(ctx, *args, result=result)
    shown = f"aramid-vmm {' '.join(args)}\nstatus {status}\n--- stdout\n{stdout[-1000:]}\n--- stderr\n{stderr[-2000:]}"
    assert status >= 0, f"killed by signal {-status}:\n{shown}"
    assert status == harness.EXIT_VMM_ERROR, shown
    assert stdout == "", shown
    assert stderr.endswith("\n") and stderr.count("\n") == 1, f"not one line:\n{shown}"
    assert stderr.startswith("aramid-vmm: "), shown
    for text in expected:
        assert text in stderr, f"missing {text!r}:\n{shown}"
    for crash in ("terminate called", "Traceback", "core dumped", "Aborted", "Segmentation fault"):
        assert crash not in stderr, shown
    return stderr.strip(), data


def write_file(directory, name, data):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_kernel_not_elf(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "kernel.txt", b"#!/bin/sh\necho this is not a kernel\n")
        expect_vmm_error(ctx, ["--kernel", kernel], "kernel: not an ELF file (bad magic)")
        empty = write_file(tmp, "empty", b"")
        expect_vmm_error(ctx, ["--kernel", empty], "kernel: not an ELF file (too short)")


def test_kernel_wrong_architecture(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "arm64.elf", make_elf(machine=EM_AARCH64))
        expect_vmm_error(ctx, ["--kernel", kernel], "kernel ELF: wrong architecture (machine 183, x86-64 expected)")


def test_kernel_truncated(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "cut.elf", make_elf()[:100])  # the program header is cut off
        expect_vmm_error(ctx, ["--kernel", kernel], "kernel ELF: program headers outside the file")


def test_kernel_segment_outside_ram(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "high.elf", make_elf(paddr=0x40000000))
        expect_vmm_error(ctx, ["--kernel", kernel, "--mem", "16"],
                         "segment 0x40000000-0x4000010d is outside guest RAM (16 MiB); raise --mem")


def test_kernel_entry_not_mapped_at_boot(ctx):
    # Loaded at 1 MiB but linked at 4 MiB: the boot page tables map 0x400000
    # to 0x400000, where nothing was loaded. Without the check the guest
    # faults before its first instruction and it looks like a kernel crash.
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "skewed.elf", make_elf(paddr=0x100000, vaddr=0x400000))
        expect_vmm_error(ctx, ["--kernel", kernel],
                         "kernel ELF: entry point 0x400000 (loaded at 0x100000) is not mapped there by the boot "
                         "page tables")
        above = write_file(tmp, "above.elf", make_elf(paddr=0x40000000, vaddr=KERNEL_BASE + 0x40000000))
        expect_vmm_error(ctx, ["--kernel", above, "--mem", "2048"], "is not mapped there by the boot page tables")


def test_crafted_kernel_runs(ctx):
    """The control for the crafted ELFs above: the same image with nothing
    wrong boots and exits 42, so each rejection is for the defect it names."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "exit42.elf", make_elf())
        status, stdout, stderr, data = run_vmm(ctx, "--kernel", kernel, "--mem", "16", "--timeout", "10", result=True)
        assert status == 42, f"status {status}\n{stderr}"
        assert data["status"] == 42 and data["reason"] == "exit", data
        identity = write_file(tmp, "identity.elf", make_elf(vaddr=0x100000))  # linked = loaded, identity-mapped
        status, _, stderr, _ = run_vmm(ctx, "--kernel", identity, "--mem", "16", "--timeout", "10")
        assert status == 42, f"status {status}\n{stderr}"


def test_initrd_too_big(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        bigger_than_ram = os.path.join(tmp, "big.cpio")
        with open(bigger_than_ram, "wb") as f:
            f.truncate(17 << 20)  # sparse: instant to write
        expect_vmm_error(ctx, ["--initrd", bigger_than_ram, "--mem", "16"],
                         f"initrd '{bigger_than_ram}' is larger than guest RAM (16 MiB); raise --mem")
        # Smaller than RAM, but not above the kernel image.
        fills_ram = os.path.join(tmp, "fills.cpio")
        with open(fills_ram, "wb") as f:
            f.truncate(15 << 20)
        expect_vmm_error(ctx, ["--initrd", fills_ram, "--mem", "16"],
                         "initrd (15728640 bytes) does not fit in guest RAM (16 MiB) above the kernel; raise --mem")


def test_initrd_endless(ctx):
    expect_vmm_error(ctx, ["--initrd", "/dev/zero", "--mem", "16"],
                     "initrd '/dev/zero' is larger than guest RAM (16 MiB); raise --mem")


def test_missing_files(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "missing")
        expect_vmm_error(ctx, ["--kernel", missing], f"cannot open kernel '{missing}': No such file or directory")
        expect_vmm_error(ctx, ["--initrd", missing], f"cannot open initrd '{missing}': No such file or directory")
        expect_vmm_error(ctx, ["--kernel", tmp], f"cannot read kernel '{tmp}': Is a directory")
        expect_vmm_error(ctx, ["--log", os.path.join(missing, "kernel.log")],
                         "cannot open log file", "No such file or directory")


def test_bad_options(ctx):
    cases = [
        (["--bogus"], "unknown option '--bogus' (see --help)"),
        (["kernel.elf"], "unknown option 'kernel.elf' (see --help)"),
        (["--mem", "abc"], "--mem: expected a number, got 'abc'"),
        (["--mem", "-16"], "--mem: expected a positive number, got '-16'"),
        (["--mem", "8"], "--mem: 8 MiB is out of range (16-3072)"),
        (["--mem", "99999999999999999999999"], "--mem: 99999999999999999999999 is too large"),
        (["--timeout", "0"], "--timeout: expected seconds (> 0), got '0'"),
        (["--timeout", "soon"], "--timeout: expected seconds (> 0), got 'soon'"),
        (["--kernel"], "--kernel needs a value"),
        (["--kvm-device"], "--kvm-device needs a value"),
        (["--"], "-- must be followed by a program"),
        (["--cmdline", "x" * 5000], "command line too long"),
    ]
    for args, message in cases:
        expect_vmm_error(ctx, args, message)


def test_kvm_device_not_kvm(ctx):
    expect_vmm_error(ctx, ["--kvm-device", "/dev/null"], "no usable /dev/null: not a KVM device")


def test_kvm_device_missing(ctx):
    expect_vmm_error(ctx, ["--kvm-device", "/nonexistent/kvm"], "no usable /nonexistent/kvm", "ENOENT")


def test_kvm_device_default(ctx):
    """Naming the default device explicitly changes nothing. The guest is the
    crafted one, so this does not depend on what the real kernel boots into."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "exit42.elf", make_elf())
        status, _, stderr, _ = run_vmm(ctx, "--kvm-device", "/dev/kvm", "--kernel", kernel, "--mem", "16",
                                       "--timeout", "10")
        assert status == 42, f"status {status}\n{stderr}"


def test_help(ctx):
    status, stdout, stderr, _ = run_vmm(ctx, "--help")
    assert status == 0, stderr
    assert stderr == "", stderr
    assert stdout.startswith("usage: aramid-vmm"), stdout
    for text in ["--kvm-device PATH", "exit status:", "128+n", "123", "124", "125", "VMM error"]:
        assert text in stdout, f"missing {text!r} in --help:\n{stdout}"


def test_result_file_on_vmm_error(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        kernel = write_file(tmp, "arm64.elf", make_elf(machine=EM_AARCH64))
        for args in (["--kernel", kernel], ["--kvm-device", "/dev/null"], ["--mem", "8"], ['--odd"option\\']):
            message, data = expect_vmm_error(ctx, args, result=True)
            assert data is not None, f"no --result file for {args}"
            assert data["status"] == harness.EXIT_VMM_ERROR, data
            assert data["reason"] == "vmm-error", data
            assert message == "aramid-vmm: " + data["detail"], (message, data)
            assert "vmm-start" in data["phases"], data
