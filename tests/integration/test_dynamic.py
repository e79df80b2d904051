"""Dynamic glibc programs from an ext4 root file system, the host's own
binaries: tools/mkrootfs builds a Debian-style merged-/usr tree from this
host's programs, their libraries (as ldd lists them) and the dynamic loader
and makes it into an ext4 image, which is booted with root=/dev/vda (aramid-init mounts it, moves /dev
and /proc into it and chroots, as an initramfs's switch_root does; without
an initramfs the kernel mounts it itself).

Dynamic musl programs, as on an Alpine root file system, run from the same
kind of image with musl's loader added (mkrootfs --musl).

The oracle is the host: the same tree under chroot(8) on the host for the
shell workload, and every contract program compiled with gcc (dynamic
glibc, PIE, as Debian builds) or with musl-gcc (dynamic musl, PIE, as
Alpine builds) run natively. A contract program that fails
on the host itself is no oracle and is left out (named in the output);
KNOWN lists real divergences (per C library) with their reasons and must
still diverge."""
import concurrent.futures
import glob
import os
import subprocess
import tempfile

import harness

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTRACT = os.path.join(ROOT, "tests", "contract")
PROGRAMS = ["sh", "dash", "ls", "cat", "sort", "sha256sum", "env", "grep", "sed", "uname", "id", "true", "false",
            "echo", "wc", "head", "tr", "mkdir", "rm", "cp", "mv", "ln", "readlink", "perl", "df", "tail", "mount", "touch"]
KNOWN = {"glibc": {}, "musl": {}}
# The environment aramid-init gives the program (no locale: the tree has none).
ENVIRONMENT = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}


mkrootfs = harness.mkrootfs


def make_tree(tmp, python=False, files=(), musl=False):
    """tools/mkrootfs's tree, kept for the host's chroot."""
    tree = os.path.join(tmp, "root")
    mkrootfs.make_tree(tree, PROGRAMS, python, files, musl=musl)
    return tree


def make_image(tree, size="256M"):
    image = tree + ".img"
    mkrootfs.make_image(tree, image, size)
    return image


WORKLOAD = r"""
cd /tmp
echo "shell: $((6 * 7))"
printf 'pear\napple\nfig\n' | sort | tr a-z A-Z
echo hello | sha256sum
env -i A=1 B=2 /usr/bin/env | sort
uname -s -m
id
mkdir -p d/e && echo data > d/e/f && cp d/e/f d/g && mv d/g d/h && ln -s e/f d/link
ls -l d | sed 's/ [A-Z][a-z][a-z] .* / DATE /' | sort
readlink d/link; cat d/link
wc -c < /usr/bin/env | tr -d ' ' > size && cat size >/dev/null && echo sized
grep -c root /etc/passwd
perl -e 'my %h = map { $_ => length } qw(a bb ccc); print join(",", map { "$_=$h{$_}" } sort keys %h), "\n"'
perl -e 'printf "%.3f\n", atan2(1, 1) * 4'
rm -r d size
/bin/false; echo "false: $?"
echo done
"""


