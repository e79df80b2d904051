#include <fs/ext4/ext4_fs.h>
#include <fs/vfs/file.h>
#include <fs/vfs/file_pages.h>
#include <kernel/mm/address_space.h>
#include <kernel/mm/layout.h>
#include <kernel/debug/debug_table.h>
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

// File bytes out of an IoBuffer.
class IoBufferSource final : public ext4::DataSource {
public:
    explicit IoBufferSource(IoBuffer buffer)
        : m_buffer(buffer)
    {
    }
    Result<void> read(usize offset, u8* data, usize length) override { return m_buffer.read(offset, data, length); }

private:
    IoBuffer m_buffer;
};

Timespec to_timespec(ext4::Time t) { return { t.sec, i64(t.nsec) }; }
ext4::Time to_time(Timespec t) { return { t.sec, u32(t.nsec) }; }
ext4::Time now() { return to_time(clock::realtime()); }

} // namespace

// One inode in use. Each change goes to the volume with this object's
// InodeData (and those of the other live inodes it touches), and the VFS
// metadata is then refreshed from it.
class Ext4Inode final : public Inode {
public:
    static Result<RefPtr<Ext4Inode>> create(Ext4FileSystem& fs, ext4::InodeData const& data)
    {
        auto* inode = new (std::nothrow) Ext4Inode(data);
        if (!inode) return Errno(ENOMEM);
        inode->set_fs(&fs);
        inode->refresh();
        return RefPtr<Ext4Inode>::adopt(inode);
    }
    ~Ext4Inode() override;

    u32 number() const { return m_data.ino; }

    Result<RefPtr<Inode>> lookup(StringView name) override
    {
        if (!is_directory()) return Errno(ENOTDIR);
        if (name == ".") return RefPtr<Inode>(this);
        u32 const ino = TRY(volume().lookup(m_data, name));
        return ext4fs().inode(ino);
    }

    Result<u64> read_directory(u64 start, bool (*f)(DirectoryEntry const&, void*), void* context) override;

    // A page that mappings share is read from its frame (a MAP_SHARED
    // mapping may have changed it since it was last written back).
    Result<usize> read(u64 offset, IoBuffer buffer, usize length) override
    {
        if (is_directory()) return Errno(EISDIR);
        if (!is_regular()) return Errno(EINVAL);
        if (m_pages.is_empty()) {
            IoBufferSink sink(buffer);
            return volume().read(m_data, offset, length, sink);
        }
        if (offset >= size()) return 0;
        length = usize(lib::min(u64(length), size() - offset));
        for (usize done = 0; done < length;) {
            u64 const position = offset + done;
            usize const in_page = usize(position % mm::kPageSize);
            usize const chunk = lib::min(length - done, usize(mm::kPageSize - in_page));
            if (u64 frame = m_pages.at(FilePages::index_of(position))) {
                TRY(buffer.write(done, mm::phys_to_ptr<u8>(frame) + in_page, chunk));
            } else {
                IoBufferSink sink(buffer.offset(done));
                TRY(volume().read(m_data, position, chunk, sink));
            }
            done += chunk;
        }
        return length;
    }

    Result<usize> read_link(char* buffer, usize size) override
    {
        if (!is_symlink()) return Errno(EINVAL);
        return volume().read_link(m_data, buffer, size);
    }

    // ---- changes. The VFS has checked permissions, the mount's read-only
    // flag and the types a name may be replaced by; the volume checks what
    // the directory holds (EEXIST, ENOTEMPTY ...).
    Result<RefPtr<Inode>> create(StringView name, u32 mode, u32 uid, u32 gid, u64 rdev) override
    {
        TRY(want_directory());
        debug_table::ChangeScope const change(fs()); // the monitor: metadata in flux
        auto data = TRY(volume().create(m_data, name, mode, uid, gid, rdev, now()));
        refresh();
        return ext4fs().adopt(data);
    }

