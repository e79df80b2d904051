// FilePageSource: file contents for a private mapping (mmap of a file, the
// segments exec maps). Pages come from the inode's page frames when the
// file system offers them, else they are read into a fresh page.
#pragma once

#include <fs/vfs/inode.h>
#include <kernel/mm/address_space.h>

class FilePageSource final : public mm::PageSource {
public:
    // Bytes at or past `end` (a file offset) read as zero.
    static Result<RefPtr<mm::PageSource>> create(RefPtr<Inode> inode, u64 end, char const* name);
    Result<void> read_page(u64 offset, u8* page) override;
    Result<u64> shared_frame(u64 offset) override;
    char const* name() const override { return m_name; }

private:
    FilePageSource(RefPtr<Inode> inode, u64 end) : m_inode(inode), m_end(end) { }
    RefPtr<Inode> m_inode;
    u64 m_end;
    char m_name[64] {};
};
