"""`aramid-mon fs-bitmaps` on a live guest: an image mke2fs makes on the host
is the guest's disk (aramid-vmm --disk), mounted read-only in the guest,
which then sleeps while the test asks the monitor. A clean image shows the
mount -- its mount point, type, geometry -- with no disagreement; an image
corrupted on the host with debugfs (a file's block freed in the bitmap,
a file's inode freed, two files on one block) shows exactly that, naming
the inode and the logical block. Once the guest unmounts, the mount is gone
from the report. On /dev/kvm only: the monitor is part of aramid-vmm."""
import os
import subprocess
import tempfile

from test_monitor import MonitoredVm, _wait_until

MOUNTED_SECONDS = 8


def _tree(root):
    def write(path, data):
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as out:
            out.write(data)
    write("a", b"a")
    write("b", b"bb")
    write("big", bytes((i * 31 + 7) & 0xff for i in range(1 << 20)))
    write("dir/nested.txt", b"nested\n" * 500)
    for i in range(100):
        write(f"many/entry-{i:03d}", str(i).encode())
    os.symlink("a", os.path.join(root, "link"))


def _image(tmp, mkfs_args):
    tree = os.path.join(tmp, "tree")
    os.makedirs(tree)
    _tree(tree)
    image = os.path.join(tmp, "disk.img")
    subprocess.run(["mke2fs", "-q", "-F", *mkfs_args, "-d", tree, image, "16M"], check=True, capture_output=True,
                   env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    return image


def _debugfs(image, request, writable=False):
    return subprocess.run(["debugfs", *(["-w"] if writable else []), "-R", request, image],
                          capture_output=True, check=True, text=True).stdout


def _number_after(text, label):
    return int(text.split(label, 1)[1].split()[0])


class MountedVm(MonitoredVm):
    """The guest mounts the disk read-only at /mnt, keeps it mounted for a
    while, unmounts it and sleeps on."""

    def __init__(self, ctx, tmp, image, fs_type):
        script = (f"mkdir -p /mnt && mount -t {fs_type} -o ro /dev/vda /mnt && cat /mnt/a && echo MOUNTED && "
                  f"sleep {MOUNTED_SECONDS} && umount /mnt && echo UNMOUNTED && sleep 30")
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script])
        super().__init__(ctx, tmp, "--initrd", initrd, "--disk", image, "--disk-readonly", "--timeout", "60")

    def mounted(self):
        def report():
            fs = self.json("fs-bitmaps")["filesystems"]
            return fs if fs and fs[0]["mount_point"] else None
        return _wait_until(report, 20, "the guest's mount in fs-bitmaps")

    def wait_unmounted(self):
        _wait_until(lambda: not self.json("fs-bitmaps")["filesystems"], MOUNTED_SECONDS + 20, "the unmount")


def _only(filesystems):
    assert len(filesystems) == 1, filesystems
    fs = filesystems[0]
    assert fs["problem"] is None, fs
    assert fs["mount_point"] == "/mnt" and fs["read_only"] and not fs["torn"], fs
    assert (fs["dev_major"], fs["dev_minor"]) == (254, 0), fs
    assert fs["checked"] and fs["complete"] and fs["note_count"] == 0, fs
    assert fs["dirty_blocks"] == 0 and not fs["busy"], fs  # a read-only mount changes nothing
    return fs


