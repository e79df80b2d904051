#include <vmm/devices/virtio_blk.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmm {

using namespace virtio;

VirtioBlock::VirtioBlock(GuestMemory& memory, std::string const& path, bool read_only, Warn const& warn)
    : m_memory(memory)
    , m_read_only(read_only) {
    // O_NONBLOCK: a FIFO named by mistake must not block the open; the type
    // check below refuses it.
    m_fd = Fd(::open(path.c_str(), (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK));
    if (!m_fd.valid()) {
        int const error = errno;
        std::string message = "cannot open disk '" + path + "'" + (read_only ? "" : " read-write") + ": "
            + std::strerror(error);
        if (!read_only && (error == EACCES || error == EROFS || error == EPERM)) message += " (try --disk-readonly)";
        throw VmmError(message, error);
    }
    struct stat st {};
    if (fstat(m_fd.get(), &st) != 0) throw_errno("cannot stat disk '" + path + "'");
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        throw VmmError("disk '" + path + "' is not a regular file or a block device");
    // As QEMU does: an image one VM may write is not opened by another (two
    // writers corrupt it, a reader sees it torn), while readers may share.
    // Where the file system has no locks (ENOLCK) the image goes unlocked.
    if (flock(m_fd.get(), (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        throw VmmError("disk '" + path + "' is in use by another process (locked): one VM may write an image, "
                           "or several may read it with --disk-readonly",
                       EWOULDBLOCK);
    int const flags = fcntl(m_fd.get(), F_GETFL);
    if (flags < 0 || fcntl(m_fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        throw_errno("cannot set up disk '" + path + "'");
    // SEEK_END gives the size of a block device too, where st_size is 0.
    off_t const size = lseek(m_fd.get(), 0, SEEK_END);
    if (size < 0) throw_errno("cannot find the size of disk '" + path + "'");
    if (uint64_t(size) % kSectorSize && warn)
        warn("disk '" + path + "': its size (" + std::to_string(size)
             + " bytes) is not a multiple of 512; the guest sees only the first "
             + std::to_string(uint64_t(size) / kSectorSize * kSectorSize) + " bytes");

    m_config.capacity = uint64_t(size) / kSectorSize;
    m_config.seg_max = kSegMax;
    m_config.blk_size = kSectorSize;
    m_iov.reserve(VirtioMmio::kQueueSizeMax);
}

uint64_t VirtioBlock::features() const {
    uint64_t features = VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_SEG_MAX;
    if (m_read_only) features |= VIRTIO_BLK_F_RO;
    return features;
}

std::span<uint8_t const> VirtioBlock::config() const {
    return { reinterpret_cast<uint8_t const*>(&m_config), sizeof(m_config) };
}

uint32_t VirtioBlock::handle(std::span<VirtqBuffer const> chain) {
    // The status is the chain's last byte. Without a writable one in RAM
    // there is nowhere to report anything, so nothing is done.
    if (chain.empty()) return 0;
    VirtqBuffer const& last = chain.back();
    if (!last.device_writable || last.length == 0 || !m_memory.contains(last.gpa, last.length)) return 0;
    uint32_t written = 0;
    uint8_t const status = serve(chain, written);
    m_memory.write(last.gpa + last.length - 1, status);
    // The used length promises that many bytes written from the start of
    // the writable buffers (§2.6.8.1): all of them when the data filled
    // them, the status when it is all there is, else the data written.
    uint64_t writable = 0;
    for (VirtqBuffer const& buffer : chain)
        if (buffer.device_writable) writable += buffer.length;
    if (written == writable - 1 || writable == 1) return uint32_t(writable);
    return written;
}

uint8_t VirtioBlock::serve(std::span<VirtqBuffer const> chain, uint32_t& written) {
    uint64_t readable = 0;
    uint64_t writable = 0;
    for (VirtqBuffer const& buffer : chain) {
        if (!m_memory.contains(buffer.gpa, buffer.length)) return VIRTIO_BLK_S_IOERR;
        if (buffer.device_writable) writable += buffer.length;
        else if (writable) return VIRTIO_BLK_S_IOERR; // readable after writable (§2.6.4.2)
        else readable += buffer.length;
    }
    if (readable < sizeof(VirtioBlkOuthdr)) return VIRTIO_BLK_S_IOERR;
    gather(chain, false, 0, sizeof(VirtioBlkOuthdr));
    VirtioBlkOuthdr header;
    auto* to = reinterpret_cast<uint8_t*>(&header);
    for (iovec const& part : m_iov) to = std::copy_n(static_cast<uint8_t const*>(part.iov_base), part.iov_len, to);

    // Data goes one way only: device-writable for IN and GET_ID, readable
    // for OUT, none for FLUSH. Bytes the other way mean a confused driver.
    uint64_t const data_out = readable - sizeof(VirtioBlkOuthdr);
    uint64_t const data_in = writable - 1; // handle() checked the status byte
    bool const in_only = data_out == 0;
    bool const out_only = data_in == 0;
    switch (header.type) {
    case VIRTIO_BLK_T_IN: {
        if (!in_only) return VIRTIO_BLK_S_IOERR;
        gather(chain, true, 0, data_in);
        uint8_t const status = transfer(false, header.sector);
        if (status == VIRTIO_BLK_S_OK) written = uint32_t(data_in); // at most kMaxRequestBytes
        return status;
    }
    case VIRTIO_BLK_T_OUT:
        if (m_read_only || !out_only) return VIRTIO_BLK_S_IOERR;
        gather(chain, false, sizeof(VirtioBlkOuthdr), data_out);
        return transfer(true, header.sector);
    case VIRTIO_BLK_T_FLUSH:
        if (!in_only || !out_only) return VIRTIO_BLK_S_IOERR;
        while (fdatasync(m_fd.get()) != 0)
            if (errno != EINTR) return VIRTIO_BLK_S_IOERR;
        return VIRTIO_BLK_S_OK;
    case VIRTIO_BLK_T_GET_ID: {
        if (!in_only) return VIRTIO_BLK_S_IOERR;
        char id[VIRTIO_BLK_ID_BYTES] = {};
        std::memcpy(id, kId, sizeof(kId) - 1);
        uint64_t const length = std::min<uint64_t>(data_in, sizeof(id));
        gather(chain, true, 0, length);
        char const* from = id;
        for (iovec const& part : m_iov) {
            std::memcpy(part.iov_base, from, part.iov_len);
            from += part.iov_len;
        }
        written = uint32_t(length);
        return VIRTIO_BLK_S_OK;
    }
    default:
        return VIRTIO_BLK_S_UNSUPP;
    }
}

void VirtioBlock::gather(std::span<VirtqBuffer const> chain, bool writable, uint64_t skip, uint64_t length) {
    m_iov.clear();
    for (VirtqBuffer const& buffer : chain) {
        if (length == 0) return;
        if (buffer.device_writable != writable) continue;
        if (skip >= buffer.length) {
            skip -= buffer.length;
            continue;
        }
        uint64_t const take = std::min<uint64_t>(buffer.length - skip, length);
        m_iov.push_back({ m_memory.host_base() + buffer.gpa + skip, take });
        skip = 0;
        length -= take;
    }
}

uint8_t VirtioBlock::transfer(bool to_disk, uint64_t sector) {
    uint64_t bytes = 0;
    for (iovec const& part : m_iov) bytes += part.iov_len;
    if (bytes % kSectorSize || bytes > kMaxRequestBytes) return VIRTIO_BLK_S_IOERR;
    uint64_t const capacity = m_config.capacity;
    if (sector > capacity || bytes / kSectorSize > capacity - sector) return VIRTIO_BLK_S_IOERR;
    if (to_disk && m_read_only) return VIRTIO_BLK_S_IOERR;

    // Until every byte has moved: a short transfer continues where it
    // stopped, and one that moves nothing (the file shrank) is an error.
    uint64_t offset = sector * kSectorSize;
    size_t next = 0;
    while (next < m_iov.size()) {
        int const count = int(std::min<size_t>(m_iov.size() - next, IOV_MAX));
        ssize_t const n = to_disk ? pwritev(m_fd.get(), &m_iov[next], count, off_t(offset))
                                  : preadv(m_fd.get(), &m_iov[next], count, off_t(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return VIRTIO_BLK_S_IOERR;
        offset += uint64_t(n);
        for (size_t done = size_t(n); done && next < m_iov.size();) {
            iovec& part = m_iov[next];
            size_t const step = std::min(done, part.iov_len);
            part.iov_base = static_cast<uint8_t*>(part.iov_base) + step;
            part.iov_len -= step;
            done -= step;
            if (part.iov_len == 0) next++;
        }
    }
    return VIRTIO_BLK_S_OK;
}

} // namespace vmm