def test_kvm_glibc_programs_match_host(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        tree = make_tree(tmp)
        with open(os.path.join(tree, "workload.sh"), "w") as f:
            f.write(WORKLOAD)
        host = subprocess.run(["chroot", tree, "/bin/sh", "/workload.sh"], capture_output=True, text=True, timeout=60,
                              env=ENVIRONMENT)
        assert host.returncode == 0 and "done" in host.stdout, host
        image = make_image(tree)
        run = ctx.vmm("--disk", image, "--cmdline", "root=/dev/vda rw", "--cmdline", "aramid.stdout=pipe",
                      "--", "/bin/sh", "/workload.sh", timeout=60)
        assert run.status == 0, run
        assert run.stdout.replace("\r", "") == host.stdout + host.stderr, \
            f"--- host\n{host.stdout}{host.stderr}--- guest\n{run.stdout}\n--- log\n{run.log[-2000:]}"
        fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
        assert fsck.returncode == 0, fsck.stdout


PYTHON_WORKLOAD = r"""
import hashlib, json, os, queue, select, socket, sqlite3, subprocess, tempfile, threading, zlib
results = queue.Queue()
threads = [threading.Thread(target=lambda n=n: results.put(sum(i * i for i in range(n)))) for n in (10, 1000, 100000)]
for t in threads: t.start()
for t in threads: t.join()
print("threads", sorted(results.get() for _ in threads))
print("subprocess", subprocess.run(["/bin/sh", "-c", "echo $((2 + 3))"], capture_output=True, text=True).stdout.strip())
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "f")
    with open(path, "wb") as f: f.write(zlib.compress(b"aramid" * 100000))
    os.rename(path, path + "2")
    print("zlib", len(zlib.decompress(open(path + "2", "rb").read())), os.listdir(d))
a, b = socket.socketpair(); a.sendall(b"ping"); print("socketpair", b.recv(4))
r, w = os.pipe(); os.write(w, b"z"); print("select", select.select([r], [], [], 1)[0] == [r])
pid = os.fork()
if pid == 0: os._exit(7)
print("fork", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
db = sqlite3.connect(":memory:"); db.execute("create table t(x)")
db.executemany("insert into t values(?)", [(i,) for i in range(100)])
print("sqlite", db.execute("select sum(x), count(*) from t").fetchone())
print("json", json.dumps({"k": [1, 2.5, None]}, sort_keys=True), hashlib.sha256(b"aramid").hexdigest()[:16])
server = socket.create_server(("127.0.0.1", 0))
def serve():
    connection, _ = server.accept()
    connection.sendall(connection.recv(100).upper())
    connection.close()
thread = threading.Thread(target=serve); thread.start()
client = socket.create_connection(("127.0.0.1", server.getsockname()[1]))
client.sendall(b"hello tcp"); print("tcp", client.recv(100)); client.close(); thread.join()
import asyncio
async def main():
    async def handle(reader, writer):
        writer.write((await reader.readline()).upper()); await writer.drain(); writer.close()
    server = await asyncio.start_server(handle, "::1", 0)
    reader, writer = await asyncio.open_connection("::1", server.sockets[0].getsockname()[1])
    writer.write(b"asyncio over ipv6\n"); await writer.drain()
    print("asyncio", await reader.readline()); writer.close(); server.close(); await server.wait_closed()
asyncio.run(main())
print("done")
"""


def test_kvm_python3_matches_host(ctx):
    """The host's python3 and its standard library (threads, fork and exec,
    sockets: a socketpair, TCP over 127.0.0.1 and asyncio over ::1,
    dlopen'ed extension modules, sqlite) from the ext4 root."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        tree = make_tree(tmp, python=True)
        with open(os.path.join(tree, "workload.py"), "w") as f:
            f.write(PYTHON_WORKLOAD)
        host = subprocess.run(["chroot", tree, "/usr/bin/python3", "-B", "/workload.py"], capture_output=True,
                              text=True, timeout=60, env=ENVIRONMENT)
        assert host.returncode == 0 and "done" in host.stdout, host
        image = make_image(tree)
        run = ctx.vmm("--disk", image, "--cmdline", "root=/dev/vda rw", "--cmdline", "aramid.stdout=pipe",
                      "--", "/usr/bin/python3", "-B", "/workload.py", timeout=60)
        assert run.status == 0, run
        assert run.stdout.replace("\r", "") == host.stdout + host.stderr, \
            f"--- host\n{host.stdout}{host.stderr}--- guest\n{run.stdout}\n--- log\n{run.log[-2000:]}"


COMPILED = r"""
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void *square(void *arg) { long n = (long)arg; return (void *)(n * n); }

int main(int argc, char **argv)
{
    char *words[] = { "pear", "apple", "fig", "kiwi" };
    qsort(words, 4, sizeof words[0], compare);
    pthread_t threads[4];
    long sum = 0;
    for (long i = 0; i < 4; i++) pthread_create(&threads[i], NULL, square, (void *)(i + 1));
    for (int i = 0; i < 4; i++) { void *r; pthread_join(threads[i], &r); sum += (long)r; }
    printf("%s %s %s %s, squares %ld, sqrt(2) %.6f, argc %d\n", words[0], words[1], words[2], words[3], sum,
           sqrt(2.0 + argc - 1), argc);
    return 0;
}
"""


def test_kvm_gcc_compiles_and_links_in_the_guest(ctx):
    """The host's gcc (cc1, as, ld) compiles, links (dynamic and static) and
    runs a C program inside the guest: big dynamic programs, pipes between
    them, temporary files, then the new program. The host's own build of
    the same source is the oracle."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "prog.c")
        with open(source, "w") as f:
            f.write(COMPILED)
        host_binary = os.path.join(tmp, "prog")
        subprocess.run(["gcc", "-O2", "-o", host_binary, source, "-lpthread", "-lm"], check=True)
        expected = subprocess.run([host_binary, "x"], capture_output=True, text=True, check=True).stdout
        # Only the headers this source includes (gcc -M), not all of /usr/include.
        depends = subprocess.run(["gcc", "-O2", "-M", source], capture_output=True, text=True, check=True).stdout
        headers = [w for w in depends.replace("\\\n", " ").split() if w.endswith(".h")]
        tree = make_tree(tmp, files=[(source, "/prog.c")])
        mkrootfs.add_gcc(tree, headers)
        image = make_image(tree, "512M")
        script = ("cd /tmp && gcc -O2 -o prog /prog.c -lpthread -lm && ./prog x && "
                  "gcc -static -O2 -o prog-static /prog.c -lpthread -lm && ./prog-static x")
        run = ctx.vmm("--mem", "1024", "--disk", image, "--cmdline", "root=/dev/vda rw aramid.stdout=pipe",
                      "--", "/bin/sh", "-c", script, timeout=120)
        assert run.status == 0, run
        assert run.stdout.replace("\r", "") == expected * 2, f"--- host\n{expected}--- guest\n{run.stdout}"
        fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
        assert fsck.returncode == 0, fsck.stdout


def check_contract_programs(ctx, library, compiler, musl=False):
    """Every contract program built by `compiler` (the command before -o
    BINARY SOURCE) into dynamic `library` programs, run in one VM in turn
    from an ext4 root (with musl's loader: musl) and compared with the same
    binaries on the host."""
    with tempfile.TemporaryDirectory() as tmp:
        sources = sorted(glob.glob(os.path.join(CONTRACT, "*", "*.c")))
        names = [f"{os.path.basename(os.path.dirname(source))}.{os.path.basename(source)[:-2]}" for source in sources]
        binaries = [(name, os.path.join(tmp, name)) for name in names]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(lambda binary, source: subprocess.run(compiler + ["-o", binary, source], check=True),
                          [binary for _, binary in binaries], sources))
        tree = make_tree(tmp, files=[(binary, f"/contract/{name}") for name, binary in binaries], musl=musl)
        script = "cd /tmp; " + harness.marked_script((name, f"/contract/{name}") for name, _ in binaries)
        image = make_image(tree)
        run = ctx.vmm("--disk", image, "--cmdline", "root=/dev/vda rw", "--cmdline", "aramid.stdout=pipe",
                      "--timeout", "240", "--", "/bin/sh", "-c", script, timeout=300)
        failures, host_failures = harness.compare_with_host(binaries, harness.marked_outputs(run.stdout),
                                                            KNOWN[library], "/tmp")
        host_failures = [name for name, _ in host_failures]
        print(f"{len(binaries) - len(host_failures)} {library} contract programs compared; failing on the host "
              f"itself with {library}, so not compared: {', '.join(host_failures) or 'none'}")
        assert len(host_failures) <= 3, host_failures
        assert not failures, "\n".join(failures) + f"\n--- log:\n{run.log[-2000:]}"