    Result<RefPtr<Inode>> create_symlink(StringView name, StringView target, u32 uid, u32 gid) override
    {
        TRY(want_directory());
        debug_table::ChangeScope const change(fs());
        auto data = TRY(volume().create_symlink(m_data, name, target, uid, gid, now()));
        refresh();
        return ext4fs().adopt(data);
    }

    Result<void> link(StringView name, Inode& target_inode) override
    {
        TRY(want_directory());
        if (&target_inode.fs() != &fs()) return Errno(EXDEV);
        if (target_inode.is_directory()) return Errno(EPERM);
        auto& target = static_cast<Ext4Inode&>(target_inode);
        if (target.m_data.links == 0) return Errno(ENOENT); // unlinked while open (Linux)
        debug_table::ChangeScope const change(fs());
        TRY(volume().link(m_data, name, target.m_data, now()));
        refresh();
        target.refresh();
        return {};
    }

    Result<void> remove(StringView name, bool directory) override
    {
        TRY(want_directory());
        auto child_ref = TRY(lookup(name));
        auto& child = static_cast<Ext4Inode&>(*child_ref);
        if (directory && !child.is_directory()) return Errno(ENOTDIR);
        if (!directory && child.is_directory()) return Errno(EISDIR);
        debug_table::ChangeScope const change(fs());
        TRY(volume().unlink(m_data, name, child.m_data, now()));
        refresh();
        child.refresh();
        return {}; // a child without links is freed when its last user lets go
    }

    Result<void> rename(StringView name, Inode& new_parent_inode, StringView new_name) override
    {
        TRY(want_directory());
        auto& new_parent = static_cast<Ext4Inode&>(new_parent_inode);
        TRY(new_parent.want_directory());
        auto moved_ref = TRY(lookup(name));
        auto& moved = static_cast<Ext4Inode&>(*moved_ref);
        RefPtr<Inode> replaced_ref;
        auto existing = new_parent.lookup(new_name);
        if (!existing.is_error())
            replaced_ref = existing.release_value();
        else if (existing.error().code() != ENOENT)
            return existing.error();
        auto* replaced = static_cast<Ext4Inode*>(replaced_ref.ptr());
        if (replaced == &moved) return {}; // two names of one file: POSIX says do nothing
        if (replaced && moved.is_directory() != replaced->is_directory())
            return Errno(moved.is_directory() ? ENOTDIR : EISDIR);
        debug_table::ChangeScope const change(fs());
        TRY(volume().rename(m_data, name, moved.m_data, new_parent.m_data, new_name,
            replaced ? &replaced->m_data : nullptr, now()));
        refresh();
        new_parent.refresh();
        moved.refresh();
        if (replaced) replaced->refresh();
        return {};
    }

    Result<void> exchange(StringView name, Inode& other_parent_inode, StringView other_name) override
    {
        TRY(want_directory());
        auto& other_parent = static_cast<Ext4Inode&>(other_parent_inode);
        TRY(other_parent.want_directory());
        auto a_ref = TRY(lookup(name));
        auto b_ref = TRY(other_parent.lookup(other_name));
        auto& a = static_cast<Ext4Inode&>(*a_ref);
        auto& b = static_cast<Ext4Inode&>(*b_ref);
        debug_table::ChangeScope const change(fs());
        TRY(volume().exchange(m_data, name, a.m_data, other_parent.m_data, other_name, b.m_data, now()));
        refresh();
        other_parent.refresh();
        a.refresh();
        b.refresh();
        return {};
    }

    Result<usize> write(u64 offset, IoBuffer buffer, usize length) override
    {
        if (is_directory()) return Errno(EISDIR);
        if (!is_regular()) return Errno(EINVAL);
        TRY(want_writable());
        debug_table::ChangeScope const change(fs());
        u64 const old_size = size();
        IoBufferSource source(buffer);
        auto written = volume().write(m_data, offset, length, source, now());
        refresh();
        if (!written.is_error() && !m_pages.is_empty()) {
            // Shared pages show the new bytes, and zeros between the old
            // end and the write.
            m_pages.zero_past_end(old_size, offset);
            copy_to_frames(offset, written.value(), buffer);
        }
        return written;
    }

