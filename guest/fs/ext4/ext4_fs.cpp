#include <fs/ext4/ext4_fs.h>
#include <fs/vfs/file.h>
#include <kernel/debug/log.h>

#include <new>

namespace {

// File bytes into an IoBuffer (user or kernel memory).
class IoBufferSink final : public ext4::DataSink {
public:
    explicit IoBufferSink(IoBuffer buffer)
        : m_buffer(buffer)
    {
    }
    Result<void> write(usize offset, u8 const* data, usize length) override
    {
        return m_buffer.write(offset, data, length);
    }
    Result<void> zero(usize offset, usize length) override { return m_buffer.fill_zero(offset, length); }

private:
    IoBuffer m_buffer;
};

Timespec to_timespec(ext4::Time t) { return { t.sec, i64(t.nsec) }; }

} // namespace

// One inode in use. Everything that would change the file system is EROFS
// (Linux's answer on a read-only mount).
class Ext4Inode final : public Inode {
public:
    static Result<RefPtr<Ext4Inode>> create(Ext4FileSystem& fs, ext4::InodeData const& data)
    {
        auto* inode = new (std::nothrow) Ext4Inode(data);
        if (!inode) return Errno(ENOMEM);
        inode->set_fs(&fs);
        auto& m = inode->m_metadata;
        m.ino = data.ino;
        m.mode = data.mode;
        m.nlink = data.links;
        m.uid = data.uid;
        m.gid = data.gid;
        m.size = data.size;
        m.block_count = data.blocks;
        m.rdev = data.rdev;
        m.atime = to_timespec(data.atime);
        m.mtime = to_timespec(data.mtime);
        m.ctime = to_timespec(data.ctime);
        return RefPtr<Ext4Inode>::adopt(inode);
    }
    ~Ext4Inode() override { ext4fs().forget(*this); }

    u32 number() const { return m_data.ino; }

    Result<RefPtr<Inode>> lookup(StringView name) override
    {
        if (!is_directory()) return Errno(ENOTDIR);
        if (name == ".") return RefPtr<Inode>(this);
        u32 const ino = TRY(volume().lookup(m_data, name));
        return ext4fs().inode(ino);
    }

    Result<u64> read_directory(u64 start, bool (*f)(DirectoryEntry const&, void*), void* context) override;

    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override
    {
        if (is_directory()) return Errno(EISDIR);
        if (!is_regular()) return Errno(EINVAL);
        IoBufferSink sink(buffer);
        return volume().read(m_data, offset, length, sink);
    }

    Result<usize> read_link(char* buffer, usize size) override
    {
        if (!is_symlink()) return Errno(EINVAL);
        return volume().read_link(m_data, buffer, size);
    }

    // Device nodes and fifos open as on any file system; nothing else here
    // can be written.
    Result<RefPtr<File>> open(u32 flags) override
    {
        bool const special = vfs::is_character_device(mode()) || vfs::is_block_device(mode()) || vfs::is_fifo(mode());
        if (!special && (flags & vfs::kAccessModeMask) != vfs::kReadOnly) return Errno(EROFS);
        return Inode::open(flags);
    }

    // Nothing on a read-only mount changes.
    Result<RefPtr<Inode>> create(StringView, u32, u32, u32, u64) override { return Errno(EROFS); }
    Result<RefPtr<Inode>> create_symlink(StringView, StringView, u32, u32) override { return Errno(EROFS); }
    Result<void> link(StringView, Inode&) override { return Errno(EROFS); }
    Result<void> remove(StringView, bool) override { return Errno(EROFS); }
    Result<void> rename(StringView, Inode&, StringView) override { return Errno(EROFS); }
    Result<void> exchange(StringView, Inode&, StringView) override { return Errno(EROFS); }
    Result<usize> write(u64, IoBuffer, usize) override { return Errno(EROFS); }
    Result<void> truncate(u64) override { return Errno(EROFS); }
    Result<void> set_mode(u32) override { return Errno(EROFS); }
    Result<void> set_owner(u32, u32) override { return Errno(EROFS); }
    Result<void> set_times(Timespec const*, Timespec const*) override { return Errno(EROFS); }
    // page_frame stays the default ENOENT: mmap and exec copy pages
    // through read().

private:
    explicit Ext4Inode(ext4::InodeData const& data)
        : m_data(data)
    {
    }
    Ext4FileSystem& ext4fs() { return static_cast<Ext4FileSystem&>(fs()); }
    ext4::Volume& volume() { return ext4fs().volume(); }

