// FilePageSource: file contents for a mapping (mmap of a file, the segments
// exec maps). Pages come from the inode's page frames when the file system
// offers them (Inode::page_frame), else they are read into a fresh page.
// A MAP_SHARED mapping needs the frames: only a file system that has them
// (tmpfs, ext4) can back one.
#pragma once

#include <fs/vfs/inode.h>
#include <kernel/mm/address_space.h>

class FilePageSource final : public mm::PageSource {
public:
    // An exec segment: bytes at or past `end` (a file offset) read as zero.
    static Result<RefPtr<mm::PageSource>> create(RefPtr<Inode> inode, u64 end, char const* name);
    // mmap of the whole file: pages past the one holding EOF are SIGBUS.
    // ENODEV for a shared mapping of a file whose frames cannot be shared.
    static Result<RefPtr<mm::PageSource>> create_for_mmap(RefPtr<Inode> inode, bool shared, char const* name);

    Result<void> read_page(u64 offset, u8* page) override;
    Result<u64> shared_frame(u64 offset) override;
    Result<u64> cached_frame(u64 offset) override;
    bool past_end(u64 offset) override;
    // Exec segments are never revoked: Linux refuses to truncate a running
    // binary (ETXTBSY); here it runs on from the pages it has.
    void const* file() const override { return m_end == kWholeFile ? m_inode.ptr() : nullptr; }
    // A shared mapping's file system writes back (all it holds: as durable,
    // and simpler than one file's pages).
    Result<void> sync() override { return m_shared ? m_inode->fs().sync() : Result<void> {}; }
    char const* name() const override { return m_name; }
    void identity(u64& device, u64& inode) const override;

private:
    static constexpr u64 kWholeFile = ~0ull;
    static Result<RefPtr<mm::PageSource>> make(RefPtr<Inode> inode, u64 end, bool shared, char const* name);
    bool whole_page(u64 offset) const;
    FilePageSource(RefPtr<Inode> inode, u64 end, bool shared) : m_inode(inode), m_end(end), m_shared(shared) { }
    RefPtr<Inode> m_inode;
    u64 m_end; // kWholeFile for mmap
    bool m_shared; // a MAP_SHARED mapping: it may write to the frames
    char m_name[64] {};
};
