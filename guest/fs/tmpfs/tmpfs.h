// tmpfs: files, directories, symlinks and device nodes in memory. File data
// lives in whole pages from the physical allocator (found through the
// direct map), so a large file costs no large contiguous allocation.
// Extended attributes (user., trusted., security.) live in memory too.
// The root file system is a tmpfs filled from the initramfs.
#pragma once

#include <fs/vfs/inode.h>

class TmpFs final : public FileSystem {
public:
    static Result<RefPtr<TmpFs>> create();
    char const* name() const override { return "tmpfs"; }
    bool has_xattrs() const override { return true; }
    RefPtr<Inode> root() override { return m_root; }

private:
    TmpFs() = default;
    RefPtr<Inode> m_root;
};
