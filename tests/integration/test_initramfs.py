"""The initramfs: unpacked into the root file system with modes, owners,
times, nested directories, symlinks and device nodes kept, then /init runs
the program named by /.aramid/argv. Checked on /dev/kvm and under QEMU."""
import tempfile

# A shell script checks what the kernel unpacked; its output is compared.
SCRIPT = r"""
cd /t
stat -c '%n %A %u:%g %Y' a a/b a/b/c a/b/c/file link secret
readlink link
cat a/b/c/file
cat link
ls -la /t/a/b/c | tail -1 | cut -c1-10
stat -c '%n %F %t:%T' node
echo done
"""

EXPECTED = """a drwxr-x--- 0:0 0
a/b drwxr-xr-x 0:0 0
a/b/c drwxr-xr-x 0:0 0
a/b/c/file -rw-r----- 5:6 0
link lrwxrwxrwx 0:0 0
secret -r-------- 1000:1000 0
a/b/c/file
nested contents
nested contents
-rw-r-----
node character special file 1:3
done
"""

FILES = [
    ("t", 0o040755, b""),
    ("t/a", 0o040750, b""),
    ("t/a/b", 0o040755, b""),
    ("t/a/b/c", 0o040755, b""),
    ("t/a/b/c/file", 0o640, b"nested contents\n"),
    ("t/link", 0o120777, b"a/b/c/file"),
    ("t/secret", 0o400, b"x"),
    ("t/node", 0o020644, b""),
    ("check.sh", 0o755, SCRIPT.encode()),
]


def _archive(ctx, tmp):
    path = ctx.initramfs(tmp, argv=["/bin/sh", "/check.sh"], files=FILES)
    # Owners other than root: patch the uid/gid fields the builder leaves 0.
    data = bytearray(open(path, "rb").read())
    for name, uid, gid in [(b"t/a/b/c/file", 5, 6), (b"t/secret", 1000, 1000)]:
        at = data.rfind(name + b"\0")
        header = at - 110
        data[header + 22:header + 30] = b"%08x" % uid
        data[header + 30:header + 38] = b"%08x" % gid
    # The node: character device 1:3.
    at = data.rfind(b"t/node\0") - 110
    data[at + 78:at + 86] = b"%08x" % 1
    data[at + 86:at + 94] = b"%08x" % 3
    open(path, "wb").write(data)
    return path


def test_kvm_initramfs_unpacked_faithfully(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.vmm("--initrd", _archive(ctx, tmp), "--timeout", "20", verbose=False)
    assert run.status == 0, run
    assert run.stdout.replace("\r\n", "\n") == EXPECTED, run


def test_qemu_initramfs_unpacked_faithfully(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.qemu("aramid.stdout=pipe", initrd=_archive(ctx, tmp))
    assert run.status == 0, run
    assert run.stdout.replace("\r\n", "\n") == EXPECTED, run


# A large file whose data the kernel adopts from the archive's pages (it is
# page-aligned there and 16 KiB or more), with a partial last page: its
# contents, and zeros (not the archive's next bytes) past its old end once
# it is extended.
BIG = bytes((i * 7 + 3) % 251 for i in range(70000))
BIG_SCRIPT = r"""
md5sum /big
dd if=/dev/zero of=/big bs=1 count=0 seek=80000 2>/dev/null
tail -c 10000 /big | tr -d '\000' | wc -c
head -c 70000 /big | md5sum
"""


def _big(ctx, tmp):
    return ctx.initramfs(tmp, argv=["/bin/sh", "/big.sh"], files=[("big", 0o644, BIG), ("big.sh", 0o755, BIG_SCRIPT.encode())])


def _big_expected():
    import hashlib
    digest = hashlib.md5(BIG).hexdigest()
    return f"{digest}  /big\n0\n{digest}  -\n"


def test_kvm_large_initramfs_file_adopted(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.vmm("--initrd", _big(ctx, tmp), "--timeout", "20", "--cmdline", "aramid.stdout=pipe", verbose=False)
    assert run.status == 0, run
    assert run.stdout == _big_expected(), run


def test_qemu_large_initramfs_file_adopted(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        run = ctx.qemu("aramid.stdout=pipe", initrd=_big(ctx, tmp))
    assert run.status == 0, run
    assert run.stdout == _big_expected(), run
