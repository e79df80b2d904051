#include <fs/vfs/file_page_source.h>
#include <kernel/mm/layout.h>

#include <new>

Result<RefPtr<mm::PageSource>> FilePageSource::create(RefPtr<Inode> inode, u64 end, char const* name) {
    auto* source = new (std::nothrow) FilePageSource(inode, end);
    if (!source) return Errno(ENOMEM);
    usize i = 0;
    for (; name && name[i] && i + 1 < sizeof(source->m_name); i++) source->m_name[i] = name[i];
    return RefPtr<mm::PageSource>::adopt(source);
}

Result<void> FilePageSource::read_page(u64 offset, u8* page) {
    usize want = offset >= m_end ? 0 : usize(lib::min(mm::kPageSize, m_end - offset));
    usize got = want ? TRY(m_inode->read(offset, IoBuffer::kernel(page), want)) : 0;
    __builtin_memset(page + got, 0, mm::kPageSize - got);
    return {};
}

Result<u64> FilePageSource::shared_frame(u64 offset) {
    if (offset + mm::kPageSize > m_end) return Errno(ENOENT);
    return m_inode->page_frame(offset);
}
