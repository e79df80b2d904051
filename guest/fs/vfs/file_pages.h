// FilePages: page frames of one regular file, by page index. tmpfs keeps a
// file's bytes in them; ext4 keeps the pages that mappings and executables
// share (a disk file system's page cache, for mapped pages only). Each frame
// holds a reference, dropped when the frame is dropped. A frame can be
// marked shared (handed to a MAP_SHARED mapping, which may write to it).
//
// Sparse: a radix tree of small nodes whose height grows with the highest
// index, so a page far into a big sparse file costs a few nodes, not an
// array up to it.
//
// Bytes past the end of the file in its last page are kept zero (see
// zero_past_end), so that a file that grows reads zeros there whatever a
// MAP_SHARED mapping wrote.
//
// Concurrency: the owning inode's (one CPU, non-preemptive kernel).
#pragma once

#include <lib/result.h>

class FilePages {
public:
    FilePages() = default;
    ~FilePages();
    FilePages(FilePages const&) = delete;
    FilePages& operator=(FilePages const&) = delete;

    static u64 index_of(u64 position);

    bool is_empty() const { return m_frames == 0; }
    // The frame at `index`, 0 if none.
    u64 at(u64 index) const;
    // The frame holding the page at byte `offset` of a file of `size`
    // bytes, with a reference for the caller: ENOENT for a hole, an offset
    // past the end or inside a page (Inode::cached_page_frame).
    Result<u64> cached(u64 offset, u64 size) const;
    // The frame at `index`, a zeroed one made if there is none (`made` says so).
    Result<u64> get_or_make(u64 index, bool* made = nullptr);
    // Drops the frame at `index` (one that could not be filled, say).
    void drop(u64 index);
    // Takes frames [0, count) as its own (it must be empty).
    Result<void> adopt(u64 const* frames, usize count);

    // Marks the frame at `index` (which must exist) handed to a MAP_SHARED mapping.
    void mark_shared(u64 index);
    // Calls f(index, frame) for each frame marked shared, in index order,
    // until f returns false.
    template<typename F> void for_each_shared(F f) const;

    // The file `owner` shrinks to `size`: mappings lose the pages past it
    // first (touching them is SIGBUS from now on, and no PTE keeps a frame
    // the file no longer has), the frames go, and the last page's bytes
    // past `size` are zeroed.
    void shrink(void const* owner, u64 size);
    // The file grows from `old_size` to `new_size`: the old last page's
    // bytes past the old end become file data and must read zero.
    void zero_past_end(u64 old_size, u64 new_size);

private:
    static constexpr unsigned kFanOutShift = 6;
    static constexpr usize kFanOut = usize(1) << kFanOutShift; // 64: 512-byte nodes
    struct Leaf {
        u64 frames[kFanOut];
        u64 shared; // one bit per frame
    };
    struct Inner {
        void* children[kFanOut]; // Inner one level up, Leaf at the bottom
    };
    // The leaf holding `index`, if there is one; make_leaf makes it and the path to it.
    Leaf* leaf(u64 index) const;
    Result<Leaf*> make_leaf(u64 index);
    u64 capacity() const { return m_height ? u64(1) << (kFanOutShift * m_height) : 0; }
    static void destroy(void* node, unsigned level);
    // Calls f(first_index, leaf) for each leaf, in index order, until f returns false.
    template<typename F> static bool walk(void* node, unsigned level, u64 first, F& f);

    void* m_root { nullptr };
    unsigned m_height { 0 }; // levels: 1 is a single leaf
    u64 m_frames { 0 };      // frames held
};

template<typename F> bool FilePages::walk(void* node, unsigned level, u64 first, F& f)
{
    if (!node) return true;
    if (level == 1) return f(first, *static_cast<Leaf*>(node));
    auto& inner = *static_cast<Inner*>(node);
    u64 const span = u64(1) << (kFanOutShift * (level - 1));
    for (usize i = 0; i < kFanOut; i++)
        if (!walk(inner.children[i], level - 1, first + i * span, f)) return false;
    return true;
}

template<typename F> void FilePages::for_each_shared(F f) const
{
    auto visit = [&](u64 first, Leaf& leaf) {
        for (usize i = 0; i < kFanOut; i++)
            if ((leaf.shared >> i) & 1 && leaf.frames[i] && !f(first + i, leaf.frames[i])) return false;
        return true;
    };
    walk(m_root, m_height, 0, visit);
}
