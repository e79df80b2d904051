#include <fs/ext4/checksum.h>
#include <fs/ext4/directory_block.h>

namespace ext4 {

usize decode_rec_len(u16 stored, usize block_size)
{
    if (block_size < 65536) return stored;
    if (stored == 65535 || stored == 0) return 65536;
    return (stored & 65532) | (usize(stored & 3) << 16);
}

u16 encode_rec_len(usize length, usize block_size)
{
    if (length < 65536) return u16(length);
    if (length == block_size) return block_size == 65536 ? u16(65535) : u16(0);
    return u16((length & 65532) | ((length >> 16) & 3));
}

usize DirectoryBlock::name_length(DirEntry const& e) const
{
    return m_format.filetype ? e.name_len : (e.name_len | usize(e.file_type) << 8);
}

Result<usize> DirectoryBlock::check(usize offset) const
{
    usize const limit = end();
    if (limit - offset < sizeof(DirEntry)) return Errno(EUCLEAN);
    auto const& e = entry(offset);
    usize const rec_len = decode_rec_len(e.rec_len, m_format.block_size);
    usize const name_len = name_length(e);
    if (rec_len < dir_rec_len(1) || (rec_len & 3) || rec_len > limit - offset || rec_len < dir_rec_len(name_len)
        || name_len > kNameMax || e.inode > m_format.inode_count || (e.inode != 0 && name_len == 0))
        return Errno(EUCLEAN);
    return rec_len;
}

bool DirectoryBlock::has_tail() const
{
    if (!m_format.checksummed) return true;
    auto const& tail = *reinterpret_cast<DirEntryTail const*>(m_data + end());
    return tail.inode == 0 && tail.rec_len == sizeof(DirEntryTail) && tail.name_len == 0
        && tail.file_type == kDirTailFileType;
}

Result<DirectoryBlock::Search> DirectoryBlock::search(StringView name, usize needed) const
{
    if (!has_tail()) return Errno(EUCLEAN);
    Search result;
    usize previous = kNone;
    for (usize offset = 0; offset < end();) {
        usize const rec_len = TRY(check(offset));
        auto const& e = entry(offset);
        usize const used = e.inode ? dir_rec_len(name_length(e)) : 0;
        if (e.inode && result.offset == kNone && name_at(offset) == name) {
            result.offset = offset;
            result.previous = previous;
        }
        if (needed && result.room == kNone && rec_len - used >= needed) result.room = offset;
        previous = offset;
        offset += rec_len;
    }
    return result;
}

void DirectoryBlock::write_entry(usize offset, StringView name, u32 ino, u8 file_type)
{
    auto& e = entry(offset);
    e.inode = ino;
    e.name_len = u8(name.length());
    // Without FILETYPE this byte is name_len's high byte, 0 for names up to 255.
    e.file_type = m_format.filetype ? file_type : 0;
    __builtin_memcpy(e.name, name.data(), name.length());
    // The padding up to the next 4-byte boundary, so no stale bytes linger.
    __builtin_memset(e.name + name.length(), 0, dir_rec_len(name.length()) - sizeof(DirEntry) - name.length());
}

void DirectoryBlock::set_rec_len(usize offset, usize length)
{
    entry(offset).rec_len = encode_rec_len(length, m_format.block_size);
}

void DirectoryBlock::insert(usize room, StringView name, u32 ino, u8 file_type)
{
    auto& e = entry(room);
    usize const rec_len = decode_rec_len(e.rec_len, m_format.block_size);
    if (e.inode) {
        // Split the live entry: it keeps what its name needs, the new
        // entry takes the rest.
        usize const used = dir_rec_len(name_length(e));
        set_rec_len(room, used);
        room += used;
        set_rec_len(room, rec_len - used);
    }
    write_entry(room, name, ino, file_type);
}

void DirectoryBlock::remove(usize offset, usize previous)
{
    usize const rec_len = rec_len_at(offset);
    if (previous != kNone) {
        set_rec_len(previous, rec_len_at(previous) + rec_len);
        __builtin_memset(m_data + offset, 0, rec_len);
        return;
    }
    // The first entry has no predecessor: it stays, dead, with its rec_len.
    entry(offset).inode = 0;
    __builtin_memset(
        m_data + offset + __builtin_offsetof(DirEntry, name_len), 0, rec_len - __builtin_offsetof(DirEntry, name_len));
}

void DirectoryBlock::set_inode(usize offset, u32 ino, u8 file_type)
{
    auto& e = entry(offset);
    e.inode = ino;
    if (m_format.filetype) e.file_type = file_type;
}

void DirectoryBlock::place_tail()
{
    if (!m_format.checksummed) return;
    auto& tail = *reinterpret_cast<DirEntryTail*>(m_data + end());
    tail.inode = 0;
    tail.rec_len = sizeof(DirEntryTail);
    tail.name_len = 0;
    tail.file_type = kDirTailFileType;
}

void DirectoryBlock::initialize()
{
    __builtin_memset(m_data, 0, m_format.block_size);
    set_rec_len(0, end());
    place_tail();
}

void DirectoryBlock::initialize_first(u32 self, u32 parent)
{
    __builtin_memset(m_data, 0, m_format.block_size);
    write_entry(0, ".", self, kFileTypeDirectory);
    set_rec_len(0, dir_rec_len(1));
    write_entry(dir_rec_len(1), "..", parent, kFileTypeDirectory);
    set_rec_len(dir_rec_len(1), end() - dir_rec_len(1));
    place_tail();
}

bool DirectoryBlock::is_index_node() const
{
    auto const& e = entry(0);
    return e.inode == 0 && decode_rec_len(e.rec_len, m_format.block_size) == m_format.block_size;
}

Result<DirectoryBlock::Dots> DirectoryBlock::dots() const
{
    // Checked against the whole block: an index root has no tail, and its
    // ".." reaches the block's end.
    auto fits = [&](usize offset, StringView name) {
        auto const& e = entry(offset);
        usize const rec_len = decode_rec_len(e.rec_len, m_format.block_size);
        return e.inode != 0 && name_length(e) == name.length() && rec_len >= dir_rec_len(name.length())
            && !(rec_len & 3) && rec_len <= m_format.block_size - offset && name_at(offset) == name;
    };
    if (!fits(0, ".")) return Errno(EUCLEAN);
    usize const dot_dot = rec_len_at(0);
    if (m_format.block_size - dot_dot < dir_rec_len(2) || !fits(dot_dot, "..")) return Errno(EUCLEAN);
    return Dots { 0, dot_dot };
}

Result<void> DirectoryBlock::make_linear_root()
{
    auto const dots = TRY(this->dots());
    // In a root ".." reaches the block's end, over the index. Were there
    // entries after it, this is no root, and wiping would lose them.
    if (dots.dot_dot + rec_len_at(dots.dot_dot) != m_format.block_size) return Errno(EUCLEAN);
    usize const used = dots.dot_dot + dir_rec_len(2);
    if (used > end()) return Errno(EUCLEAN);
    __builtin_memset(m_data + used, 0, m_format.block_size - used);
    set_rec_len(dots.dot_dot, end() - dots.dot_dot);
    place_tail();
    return {};
}

u32 DirectoryBlock::inode_at(usize offset) const { return entry(offset).inode; }

StringView DirectoryBlock::name_at(usize offset) const
{
    auto const& e = entry(offset);
    return StringView(e.name, name_length(e));
}

usize DirectoryBlock::rec_len_at(usize offset) const
{
    return decode_rec_len(entry(offset).rec_len, m_format.block_size);
}

u32 DirectoryBlock::checksum(u32 inode_seed) const { return crc32c(inode_seed, m_data, end()); }

void DirectoryBlock::write_tail(u32 inode_seed)
{
    if (!m_format.checksummed) return;
    place_tail();
    reinterpret_cast<DirEntryTail*>(m_data + end())->checksum = checksum(inode_seed);
}

} // namespace ext4
