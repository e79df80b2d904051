// VirtioBlock: a virtio block device (virtio 1.1 §5.2) served from a host
// file or block device holding a raw image: the backend behind VirtioMmio
// for `aramid-vmm --disk PATH`.
//
// Model: each chain is one request, served at once in the vCPU thread.
// preadv/pwritev move the bytes straight between the file and the guest's
// buffers: no bounce copy and no cache in the VMM. What the host's page
// cache holds reaches the disk on FLUSH (fdatasync), which is why
// VIRTIO_BLK_F_FLUSH is offered.
//
// Request layout (§5.2.6): the device-readable bytes start with the 16-byte
// header {type, reserved, sector}, and OUT data follows it; the
// device-writable bytes end with the status byte, and IN and GET_ID data
// come before it. Descriptors may split these bytes any way (§2.6.4).
//
// Untrusted requests: every buffer must lie in guest RAM, the readable ones
// all before the writable ones, the header whole, data only in the
// direction of the request type (none for FLUSH), and IN/OUT data a
// multiple of 512 bytes, at most kMaxRequestBytes, inside the disk.
// Otherwise nothing is transferred and the status is IOERR; a type we do
// not know gets UNSUPP. A chain whose last byte is not writable guest RAM
// has nowhere to put a status: it is given back untouched, with length 0.
// Otherwise the used length counts the bytes written from the start of the
// writable buffers (§2.6.8.1): data and status for a successful IN, the
// status alone when it is the only writable byte (OUT, FLUSH), and 0 for a
// failed request with data buffers, which were not written.
//
// Capacity is the file's size in 512-byte sectors, rounded down: the tail
// of a file whose size is not a multiple of 512 is invisible to the guest,
// with one warning when the disk is opened. Read-only (--disk-readonly):
// the file is opened O_RDONLY, VIRTIO_BLK_F_RO is offered and OUT gets
// IOERR.
#pragma once

#include <vmm/devices/virtio_mmio.h>
#include <vmm/util/fd.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <sys/uio.h>
#include <vector>

namespace vmm {

class GuestMemory;

namespace virtio {
inline constexpr uint32_t VIRTIO_ID_BLOCK = 2;

inline constexpr uint64_t VIRTIO_BLK_F_SEG_MAX = 1ull << 2;
inline constexpr uint64_t VIRTIO_BLK_F_RO = 1ull << 5;
inline constexpr uint64_t VIRTIO_BLK_F_BLK_SIZE = 1ull << 6;
inline constexpr uint64_t VIRTIO_BLK_F_FLUSH = 1ull << 9;

inline constexpr uint32_t VIRTIO_BLK_T_IN = 0;
inline constexpr uint32_t VIRTIO_BLK_T_OUT = 1;
inline constexpr uint32_t VIRTIO_BLK_T_FLUSH = 4;
inline constexpr uint32_t VIRTIO_BLK_T_GET_ID = 8;

inline constexpr uint8_t VIRTIO_BLK_S_OK = 0;
inline constexpr uint8_t VIRTIO_BLK_S_IOERR = 1;
inline constexpr uint8_t VIRTIO_BLK_S_UNSUPP = 2;

inline constexpr uint32_t VIRTIO_BLK_ID_BYTES = 20;
inline constexpr uint64_t kSectorSize = 512; // the unit of `sector` and capacity, whatever blk_size says

struct VirtioBlkOuthdr {
    uint32_t type;
    uint32_t ioprio; // reserved
    uint64_t sector;
};
static_assert(sizeof(VirtioBlkOuthdr) == 16);

// The configuration space, up to the fields we offer and a little past.
struct VirtioBlkConfig {
    uint64_t capacity; // in 512-byte sectors
    uint32_t size_max;
    uint32_t seg_max;
    uint16_t cylinders;
    uint8_t heads;
    uint8_t sectors;
    uint32_t blk_size;
    uint8_t physical_block_exp;
    uint8_t alignment_offset;
    uint16_t min_io_size;
    uint32_t opt_io_size;
    uint8_t writeback;
    uint8_t unused0[3];
};
static_assert(offsetof(VirtioBlkConfig, seg_max) == 0x0c && offsetof(VirtioBlkConfig, blk_size) == 0x14
              && offsetof(VirtioBlkConfig, writeback) == 0x20);
} // namespace virtio

class VirtioBlock final : public VirtioDevice {
public:
    // A bigger request fails with IOERR. The guest's buffers may alias, so
    // guest RAM does not bound a request; this keeps one exit short. Linux
    // sends at most 1.25 MiB by default (BLK_DEF_MAX_SECTORS).
    static constexpr uint64_t kMaxRequestBytes = 16ull << 20;
    // Data descriptors per request: a 256-entry queue less the header and
    // the status.
    static constexpr uint32_t kSegMax = 254;
    // GET_ID's answer, NUL-padded to 20 bytes.
    static constexpr char kId[] = "aramid-disk";

    // Opens the image at `path`, read-write unless `read_only`. Throws
    // VmmError with a one-line message if it cannot.
    VirtioBlock(GuestMemory& memory, std::string const& path, bool read_only, Warn const& warn = warn_on_stderr);

    char const* name() const override { return "virtio-blk"; }
    uint32_t device_id() const override { return virtio::VIRTIO_ID_BLOCK; }
    uint64_t features() const override;
    std::span<uint8_t const> config() const override;
    uint32_t handle(std::span<VirtqBuffer const> chain) override;

    uint64_t capacity_sectors() const { return m_config.capacity; }
    bool read_only() const { return m_read_only; }
    // The image's descriptor, for readers beside the guest (the monitor's
    // fs-bitmaps reads it with pread, which any thread may do).
    int fd() const { return m_fd.get(); }

private:
    // Serves the request; returns its status, and in `written` the data
    // bytes it put in the guest's buffers.
    uint8_t serve(std::span<VirtqBuffer const> chain, uint32_t& written);
    // Fills m_iov with `length` bytes of the chain's readable (or writable)
    // buffers, after the first `skip` of them. The buffers are in RAM.
    void gather(std::span<VirtqBuffer const> chain, bool writable, uint64_t skip, uint64_t length);
    // Moves the bytes m_iov describes between the guest and the disk at
    // `sector`, after checking the range. Returns the status.
    uint8_t transfer(bool to_disk, uint64_t sector);

    GuestMemory& m_memory;
    Fd m_fd;
    bool m_read_only;
    virtio::VirtioBlkConfig m_config {};
    std::vector<iovec> m_iov; // the request's buffers as host pointers, kept to reuse its storage
};

} // namespace vmm
