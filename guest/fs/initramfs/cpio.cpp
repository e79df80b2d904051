#include <fs/initramfs/cpio.h>

namespace cpio {

namespace {

bool parse_hex(u8 const* text, u32& out) {
    u32 value = 0;
    for (int i = 0; i < 8; i++) {
        u8 c = text[i];
        u32 digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        else return false;
        value = (value << 4) | digit;
    }
    out = value;
    return true;
}

usize pad4(usize n) { return (n + 3) & ~usize(3); }

} // namespace

Result<bool> Reader::next(Entry& entry) {
    for (;;) {
        // Between concatenated archives there may be zero padding.
        while (m_position < m_size && m_archive[m_position] == 0) m_position++;
        if (m_position >= m_size) return false;
        if (m_size - m_position < kHeaderSize) return Errno(EINVAL);
        u8 const* h = m_archive + m_position;
        if (!(h[0] == '0' && h[1] == '7' && h[2] == '0' && h[3] == '7' && h[4] == '0' && (h[5] == '1' || h[5] == '2')))
            return Errno(EINVAL);
        u32 fields[13];
        for (int i = 0; i < 13; i++)
            if (!parse_hex(h + 6 + i * 8, fields[i])) return Errno(EINVAL);
        u32 const name_size = fields[11];
        u32 const file_size = fields[6];
        if (name_size == 0 || name_size > 4096) return Errno(EINVAL);
        usize const name_at = m_position + kHeaderSize;
        if (m_size - name_at < name_size) return Errno(EINVAL);
        if (m_archive[name_at + name_size - 1] != 0) return Errno(EINVAL);
        usize const data_at = pad4(name_at + name_size);
        if (data_at > m_size || m_size - data_at < file_size) return Errno(EINVAL);
        StringView const name(reinterpret_cast<char const*>(m_archive + name_at), name_size - 1);
        m_position = pad4(data_at + file_size);
        if (m_position > m_size) m_position = m_size;
        if (name == "TRAILER!!!") continue; // maybe another archive follows
        entry.name = name;
        entry.ino = fields[0];
        entry.mode = fields[1];
        entry.uid = fields[2];
        entry.gid = fields[3];
        entry.nlink = fields[4];
        entry.mtime = fields[5];
        entry.dev_major = fields[7];
        entry.dev_minor = fields[8];
        entry.rdev_major = fields[9];
        entry.rdev_minor = fields[10];
        entry.data = m_archive + data_at;
        entry.size = file_size;
        return true;
    }
}

} // namespace cpio
