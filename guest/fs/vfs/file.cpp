#include <fs/vfs/file.h>
#include <lib/format.h>

#include <new>

Result<usize> File::read(IoBuffer, usize) { return Errno(EINVAL); }
Result<usize> File::write(IoBuffer, usize) { return Errno(EINVAL); }
Result<usize> File::pread(u64, IoBuffer, usize) { return Errno(ESPIPE); }
Result<usize> File::pwrite(u64, IoBuffer, usize) { return Errno(ESPIPE); }
Result<u64> File::seek(i64, int) { return Errno(ESPIPE); }
Result<u64> File::ioctl(u32, u64) { return Errno(ENOTTY); }
Result<void> File::truncate(u64) { return Errno(EINVAL); }
Result<void> File::sync() { return {}; }
Result<usize> File::read_directory(IoBuffer, usize) { return Errno(ENOTDIR); }
u32 File::poll_events() { return vfs::kPollIn | vfs::kPollOut | vfs::kPollReadNormal | vfs::kPollWriteNormal; }

InodeMetadata File::metadata() {
    InodeMetadata m;
    m.mode = vfs::kModeFifo | 0600;
    return m;
}

void File::describe(char* buffer, usize size) {
    if (m_custody) {
        m_custody->absolute_path(buffer, size);
        return;
    }
    lib::format_to(buffer, size, "anon_inode:[file]");
}

Result<RefPtr<File>> InodeFile::create(Inode& inode, u32 flags) {
    auto* file = new (std::nothrow) InodeFile(inode, flags);
    if (!file) return Errno(ENOMEM);
    return RefPtr<File>::adopt(file);
}

Result<usize> InodeFile::read(IoBuffer buffer, usize length) {
    usize n = TRY(m_inode->read(m_offset, buffer, length));
    m_offset += n;
    return n;
}

Result<usize> InodeFile::write(IoBuffer buffer, usize length) {
    if (m_flags & vfs::kAppend) m_offset = m_inode->size();
    usize n = TRY(m_inode->write(m_offset, buffer, length));
    m_offset += n;
    return n;
}

Result<usize> InodeFile::pread(u64 offset, IoBuffer buffer, usize length) {
    if (m_inode->is_directory()) return Errno(EISDIR);
    return m_inode->read(offset, buffer, length);
}

Result<usize> InodeFile::pwrite(u64 offset, IoBuffer buffer, usize length) {
    // Linux quirk kept: with O_APPEND, pwrite appends regardless of offset.
    if (m_flags & vfs::kAppend) offset = m_inode->size();
    return m_inode->write(offset, buffer, length);
}

Result<u64> InodeFile::seek(i64 offset, int whence) {
    i64 base;
    switch (whence) {
    case 0: base = 0; break;
    case 1: base = i64(m_offset); break;
    case 2: base = i64(m_inode->size()); break;
    default: return Errno(EINVAL);
    }
    if (offset > 0 && base > INT64_MAX - offset) return Errno(EOVERFLOW);
    i64 position = base + offset;
    if (position < 0) return Errno(EINVAL);
    m_offset = u64(position);
    return m_offset;
}

Result<void> InodeFile::truncate(u64 size) { return m_inode->truncate(size); }

namespace {
// getdents64 as Linux's filldir64 does it: an entry's d_off is the position
// of the entry after it, known only when that one comes (or, for the last
// one taken, when the walk returns), so each record's d_off is patched in
// afterwards.
struct DirentContext {
    IoBuffer buffer;
    usize capacity;
    usize used;
    usize previous; // offset of the last record written, if used > 0
    Result<void> status;
    bool full;
};

// struct linux_dirent64 { u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
constexpr usize kDirentHeader = 19;
constexpr usize kDirentOffsetField = 8;

Result<void> set_previous_offset(DirentContext& c, u64 position) {
    if (c.used == 0) return {};
    i64 const offset = i64(position);
    return c.buffer.write(c.previous + kDirentOffsetField, &offset, sizeof(offset));
}

bool emit_dirent(DirectoryEntry const& entry, void* opaque) {
    auto& c = *static_cast<DirentContext*>(opaque);
    usize const record = align_up(kDirentHeader + entry.name.length() + 1, usize(8));
    if (c.used + record > c.capacity) {
        c.full = true;
        return false;
    }
    c.status = set_previous_offset(c, entry.position);
    if (c.status.is_error()) return false;
    u8 bytes[kDirentHeader];
    u64 ino = entry.ino;
    i64 next = 0; // patched when the next entry or the walk's end is known
    u16 reclen = u16(record);
    u8 type = vfs::dirent_type(entry.mode);
    __builtin_memcpy(bytes, &ino, 8);
    __builtin_memcpy(bytes + kDirentOffsetField, &next, 8);
    __builtin_memcpy(bytes + 16, &reclen, 2);
    bytes[18] = type;
    c.status = c.buffer.write(c.used, bytes, kDirentHeader);
    if (c.status.is_error()) return false;
    c.status = c.buffer.write(c.used + kDirentHeader, entry.name.data(), entry.name.length());
    if (c.status.is_error()) return false;
    c.status = c.buffer.fill_zero(c.used + kDirentHeader + entry.name.length(),
                                  record - kDirentHeader - entry.name.length());
    if (c.status.is_error()) return false;
    c.previous = c.used;
    c.used += record;
    return true;
}
} // namespace

// The file offset of a directory is the file system's position cookie
// (Inode::read_directory), so each call continues where the last stopped.
Result<usize> InodeFile::read_directory(IoBuffer buffer, usize length) {
    if (!m_inode->is_directory()) return Errno(ENOTDIR);
    DirentContext context { buffer, length, 0, 0, {}, false };
    u64 const next = TRY(m_inode->read_directory(m_offset, emit_dirent, &context));
    if (context.status.is_error()) return context.status.error();
    if (context.used == 0 && context.full) return Errno(EINVAL); // buffer too small for one entry
    TRY(set_previous_offset(context, next));
    m_offset = next;
    return context.used;
}
