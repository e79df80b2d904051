"""ext2/ext3/ext4 read-write: a busybox script builds and reshapes a tree on
an empty file system mounted read-write in the guest (files of many sizes,
overwrites and appends, a sparse file, a fragmented file that needs an
extent tree, a directory of hundreds of entries with a third removed,
hard and symbolic links, device nodes, fifos, renames of files and of a
directory across directories, recursive removal, truncation, chmod, chown,
touch). The same script run by the host's busybox in a host directory is
the oracle:

  - the guest's description of the tree after an unmount and a read-only
    mount (so it comes from the disk, not from the cache) equals the host's
    description of its own tree (names, types, sizes, modes, owners, link
    counts, link targets, device numbers, md5sums);
  - after the VM exits, `e2fsck -fn` finds the image clean, and debugfs --
    e2fsprogs' own reader -- gives the same bytes for files the host made;
  - a second VM mounts the image read-only and sees the same tree.

A full disk gives ENOSPC and leaves the file system clean, and what is
written before the VM exits without an unmount reaches the disk (the exit
syncs and unmounts, as a clean poweroff)."""
import hashlib
import os
import shutil
import subprocess
import tempfile

# Run in the directory to fill. Deterministic: the same bytes on the host and
# in the guest.
WORKLOAD = r"""
set -e
mkdir -p a/b/c d empty-dir
echo hello > a/b/c/hello.txt
seq 1 20000 > numbers
yes abcdefghij | head -c 3000000 > big
cp /bin/busybox bb
head -c 5000 numbers > small
dd if=numbers of=small bs=1 seek=100 count=50 conv=notrunc 2>/dev/null
echo appended >> small
truncate -s 10000000 sparse
echo end >> sparse
i=0
while [ $i -lt 300 ]; do echo "$i" > d/file-$i-with-a-rather-long-name; i=$((i + 1)); done
i=0
while [ $i -lt 300 ]; do rm d/file-$i-with-a-rather-long-name; i=$((i + 3)); done
ln a/b/c/hello.txt hardlink
ln -s a/b/c/hello.txt symlink
ln -s "$(yes long-target | head -n 12 | tr '\n' /)end" slow-symlink
mknod chr c 1 3
mknod blk b 7 300
mkfifo fifo
chmod 640 small
chown 1000:1001 small
chmod 1777 empty-dir
mv a/b d/moved-b
mv numbers a/renamed-numbers
echo replaced > victim
cp small small-copy
mv small-copy victim
mkdir -p d/over/full e
touch e/inside
mv -T e d/over 2>/dev/null && exit 1
rmdir d/over/full
mv -T e d/over
mkdir gone gone/sub
touch gone/x gone/sub/y
rm -r gone
i=0
while [ $i -lt 800 ]; do dd if=a/renamed-numbers of=frag bs=1024 count=1 seek=$((i * 4)) conv=notrunc 2>/dev/null; i=$((i + 2)); done
cp frag frag-whole
truncate -s 1000000 frag
cp big big-copy
rm big
echo x > overwrite
echo yyy > overwrite
touch -t 202001020304.05 small
"""

# Describes the tree at $1, one line per entry, sorted. No times but one
# set by touch, no directory sizes (the block size decides them).
DESCRIBE = r"""
cd "$1" || exit 1
echo DESCRIBE-BEGIN
find . | sort | while read -r f; do
  if [ -L "$f" ]; then echo "$f link $(readlink "$f")"
  elif [ -d "$f" ]; then echo "$f dir $(stat -c '%a %u:%g %h' "$f")"
  elif [ -p "$f" ]; then echo "$f fifo $(stat -c '%a %u:%g' "$f")"
  elif [ -c "$f" ] || [ -b "$f" ]; then echo "$f dev $(stat -c '%F %t:%T %a' "$f")"
  else echo "$f file $(stat -c '%s %a %u:%g %h' "$f") $(md5sum < "$f" | cut -c1-32)"
  fi
done
stat -c 'small mtime %Y' small
echo DESCRIBED
"""

# Files debugfs reads back from the image, compared with the host's.
DEBUGFS_FILES = ["big-copy", "bb", "frag", "frag-whole", "sparse", "a/renamed-numbers", "d/moved-b/c/hello.txt"]


