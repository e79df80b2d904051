"""ext2/ext3/ext4 read-only: a tree made on the host with `mke2fs -d` is
served as the guest's disk (aramid-vmm --disk, QEMU's virtio-blk-device),
mounted in the guest with busybox mount, and described by a script --
names, types, sizes, modes, owners, times, link targets, device numbers,
md5sums. The same script run by the host's busybox on the source tree is
the oracle: the two descriptions must be identical.

What the host's tree cannot tell (its st_dev and st_blocks are the host's
own), PROBE checks in the guest against the image itself: st_dev is the
disk's (254:0), st_blocks is the inode's i_blocks (debugfs's Blockcount),
getdents64 gives a linear directory's byte offsets as d_off (what Linux's
ext4 gives; the raw directory from debugfs is the oracle) and lseek to one
resumes there, and each change a read-only mount refuses fails with Linux's
errno (RO_EXPECTED, recorded from Linux 6.18 with the same tree on a
read-only loop mount). Then busybox mount without -t finds ext4 through
/proc/filesystems."""
import os
import struct
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


# Files whose st_blocks the guest reports, compared with debugfs's Blockcount:
# a sparse file (fewer blocks than its size), files that need indirect or
# extent-tree blocks, a directory, symlinks, an empty file.
BLOCK_PATHS = ["sparse", "big.bin", "bin/busybox", "one", "empty", "many", "a/b/c/deep.txt", "fast-link", "slow-link"]