    Result<void> truncate(u64 size) override
    {
        if (is_directory()) return Errno(EISDIR);
        if (!is_regular()) return Errno(EINVAL);
        TRY(want_writable());
        debug_table::ChangeScope const change(fs());
        u64 const old_size = this->size();
        auto result = volume().truncate(m_data, size, now());
        refresh();
        if (!result.is_error()) {
            m_pages.zero_past_end(old_size, size);
            m_pages.shrink(static_cast<Inode const*>(this), size);
        }
        return result;
    }

    // Mapped pages: a frame per page, filled from the disk when first
    // asked for and kept while the inode lives. Executables share them
    // between processes; MAP_SHARED mappings write into them, and
    // write_back() writes such pages to the disk.
    Result<u64> page_frame(u64 offset, bool shared) override
    {
        if (!is_regular()) return Errno(ENOENT);
        if (offset % mm::kPageSize) return Errno(EINVAL);
        if (offset >= size()) return Errno(ENXIO);
        u64 const index = FilePages::index_of(offset);
        bool made = false;
        u64 const frame = TRY(m_pages.get_or_make(index, &made));
        if (made) {
            usize const length = usize(lib::min(u64(mm::kPageSize), size() - offset));
            IoBufferSink sink(IoBuffer::kernel(mm::phys_to_ptr<u8>(frame)));
            auto filled = volume().read(m_data, offset, length, sink);
            if (filled.is_error()) {
                m_pages.drop(index);
                return filled.error();
            }
        }
        if (shared) m_pages.mark_shared(index);
        mm::page_ref(frame);
        return frame;
    }

    Result<u64> cached_page_frame(u64 offset) override
    {
        if (!is_regular()) return Errno(ENOENT);
        return m_pages.cached(offset, size());
    }

    // Writes the pages MAP_SHARED mappings may have changed to the disk
    // (through the block cache), those that differ from it only.
    Result<void> write_back()
    {
        if (m_pages.is_empty() || !volume().writable()) return {};
        debug_table::ChangeScope const change(fs());
        auto* on_disk = new (std::nothrow) u8[mm::kPageSize];
        if (!on_disk) return Errno(ENOMEM);
        Result<void> result;
        m_pages.for_each_shared([&](u64 index, u64 frame) {
            u64 const offset = index * mm::kPageSize;
            if (offset >= size()) return false;
            usize const length = usize(lib::min(u64(mm::kPageSize), size() - offset));
            u8 const* bytes = mm::phys_to_ptr<u8>(frame);
            IoBufferSink sink(IoBuffer::kernel(on_disk));
            auto read = volume().read(m_data, offset, length, sink);
            if (!read.is_error() && read.value() == length && !__builtin_memcmp(on_disk, bytes, length)) return true;
            IoBufferSource source(IoBuffer::kernel(bytes));
            auto written = volume().write(m_data, offset, length, source, now());
            if (written.is_error()) result = written.error();
            return !result.is_error();
        });
        delete[] on_disk;
        refresh();
        return result;
    }

    // Extended attributes: the volume checks the name (its namespaces),
    // the VFS who may ask.
    Result<usize> get_xattr(StringView name, u8* buffer, usize size) override
    {
        return volume().get_xattr(m_data, name, buffer, size);
    }
    Result<void> list_xattrs(bool (*f)(StringView name, void*), void* context) override
    {
        return volume().list_xattrs(m_data, f, context);
    }
    Result<void> set_xattr(StringView name, u8 const* value, usize size, u32 flags) override
    {
        TRY(want_writable());
        debug_table::ChangeScope const change(fs());
        auto result = volume().set_xattr(m_data, name, value, size, flags, now());
        refresh();
        return result;
    }
    Result<void> remove_xattr(StringView name) override
    {
        TRY(want_writable());
        debug_table::ChangeScope const change(fs());
        auto result = volume().remove_xattr(m_data, name, now());
        refresh();
        return result;
    }

