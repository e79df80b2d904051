"""Helpers for the integration tests: run a guest under aramid-vmm or QEMU
and collect its program output, kernel log and decoded exit status."""
import json
import re
import os
import subprocess
import tempfile

EXIT_PANIC = 123
EXIT_TIMEOUT = 124
EXIT_VMM_ERROR = 125


class Skip(Exception):
    """The test cannot run here; the message says why."""


class Run:
    def __init__(self, status, stdout, log, result=None):
        self.status = status  # decoded like aramid-vmm's exit status
        self.stdout = stdout  # program output
        self.log = log  # kernel log (and VMM messages for aramid-vmm)
        self.result = result or {}  # aramid-vmm --result JSON

    def __repr__(self):
        return f"status={self.status}\n--- stdout\n{self.stdout[-1500:]}\n--- log\n{self.log[-3000:]}"


def _load_tool(name, *path):
    """A Python script of the tree as a module (tools/mkrootfs has no .py)."""
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(os.path.dirname(__file__), "..", "..", *path))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


mkinitramfs = _load_tool("mkinitramfs", "guest", "userland", "mkinitramfs.py")
mkrootfs = _load_tool("mkrootfs", "tools", "mkrootfs")


def marked_script(programs):
    """A shell command running each (name, command) in turn between
    '=== begin NAME' and '=== end NAME STATUS' lines (stdin from /dev/null,
    stderr with stdout), for one VM to run many programs."""
    return " ; ".join(f"echo '=== begin {name}'; {command} </dev/null 2>&1; echo \"=== end {name} $?\""
                      for name, command in programs)


def marked_outputs(text):
    """{name: (output, status)} from what marked_script printed."""
    outputs, name, lines = {}, None, []
    for line in text.replace("\r", "").splitlines():
        if line.startswith("=== begin "):
            name, lines = line[len("=== begin "):], []
        elif line.startswith("=== end ") and name:
            outputs[name] = ("\n".join(lines) + "\n" if lines else "", int(line.split()[-1]))
            name = None
        elif name:
            lines.append(line)
    return outputs


def compare_with_host(programs, guest, known, cwd):
    """Runs each (name, binary) contract program on the host in `cwd` and
    compares it with its guest output (from marked_outputs): the same lines
    and status 0. `known` maps names that must still diverge to why.
    Returns the failures (messages) and the programs that fail on the host
    itself, (name, output) -- no oracle, not compared."""
    failures, host_failures = [], []
    for name, binary in programs:
        host = subprocess.run([binary], capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL, timeout=60)
        host_text = host.stdout + host.stderr
        if host.returncode != 0 or "CONTRACT_PASS" not in host_text:
            host_failures.append((name, host_text))
            continue
        got = guest.get(name)
        same = got == (host_text, 0)
        if name in known:
            if same:
                failures.append(f"{name} is listed as diverging ({known[name]}) but now matches")
            continue
        if not same:
            failures.append(f"{name}:\n--- host\n{host_text}--- guest (status {got[1] if got else None})\n"
                            f"{got[0] if got else '(no output)'}")
    return failures, host_failures


class Context:
    def __init__(self, build):
        self.build = build
        self.default_initramfs = os.path.join(build, "guest", "userland", "initramfs.cpio")
        self.vmm_binary = os.path.join(build, "vmm", "aramid-vmm")
        self.kernel = os.path.join(build, "guest", "kernel", "aramid.elf")

    # ---- aramid-vmm on /dev/kvm

    def require_kvm(self):
        """Skips only where /dev/kvm does not exist; anything else must work."""
        if not os.path.exists("/dev/kvm"):
            raise Skip("no /dev/kvm on this host (ENOENT); the guest tests run under QEMU instead")

    def expected_kvm_platform(self):
        return "pvm" if os.path.isdir("/sys/module/kvm_pvm") else "native"

    def vmm(self, *args, timeout=30, verbose=True, stdin=None):
        self.require_kvm()
        with tempfile.TemporaryDirectory() as tmp:
            result_file = os.path.join(tmp, "result.json")
            command = [self.vmm_binary, "--result", result_file]
            if verbose:
                command.append("--verbose")
            command += list(args)
            proc = subprocess.run(command, capture_output=True, timeout=timeout, input=stdin)
            result = json.load(open(result_file)) if os.path.exists(result_file) else {}
        return Run(proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"), result)

    def initramfs(self, directory, argv=None, files=(), base=True):
        """Writes DIRECTORY/initramfs.cpio: the default initramfs (unless
        base=False), then `files` -- (path, mode, bytes) -- and, with argv,
        the /.aramid/argv member aramid-init runs. Returns the path."""
        archive = mkinitramfs.Archive()
        for path, mode, data in files:
            if mode & 0o170000 == 0o120000:
                archive.add(path, mode, data)
            elif mode & 0o170000:
                archive.add(path, mode, data)
            else:
                archive.add(path, 0o100000 | mode, data)
        if argv is not None:
            archive.add(".aramid/argv", 0o100644, b"".join(a.encode() + b"\0" for a in argv))
        path = os.path.join(directory, "initramfs.cpio")
        with open(path, "wb") as out:
            if base:
                out.write(open(self.default_initramfs, "rb").read())
            out.write(archive.finish())
        return path

    # ---- QEMU TCG through the PVH entry

    def qemu(self, cmdline="", initrd=None, timeout=60, memory=256, kernel=None, extra=()):
        """`extra`: more QEMU arguments (devices, drives)."""
        with tempfile.TemporaryDirectory() as tmp:
            log_path = os.path.join(tmp, "kernel.log")
            command = ["qemu-system-x86_64", "-M", "microvm,accel=tcg,acpi=off", "-cpu", "max",
                       "-m", str(memory), "-nographic", "-no-reboot", "-nodefaults",
                       "-serial", "stdio", "-kernel", kernel or self.kernel,
                       "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                       "-debugcon", f"file:{log_path}", "-append", cmdline]
            if initrd:
                command += ["-initrd", initrd]
            command += list(extra)
            try:
                proc = subprocess.run(command, capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired as e:
                log = open(log_path, errors="replace").read() if os.path.exists(log_path) else ""
                return Run(EXIT_TIMEOUT, (e.stdout or b"").decode(errors="replace"), log)
            log = open(log_path, errors="replace").read() if os.path.exists(log_path) else ""
        return Run(decode_qemu_status(proc.returncode, log), proc.stdout.decode(errors="replace"),
                   log + proc.stderr.decode(errors="replace"))


def decode_qemu_status(code, log):
    """isa-debug-exit makes QEMU exit with ((word << 1) | 1) & 0xff, which
    loses bit 7 of the status. The kernel logs "vm exit: status N" just before
    the exit write, and its panic marker tells a panic from a program that
    exits 123; the exit code is the fallback."""
    if "KERNEL PANIC:" in log:
        return EXIT_PANIC
    marker = re.findall(r"vm exit: status (\d+)", log)
    if marker and code & 1:
        return int(marker[-1])
    if code & 1:
        return (code >> 1) & 0x7f
    # Exit code 0 without the exit port: the guest reset (a triple fault,
    # with -no-reboot); anything else is QEMU's own failure.
    return EXIT_PANIC if code == 0 else EXIT_VMM_ERROR