def test_kvm_fs_bitmaps_clean_image(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _image(tmp, ["-t", "ext4", "-b", "4096"])
        stats = _debugfs(image, "stats")
        with MountedVm(ctx, tmp, image, "ext4") as vm:
            fs = _only(vm.mounted())
            assert fs["type"] == "ext4", fs
            assert fs["disagreements"] == 0 and fs["items"] == [], fs
            assert all(count == 0 for count in fs["counts"].values()), fs
            assert sorted(fs["counts"]) == sorted([
                "block_used_but_free", "block_leaked", "block_multiply_claimed", "inode_used_but_free",
                "inode_marked_but_unused", "bad_block_pointer", "group_free_blocks", "group_free_inodes"]), fs
            assert fs["block_size"] == 4096 and fs["blocks"] == _number_after(stats, "Block count:"), fs
            assert fs["inodes"] == _number_after(stats, "Inode count:"), fs
            assert fs["blocks"] - fs["blocks_used"] == _number_after(stats, "Free blocks:"), fs
            assert fs["inodes"] - fs["inodes_used"] == _number_after(stats, "Free inodes:"), fs
            text = vm.mon("fs-bitmaps")
            assert text.returncode == 0, text
            assert "/mnt: ext4 on 254:0, ro, 4096-byte blocks" in text.stdout, text.stdout
            assert "no disagreements" in text.stdout, text.stdout
            snapshot = vm.json("fs-bitmaps")["snapshot"]
            assert snapshot["paused"] and snapshot["held_ns"] > 0, snapshot
            vm.wait_unmounted()


def test_kvm_fs_bitmaps_names_a_freed_block_and_inode(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _image(tmp, ["-t", "ext4", "-b", "1024"])
        big = _number_after(_debugfs(image, "stat /big"), "Inode:")
        block = [int(b) for b in _debugfs(image, "blocks /big").split()][2]
        nested = _number_after(_debugfs(image, "stat /dir/nested.txt"), "Inode:")
        _debugfs(image, f"freeb {block}", writable=True)
        _debugfs(image, "freei /dir/nested.txt", writable=True)
        with MountedVm(ctx, tmp, image, "ext4") as vm:
            fs = _only(vm.mounted())
            counts = fs["counts"]
            assert counts["block_used_but_free"] == 1 and counts["inode_used_but_free"] == 1, fs
            # debugfs changes the bitmaps alone: the group's counts disagree too.
            assert counts["group_free_blocks"] == 1 and counts["group_free_inodes"] == 1, fs
            assert fs["disagreements"] == 4, fs
            used = [i for i in fs["items"] if i["kind"] == "block_used_but_free"]
            assert len(used) == 1, fs["items"]
            assert used[0]["block"] == block and used[0]["inode"] == big, used
            assert used[0]["owner"] == {"role": "data", "inode": big, "logical": 2, "group": 0}, used
            assert used[0]["other"] is None, used
            inode = [i for i in fs["items"] if i["kind"] == "inode_used_but_free"]
            assert len(inode) == 1 and inode[0]["inode"] == nested, fs["items"]
            text = vm.mon("fs-bitmaps").stdout
            assert "4 disagreements: 1 block used but free, 1 inode used but free" in text, text
            assert f"block {block} is used by inode {big} (logical block 2, data) but free in the block bitmap" \
                in text, text
            vm.wait_unmounted()


def test_kvm_fs_bitmaps_two_files_on_one_block_ext2(ctx):
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _image(tmp, ["-t", "ext2", "-b", "1024"])
        a = _number_after(_debugfs(image, "stat /a"), "Inode:")
        b = _number_after(_debugfs(image, "stat /b"), "Inode:")
        shared = int(_debugfs(image, "blocks /a").split()[0])
        old = int(_debugfs(image, "blocks /b").split()[0])
        _debugfs(image, f"sif /b block[0] {shared}", writable=True)
        with MountedVm(ctx, tmp, image, "ext2") as vm:
            fs = _only(vm.mounted())
            assert fs["type"] == "ext2", fs
            assert fs["counts"]["block_multiply_claimed"] == 1 and fs["counts"]["block_leaked"] == 1, fs
            assert fs["disagreements"] == 2, fs
            claimed = [i for i in fs["items"] if i["kind"] == "block_multiply_claimed"][0]
            assert claimed["block"] == shared, claimed
            assert {claimed["owner"]["inode"], claimed["other"]["inode"]} == {a, b}, claimed
            leaked = [i for i in fs["items"] if i["kind"] == "block_leaked"][0]
            assert leaked["block"] == old and leaked["owner"] is None, leaked
            vm.wait_unmounted()


def test_kvm_fs_bitmaps_read_write_mount_with_unwritten_blocks(ctx):
    """A read-write guest that has written files, removed some and holds one
    open after removing it, none of it synced: the image alone is still the
    one mke2fs made (none of the new files), but the image with the guest's
    dirty blocks -- what fs-bitmaps checks -- has them all, and agrees with
    itself (the open removed file is on the orphan list, as on Linux). Then
    the guest closes the file and unmounts, and the image is clean."""
    ctx.require_kvm()
    with tempfile.TemporaryDirectory() as tmp:
        image = _image(tmp, ["-t", "ext4", "-b", "1024"])
        script = ("mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && seq 1 100000 > /mnt/numbers && mkdir /mnt/d && "
                  "for i in $(seq 1 60); do echo $i > /mnt/d/f$i; done && rm /mnt/d/f7 /mnt/many/entry-050 && "
                  "exec 3</mnt/big && rm /mnt/big && echo WRITTEN && sleep 8 && exec 3<&- && umount /mnt && "
                  "echo UNMOUNTED && sleep 30")
        initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", script])
        with MonitoredVm(ctx, tmp, "--initrd", initrd, "--disk", image, "--timeout", "60") as vm:
            _wait_until(lambda: "WRITTEN" in open(vm.stdout_path, errors="replace").read(), 20, "the guest's writes")
            stale = _debugfs(image, "ls /")
            header = subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True, check=True).stdout
            used_on_disk = _number_after(header, "Inode count:") - _number_after(header, "Free inodes:")
            filesystems = vm.json("fs-bitmaps")["filesystems"]
            assert len(filesystems) == 1, filesystems
            fs = filesystems[0]
            assert fs["problem"] is None and fs["checked"] and fs["complete"], fs
            assert not fs["read_only"] and not fs["busy"], fs
            assert fs["dirty_blocks"] > 0, fs
            assert fs["disagreements"] == 0, fs
            assert "numbers" not in stale and "big" in stale, stale  # the image alone: nothing written yet
            # numbers, d and d/f1..f60 less f7 and many/entry-050; big is an orphan, still in use.
            assert fs["inodes_used"] == used_on_disk + 60, (fs, used_on_disk)
            _wait_until(lambda: "UNMOUNTED" in open(vm.stdout_path, errors="replace").read(), 30, "the unmount")
        check = subprocess.run(["e2fsck", "-fn", image], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