    Result<void> set_mode(u32 mode) override
    {
        TRY(want_writable());
        debug_table::ChangeScope const change(fs());
        TRY(Inode::set_mode(mode));
        return store_metadata();
    }
    Result<void> set_owner(u32 uid, u32 gid) override
    {
        TRY(want_writable());
        debug_table::ChangeScope const change(fs());
        TRY(Inode::set_owner(uid, gid));
        return store_metadata();
    }
    Result<void> set_times(Timespec const* atime, Timespec const* mtime) override
    {
        TRY(want_writable());
        debug_table::ChangeScope const change(fs());
        TRY(Inode::set_times(atime, mtime));
        return store_metadata();
    }
private:
    friend class Ext4FileSystem; // shutdown and teardown: evict(), detach()
    explicit Ext4Inode(ext4::InodeData const& data)
        : m_data(data)
    {
    }
    Ext4FileSystem& ext4fs() { return static_cast<Ext4FileSystem&>(fs()); }
    ext4::Volume& volume() { return ext4fs().volume(); }

    // The VFS checks the mount's read-only flag first; this keeps a
    // read-only volume unchanged whatever calls in.
    Result<void> want_writable() { return volume().writable() ? Result<void> {} : Errno(EROFS); }
    // A directory that takes a new name: not one that was removed (someone's
    // cwd, say), as Linux.
    Result<void> want_directory()
    {
        if (!is_directory()) return Errno(ENOTDIR);
        TRY(want_writable());
        return m_data.links == 0 ? Errno(ENOENT) : Result<void> {};
    }

    // The VFS view of m_data.
    void refresh()
    {
        auto& m = m_metadata;
        m.ino = m_data.ino;
        m.mode = m_data.mode;
        m.nlink = m_data.links;
        m.uid = m_data.uid;
        m.gid = m_data.gid;
        m.size = m_data.size;
        m.block_count = m_data.blocks;
        m.rdev = m_data.rdev;
        m.atime = to_timespec(m_data.atime);
        m.mtime = to_timespec(m_data.mtime);
        m.ctime = to_timespec(m_data.ctime);
    }

    // set_mode/owner/times changed m_metadata: write it to the disk, or
    // take it back.
    Result<void> store_metadata()
    {
        ext4::InodeData const before = m_data;
        m_data.mode = m_metadata.mode;
        m_data.uid = m_metadata.uid;
        m_data.gid = m_metadata.gid;
        m_data.atime = to_time(m_metadata.atime);
        m_data.mtime = to_time(m_metadata.mtime);
        m_data.ctime = to_time(m_metadata.ctime);
        auto result = volume().update_inode(m_data);
        if (result.is_error()) m_data = before;
        refresh();
        return result;
    }

    // After `length` bytes from `buffer` were written at `offset`: the
    // frames of those pages take the same bytes. They were just read from
    // the buffer, so this copy cannot fault (one CPU, nothing ran between).
    void copy_to_frames(u64 offset, usize length, IoBuffer buffer)
    {
        for (u64 position = offset; position < offset + length;) {
            usize const in_page = usize(position % mm::kPageSize);
            usize const chunk = usize(lib::min(u64(mm::kPageSize - in_page), offset + length - position));
            if (u64 frame = m_pages.at(FilePages::index_of(position)))
                (void)buffer.read(usize(position - offset), mm::phys_to_ptr<u8>(frame) + in_page, chunk);
            position += chunk;
        }
    }

    // The file system went first (it must not: logged there); nothing here
    // touches it any more.
    void detach() { m_detached = true; }
    void evict();

    ext4::InodeData m_data;
    bool m_evicted { false };
    bool m_detached { false };
    FilePages m_pages; // regular files: the pages mappings and executables share
};

Ext4Inode::~Ext4Inode()
{
    if (m_detached) return;
    ext4fs().forget(*this);
    evict();
}

