#include <fs/vfs/file_pages.h>
#include <kernel/mm/address_space.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>

using mm::kPageSize;

FilePages::~FilePages()
{
    for (u64 frame : m_frames)
        if (frame) mm::page_unref(frame);
}

u64 FilePages::index_of(u64 position) { return position / kPageSize; }

Result<u64> FilePages::get_or_make(u64 index, bool* made)
{
    if (made) *made = false;
    if (index >= m_frames.size()) TRY(m_frames.try_resize(index + 1));
    if (!m_frames[index]) {
        m_frames[index] = TRY(mm::allocate_pages(0, true));
        if (made) *made = true;
    }
    return m_frames[index];
}

void FilePages::drop(u64 index)
{
    if (!at(index)) return;
    mm::page_unref(m_frames[index]);
    m_frames[index] = 0;
}

Result<void> FilePages::adopt(u64 const* frames, usize count)
{
    if (!m_frames.is_empty()) return Errno(EINVAL);
    TRY(m_frames.try_resize(count));
    for (usize i = 0; i < count; i++) m_frames[i] = frames[i];
    return {};
}

void FilePages::shrink(void const* owner, u64 size)
{
    u64 const keep = (size + kPageSize - 1) / kPageSize;
    if (m_frames.size() > keep) mm::revoke_file_pages(owner, keep, m_frames.begin() + keep, m_frames.size() - keep);
    while (m_frames.size() > keep) {
        u64 frame = m_frames.take_last();
        if (frame) mm::page_unref(frame);
    }
    if (size % kPageSize && keep && m_frames.size() == keep && m_frames[keep - 1])
        __builtin_memset(mm::phys_to_ptr<u8>(m_frames[keep - 1]) + size % kPageSize, 0, kPageSize - size % kPageSize);
}

void FilePages::zero_past_end(u64 old_size, u64 new_size)
{
    u64 const index = index_of(old_size);
    if (old_size % kPageSize == 0 || new_size <= old_size || !at(index)) return;
    u64 const end = lib::min(new_size, (index + 1) * kPageSize);
    __builtin_memset(mm::phys_to_ptr<u8>(m_frames[index]) + old_size % kPageSize, 0, usize(end - old_size));
}
