#include <fs/devfs/block_device_file.h>
#include <kernel/proc/process.h>
#include <uapi/fcntl.h>
#include <uapi/fs.h>

#include <new>

namespace devices {

namespace {

constexpr usize kSectorSize = BlockDevice::kSectorSize;

class BlockDeviceFile final : public File {
public:
    BlockDeviceFile(BlockDevice& device, u32 flags) : File(flags), m_device(device) { }

    FileKind kind() const override { return FileKind::Device; }

    Result<usize> read(IoBuffer buffer, usize length) override {
        usize const n = TRY(pread(m_offset, buffer, length));
        m_offset += n;
        return n;
    }

    Result<usize> write(IoBuffer buffer, usize length) override {
        // O_APPEND writes at the end, as for any file: on a disk that is ENOSPC.
        if (m_flags & vfs::kAppend) m_offset = m_device.size();
        usize const n = TRY(pwrite(m_offset, buffer, length));
        m_offset += n;
        return n;
    }

    Result<usize> pread(u64 offset, IoBuffer buffer, usize length) override;
    Result<usize> pwrite(u64 offset, IoBuffer buffer, usize length) override;
    Result<u64> seek(i64 offset, int whence) override;
    Result<u64> ioctl(u32 request, u64 argument) override;
    Result<void> sync() override { return m_device.flush(); }

    InodeMetadata metadata() override {
        InodeMetadata m;
        m.mode = vfs::kModeBlock | 0660;
        m.rdev = m_device.rdev();
        // st_size 0, as Linux reports for a device node; BLKGETSIZE64 and
        // lseek(SEEK_END) give the disk's size.
        return m;
    }

private:
    // A bounce buffer for a transfer of `length` bytes at `offset`: the
    // sectors it touches, up to one request's worth.
    Result<DmaBuffer> allocate_bounce(u64 offset, usize length) const {
        usize const span = align_up(usize(offset % kSectorSize) + length, kSectorSize);
        return DmaBuffer::allocate(lib::min(span, request_bytes()));
    }
    usize request_bytes() const { return m_device.max_request_sectors() * kSectorSize; }

