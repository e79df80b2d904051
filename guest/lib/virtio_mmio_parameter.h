// The `virtio_mmio.device=` kernel parameter, with Linux's syntax
// (drivers/virtio/virtio_mmio.c): `SIZE@BASE:IRQ[:ID]`. SIZE is a memparse
// number (decimal, 0x hex or 0-prefixed octal, with an optional K, M, G, T,
// P or E suffix), BASE a number in the same bases, IRQ a non-zero decimal;
// the platform-device ID is accepted and ignored. The key may appear once
// per transport (QEMU microvm appends one for each).
#pragma once

#include <lib/result.h>
#include <lib/string_view.h>

namespace lib {

struct VirtioMmioParameter {
    u64 size { 0 };
    u64 base { 0 };
    u32 irq { 0 };
};

// EINVAL for anything Linux's parser rejects, and for a size of 0 or a
// window that wraps past 2^64.
Result<VirtioMmioParameter> parse_virtio_mmio_parameter(StringView text);

// Linux's memparse() over the whole of `text`: 4K, 512, 0x200, 1M.
Result<u64> parse_memory_size(StringView text);

} // namespace lib