    ext4::InodeData m_data;
};

// Positions are byte offsets in the directory, as Linux's ext4 gives them
// for a directory without an htree index: each getdents64 continues at the
// record where the last stopped. "." and ".." are the directory's own first
// two records. An htree directory is read the same linear way (Linux walks
// it in hash order and gives hashes as positions).
Result<u64> Ext4Inode::read_directory(u64 start, bool (*f)(DirectoryEntry const&, void*), void* context)
{
    if (!is_directory()) return Errno(ENOTDIR);
    struct Walk {
        bool (*f)(DirectoryEntry const&, void*);
        void* context;
    } walk { f, context };
    return volume().read_directory(
        m_data, start,
        [](ext4::DirectoryRecord const& record, void* c) {
            auto& w = *static_cast<Walk*>(c);
            return w.f({ record.name, record.ino, ext4::mode_for_file_type(record.file_type), record.offset },
                w.context);
        },
        &walk);
}

Result<RefPtr<Ext4FileSystem>> Ext4FileSystem::create(BlockDevice& device, char const* type)
{
    auto* raw = new (std::nothrow) Ext4FileSystem;
    if (!raw) return Errno(ENOMEM);
    auto fs = RefPtr<Ext4FileSystem>::adopt(raw);
    fs->m_type = type;
    fs->m_backend = TRY(DiskBackend::create(device));
    ext4::OpenReport report;
    auto volume = ext4::Volume::open(*fs->m_backend, report);
    if (report.refused_feature) {
        // Linux: "couldn't mount because of unsupported optional features (%x)".
        log_error("%s (%s): couldn't mount because of unsupported optional features: %s (incompat %#x)", device.name(),
            type, report.refused_feature, report.unknown_incompat);
    } else if (report.problem) {
        log_error("%s (%s): can't mount: %s", device.name(), type, report.problem);
    }
    if (volume.is_error()) {
        if (!report.problem) log_error("%s (%s): can't mount: errno %d", device.name(), type, volume.error().code());
        return volume.error();
    }
    fs->m_volume = volume.release_value();
    if (report.needs_recovery)
        log_warn(
            "%s (%s): needs journal recovery; mounting read-only without replaying the journal", device.name(), type);
    fs->m_root = TRY(fs->inode(ext4::kRootIno));
    log_info("%s: mounted %s read-only (%zu-byte blocks, %u groups)", device.name(), type, fs->m_volume->block_size(),
        fs->m_volume->group_count());
    return fs;
}

Ext4FileSystem::~Ext4FileSystem()
{
    // The root goes first, while the table it leaves is still here.
    m_root = nullptr;
}

Result<RefPtr<Inode>> Ext4FileSystem::inode(u32 ino)
{
    for (Ext4Inode* live : m_live)
        if (live->number() == ino) return RefPtr<Inode>(live);
    auto data = TRY(m_volume->read_inode(ino));
    TRY(m_live.try_reserve(m_live.size() + 1)); // so that the append below cannot fail
    auto inode = TRY(Ext4Inode::create(*this, data));
    (void)m_live.try_append(inode.ptr());
    return RefPtr<Inode>(inode);
}

void Ext4FileSystem::forget(Ext4Inode& inode)
{
    for (usize i = 0; i < m_live.size(); i++) {
        if (m_live[i] == &inode) {
            m_live.remove(i);
            return;
        }
    }
}

bool Ext4FileSystem::busy(unsigned extra_root_references) const
{
    for (Ext4Inode* live : m_live)
        if (live != m_root.ptr()) return true;
    return m_root->ref_count() > 1 + extra_root_references;
}
