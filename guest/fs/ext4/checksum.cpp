#include <fs/ext4/checksum.h>

namespace ext4 {

namespace {

// The table of a reflected CRC (one bit at a time, least significant
// first), built at compile time.
template<typename T, T kPolynomial> struct Table {
    T entries[256];
    constexpr Table()
        : entries {}
    {
        for (u32 i = 0; i < 256; i++) {
            T crc = T(i);
            for (int bit = 0; bit < 8; bit++) crc = T((crc >> 1) ^ (crc & 1 ? kPolynomial : 0));
            entries[i] = crc;
        }
    }
};

// The reflected Castagnoli polynomial.
constexpr Table<u32, 0x82f63b78> kCrc32cTable;
// 0x8005 reflected.
constexpr Table<u16, 0xa001> kCrc16Table;

} // namespace

u32 crc32c(u32 crc, void const* data, usize length)
{
    auto const* bytes = static_cast<u8 const*>(data);
    for (usize i = 0; i < length; i++) crc = kCrc32cTable.entries[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

u16 crc16(u16 crc, void const* data, usize length)
{
    auto const* bytes = static_cast<u8 const*>(data);
    for (usize i = 0; i < length; i++) crc = u16(kCrc16Table.entries[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8));
    return crc;
}

} // namespace ext4
