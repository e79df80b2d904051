// FilePages: page frames of one regular file, by page index (0: no frame).
// tmpfs keeps a file's bytes in them; ext4 keeps the pages that mappings
// and executables share (a disk file system's page cache, for mapped pages
// only). The frames hold a reference each, dropped when they are dropped.
//
// Bytes past the end of the file in its last page are kept zero (see
// zero_past_end), so that a file that grows reads zeros there whatever a
// MAP_SHARED mapping wrote.
//
// Concurrency: the owning inode's (one CPU, non-preemptive kernel).
#pragma once

#include <lib/result.h>
#include <lib/vector.h>

class FilePages {
public:
    FilePages() = default;
    ~FilePages();
    FilePages(FilePages const&) = delete;
    FilePages& operator=(FilePages const&) = delete;

    static u64 index_of(u64 position);

    bool is_empty() const { return m_frames.is_empty(); }
    usize count() const { return m_frames.size(); } // one past the highest index held
    u64 at(u64 index) const { return index < m_frames.size() ? m_frames[index] : 0; }
    // The frame at `index`, a zeroed one made if there is none (`made` says so).
    Result<u64> get_or_make(u64 index, bool* made = nullptr);
    // Drops the frame at `index` (one that could not be filled, say).
    void drop(u64 index);
    // Takes frames [0, count) as its own (it must be empty).
    Result<void> adopt(u64 const* frames, usize count);

    // The file `owner` shrinks to `size`: mappings lose the pages past it
    // first (touching them is SIGBUS from now on, and no PTE keeps a frame
    // the file no longer has), the frames go, and the last page's bytes
    // past `size` are zeroed.
    void shrink(void const* owner, u64 size);
    // The file grows from `old_size` to `new_size`: the old last page's
    // bytes past the old end become file data and must read zero.
    void zero_past_end(u64 old_size, u64 new_size);

private:
    Vector<u64> m_frames;
};