    BlockDevice& m_device;
    u64 m_offset { 0 };
};

// Bytes done if any, else the error: a short count, as Linux reports an
// I/O error or a bad user buffer met after some bytes moved.
Result<usize> partial(usize done, Errno error) {
    if (done) return done;
    return error;
}

Result<usize> BlockDeviceFile::pread(u64 offset, IoBuffer buffer, usize length) {
    u64 const size = m_device.size();
    if (offset >= size || length == 0) return usize(0);
    length = usize(lib::min(u64(length), size - offset));
    auto bounce = TRY(allocate_bounce(offset, length));
    usize const capacity = lib::min(bounce.size(), request_bytes());
    usize done = 0;
    while (done < length) {
        u64 const position = offset + done;
        usize const skip = usize(position % kSectorSize);
        usize const chunk = lib::min(length - done, capacity - skip);
        usize const sectors = align_up(skip + chunk, kSectorSize) / kSectorSize;
        if (auto r = m_device.read_sectors(position / kSectorSize, sectors, bounce); r.is_error())
            return partial(done, r.error());
        if (auto r = buffer.write(done, bounce.data() + skip, chunk); r.is_error()) return partial(done, r.error());
        done += chunk;
    }
    return done;
}

Result<usize> BlockDeviceFile::pwrite(u64 offset, IoBuffer buffer, usize length) {
    if (m_device.read_only()) return Errno(EPERM); // Linux's blkdev_write_iter; open() refuses first
    if (length == 0) return usize(0);
    u64 const size = m_device.size();
    // Linux: ENOSPC at or past the end; a write that crosses it is short.
    if (offset >= size) return Errno(ENOSPC);
    length = usize(lib::min(u64(length), size - offset));
    auto bounce = TRY(allocate_bounce(offset, length));
    usize const capacity = lib::min(bounce.size(), request_bytes());
    // The first and last sectors of a write that is not sector-aligned are
    // read here (first at 0, last at kSectorSize) and merged.
    DmaBuffer edges;
    if (offset % kSectorSize || (offset + length) % kSectorSize) edges = TRY(DmaBuffer::allocate(2 * kSectorSize));
    usize done = 0;
    while (done < length) {
        u64 const position = offset + done;
        u64 const first = position / kSectorSize;
        usize const skip = usize(position % kSectorSize);
        usize const chunk = lib::min(length - done, capacity - skip);
        usize const end = skip + chunk; // in the bounce buffer
        usize const sectors = align_up(end, kSectorSize) / kSectorSize;
        // The user's bytes first: a fault in the copy may take any time,
        // and nothing may run between reading the partial sectors and
        // writing them back (on one CPU, in a kernel that is not
        // preempted, that makes the read-modify-write atomic; SMP will
        // need a per-disk lock around it).
        if (auto r = buffer.read(done, bounce.data() + skip, chunk); r.is_error()) return partial(done, r.error());
        if (skip) {
            if (auto r = m_device.read_sectors(first, 1, edges, 0); r.is_error()) return partial(done, r.error());
            __builtin_memcpy(bounce.data(), edges.data(), skip);
        }
        if (usize const tail = end % kSectorSize) {
            u64 const last = first + sectors - 1;
            usize source = 0; // the first sector, if it is also the last one and read already
            if (!skip || last != first) {
                if (auto r = m_device.read_sectors(last, 1, edges, kSectorSize); r.is_error())
                    return partial(done, r.error());
                source = kSectorSize;
            }
            __builtin_memcpy(bounce.data() + end, edges.data() + source + tail, kSectorSize - tail);
        }
        if (auto r = m_device.write_sectors(first, sectors, bounce); r.is_error()) return partial(done, r.error());
        done += chunk;
    }
    return done;
}

// Linux's fixed_size_llseek: SEEK_SET, SEEK_CUR and SEEK_END only, and the
// position stays within [0, size].
Result<u64> BlockDeviceFile::seek(i64 offset, int whence) {
    i64 const size = i64(m_device.size());
    i64 position;
    switch (whence) {
    case uapi::SEEK_SET: position = offset; break;
    case uapi::SEEK_CUR:
        if (__builtin_add_overflow(i64(m_offset), offset, &position)) return Errno(EINVAL);
        break;
    case uapi::SEEK_END:
        if (__builtin_add_overflow(size, offset, &position)) return Errno(EINVAL);
        break;
    default: return Errno(EINVAL); // SEEK_DATA and SEEK_HOLE too, as on Linux
    }
    if (position < 0 || position > size) return Errno(EINVAL);
    m_offset = u64(position);
    return m_offset;
}

// Linux's soft block size for a disk of this size (set_init_blocksize):
// the largest power of two up to a page that divides it.
int soft_block_size(u64 size) {
    usize block = kSectorSize;
    while (block < mm::kPageSize && !(size & block)) block <<= 1;
    return int(block);
}

Result<u64> BlockDeviceFile::ioctl(u32 request, u64 argument) {
    switch (request) {
    case uapi::BLKGETSIZE64: TRY(mm::copy_to_user(UserPtr<u64>(argument), m_device.size())); return u64(0);
    case uapi::BLKGETSIZE: TRY(mm::copy_to_user(UserPtr<u64>(argument), m_device.sector_count())); return u64(0);
    case uapi::BLKSSZGET: TRY(mm::copy_to_user(UserPtr<int>(argument), int(kSectorSize))); return u64(0);
    case uapi::BLKPBSZGET: TRY(mm::copy_to_user(UserPtr<u32>(argument), u32(kSectorSize))); return u64(0);
    case uapi::BLKBSZGET:
        TRY(mm::copy_to_user(UserPtr<int>(argument), soft_block_size(m_device.size())));
        return u64(0);
    case uapi::BLKROGET: TRY(mm::copy_to_user(UserPtr<int>(argument), int(m_device.read_only()))); return u64(0);
    case uapi::BLKFLSBUF: {
        // Linux writes back and drops the disk's page cache, for
        // CAP_SYS_ADMIN only; there is no cache here to write or drop.
        Process* process = Process::current();
        if (process && process->credentials().euid != 0) return Errno(EACCES);
        return u64(0);
    }
    }
    return Errno(ENOTTY);
}

} // namespace

Result<RefPtr<File>> open_block_device(BlockDevice& device, u32 flags) {
    if (device.read_only() && (flags & vfs::kAccessModeMask) != vfs::kReadOnly) return Errno(EROFS);
    auto* file = new (std::nothrow) BlockDeviceFile(device, flags);
    if (!file) return Errno(ENOMEM);
    return RefPtr<File>::adopt(file);
}

} // namespace devices