// The inode's last user is gone (or the file system shuts down): its
// shared pages are written back, or, without links, it is freed on disk
// (Linux's ext4_evict_inode). Once only; a mount that was shut down writes
// nothing more.
void Ext4Inode::evict()
{
    auto& fs = ext4fs();
    if (m_evicted || fs.closed() || !volume().writable()) return;
    m_evicted = true;
    if (m_data.links) {
        auto written = write_back();
        if (written.is_error())
            log_error("%s: writing back mapped pages of inode %u failed: errno %d", fs.device_object().name(),
                m_data.ino, written.error().code());
        return;
    }
    debug_table::ChangeScope const change(fs);
    auto result = volume().release(m_data, now());
    if (result.is_error())
        log_error("%s: could not free inode %u: errno %d", fs.device_object().name(), m_data.ino,
            result.error().code());
}

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

Result<RefPtr<Ext4FileSystem>> Ext4FileSystem::create(BlockDevice& device, char const* type, bool read_only, bool no_load)
{
    // Linux's get_tree_bdev: a write-protected disk mounts read-only or not at all.
    if (!read_only && device.read_only()) return Errno(EACCES);
    if (!device.claim()) {
        log_error("%s (%s): can't mount: the disk is mounted already", device.name(), type);
        return Errno(EBUSY);
    }
    auto* raw = new (std::nothrow) Ext4FileSystem;
    if (!raw) {
        device.release_claim();
        return Errno(ENOMEM);
    }
    auto fs = RefPtr<Ext4FileSystem>::adopt(raw);
    fs->m_device = &device;
    fs->m_type = type;
    fs->m_backend = TRY(DiskBackend::create(device));
    ext4::OpenReport report;
    if (no_load && !read_only) {
        // Linux: "required journal recovery suppressed and not mounted read-only".
        ext4::OpenReport probe;
        if (!ext4::Volume::open(*fs->m_backend, probe).is_error() && probe.needs_recovery) {
            log_error("%s (%s): required journal recovery suppressed and not mounted read-only", device.name(), type);
            return Errno(EINVAL);
        }
    }
    // Linux replays a journal at any mount of a disk it can write, the
    // read-only ones included, unless told not to (noload).
    if (read_only && !device.read_only() && !no_load) {
        auto recovered = ext4::Volume::recover_journal(*fs->m_backend, report);
        if (recovered.is_error() && recovered.error().code() != EROFS) {
            log_error("%s (%s): journal recovery failed: %s", device.name(), type,
                report.problem ? report.problem : "I/O error");
            return recovered.error();
        }
        report.refused_feature = nullptr; // an unreplayable journal: read-only as before
    }
    auto volume = read_only ? ext4::Volume::open(*fs->m_backend, report)
                            : ext4::Volume::open_writable(*fs->m_backend, report, now());
    if (report.journal.transactions || report.journal.blocks_written)
        log_info("%s (%s): recovery complete: %u transactions, %u blocks replayed, %u revoked%s", device.name(), type,
            report.journal.transactions, report.journal.blocks_written, report.journal.blocks_revoked,
            report.journal.bad_checksums ? ", some blocks with bad checksums skipped" : "");
    if (volume.is_error() && volume.error().code() == EROFS) {
        // Linux: "couldn't mount RDWR because of unsupported optional features".
        log_error("%s (%s): couldn't mount RDWR: %s", device.name(), type,
            report.refused_feature ? report.refused_feature : "unsupported features");
    } else if (report.refused_feature) {
        // Linux: "couldn't mount because of unsupported optional features (%x)".
        log_error("%s (%s): couldn't mount because of unsupported optional features: %s (incompat %#x)", device.name(),
            type, report.refused_feature, report.unknown_incompat);
    } else if (report.problem) {
        log_error("%s (%s): can't mount: %s", device.name(), type, report.problem);
    }
    if (volume.is_error()) {
        if (!report.problem && !report.refused_feature)
            log_error("%s (%s): can't mount: errno %d", device.name(), type, volume.error().code());
        return volume.error();
    }
    if (report.needs_recovery && device.read_only() && !no_load) {
        // Linux's ext4_load_journal on a write-protected disk.
        log_error("%s (%s): write access unavailable, cannot proceed (try mounting with noload)", device.name(), type);
        return Errno(EROFS);
    }
    fs->m_volume = volume.release_value();
    if (report.needs_recovery)
        log_warn("%s (%s): needs journal recovery; mounting read-only without replaying the journal%s%s", device.name(),
            type, no_load ? " (noload)" : ": ", no_load ? "" : report.journal.problem ? report.journal.problem : "");
    fs->m_root = TRY(fs->inode(ext4::kRootIno));
    debug_table::register_mount(*fs, fs->device(), type, fs->m_volume->cache());
    log_info("%s: mounted %s %s (%zu-byte blocks, %u groups)", device.name(), type,
        read_only ? "read-only" : "read-write", fs->m_volume->block_size(), fs->m_volume->group_count());
    return fs;
}