PROBE = r"""
/* Guest-side checks of test_ext4.py, run in the mount's root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static char const *name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EROFS: return "EROFS";
    case EBUSY: return "EBUSY";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EBADF: return "EBADF";
    }
    return "other";
}

static void show(char const *what, long r)
{
    printf("%s: %s\n", what, r == -1 ? name(errno) : "ok");
}
#define TRY(what, expr) do { errno = 0; long r_ = (long)(expr); if (r_ >= 0 && strstr(what, "open")) close((int)r_); show(what, r_ == -1 ? -1 : 0); } while (0)

/* <linux/stat.h>'s struct statx, which musl's headers do not carry. */
struct statx_timestamp_ {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct statx_ {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, spare0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct statx_timestamp_ stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};

static int statx_(char const *path, struct statx_ *x)
{
    return (int)syscall(SYS_statx, AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, 0x7ffu /* STATX_BASIC_STATS */, x);
}

static void devices(char const *path)
{
    struct stat s, f;
    struct statx_ x;
    if (lstat(path, &s) || statx_(path, &x)) {
        printf("dev %s: %s\n", path, name(errno));
        return;
    }
    int fd = open(path, O_PATH | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &f)) f.st_dev = 0;
    close(fd);
    printf("dev %s: stat %u:%u fstat %u:%u statx %u:%u\n", path, major(s.st_dev), minor(s.st_dev), major(f.st_dev),
           minor(f.st_dev), x.stx_dev_major, x.stx_dev_minor);
}

static void blocks(char const *path)
{
    struct stat s;
    struct statx_ x;
    if (lstat(path, &s) || statx_(path, &x)) {
        printf("blocks %s: %s\n", path, name(errno));
        return;
    }
    printf("blocks %s: stat %lld statx %llu\n", path, (long long)s.st_blocks, (unsigned long long)x.stx_blocks);
}

struct entry64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* The next entry at the directory's position, or "(end)". */
static char const *next_name(int fd, char *buf, size_t size)
{
    long n = syscall(SYS_getdents64, fd, buf, size);
    if (n < 0) return name(errno);
    return n == 0 ? "(end)" : ((struct entry64 *)buf)->d_name;
}

static char names[700][64];
static int64_t offsets[700];

/* Lists `path` with a 64-byte buffer: one entry a call (a record of "many"
 * takes 56 bytes; "." and ".." come together), then seeks to returned
 * d_offs. */
static void directory(char const *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    char buf[64] __attribute__((aligned(8)));
    int count = 0, calls = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n < 0) {
            printf("getdents64: %s\n", name(errno));
            break;
        }
        if (n == 0) break;
        calls++;
        for (long off = 0; off < n && count < 700;) {
            struct entry64 *e = (struct entry64 *)(buf + off);
            snprintf(names[count], sizeof names[count], "%s", e->d_name);
            offsets[count++] = e->d_off;
            printf("dirent %s %lld\n", e->d_name, (long long)e->d_off);
            off += e->d_reclen;
        }
    }
    printf("listed %d entries, one or two a call: %s\n", count, calls >= count - 1 ? "yes" : "no");
    int const at[] = { 0, 1, 2, count / 2, count - 2, count - 1 };
    char big[1024] __attribute__((aligned(8)));
    for (unsigned i = 0; i < sizeof at / sizeof at[0]; i++) {
        if (at[i] < 0 || at[i] >= count) continue;
        lseek(fd, offsets[at[i]], SEEK_SET);
        printf("seek after %s: %s\n", names[at[i]], next_name(fd, big, sizeof big));
    }
    lseek(fd, 0, SEEK_SET);
    printf("seek to 0: %s\n", next_name(fd, big, sizeof big));
    close(fd);
}

static void probe(char const *who)
{
    printf("-- %s\n", who);
    TRY("access one W_OK", access("one", W_OK));
    TRY("access one R_OK", access("one", R_OK));
    TRY("access almost-a-block W_OK", access("almost-a-block", W_OK));
    TRY("access a W_OK", access("a", W_OK));
    TRY("access fast-link W_OK", access("fast-link", W_OK));
    TRY("faccessat fast-link W_OK nofollow", faccessat(AT_FDCWD, "fast-link", W_OK, AT_SYMLINK_NOFOLLOW));
    TRY("access null W_OK", access("null", W_OK));
    TRY("access fifo W_OK", access("fifo", W_OK));
    TRY("open one O_WRONLY", open("one", O_WRONLY));
    TRY("open almost-a-block O_WRONLY", open("almost-a-block", O_WRONLY));
    TRY("open one O_RDONLY|O_TRUNC", open("one", O_RDONLY | O_TRUNC));
    TRY("open null O_WRONLY", open("null", O_WRONLY));
    TRY("open new O_CREAT", open("new", O_WRONLY | O_CREAT, 0644));
    TRY("open one O_CREAT|O_EXCL", open("one", O_WRONLY | O_CREAT | O_EXCL, 0644));
    TRY("open one O_CREAT", open("one", O_RDONLY | O_CREAT, 0644));
    TRY("creat new", creat("new", 0644));
    TRY("chmod one", chmod("one", 0600));
    TRY("chmod almost-a-block", chmod("almost-a-block", 0600));
    TRY("chmod null", chmod("null", 0600));
    TRY("chown one", chown("one", 1000, 1001));
    TRY("chown almost-a-block", chown("almost-a-block", 0, 0));
    TRY("lchown fast-link", lchown("fast-link", 0, 0));
    TRY("utimensat one now", utimensat(AT_FDCWD, "one", NULL, 0));
    TRY("utimensat almost-a-block now", utimensat(AT_FDCWD, "almost-a-block", NULL, 0));
    struct timespec times[2] = { { 1, 0 }, { 2, 0 } };
    TRY("utimensat almost-a-block times", utimensat(AT_FDCWD, "almost-a-block", times, 0));
    int fd = open("one", O_RDONLY);
    TRY("fchmod one", fchmod(fd, 0600));
    TRY("fchown one", fchown(fd, 1000, 1001));
    TRY("futimens one", futimens(fd, NULL));
    TRY("ftruncate one", ftruncate(fd, 0));
    close(fd);
    TRY("truncate one", truncate("one", 0));
    TRY("truncate almost-a-block", truncate("almost-a-block", 0));
    TRY("truncate a", truncate("a", 0));
    TRY("truncate null", truncate("null", 0));
    TRY("truncate missing", truncate("missing", 0));
    TRY("mkdir new", mkdir("new", 0755));
    TRY("mkdir a", mkdir("a", 0755));
    TRY("mkdir a/b/new", mkdir("a/b/new", 0755));
    TRY("mknod new fifo", mknod("new", S_IFIFO | 0644, 0));
    TRY("mkfifo one", mkfifo("one", 0644));
    TRY("symlink new", symlink("x", "new"));
    TRY("symlink one", symlink("x", "one"));
    TRY("link one new", link("one", "new"));
    TRY("link one one", link("one", "one"));
    TRY("link a new", link("a", "new"));
    TRY("link missing new", link("missing", "new"));
    TRY("unlink one", unlink("one"));
    TRY("unlink missing", unlink("missing"));
    TRY("unlink a", unlink("a"));
    TRY("rmdir a", rmdir("a"));
    TRY("rmdir missing", rmdir("missing"));
    TRY("rmdir .", rmdir("."));
    TRY("rmdir one", rmdir("one"));
    TRY("rename one new", rename("one", "new"));
    TRY("rename missing new", rename("missing", "new"));
    TRY("rename one a", rename("one", "a"));
    TRY("rename one /x", rename("one", "/ro-probe-x"));
}


int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]) != 0) return 2;
    char const *const files[] = { "one", "a", "sparse", "fast-link", "null" };
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) devices(files[i]);
    for (int i = 2; i < argc; i++) blocks(argv[i]);
    directory("many");
    probe("root");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        if (setgid(1001) != 0 || setuid(1000) != 0) _exit(3);
        probe("uid 1000");
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    printf("PROBED %d\n", status);
    return 0;
}
"""

