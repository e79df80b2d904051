#include <fs/vfs/file_pages.h>
#include <kernel/mm/address_space.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/physical.h>

#include <new>

using mm::kPageSize;

FilePages::~FilePages() { destroy(m_root, m_height); }

void FilePages::destroy(void* node, unsigned level)
{
    if (!node) return;
    if (level == 1) {
        auto* leaf = static_cast<Leaf*>(node);
        for (u64 frame : leaf->frames)
            if (frame) mm::page_unref(frame);
        delete leaf;
        return;
    }
    auto* inner = static_cast<Inner*>(node);
    for (void* child : inner->children) destroy(child, level - 1);
    delete inner;
}

u64 FilePages::index_of(u64 position) { return position / kPageSize; }

FilePages::Leaf* FilePages::leaf(u64 index) const
{
    if (index >= capacity()) return nullptr;
    void* node = m_root;
    for (unsigned level = m_height; node && level > 1; level--)
        node = static_cast<Inner*>(node)->children[(index >> (kFanOutShift * (level - 1))) & (kFanOut - 1)];
    return static_cast<Leaf*>(node);
}

Result<FilePages::Leaf*> FilePages::make_leaf(u64 index)
{
    // Grow at the top until the tree spans `index`: the old root becomes
    // the new root's first child.
    while (index >= capacity()) {
        if (!m_root) {
            m_height++;
            continue;
        }
        auto* inner = new (std::nothrow) Inner {};
        if (!inner) return Errno(ENOMEM);
        inner->children[0] = m_root;
        m_root = inner;
        m_height++;
    }
    void** slot = &m_root;
    for (unsigned level = m_height; level > 1; level--) {
        if (!*slot) {
            *slot = new (std::nothrow) Inner {};
            if (!*slot) return Errno(ENOMEM);
        }
        slot = &static_cast<Inner*>(*slot)->children[(index >> (kFanOutShift * (level - 1))) & (kFanOut - 1)];
    }
    if (!*slot) {
        *slot = new (std::nothrow) Leaf {};
        if (!*slot) return Errno(ENOMEM);
    }
    return static_cast<Leaf*>(*slot);
}

Result<u64> FilePages::cached(u64 offset, u64 size) const
{
    if (offset % mm::kPageSize || offset >= size) return Errno(ENOENT);
    u64 const frame = at(index_of(offset));
    if (!frame) return Errno(ENOENT); // a hole: the fault makes its page
    mm::page_ref(frame);
    return frame;
}

u64 FilePages::at(u64 index) const
{
    Leaf const* l = leaf(index);
    return l ? l->frames[index & (kFanOut - 1)] : 0;
}

Result<u64> FilePages::get_or_make(u64 index, bool* made)
{
    if (made) *made = false;
    Leaf* l = TRY(make_leaf(index));
    u64& frame = l->frames[index & (kFanOut - 1)];
    if (!frame) {
        frame = TRY(mm::allocate_pages(0, true));
        m_frames++;
        if (made) *made = true;
    }
    return frame;
}

void FilePages::drop(u64 index)
{
    Leaf* l = leaf(index);
    if (!l || !l->frames[index & (kFanOut - 1)]) return;
    mm::page_unref(l->frames[index & (kFanOut - 1)]);
    l->frames[index & (kFanOut - 1)] = 0;
    l->shared &= ~(u64(1) << (index & (kFanOut - 1)));
    m_frames--;
}

void FilePages::mark_shared(u64 index)
{
    if (Leaf* l = leaf(index)) l->shared |= u64(1) << (index & (kFanOut - 1));
}

Result<void> FilePages::adopt(u64 const* frames, usize count)
{
    if (!is_empty()) return Errno(EINVAL);
    // Every node first, so that a failure takes none of the frames.
    for (usize i = 0; i < count; i += kFanOut) TRY(make_leaf(i));
    for (usize i = 0; i < count; i++) {
        leaf(i)->frames[i & (kFanOut - 1)] = frames[i];
        if (frames[i]) m_frames++;
    }
    return {};
}

void FilePages::shrink(void const* owner, u64 size)
{
    u64 const keep = (size + kPageSize - 1) / kPageSize;
    auto cut = [&](u64 first, Leaf& l) {
        if (first + kFanOut <= keep) return true;
        usize const start = first >= keep ? 0 : usize(keep - first);
        mm::revoke_file_pages(owner, first + start, l.frames + start, kFanOut - start);
        for (usize i = start; i < kFanOut; i++) {
            if (!l.frames[i]) continue;
            mm::page_unref(l.frames[i]);
            l.frames[i] = 0;
            m_frames--;
        }
        l.shared &= start ? (u64(1) << start) - 1 : 0;
        return true;
    };
    walk(m_root, m_height, 0, cut);
    if (size % kPageSize && keep) {
        if (u64 frame = at(keep - 1))
            __builtin_memset(mm::phys_to_ptr<u8>(frame) + size % kPageSize, 0, kPageSize - size % kPageSize);
    }
}

void FilePages::zero_past_end(u64 old_size, u64 new_size)
{
    u64 const index = index_of(old_size);
    u64 const frame = at(index);
    if (old_size % kPageSize == 0 || new_size <= old_size || !frame) return;
    u64 const end = lib::min(new_size, (index + 1) * kPageSize);
    __builtin_memset(mm::phys_to_ptr<u8>(frame) + old_size % kPageSize, 0, usize(end - old_size));
}