def _host_tree(tmp):
    """The host's run of WORKLOAD and its description."""
    tree = os.path.join(tmp, "host-tree")
    os.makedirs(tree)
    os.mkdir(os.path.join(tree, "lost+found"), 0o700)  # mke2fs makes one
    env = dict(os.environ, TZ="UTC")  # touch -t reads local time; the guest's is UTC
    subprocess.run(["/bin/busybox", "sh", "-c", WORKLOAD], cwd=tree, check=True, capture_output=True, env=env)
    described = subprocess.run(["/bin/busybox", "sh", "-c", DESCRIBE, "describe", tree], capture_output=True,
                               text=True, check=True).stdout
    return tree, described


def _make_image(tmp, mkfs_args, size="64M"):
    image = os.path.join(tmp, "disk.img")
    subprocess.run(["mke2fs", "-q", "-F", *mkfs_args, image, size], check=True, capture_output=True)
    return image


def _e2fsck(image):
    check = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
    assert check.returncode == 0, f"e2fsck -fn found problems (exit {check.returncode}):\n{check.stdout}{check.stderr}"


def _debugfs_cat(image, path):
    return subprocess.run(["debugfs", "-R", f"cat /{path}", image], capture_output=True, check=True).stdout


def _guest_script():
    return ("mount -t ext4 /dev/vda /mnt && cd /mnt && sh /workload.sh && cd / && umount /mnt && "
            "mount -t ext4 -o ro /dev/vda /mnt && grep ' /mnt ' /proc/mounts && sh /describe.sh /mnt")


def _files():
    return [("workload.sh", 0o755, WORKLOAD.encode()), ("describe.sh", 0o755, DESCRIBE.encode())]


def _check(run, expected, image, host_tree):
    out = run.stdout.replace("\r", "")
    assert "DESCRIBED" in out, run
    assert "/dev/vda /mnt ext4 ro" in out, run
    got = out[out.index("DESCRIBE-BEGIN"):out.index("DESCRIBED")] if "DESCRIBE-BEGIN" in out else out
    want = expected[expected.index("DESCRIBE-BEGIN"):expected.index("DESCRIBED")]
    assert got == want, f"the guest's tree differs from the host's:\n{_diff(want, got)}\n--- log:\n{run.log[-3000:]}"
    assert run.status == 0, run
    _e2fsck(image)
    for path in DEBUGFS_FILES:
        want_bytes = open(os.path.join(host_tree, path), "rb").read()
        got_bytes = _debugfs_cat(image, path)
        assert hashlib.md5(got_bytes).hexdigest() == hashlib.md5(want_bytes).hexdigest(), \
            f"debugfs reads /{path} differently ({len(got_bytes)} bytes, host {len(want_bytes)})"


def _diff(a, b):
    import difflib
    return "\n".join(list(difflib.unified_diff(a.splitlines(), b.splitlines(), "host", "guest", lineterm=""))[:80])


def _kvm(ctx, mkfs_args):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        host_tree, expected = _host_tree(tmp)
        image = _make_image(tmp, mkfs_args)
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", _guest_script()], files=_files())
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "120", "--cmdline", "aramid.stdout=pipe",
                      timeout=150)
        _check(run, expected, image, host_tree)
        # A fresh VM, read-only: the tree is on the disk.
        again = ctx.initramfs(tmp, argv=["/bin/sh", "-c",
                                         "mount -t ext4 -o ro /dev/vda /mnt && grep ' /mnt ' /proc/mounts && "
                                         "sh /describe.sh /mnt"], files=_files())
        run = ctx.vmm("--initrd", again, "--disk", image, "--disk-readonly", "--timeout", "60", "--cmdline",
                      "aramid.stdout=pipe", timeout=90)
        _check(run, expected, image, host_tree)


def test_kvm_ext4_write(ctx):
    _kvm(ctx, ["-t", "ext4", "-b", "4096"])


def test_kvm_ext4_write_1k_blocks(ctx):
    _kvm(ctx, ["-t", "ext4", "-b", "1024"])


def test_kvm_ext4_write_small_groups(ctx):
    # Many groups of 1024 blocks: files and directories spread across them.
    _kvm(ctx, ["-t", "ext4", "-b", "1024", "-g", "1024", "-N", "4096"])


