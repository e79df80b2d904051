"""Busybox scripts: each runs under the host's /bin/busybox and in a fresh
guest (KVM and QEMU), and the outputs must match byte for byte. Together
they cover pipes, redirection, subshells, find, sort, sed, awk, grep, tar,
sh -c, background jobs with wait, kill and sleep."""
import os
import subprocess
import tempfile

SCRIPTS = {
    "pipes_and_redirection": r"""
printf 'b\na\nc\n' > f
sort < f | tee g | wc -l
cat g
echo to-stderr 1>&2 2>/dev/null
echo appended >> g; tail -1 g
{ echo grouped; echo block; } > h; cat h
exec 3> fd3; echo via-fd3 >&3; exec 3>&-; cat fd3
x=$(echo captured | tr a-z A-Z); echo "$x"
echo $((6 * 7)) $(( (1 << 10) - 1 ))
cat <<END
here document $x
END
""",
    "subshells": r"""
(cd / && pwd)
pwd | sed 's|.*/||'
(exit 3); echo "subshell status $?"
v=outer; (v=inner; echo $v); echo $v
echo start; ( echo a; ( echo b; ( echo c ) ) ) | tr '\n' ' '; echo
f() { echo "function $1 $#"; return 4; }; f x y; echo "returned $?"
set -- one two three; shift; echo "$@" "$#"
case banana in b*) echo matched;; *) echo no;; esac
i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo "loop $i"
for w in x y z; do printf '%s-' $w; done; echo
""",
    "find_and_sort": r"""
mkdir -p d/e/f d/g
touch d/1 d/e/2 d/e/f/3 d/g/4
echo content > d/e/f/file
find d | sort
find d -type f -name '[0-9]' | sort
find d -type d | sort -r
find d -name file -exec cat {} \;
printf '3 c\n1 a\n2 b\n10 j\n' | sort -n
printf '3 c\n1 a\n2 b\n10 j\n' | sort -k2 -r
printf 'x\ny\nx\nz\ny\n' | sort | uniq -c | sed 's/^ *//'
""",
    "sed_awk_grep": r"""
seq 1 20 | sed -n '5,8p'
seq 1 10 | awk '{ s += $1 } END { print "sum", s }'
printf 'apple\nbanana\ncherry\navocado\n' | grep -n an
printf 'apple\nbanana\ncherry\navocado\n' | grep -c '^a'
printf 'apple\nbanana\ncherry\n' | grep -v an
echo hello world | sed 's/world/there/; s/h/H/'
awk 'BEGIN { printf "%d %s %.2f\n", 42, "str", 3.14159 }'
printf 'a:b:c\n1:2:3\n' | awk -F: '{ print $3, $1 }'
printf 'one two\nthree four\n' | awk '{ print NR, NF, $NF }'
seq 1 5 | sed '2d; 4s/.*/four/'
echo abc | sed -e 's/\(b\)/[\1]/'
grep -r content . 2>/dev/null | sort
""",
    "tar": r"""
mkdir -p src/a src/b
echo one > src/a/1
echo two > src/b/2
ln -s a/1 src/link
tar cf t.tar src
tar tf t.tar | sort
mkdir out
cd out
tar xf ../t.tar
find . | sort
cat src/a/1 src/b/2 src/link
readlink src/link
tar czf ../t.tgz src && cd .. && mkdir z && cd z && tar xzf ../t.tgz && cat src/b/2
""",
    "sh_c_and_status": r"""
sh -c 'exit 7'; echo "sh -c status $?"
sh -c 'echo "args: $0 $1 $2"' zero one two
sh -c 'kill -TERM $$'; echo "killed status $?"
sh -c 'false' || echo "false failed"
sh -c 'true' && echo "true succeeded"
echo 'echo from file; exit 2' > script.sh; sh script.sh; echo "script status $?"
chmod +x script.sh; ./script.sh; echo "direct status $?"
printf '#!/bin/sh\necho shebang $1\n' > s2; chmod 755 s2; ./s2 arg
""",
    "jobs_wait_kill_sleep": r"""
sleep 0.1 &
p=$!
wait $p; echo "waited $?"
sleep 5 &
q=$!
kill $q; wait $q 2>/dev/null; echo "killed $?"  # "Terminated" or not depends on timing
for i in 1 2 3 4; do (echo "job $i" > out.$i) & done
wait
cat out.1 out.2 out.3 out.4
sleep 0.05 && echo "slept"
(sleep 0.05; echo late) &
echo early
wait
trap 'echo got USR1' USR1
kill -USR1 $$
sleep 0.01
echo after trap
""",
}


def _host(script):
    # stdout and stderr share one pipe, as they share the guest's console.
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "w")
        os.mkdir(work)
        proc = subprocess.run(["/bin/busybox", "sh", "-c", script], cwd=work, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=60,
                              env={"PATH": "/bin:/usr/bin", "HOME": "/root"})
    return proc.returncode, proc.stdout.decode(errors="replace")


def _guest_argv(script):
    return ["/bin/sh", "-c", "mkdir -p /tmp/w && cd /tmp/w && " + script]


def _compare(ctx, runner):
    failures = []
    for name, script in SCRIPTS.items():
        expected_status, expected = _host(script)
        status, output, log = runner(_guest_argv(script))
        if (status, output) != (expected_status, expected):
            lines_a, lines_b = expected.splitlines(), output.splitlines()
            first = next((i for i in range(max(len(lines_a), len(lines_b)))
                          if i >= len(lines_a) or i >= len(lines_b) or lines_a[i] != lines_b[i]), None)
            failures.append(f"{name}: host status {expected_status}, guest {status}; first difference at line "
                            f"{first}: host {lines_a[first] if first is not None and first < len(lines_a) else '<end>'!r}"
                            f" guest {lines_b[first] if first is not None and first < len(lines_b) else '<end>'!r}"
                            f"\n--- guest output\n{output[-800:]}\n--- log\n{log[-1500:]}")
    assert not failures, "\n".join(failures)


def test_kvm_busybox_scripts(ctx):
    ctx.require_kvm()

    def run(argv):
        with tempfile.TemporaryDirectory() as tmp:
            r = ctx.vmm("--initrd", ctx.initramfs(tmp, argv=argv), "--timeout", "30",
                        "--cmdline", "aramid.stdout=pipe aramid.stdin=pipe", verbose=False, stdin=b"")
        return r.status, r.stdout, r.log

    _compare(ctx, run)


def test_qemu_busybox_scripts(ctx):
    def run(argv):
        with tempfile.TemporaryDirectory() as tmp:
            r = ctx.qemu("aramid.stdout=pipe", initrd=ctx.initramfs(tmp, argv=argv), timeout=120)
        return r.status, r.stdout, r.log

    _compare(ctx, run)


# The program exits while a child still runs: init exits too and the VM
# ends with the program's status (init once looped forever handing its
# children to itself).
_ORPHAN = ["/bin/sh", "-c", "sleep 20 & exit 3"]


def test_kvm_program_exit_leaves_running_child(ctx):
    ctx.require_kvm()
    r = ctx.vmm("--timeout", "10", "--", *_ORPHAN, verbose=False, stdin=b"")
    assert r.status == 3, r


def test_qemu_program_exit_leaves_running_child(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        r = ctx.qemu(initrd=ctx.initramfs(tmp, argv=_ORPHAN), timeout=60)
    assert r.status == 3, r
