"""ext2/ext3/ext4 read-only: a tree made on the host with `mke2fs -d` is
served as the guest's disk (aramid-vmm --disk, QEMU's virtio-blk-device),
mounted in the guest with busybox mount, and described by a script --
names, types, sizes, modes, owners, times, link targets, device numbers,
md5sums. The same script run by the host's busybox on the source tree is
the oracle: the two descriptions must be identical."""
import os
import subprocess
import tempfile

# Describes the tree at $1, one line per entry, sorted. Not directory times:
# mke2fs gives the root its own.
DESCRIBE = r"""
cd "$1" || exit 1
find . | sort | while read -r f; do
  if [ -L "$f" ]; then echo "$f link $(readlink "$f") $(stat -c '%u:%g' "$f")"
  elif [ -d "$f" ]; then echo "$f dir $(stat -c '%a %u:%g' "$f")"
  elif [ -p "$f" ]; then echo "$f fifo $(stat -c '%a %u:%g' "$f")"
  elif [ -c "$f" ]; then echo "$f chr $(stat -c '%t:%T %a' "$f")"
  else echo "$f file $(stat -c '%s %a %u:%g %Y' "$f") $(md5sum < "$f" | cut -c1-32)"
  fi
done
echo DESCRIBED
"""


def _make_tree(root):
    """Every kind of entry and file layout the driver must read."""
    def write(path, data, mode=0o644):
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as out:
            out.write(data)
        os.chmod(full, mode)
    os.mkdir(os.path.join(root, "lost+found"), 0o700)  # mke2fs makes one; the host tree needs it too
    write("empty", b"")
    write("one", b"x")
    write("almost-a-block", bytes(range(256)) * 15 + b"y" * 255)
    write("a/b/c/deep.txt", b"nested\n" * 1000, 0o600)
    write("big.bin", bytes((i * 31 + 7) & 0xff for i in range(3 << 20)))
    write("bin/busybox", open("/bin/busybox", "rb").read(), 0o755)  # argv[0] names the applet
    # Sparse: data, a hole of 5 MiB, data (holes read as zeros).
    with open(os.path.join(root, "sparse"), "wb") as out:
        out.write(b"head")
        out.seek(5 << 20)
        out.write(b"tail")
    os.makedirs(os.path.join(root, "many"))
    for i in range(600):  # more than a block of entries: an htree directory on ext4
        write(f"many/entry-{i:04d}-with-a-longer-name", str(i).encode())
    os.symlink("one", os.path.join(root, "fast-link"))
    os.symlink("a/" + "long-target-" * 10 + "end", os.path.join(root, "slow-link"))
    os.mkfifo(os.path.join(root, "fifo"), 0o640)
    os.mknod(os.path.join(root, "null"), 0o20666, os.makedev(1, 3))
    os.chown(os.path.join(root, "one"), 1000, 1001)
    os.chown(os.path.join(root, "a/b"), 7, 8)
    os.utime(os.path.join(root, "almost-a-block"), (1000000000, 1234567890))
    os.chmod(os.path.join(root, "a"), 0o750)


def _setup(ctx, tmp, mkfs_args):
    tree = os.path.join(tmp, "tree")
    os.makedirs(tree)
    _make_tree(tree)
    image = os.path.join(tmp, "disk.img")
    subprocess.run(["mke2fs", "-q", "-F", *mkfs_args, "-d", tree, image, "32M"], check=True, capture_output=True,
                   env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    script = os.path.join(tmp, "describe.sh")
    with open(script, "w") as out:
        out.write(DESCRIBE)
    expected = subprocess.run(["/bin/busybox", "sh", script, tree], capture_output=True, text=True, check=True).stdout
    guest = ("mkdir -p /mnt && mount -t ext4 -o ro /dev/vda /mnt && sh /describe.sh /mnt && "
             "grep ' /mnt ' /proc/mounts && /mnt/bin/busybox echo ran from the disk && "
             "{ touch /mnt/new 2>&1 || true; } && umount /mnt && ls -A /mnt && echo UNMOUNTED")
    initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", guest], files=[("describe.sh", 0o755, DESCRIBE.encode())])
    return image, initrd, expected


def _check(run, expected):
    assert run.status == 0, run
    described = run.stdout.replace("\r", "")
    assert "DESCRIBED" in described, run
    got = described[:described.index("DESCRIBED")]
    want = expected[:expected.index("DESCRIBED")]
    assert got == want, f"the guest's description differs from the host's:\n{_diff(want, got)}"
    rest = described[described.index("DESCRIBED"):]
    assert "/dev/vda /mnt ext4 ro" in rest, run
    assert "ran from the disk" in rest, run
    assert "Read-only file system" in rest, run
    assert rest.rstrip().endswith("UNMOUNTED") and "many" not in rest.split("ran from the disk")[1], run


def _diff(a, b):
    import difflib
    return "\n".join(list(difflib.unified_diff(a.splitlines(), b.splitlines(), "host", "guest", lineterm=""))[:60])


def _kvm(ctx, mkfs_args):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image, initrd, expected = _setup(ctx, tmp, mkfs_args)
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--disk-readonly", "--timeout", "60", "--cmdline",
                      "aramid.stdout=pipe", timeout=90)
        _check(run, expected)


def _qemu(ctx, mkfs_args):
    with tempfile.TemporaryDirectory() as tmp:
        image, initrd, expected = _setup(ctx, tmp, mkfs_args)
        extra = ["-global", "virtio-mmio.force-legacy=false",
                 "-drive", f"id=d0,file={image},format=raw,if=none,readonly=on", "-device", "virtio-blk-device,drive=d0"]
        run = ctx.qemu("aramid.stdout=pipe", initrd=initrd, timeout=300, extra=extra)
        _check(run, expected)


def test_kvm_ext4(ctx):
    _kvm(ctx, ["-t", "ext4", "-b", "4096"])


def test_kvm_ext4_1k_blocks_64bit(ctx):
    _kvm(ctx, ["-t", "ext4", "-b", "1024", "-O", "64bit"])


def test_kvm_ext4_no_extents(ctx):
    _kvm(ctx, ["-t", "ext4", "-O", "^extent,^64bit"])


def test_kvm_ext2_indirect_blocks(ctx):
    _kvm(ctx, ["-t", "ext2"])


def test_kvm_ext3(ctx):
    _kvm(ctx, ["-t", "ext3"])


def test_qemu_ext4(ctx):
    _qemu(ctx, ["-t", "ext4", "-b", "4096"])