def test_kvm_ext3_write(ctx):
    _kvm(ctx, ["-t", "ext3"])


def test_kvm_ext2_write(ctx):
    _kvm(ctx, ["-t", "ext2"])


def test_qemu_ext4_write(ctx):
    with tempfile.TemporaryDirectory() as tmp:
        host_tree, expected = _host_tree(tmp)
        image = _make_image(tmp, ["-t", "ext4"])
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", _guest_script()], files=_files())
        extra = ["-global", "virtio-mmio.force-legacy=false",
                 "-drive", f"id=d0,file={image},format=raw,if=none", "-device", "virtio-blk-device,drive=d0"]
        run = ctx.qemu("aramid.stdout=pipe", initrd=initrd, timeout=300, extra=extra)
        _check(run, expected, image, host_tree)


def test_kvm_ext4_full_disk(ctx):
    """ENOSPC when the disk fills, the file keeps what fitted, and removing
    it gives every block back."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _make_image(tmp, ["-t", "ext4", "-b", "1024"], size="8M")
        before = _free_blocks(image)
        script = ("mount -t ext4 /dev/vda /mnt && "
                  "{ dd if=/dev/zero of=/mnt/fill bs=65536 2>/tmp/dd.err; echo dd exit $?; } && "
                  "grep -o 'No space left on device' /tmp/dd.err && "
                  "stat -c 'fill %s' /mnt/fill && mkdir /mnt/no-room 2>&1; "
                  "rm /mnt/fill && echo removed && umount /mnt && echo UNMOUNTED")
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script])
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "60", "--cmdline", "aramid.stdout=pipe",
                      timeout=90)
        out = run.stdout
        assert "dd exit 1" in out and "No space left on device" in out, run
        size = int(out.split("fill ")[1].split()[0])
        assert size > 4 << 20, run  # most of the 8 MiB was usable
        assert "removed" in out and "UNMOUNTED" in out, run
        _e2fsck(image)
        assert _free_blocks(image) == before


def test_kvm_ext4_exit_without_unmount(ctx):
    """The VM's exit writes back and marks the file system clean."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _make_image(tmp, ["-t", "ext4"])
        script = "mount -t ext4 /dev/vda /mnt && seq 1 5000 > /mnt/kept && mkdir /mnt/dir && echo WROTE"
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script])
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "60", "--cmdline", "aramid.stdout=pipe",
                      timeout=90)
        assert "WROTE" in run.stdout and run.status == 0, run
        _e2fsck(image)
        expected = "".join(f"{i}\n" for i in range(1, 5001)).encode()
        assert _debugfs_cat(image, "kept") == expected
        state = subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True).stdout
        assert "Filesystem state:         clean" in state, state


def _free_blocks(image):
    header = subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True, check=True).stdout
    return int(header.split("Free blocks:")[1].split()[0])


def test_kvm_ext4_second_mount_and_unmount(ctx):
    """A mounted disk cannot be mounted again (EBUSY: two caches and two
    allocators would write over each other), and an unmount leaves no inode
    of the file system behind (the kernel logs any that outlives it)."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _make_image(tmp, ["-t", "ext4", "-b", "4096"])
        script = ("mkdir -p /m2 && mount -t ext4 /dev/vda /mnt && { mount -t ext4 /dev/vda /m2 2>&1; "
                  "mount -t ext4 -o ro /dev/vda /m2 2>&1; true; } && seq 1 1000 > /mnt/a && mkdir /mnt/d && "
                  "umount /mnt && echo UNMOUNTED && mount -t ext4 /dev/vda /m2 && wc -l < /m2/a && umount /m2")
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script])
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "60", "--cmdline", "aramid.stdout=pipe",
                      timeout=90)
        out = run.stdout
        assert out.lower().count("busy") == 2, run
        assert "UNMOUNTED" in out and out.rstrip().endswith("1000"), run
        assert "outlives its file system" not in run.log, run.log
        assert run.status == 0, run
        _e2fsck(image)
        assert len(_debugfs_cat(image, "a")) == len("".join(f"{i}\n" for i in range(1, 1001)))


def test_kvm_ext4_exit_with_a_removed_file_open(ctx):
    """A file removed while a process still has it open is freed at the
    VM's exit, before the file system is marked clean."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _make_image(tmp, ["-t", "ext4", "-b", "4096"])
        before = _free_blocks(image)
        script = ("mount -t ext4 /dev/vda /mnt && seq 1 100000 > /mnt/f && "
                  "{ sh -c 'exec 3</mnt/f; sleep 30' & } && sleep 0.3 && rm /mnt/f && echo REMOVED")
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script])
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "60", "--cmdline", "aramid.stdout=pipe",
                      timeout=90)
        assert "REMOVED" in run.stdout and run.status == 0, run
        _e2fsck(image)
        assert _free_blocks(image) == before