def test_kvm_glibc_contract_programs(ctx):
    """Every contract program built against glibc, in one VM in turn."""
    ctx.require_kvm()
    check_contract_programs(ctx, "glibc", ["gcc", "-O2", "-w", "-D_GNU_SOURCE", "-I", CONTRACT])


def test_kvm_musl_contract_programs(ctx):
    """Every contract program built as a dynamic musl program (musl-gcc
    without -static: a PIE whose interpreter is /lib/ld-musl-x86_64.so.1,
    as Alpine's programs are), with the static build's -O2 and -I (its
    warnings off, as for glibc), in one VM in turn from an ext4 root with
    musl's loader."""
    ctx.require_kvm()
    check_contract_programs(ctx, "musl", ["musl-gcc", "-O2", "-w", "-I", CONTRACT], musl=True)


def test_kvm_kernel_mounts_root_without_initramfs(ctx):
    """--no-initrd with root=: the kernel mounts the disk as / itself (as
    Linux does without an initramfs), runs init= from it, and the VM's
    exit writes the disk back clean."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = make_image(make_tree(tmp), "64M")
        script = ("cat /proc/mounts; echo written > /root/note; ls /dev/null /dev/vda; "
                  "readlink /proc/self/exe; head -1 /proc/self/mountinfo; df -P / | tail -1; exit 7")
        run = ctx.vmm("--no-initrd", "--disk", image, "--cmdline", "root=/dev/vda rw aramid.stdout=pipe",
                      "--cmdline", f"init=/bin/dash -- -c \"{script}\"")
        assert run.status == 7, run
        lines = run.stdout.replace("\r", "").splitlines()
        assert lines[0] == "/dev/vda / ext4 rw 0 0", run
        assert "/dev/null" in lines and "/dev/vda" in lines, run
        assert "/usr/bin/readlink" in lines, run
        # mountinfo: "ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS - TYPE SOURCE OPTIONS", which df reads.
        mountinfo = next(line for line in lines if " - ext4 " in line).split()
        assert mountinfo[2:] == ["254:0", "/", "/", "rw", "-", "ext4", "/dev/vda", "rw"], run
        assert mountinfo[0] == mountinfo[1], run  # the root is its own parent
        assert lines[-1].startswith("/dev/vda ") and lines[-1].endswith(" /"), run
        fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
        assert fsck.returncode == 0, fsck.stdout
        note = subprocess.run(["debugfs", "-R", "cat /root/note", image], capture_output=True, text=True)
        assert note.stdout == "written\n", note

        # Read-only unless `rw`, as Linux mounts a root, until the init
        # remounts it read-write; no init= runs the first of Linux's list
        # that exists (/bin/sh here).
        run = ctx.vmm("--no-initrd", "--disk", image, "--cmdline", "root=/dev/vda", "--cmdline", "aramid.stdout=pipe",
                      stdin=b"touch /new; echo touch=$?; head -1 /proc/mounts; mount -o remount,rw /; "
                            b"echo remount=$?; head -1 /proc/mounts; touch /new; echo touch=$?\n")
        assert run.status == 0, run
        assert "touch=1" in run.stdout and "/dev/vda / ext4 ro 0 0" in run.stdout, run
        assert "remount=0" in run.stdout and "/dev/vda / ext4 rw 0 0" in run.stdout and "touch=0" in run.stdout, run
        fsck = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
        assert fsck.returncode == 0, fsck.stdout
        assert "Inode" in subprocess.run(["debugfs", "-R", "stat /new", image], capture_output=True, text=True).stdout

        run = ctx.vmm("--no-initrd", "--disk", image, "--cmdline", "root=/dev/vdb")
        assert run.status == 123 and "no disk /dev/vdb" in run.log, run
        run = ctx.vmm("--no-initrd", "--disk", image, "--cmdline", "root=/dev/vda rootfstype=xfs")
        assert run.status == 123 and "rootfstype=xfs" in run.log, run


def test_kvm_init_reports_a_root_it_cannot_mount(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "zero.img")
        with open(image, "wb") as f:
            f.truncate(8 << 20)
        run = ctx.vmm("--disk", image, "--cmdline", "root=/dev/vda", "--", "/bin/true")
        assert run.status == 1, run
        assert "aramid-init: cannot mount root=/dev/vda (ext4)" in run.stdout + run.log, run
