#include <fs/vfs/file_page_source.h>
#include <kernel/mm/layout.h>

#include <new>

Result<RefPtr<mm::PageSource>> FilePageSource::create(RefPtr<Inode> inode, u64 end, char const* name) {
    return make(inode, end, false, name);
}

Result<RefPtr<mm::PageSource>> FilePageSource::make(RefPtr<Inode> inode, u64 end, bool shared, char const* name) {
    auto* source = new (std::nothrow) FilePageSource(inode, end, shared);
    if (!source) return Errno(ENOMEM);
    usize i = 0;
    for (; name && name[i] && i + 1 < sizeof(source->m_name); i++) source->m_name[i] = name[i];
    return RefPtr<mm::PageSource>::adopt(source);
}

Result<RefPtr<mm::PageSource>> FilePageSource::create_for_mmap(RefPtr<Inode> inode, bool shared, char const* name) {
    if (shared) {
        // Ask for a page past any EOF: a file system with frames to share
        // says ENXIO (no such page), the Inode default ENOENT (no frames).
        auto probe = inode->page_frame(~0ull & ~(mm::kPageSize - 1), true);
        if (!probe.is_error()) mm::page_unref(probe.value());
        else if (probe.error().code() != ENXIO) return Errno(ENODEV);
    }
    return make(inode, kWholeFile, shared, name);
}

Result<void> FilePageSource::read_page(u64 offset, u8* page) {
    usize want = offset >= m_end ? 0 : usize(lib::min(mm::kPageSize, m_end - offset));
    usize got = want ? TRY(m_inode->read(offset, IoBuffer::kernel(page), want)) : 0;
    __builtin_memset(page + got, 0, mm::kPageSize - got);
    return {};
}

bool FilePageSource::whole_page(u64 offset) const {
    // An exec segment's last page holds other bytes of the file past `end`.
    return m_end == kWholeFile || (offset < m_end && m_end - offset >= mm::kPageSize);
}

Result<u64> FilePageSource::shared_frame(u64 offset) {
    if (!whole_page(offset)) return Errno(ENOENT);
    return m_inode->page_frame(offset, m_shared);
}

Result<u64> FilePageSource::cached_frame(u64 offset) {
    if (!whole_page(offset) || m_shared) return Errno(ENOENT);
    return m_inode->cached_page_frame(offset);
}

bool FilePageSource::past_end(u64 offset) {
    return m_end == kWholeFile && offset >= align_up(m_inode->size(), mm::kPageSize);
}

void FilePageSource::identity(u64& device, u64& inode) const {
    device = m_inode->fs().device();
    inode = m_inode->metadata().ino;
}