MSYNC_PROGRAM = r"""
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    int fd = open(argv[1], O_RDWR | O_CREAT, 0644);
    if (fd < 0 || ftruncate(fd, 8192) < 0) return 1;
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return 2;
    memcpy(p + 5000, "WRITTEN THROUGH THE MAPPING", 27);
    if (msync(p, 8192, MS_SYNC) < 0) return 3;
    printf("SYNCED\n");
    fflush(stdout);
    pause();
    return 0;
}
"""


def test_kvm_ext4_msync_reaches_the_disk(ctx):
    """msync(MS_SYNC) of a MAP_SHARED mapping writes it back: the VM is
    killed (its timeout) right after, with no unmount or sync, and the image
    holds the file and the bytes written through the mapping."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _make_image(tmp, ["-t", "ext4", "-b", "4096"])
        source = os.path.join(tmp, "msync.c")
        with open(source, "w") as out:
            out.write(MSYNC_PROGRAM)
        binary = os.path.join(tmp, "msync")
        subprocess.run(["musl-gcc", "-static", "-O2", "-o", binary, source], check=True)
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", "mount -t ext4 /dev/vda /mnt && /msync /mnt/f"],
                               files=[("msync", 0o755, open(binary, "rb").read())])
        run = ctx.vmm("--initrd", initrd, "--disk", image, "--timeout", "2", "--cmdline", "aramid.stdout=pipe",
                      timeout=30)
        assert "SYNCED" in run.stdout, run
        data = _debugfs_cat(image, "f")
        assert len(data) == 8192 and data[5000:5027] == b"WRITTEN THROUGH THE MAPPING", data[4990:5040]


def _needs_recovery_image(tmp, checksums, busybox=False):
    """An image whose journal holds a committed transaction that rewrites
    /file's data block (debugfs jw), marked needs_recovery (and with the
    host's static busybox at /bin/busybox, to boot from)."""
    tree = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(tree, "bin"), exist_ok=True)
    with open(os.path.join(tree, "file"), "w") as f:
        f.write("old contents\n")
    if busybox:
        shutil.copy("/bin/busybox", os.path.join(tree, "bin", "busybox"))
    image = os.path.join(tmp, "journal.img")
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree, image, "32M"], check=True,
                   capture_output=True)
    block = subprocess.run(["debugfs", "-R", "bmap /file 0", image], capture_output=True, text=True).stdout.strip()
    data = os.path.join(tmp, "block")
    with open(data, "wb") as f:
        f.write(b"new contents\n".ljust(4096, b"\0"))
    commands = os.path.join(tmp, "commands")
    with open(commands, "w") as f:
        f.write(f"jo{' -c -v 3' if checksums else ''}\njw -b {block} {data}\njc\n")
    subprocess.run(["debugfs", "-w", "-f", commands, image], check=True, capture_output=True)
    assert "needs_recovery" in subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True).stdout
    return image


