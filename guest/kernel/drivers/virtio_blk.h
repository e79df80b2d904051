// virtio-blk (virtio 1.1 §5.2) on a modern virtio-mmio transport: a
// BlockDevice per disk, named vda, vdb, ... in the order the command line
// lists the transports.
//
// A request is three descriptors: a 16-byte header and a status byte in
// the disk's own request page, and between them the caller's DmaBuffer
// (no copy in the driver). Requests are at most kMaxRequestBytes (or the
// device's size_max, if smaller); callers loop for more.
//
// Locking: one request in flight per disk, under the disk's request lock
// (a spinlock, LockRank::BlockRequest). It covers the header page and the
// virtqueue. The request polls its own completion, which with aramid-vmm
// is done by the time the notify exit returns; under QEMU TCG it is spun
// for with interrupts off, which a later interrupt-driven driver that
// sleeps on a wait queue will avoid.
#pragma once

#include <kernel/drivers/virtio_mmio.h>
#include <lib/own_ptr.h>

namespace virtio_blk {

inline constexpr usize kMaxRequestBytes = 64 * 1024;

// Negotiates, sets up the queue and registers the disk with block::.
Result<void> attach(OwnPtr<virtio::MmioDevice> device);

} // namespace virtio_blk
