#include <fs/devfs/block_device_file.h>
#include <fs/devfs/devices.h>
#include <fs/tmpfs/tmpfs.h>
#include <fs/vfs/vfs.h>
#include <kernel/drivers/random.h>
#include <kernel/drivers/tty.h>
#include <lib/format.h>

#include <new>

namespace devices {

namespace {

enum class Mem { Null, Zero, Full, Random };

class MemFile final : public File {
public:
    MemFile(Mem kind, u64 rdev, u32 flags) : File(flags), m_kind(kind), m_rdev(rdev) { }
    Result<usize> read(IoBuffer buffer, usize length) override {
        switch (m_kind) {
        case Mem::Null: return usize(0);
        case Mem::Zero:
        case Mem::Full: TRY(buffer.fill_zero(0, length)); return length;
        case Mem::Random: {
            u8 chunk[256];
            for (usize done = 0; done < length;) {
                usize n = lib::min(length - done, sizeof(chunk));
                random::fill(chunk, n);
                TRY(buffer.write(done, chunk, n));
                done += n;
            }
            return length;
        }
        }
        return usize(0);
    }
    Result<usize> write(IoBuffer, usize length) override {
        if (m_kind == Mem::Full) return Errno(ENOSPC);
        return length;
    }
    Result<usize> pread(u64, IoBuffer buffer, usize length) override { return read(buffer, length); }
    Result<usize> pwrite(u64, IoBuffer buffer, usize length) override { return write(buffer, length); }
    Result<u64> seek(i64, int) override { return u64(0); }
    InodeMetadata metadata() override {
        InodeMetadata m;
        m.mode = vfs::kModeCharacter | 0666;
        m.rdev = m_rdev;
        return m;
    }

private:
    Mem m_kind;
    u64 m_rdev;
};

Result<RefPtr<File>> make_mem(Mem kind, u64 rdev, u32 flags) {
    auto* f = new (std::nothrow) MemFile(kind, rdev, flags);
    if (!f) return Errno(ENOMEM);
    return RefPtr<File>::adopt(f);
}

} // namespace

Result<RefPtr<File>> open(u64 rdev, u32 flags) {
    if (rdev == vfs::make_device(1, 3)) return make_mem(Mem::Null, rdev, flags);
    if (rdev == vfs::make_device(1, 5)) return make_mem(Mem::Zero, rdev, flags);
    if (rdev == vfs::make_device(1, 7)) return make_mem(Mem::Full, rdev, flags);
    if (rdev == vfs::make_device(1, 8) || rdev == vfs::make_device(1, 9)) return make_mem(Mem::Random, rdev, flags);
    if (rdev == vfs::make_device(5, 0) || rdev == vfs::make_device(5, 1) || rdev == vfs::make_device(4, 64))
        return tty::open_console(rdev, flags);
    return Errno(ENXIO);
}

Result<RefPtr<File>> open_block(u64 rdev, u32 flags) {
    BlockDevice* device = block::find(rdev);
    if (!device) return Errno(ENXIO);
    return open_block_device(*device, flags);
}

Result<void> populate_dev() {
    auto dev = TRY(TmpFs::create());
    TRY(vfs::mount(dev, "/dev"));
    vfs::KernelContext const kernel;
    vfs::Context const c = kernel.context();
    struct Node {
        char const* path;
        u32 major, minor, mode;
    };
    static constexpr Node kNodes[] = {
        { "/dev/null", 1, 3, 0666 }, { "/dev/zero", 1, 5, 0666 }, { "/dev/full", 1, 7, 0666 },
        { "/dev/random", 1, 8, 0666 }, { "/dev/urandom", 1, 9, 0666 }, { "/dev/tty", 5, 0, 0666 },
        { "/dev/console", 5, 1, 0600 }, { "/dev/ttyS0", 4, 64, 0620 },
    };
    for (auto const& node : kNodes)
        TRY(vfs::mknod(c, node.path, vfs::kModeCharacter | node.mode, vfs::make_device(node.major, node.minor)));
    // root:root 0660, as devtmpfs creates them (udev would make the group "disk").
    for (usize i = 0; i < block::count(); i++) {
        BlockDevice const& disk = block::at(i);
        char path[16];
        lib::format_to(path, sizeof(path), "/dev/%s", disk.name());
        TRY(vfs::mknod(c, path, vfs::kModeBlock | 0660, disk.rdev()));
    }
    TRY(vfs::mkdir(c, "/dev/shm", 01777));
    TRY(vfs::mkdir(c, "/dev/pts", 0755));
    TRY(vfs::symlink(c, "/proc/self/fd", "/dev/fd"));
    TRY(vfs::symlink(c, "/proc/self/fd/0", "/dev/stdin"));
    TRY(vfs::symlink(c, "/proc/self/fd/1", "/dev/stdout"));
    TRY(vfs::symlink(c, "/proc/self/fd/2", "/dev/stderr"));
    return {};
}

} // namespace devices