Ext4FileSystem::~Ext4FileSystem()
{
    debug_table::unregister_mount(*this);
    // The root goes first, while the table it leaves is still here.
    m_root = nullptr;
    shutdown();
    // Every inode holds a reference into the tree that keeps the mount busy,
    // and umount drops its own before the file system: none should be left.
    for (Ext4Inode* live : m_live) {
        log_warn("%s: inode %u outlives its file system", device_object().name(), live->number());
        live->detach();
    }
    m_volume = nullptr;
    m_backend = nullptr;
    if (m_device) m_device->release_claim();
}

Result<void> Ext4FileSystem::sync()
{
    if (!m_volume->writable() || m_closed) return {};
    Result<void> result = write_back_mapped_pages();
    auto synced = m_volume->sync();
    return result.is_error() ? result : synced;
}

Result<void> Ext4FileSystem::write_back_mapped_pages()
{
    Result<void> result;
    for (Ext4Inode* live : m_live) {
        auto written = live->write_back();
        if (written.is_error() && !result.is_error()) result = written;
    }
    return result;
}

Result<void> Ext4FileSystem::remount(bool read_only)
{
    if (read_only == this->read_only() || m_closed) return {};
    if (read_only) {
        // An inode removed while open would be freed at its last close, a
        // write a read-only file system cannot do (Linux keeps it on the
        // orphan list for the next writable mount): refused instead.
        for (Ext4Inode* live : m_live)
            if (live->m_data.links == 0) return Errno(EBUSY);
        TRY(write_back_mapped_pages());
        TRY(m_volume->close()); // written back, marked clean; reads go on
        set_read_only(true);
        log_info("%s (%s): remounted read-only", device_object().name(), m_type);
        return {};
    }
    if (m_device->read_only()) return Errno(EACCES); // Linux: "write-protected"
    ext4::OpenReport report;
    auto writable = m_volume->make_writable(report, now());
    if (writable.is_error()) {
        log_error("%s (%s): couldn't remount RDWR: %s", device_object().name(), m_type,
            report.refused_feature ? report.refused_feature : report.problem ? report.problem : "error");
        return writable.error();
    }
    set_read_only(false);
    log_info("%s (%s): remounted read-write", device_object().name(), m_type);
    return {};
}

void Ext4FileSystem::shutdown()
{
    if (!m_volume || !m_volume->writable() || m_closed) return;
    // Files removed while still open are freed now: nothing will use them
    // again, and a clean file system must not keep them.
    for (Ext4Inode* live : m_live)
        if (live->m_data.links == 0) live->evict();
    auto written = write_back_mapped_pages();
    if (written.is_error())
        log_error("%s (%s): writing back mapped pages failed: errno %d", device_object().name(), m_type,
            written.error().code());
    m_closed = true;
    auto result = m_volume->close();
    if (result.is_error())
        log_error("%s (%s): writing back at unmount failed: errno %d", device_object().name(), m_type,
            result.error().code());
}

Result<RefPtr<Inode>> Ext4FileSystem::inode(u32 ino)
{
    for (Ext4Inode* live : m_live)
        if (live->number() == ino) return RefPtr<Inode>(live);
    auto data = TRY(m_volume->read_inode(ino));
    return adopt(data);
}

Result<RefPtr<Inode>> Ext4FileSystem::adopt(ext4::InodeData const& data)
{
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