def test_kvm_ext4_journal_recovery(ctx):
    """A disk left needing journal recovery: a read-write mount replays the
    committed transaction first (as Linux's mount), a read-only mount of a
    writable disk too. A read-only disk does not mount (EROFS: Linux's
    "write access unavailable, cannot proceed (try mounting with noload)")
    unless with noload, which mounts it read-only as it is; noload on a
    read-write mount of it is EINVAL. The same for the root (rootflags=)."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        for checksums in (False, True):
            image = _needs_recovery_image(tmp, checksums)
            run = ctx.vmm("--disk", image, "--", "/bin/sh", "-c",
                          "mount -t ext4 /dev/vda /mnt && cat /mnt/file && umount /mnt")
            assert run.status == 0 and run.stdout.replace("\r", "") == "new contents\n", run
            assert "recovery complete: 1 transactions, 1 blocks replayed" in run.log, run
            _e2fsck(image)
            assert "needs_recovery" not in subprocess.run(["dumpe2fs", "-h", image], capture_output=True,
                                                          text=True).stdout
        image = _needs_recovery_image(tmp, True)
        run = ctx.vmm("--disk", image, "--disk-readonly", "--", "/bin/sh", "-c",
                      "mount -t ext4 -o ro /dev/vda /mnt 2>/dev/null; echo plain=$?; "
                      "mount -t ext4 -o ro,noload /dev/vda /mnt && cat /mnt/file")
        assert run.status == 0 and run.stdout.replace("\r", "") == "plain=255\nold contents\n", run
        assert "write access unavailable, cannot proceed (try mounting with noload)" in run.log, run
        assert "without replaying the journal (noload)" in run.log, run
        run = ctx.vmm("--disk", image, "--", "/bin/sh", "-c",
                      "mount -t ext4 -o norecovery /dev/vda /mnt 2>/dev/null; echo rw-noload=$?")
        assert run.status == 0 and run.stdout.replace("\r", "") == "rw-noload=255\n", run
        assert "required journal recovery suppressed and not mounted read-only" in run.log, run
        image = _needs_recovery_image(tmp, True, busybox=True)
        for initrd, refused in ((True, "cannot mount root=/dev/vda (ext4): Read-only file system"),
                                (False, "cannot mount the root file system /dev/vda (ext4): errno 30")):
            boot = ["--", "/bin/busybox", "cat", "/file"] if initrd else [
                "--no-initrd", "--cmdline", "init=/bin/busybox -- cat /file"]
            run = ctx.vmm("--disk", image, "--disk-readonly", "--cmdline", "root=/dev/vda", *boot)
            assert run.status != 0 and refused in run.stdout + run.log, (initrd, run)
            run = ctx.vmm("--disk", image, "--disk-readonly", "--cmdline", "root=/dev/vda rootflags=noload", *boot)
            assert run.status == 0 and run.stdout.replace("\r", "") == "old contents\n", (initrd, run)
        run = ctx.vmm("--disk", image, "--", "/bin/sh", "-c", "mount -t ext4 -o ro /dev/vda /mnt && cat /mnt/file")
        assert run.status == 0 and run.stdout.replace("\r", "") == "new contents\n", run
        assert "recovery complete" in run.log, run
        _e2fsck(image)


def test_kvm_ext4_remount(ctx):
    """mount -o remount: read-only to read-write and back. A file open for
    writing keeps it writable (EBUSY); read-only again, the disk is written
    back and marked clean (e2fsck -fn is clean while the VM still runs
    and after), and writes are EROFS until the next remount,rw."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _make_image(tmp, ["-t", "ext4"], "16M")
        script = ("mount -t ext4 -o ro /dev/vda /mnt; echo x 2>/dev/null >/mnt/a; echo ro-write=$?; "
                  "mount -o remount,rw /mnt; echo remount-rw=$?; echo one > /mnt/a; grep -c 'vda /mnt ext4 rw' /proc/mounts; "
                  "exec 3>/mnt/b; mount -o remount,ro /mnt 2>/dev/null; echo busy=$?; exec 3>&-; "
                  "mount -o remount,ro /mnt; echo remount-ro=$?; grep -c 'vda /mnt ext4 ro' /proc/mounts; "
                  "echo y 2>/dev/null >/mnt/c; echo ro-again=$?; "
                  "mount -o remount,rw /mnt && echo two > /mnt/c && cat /mnt/a /mnt/c")
        run = ctx.vmm("--disk", image, "--", "/bin/sh", "-c", script)
        assert run.status == 0, run
        assert run.stdout.replace("\r", "").split("\n")[:-1] == [
            "ro-write=1", "remount-rw=0", "1", "busy=255", "remount-ro=0", "1", "ro-again=1", "one", "two"], run
        _e2fsck(image)
        assert _debugfs_cat(image, "c") == b"two\n"
