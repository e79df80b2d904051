#include <fs/ext4/checksum.h>

namespace ext4 {

namespace {

// The reflected Castagnoli polynomial.
constexpr u32 kPolynomial = 0x82f63b78;

struct Table {
    u32 entries[256];
    constexpr Table()
        : entries {}
    {
        for (u32 i = 0; i < 256; i++) {
            u32 crc = i;
            for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (crc & 1 ? kPolynomial : 0);
            entries[i] = crc;
        }
    }
};

constexpr Table kTable;

} // namespace

u32 crc32c(u32 crc, void const* data, usize length)
{
    auto const* bytes = static_cast<u8 const*>(data);
    for (usize i = 0; i < length; i++) crc = kTable.entries[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

} // namespace ext4