# PROBE's answers on Linux 6.18 (a read-only loop mount of this tree): the
# mount's read-only check (mnt_want_write, and sb_permission inside
# inode_permission for writes to files, directories and symlinks) comes
# before permission checks and most lookups; device nodes and fifos stay
# writable as far as access(2) and open(2) go.
RO_EXPECTED = """-- root
access one W_OK: EROFS
access one R_OK: ok
access almost-a-block W_OK: EROFS
access a W_OK: EROFS
access fast-link W_OK: EROFS
faccessat fast-link W_OK nofollow: EROFS
access null W_OK: ok
access fifo W_OK: ok
open one O_WRONLY: EROFS
open almost-a-block O_WRONLY: EROFS
open one O_RDONLY|O_TRUNC: EROFS
open null O_WRONLY: ok
open new O_CREAT: EROFS
open one O_CREAT|O_EXCL: EEXIST
open one O_CREAT: ok
creat new: EROFS
chmod one: EROFS
chmod almost-a-block: EROFS
chmod null: EROFS
chown one: EROFS
chown almost-a-block: EROFS
lchown fast-link: EROFS
utimensat one now: EROFS
utimensat almost-a-block now: EROFS
utimensat almost-a-block times: EROFS
fchmod one: EROFS
fchown one: EROFS
futimens one: EROFS
ftruncate one: EINVAL
truncate one: EROFS
truncate almost-a-block: EROFS
truncate a: EISDIR
truncate null: EINVAL
truncate missing: ENOENT
mkdir new: EROFS
mkdir a: EEXIST
mkdir a/b/new: EROFS
mknod new fifo: EROFS
mkfifo one: EEXIST
symlink new: EROFS
symlink one: EEXIST
link one new: EROFS
link one one: EEXIST
link a new: EROFS
link missing new: ENOENT
unlink one: EROFS
unlink missing: EROFS
unlink a: EROFS
rmdir a: EROFS
rmdir missing: EROFS
rmdir .: EINVAL
rmdir one: EROFS
rename one new: EROFS
rename missing new: EROFS
rename one a: EROFS
rename one /x: EXDEV
-- uid 1000
access one W_OK: EROFS
access one R_OK: ok
access almost-a-block W_OK: EROFS
access a W_OK: EROFS
access fast-link W_OK: EROFS
faccessat fast-link W_OK nofollow: EROFS
access null W_OK: EACCES
access fifo W_OK: EACCES
open one O_WRONLY: EROFS
open almost-a-block O_WRONLY: EROFS
open one O_RDONLY|O_TRUNC: EROFS
open null O_WRONLY: EACCES
open new O_CREAT: EROFS
open one O_CREAT|O_EXCL: EEXIST
open one O_CREAT: ok
creat new: EROFS
chmod one: EROFS
chmod almost-a-block: EROFS
chmod null: EROFS
chown one: EROFS
chown almost-a-block: EROFS
lchown fast-link: EROFS
utimensat one now: EROFS
utimensat almost-a-block now: EROFS
utimensat almost-a-block times: EROFS
fchmod one: EROFS
fchown one: EROFS
futimens one: EROFS
ftruncate one: EINVAL
truncate one: EROFS
truncate almost-a-block: EROFS
truncate a: EISDIR
truncate null: EINVAL
truncate missing: ENOENT
mkdir new: EROFS
mkdir a: EEXIST
mkdir a/b/new: EACCES
mknod new fifo: EROFS
mkfifo one: EEXIST
symlink new: EROFS
symlink one: EEXIST
link one new: EROFS
link one one: EEXIST
link a new: EROFS
link missing new: ENOENT
unlink one: EROFS
unlink missing: EROFS
unlink a: EROFS
rmdir a: EROFS
rmdir missing: EROFS
rmdir .: EINVAL
rmdir one: EROFS
rename one new: EROFS
rename missing new: EROFS
rename one a: EROFS
rename one /x: EXDEV
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
    probe_source = os.path.join(tmp, "probe.c")
    with open(probe_source, "w") as out:
        out.write(PROBE)
    probe = os.path.join(tmp, "probe")
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", probe, probe_source], check=True)
    guest = ("mkdir -p /mnt && mount -t ext4 -o ro /dev/vda /mnt && sh /describe.sh /mnt && "
             "grep ' /mnt ' /proc/mounts && /mnt/bin/busybox echo ran from the disk && "
             "{ touch /mnt/new 2>&1 || true; } && /probe /mnt " + " ".join(BLOCK_PATHS) + " && "
             "umount /mnt && ls -A /mnt && echo UNMOUNTED && "
             "cat /proc/filesystems && mount /dev/vda /mnt 2>&1 && grep ' /mnt ' /proc/mounts && umount /mnt && "
             "echo MOUNTED WITHOUT TYPE")
    initrd = ctx.initramfs(tmp, argv=["/bin/sh", "-c", guest],
                           files=[("describe.sh", 0o755, DESCRIBE.encode()), ("probe", 0o755, open(probe, "rb").read())])
    return image, initrd, expected + _probe_expected(image)


def _debugfs(image, request):
    return subprocess.run(["debugfs", "-R", request, image], capture_output=True, check=True).stdout


def _probe_expected(image):
    """PROBE's output as Linux gives it for this image."""
    lines = [f"dev {name}: stat 254:0 fstat 254:0 statx 254:0" for name in ("one", "a", "sparse", "fast-link", "null")]
    for path in BLOCK_PATHS:
        stat = _debugfs(image, f"stat /{path}").decode()
        count = int(stat.split("Blockcount:")[1].split()[0])
        lines.append(f"blocks {path}: stat {count} statx {count}")
    # The raw directory: an entry's d_off is where the next live record
    # starts, or the directory's end (Linux's ext4 for a directory without
    # an htree index: the position getdents64 would continue from).
    raw = _debugfs(image, "cat /many")
    names, positions = [], []
    position = 0
    while position + 8 <= len(raw):
        inode, rec_len, name_len = struct.unpack_from("<IHB", raw, position)
        if rec_len < 12:
            break
        if inode:
            names.append(raw[position + 8:position + 8 + name_len].decode())
            positions.append(position)
        position += rec_len
    offsets = positions[1:] + [len(raw)]
    lines += [f"dirent {n} {o}" for n, o in zip(names, offsets)]
    lines.append(f"listed {len(names)} entries, one or two a call: yes")
    count = len(names)
    for k in (0, 1, 2, count // 2, count - 2, count - 1):
        lines.append(f"seek after {names[k]}: {names[k + 1] if k + 1 < count else '(end)'}")
    lines.append("seek to 0: .")
    return "\n".join(lines) + "\n" + RO_EXPECTED + "PROBED 0\n"


def _check(run, expected):
    described = run.stdout.replace("\r", "")
    assert "DESCRIBED" in described, run
    got = described[:described.index("DESCRIBED")]
    want = expected[:expected.index("DESCRIBED")]
    assert got == want, f"the guest's description differs from the host's:\n{_diff(want, got)}"
    rest = described[described.index("DESCRIBED"):]
    assert "/dev/vda /mnt ext4 ro" in rest, run
    assert "ran from the disk" in rest, run
    assert "Read-only file system" in rest, run
    assert "PROBED" in rest, run
    probe_got = rest[rest.index("dev one:"):rest.index("PROBED")]
    probe_want = expected[expected.index("dev one:"):expected.index("PROBED")]
    assert probe_got == probe_want, f"the guest's probe differs from Linux's:\n{_diff(probe_want, probe_got)}"
    assert run.status == 0, run
    after = rest[rest.index("PROBED"):]
    assert "UNMOUNTED" in after and "many" not in after.split("UNMOUNTED")[0], run
    filesystems = after.split("UNMOUNTED")[1]
    assert "nodev\ttmpfs\n" in filesystems and "\text4\n" in filesystems, run
    assert "/dev/vda /mnt ext4 ro" in filesystems, run
    assert after.rstrip().endswith("MOUNTED WITHOUT TYPE"), run


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
