// Volume's name operations: create, create_symlink, link, unlink, rename.
// Directory blocks are edited by DirectoryBlock (directory_block.h) as
// Linux edits them; this file finds the blocks, keeps inodes, link counts
// and times right, and orders the writes so that a crash between two of
// them leaves at worst what e2fsck repairs quietly (a link count too high,
// never too low: a name is added before the old one goes).
//
// Where we differ from Linux:
//  - htree (INDEX flag) directories: a removal edits the leaf in place, as
//    Linux does, and keeps the index valid. Anything that adds a name, or
//    changes ".." (which sits in the index root), first turns the directory
//    into a linear one: the flag goes, the root keeps "." and ".." (whose
//    slack hid the index) and index nodes become empty blocks. Linux reads
//    the result as any linear directory; only the hashed lookups are lost.
//  - dir_nlink: Linux lets a directory pass 65000 subdirectories (its link
//    count then reads 1) only while it is indexed; a directory we have
//    written to is linear, so we let any directory do so when the feature
//    is on. e2fsck accepts a count of 1 for such a directory.
#include <fs/ext4/checksum.h>
#include <fs/ext4/directory_block.h>
#include <fs/ext4/volume.h>
#include <fs/vfs/mode.h>

#include <utility>

namespace ext4 {

namespace {

using vfs::is_directory;
using vfs::kModeBlock;
using vfs::kModeCharacter;
using vfs::kModeDirectory;
using vfs::kModeFifo;
using vfs::kModeRegular;
using vfs::kModeSocket;
using vfs::kModeSymlink;
using vfs::kModeTypeMask;

// EXT4_LINK_MAX: the most links an inode counts (a directory past it reads
// 1 with dir_nlink).
constexpr u32 kLinkMax = 65000;

u8 file_type_for_mode(u32 mode)
{
    switch (mode & kModeTypeMask) {
    case kModeRegular:
        return kFileTypeRegular;
    case kModeDirectory:
        return kFileTypeDirectory;
    case kModeCharacter:
        return kFileTypeCharacter;
    case kModeBlock:
        return kFileTypeBlock;
    case kModeFifo:
        return kFileTypeFifo;
    case kModeSocket:
        return kFileTypeSocket;
    case kModeSymlink:
        return kFileTypeSymlink;
    default:
        return kFileTypeUnknown;
    }
}

// A name a directory entry can hold. An empty one never gets here from a
// path walk, which stops at ENOENT first.
Result<void> check_name(StringView name)
{
    if (name.is_empty()) return Errno(ENOENT);
    if (name.length() > kNameMax) return Errno(ENAMETOOLONG);
    return {};
}

bool is_dot_or_dot_dot(StringView name) { return name == "." || name == ".."; }

// Linux's old_encode_dev and new_encode_dev, as ext4_do_update_inode picks
// them: a device whose numbers fit 8 bits each takes the old 16-bit form in
// i_block[0], any other the new 32-bit form in i_block[1]. volume.cpp's
// decode_device reads both.
void encode_device(u32* block, u64 rdev)
{
    u32 const major = vfs::device_major(rdev);
    u32 const minor = vfs::device_minor(rdev);
    if (major < 256 && minor < 256) {
        block[0] = major << 8 | minor;
        return;
    }
    block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

// A symlink target, as write() takes its bytes.
class TargetSource final : public DataSource {
public:
    explicit TargetSource(StringView target)
        : m_target(target)
    {
    }
    Result<void> read(usize offset, u8* data, usize length) override
    {
        if (offset > m_target.length() || length > m_target.length() - offset) return Errno(EINVAL);
        __builtin_memcpy(data, m_target.data() + offset, length);
        return {};
    }

private:
    StringView m_target;
};

DirectoryFormat directory_format(Volume const& volume)
{
    Superblock const& super = volume.superblock();
    bool const checksummed = super.s_rev_level >= 1 && (super.s_feature_ro_compat & kRoCompatMetadataCsum);
    return DirectoryFormat { volume.block_size(), checksummed, volume.has_filetype(), volume.inode_count() };
}

// A directory gains a subdirectory (whose ".." links to it). Linux's
// EXT4_DIR_LINK_MAX and ext4_inc_count: past 65000, with dir_nlink, the
// count reads 1 ("many"), and stays 1.
Result<void> check_subdirectory_room(Volume const& volume, InodeData const& dir)
{
    Superblock const& super = volume.superblock();
    bool const dir_nlink = super.s_rev_level >= 1 && (super.s_feature_ro_compat & kRoCompatDirNlink);
    if (dir.links >= kLinkMax && !dir_nlink) return Errno(EMLINK);
    return {};
}

void add_subdirectory_link(InodeData& dir)
{
    if (dir.links == 1) return;
    dir.links++;
    if (dir.links > kLinkMax) dir.links = 1;
}

// Linux's ext4_dec_count: a count of 1 ("many") cannot be decremented, and
// a directory keeps at least its own two.
void drop_subdirectory_link(InodeData& dir)
{
    if (dir.links > 2) dir.links--;
}

} // namespace

// Where a new entry goes: room in an existing block, or a block to append.
struct Volume::DirectorySlot {
    u64 physical { 0 }; // 0: append a block
    usize room { 0 };
};

// A live entry found by name, with its block pinned for editing.
struct Volume::DirectoryEntryLocation {
    BlockHandle handle;
    usize offset;
    usize previous;
};

u32 Volume::directory_seed(InodeData const& dir) const
{
    return crc32c_u32(crc32c_u32(m_checksum_seed, dir.ino), dir.generation);
}

Result<Volume::DirectorySlot> Volume::find_slot(InodeData& dir, StringView name)
{
    if ((dir.mode & kModeTypeMask) != kModeDirectory) return Errno(ENOTDIR);
    TRY(check_name(name));
    if (dir.size & (m_block_size - 1)) return Errno(EUCLEAN);
    if (dir.flags & kIndexFlag) TRY(make_linear(dir));
    DirectoryFormat const format = directory_format(*this);
    usize const needed = dir_rec_len(name.length());
    DirectorySlot slot;
    // Every block is searched, for the name (EEXIST) as much as for room.
    u64 const blocks = dir.size >> m_block_shift;
    for (u64 b = 0; b < blocks; b++) {
        Mapping const mapping = TRY(map(dir, b));
        if (mapping.physical == 0 || mapping.zero) {
            b += lib::min(mapping.count, blocks - b) - 1; // a hole holds no entries
            continue;
        }
        auto handle = TRY(m_cache->get(mapping.physical, lib::min(mapping.count, blocks - b)));
        // Only read: the const_cast lets DirectoryBlock take the bytes
        // without dirtying the block.
        DirectoryBlock const block(const_cast<u8*>(handle.data()), format);
        auto const search = TRY(block.search(name, slot.physical ? 0 : needed));
        if (search.offset != DirectoryBlock::kNone) return Errno(EEXIST);
        if (!slot.physical && search.room != DirectoryBlock::kNone) slot = { mapping.physical, search.room };
    }
    return slot;
}

Result<void> Volume::fill_slot(InodeData& dir, DirectorySlot const& slot, StringView name, u32 ino, u8 file_type)
{
    DirectoryFormat const format = directory_format(*this);
    if (slot.physical) {
        auto handle = TRY(m_cache->get(slot.physical));
        DirectoryBlock block(handle.mutable_data(), format);
        block.insert(slot.room, name, ino, file_type);
        block.write_tail(directory_seed(dir));
        return {};
    }
    // No room: a new block at the end, as Linux's ext4_append. Without
    // LARGEDIR a directory's size is 32 bits.
    u64 const limit = (m_incompat & kIncompatLargeDir) ? (u64(m_block_size) << 32) : (u64(1) << 32);
    if (dir.size + m_block_size >= limit) return Errno(ENOSPC);
    // The block holds its entry before the size covers it: a failed get
    // must not leave an all-zero block inside the directory, which no
    // reader could parse. A block mapped past the size goes again.
    u64 const blocks = dir.size >> m_block_shift;
    u64 const physical = TRY(block_for_write(dir, blocks));
    auto handle = m_cache->get(physical);
    if (handle.is_error()) {
        (void)free_from(dir, blocks);
        (void)update_inode(dir);
        return handle.error();
    }
    DirectoryBlock block(handle.value().mutable_data(), format);
    block.initialize();
    block.insert(0, name, ino, file_type);
    block.write_tail(directory_seed(dir));
    dir.size += m_block_size;
    return update_inode(dir);
}

Result<void> Volume::add_entry(InodeData& dir, StringView name, u32 ino, u8 file_type)
{
    auto const slot = TRY(find_slot(dir, name));
    return fill_slot(dir, slot, name, ino, file_type);
}

Result<Volume::DirectoryEntryLocation> Volume::find_entry(InodeData const& dir, StringView name)
{
    if ((dir.mode & kModeTypeMask) != kModeDirectory) return Errno(ENOTDIR);
    TRY(check_name(name));
    DirectoryFormat const format = directory_format(*this);
    bool const indexed = dir.flags & kIndexFlag;
    u64 const blocks = (dir.size + m_block_size - 1) >> m_block_shift;
    for (u64 b = 0; b < blocks; b++) {
        Mapping const mapping = TRY(map(dir, b));
        if (mapping.physical == 0 || mapping.zero) {
            b += lib::min(mapping.count, blocks - b) - 1;
            continue;
        }
        auto handle = TRY(m_cache->get(mapping.physical, lib::min(mapping.count, blocks - b)));
        DirectoryBlock const block(const_cast<u8*>(handle.data()), format);
        if (indexed) {
            // An htree's root holds only "." and "..", and its nodes no
            // names; neither has a dirent tail to check.
            if (b == 0) {
                auto const dots = TRY(block.dots());
                if (name == ".") return DirectoryEntryLocation { std::move(handle), dots.dot, DirectoryBlock::kNone };
                if (name == "..") return DirectoryEntryLocation { std::move(handle), dots.dot_dot, dots.dot };
                continue;
            }
            if (block.is_index_node()) continue;
        }
        auto const search = TRY(block.search(name, 0));
        if (search.offset != DirectoryBlock::kNone)
            return DirectoryEntryLocation { std::move(handle), search.offset, search.previous };
    }
    return Errno(ENOENT);
}

Result<void> Volume::remove_entry(InodeData& dir, StringView name, u32 ino)
{
    auto location = TRY(find_entry(dir, name));
    DirectoryBlock block(location.handle.mutable_data(), directory_format(*this));
    if (block.inode_at(location.offset) != ino) return Errno(ENOENT);
    block.remove(location.offset, location.previous);
    block.write_tail(directory_seed(dir));
    return {};
}

Result<void> Volume::replace_entry(InodeData& dir, StringView name, u32 old_ino, u32 new_ino, u8 file_type)
{
    if (dir.flags & kIndexFlag && name == "..") TRY(make_linear(dir));
    auto location = TRY(find_entry(dir, name));
    DirectoryBlock block(location.handle.mutable_data(), directory_format(*this));
    if (old_ino && block.inode_at(location.offset) != old_ino) return Errno(ENOENT);
    block.set_inode(location.offset, new_ino, file_type);
    block.write_tail(directory_seed(dir));
    return {};
}

// The htree of `dir` goes; its blocks stay as linear ones (see the top of
// this file). e2fsck -D rebuilds an index if one is wanted.
Result<void> Volume::make_linear(InodeData& dir)
{
    DirectoryFormat const format = directory_format(*this);
    u32 const seed = directory_seed(dir);
    u64 const blocks = (dir.size + m_block_size - 1) >> m_block_shift;
    for (u64 b = 0; b < blocks; b++) {
        Mapping const mapping = TRY(map(dir, b));
        if (mapping.physical == 0 || mapping.zero) {
            b += lib::min(mapping.count, blocks - b) - 1;
            continue;
        }
        auto handle = TRY(m_cache->get(mapping.physical, lib::min(mapping.count, blocks - b)));
        DirectoryBlock const view(const_cast<u8*>(handle.data()), format);
        if (b == 0) {
            DirectoryBlock block(handle.mutable_data(), format);
            TRY(block.make_linear_root());
            block.write_tail(seed);
        } else if (view.is_index_node()) {
            // A node's fake entry spans the whole block, over where the
            // tail goes; a leaf never does with checksums (it has a tail),
            // and without them an empty leaf is the same bytes.
            DirectoryBlock block(handle.mutable_data(), format);
            block.initialize();
            block.write_tail(seed);
        }
    }
    dir.flags &= ~kIndexFlag;
    return update_inode(dir);
}

Result<bool> Volume::is_empty_directory(InodeData const& dir)
{
    bool empty = true;
    TRY(read_directory(
        dir, 0,
        [](DirectoryRecord const& record, void* context) {
            if (is_dot_or_dot_dot(record.name)) return true;
            *static_cast<bool*>(context) = false;
            return false;
        },
        &empty));
    return empty;
}

Result<InodeData> Volume::new_inode(InodeData const& dir, u32 mode, u32 uid, u32 gid, Time now)
{
    u32 const ino = TRY(allocate_inode(dir.ino, is_directory(mode)));
    auto inode = TRY(initialize_inode(ino, mode, uid, gid, now));
    u32 const type = mode & kModeTypeMask;
    if (type != kModeRegular && type != kModeDirectory && type != kModeSymlink) {
        // Linux gives only these three an extent tree; e2fsck finds any
        // other inode with the extents flag, or anything in i_block but a
        // device number, invalid.
        inode.flags &= ~kExtentsFlag;
        __builtin_memset(inode.block, 0, sizeof(inode.block));
    }
    return inode;
}

// Undoes new_inode when the operation fails before a name links it.
void Volume::discard_new_inode(InodeData& inode, Time now)
{
    inode.links = 0;
    // A fast symlink's text or a device number is no block map: release
    // must not read one there.
    if (inode.blocks == 0 && !(inode.flags & kExtentsFlag)) __builtin_memset(inode.block, 0, sizeof(inode.block));
    // The error that got us here is the one to report; a failure here
    // leaves an unreferenced inode, which e2fsck reclaims.
    (void)release(inode, now);
}

Result<InodeData> Volume::create(InodeData& dir, StringView name, u32 mode, u32 uid, u32 gid, u64 rdev, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    u32 const type = mode & kModeTypeMask;
    if (type != kModeRegular && type != kModeDirectory && type != kModeCharacter && type != kModeBlock
        && type != kModeFifo && type != kModeSocket)
        return Errno(EINVAL);
    bool const directory = type == kModeDirectory;
    if (directory) TRY(check_subdirectory_room(*this, dir));
    auto const slot = TRY(find_slot(dir, name));
    auto inode = TRY(new_inode(dir, mode, uid, gid, now));

    auto fill = [&]() -> Result<void> {
        inode.links = 1;
        if (directory) {
            // "." and "..", as Linux's ext4_init_new_dir.
            u64 const physical = TRY(block_for_write(inode, 0));
            auto handle = TRY(m_cache->get(physical));
            DirectoryBlock block(handle.mutable_data(), directory_format(*this));
            block.initialize_first(inode.ino, dir.ino);
            block.write_tail(directory_seed(inode));
            inode.size = m_block_size;
            inode.links = 2;
        } else if (type == kModeCharacter || type == kModeBlock) {
            encode_device(inode.block, rdev);
            inode.rdev = rdev;
        }
        TRY(update_inode(inode));
        return fill_slot(dir, slot, name, inode.ino, file_type_for_mode(mode));
    };
    if (auto result = fill(); result.is_error()) {
        discard_new_inode(inode, now);
        return result.error();
    }
    if (directory) add_subdirectory_link(dir);
    dir.mtime = dir.ctime = now;
    TRY(update_inode(dir));
    return inode;
}

Result<InodeData> Volume::create_symlink(InodeData& dir, StringView name, StringView target, u32 uid, u32 gid, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    // Linux's ext4_symlink: the target and its NUL fit a block.
    if (target.is_empty()) return Errno(ENOENT);
    if (target.length() + 1 > m_block_size) return Errno(ENAMETOOLONG);
    auto const slot = TRY(find_slot(dir, name));
    auto inode = TRY(new_inode(dir, kModeSymlink | 0777, uid, gid, now));

    auto fill = [&]() -> Result<void> {
        inode.links = 1;
        if (target.length() < kInlineBytes) {
            // A fast symlink: the text in i_block, which then is no extent
            // tree (the reader's and Linux's ext4_inode_is_fast_symlink).
            inode.flags &= ~kExtentsFlag;
            __builtin_memset(inode.block, 0, sizeof(inode.block));
            __builtin_memcpy(inode.block, target.data(), target.length());
            inode.size = target.length();
        } else {
            TargetSource source(target);
            usize const written = TRY(write(inode, 0, target.length(), source, now));
            if (written != target.length()) return Errno(EIO);
        }
        TRY(update_inode(inode));
        return fill_slot(dir, slot, name, inode.ino, kFileTypeSymlink);
    };
    if (auto result = fill(); result.is_error()) {
        discard_new_inode(inode, now);
        return result.error();
    }
    dir.mtime = dir.ctime = now;
    TRY(update_inode(dir));
    return inode;
}

Result<void> Volume::link(InodeData& dir, StringView name, InodeData& target, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    if (is_directory(target.mode)) return Errno(EPERM);
    // An orphan (Linux links one back only for O_TMPFILE, which we lack).
    if (target.links == 0) return Errno(ENOENT);
    if (target.links >= kLinkMax) return Errno(EMLINK);
    auto const slot = TRY(find_slot(dir, name));
    // The count goes up before the name is written: a crash between the
    // two leaves it one too high, which e2fsck fixes, never too low.
    target.links++;
    target.ctime = now;
    TRY(update_inode(target));
    if (auto result = fill_slot(dir, slot, name, target.ino, file_type_for_mode(target.mode)); result.is_error()) {
        target.links--;
        (void)update_inode(target); // the error to report is the first one
        return result.error();
    }
    dir.mtime = dir.ctime = now;
    return update_inode(dir);
}

Result<void> Volume::unlink(InodeData& dir, StringView name, InodeData& target, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    if (is_dot_or_dot_dot(name)) return Errno(EINVAL);
    bool const directory = is_directory(target.mode);
    if (directory && !TRY(is_empty_directory(target))) return Errno(ENOTEMPTY);
    TRY(remove_entry(dir, name, target.ino));
    TRY(drop_link(target, now));
    // Its ".." no longer counts for `dir`.
    if (directory) drop_subdirectory_link(dir);
    dir.mtime = dir.ctime = now;
    return update_inode(dir);
}

// `inode` lost a name: its count drops (a directory's to 0: its own "."
// and its name go together), and at 0 it joins the orphan list until
// release() (Linux's ext4_unlink and ext4_rmdir). A count already 0 (a
// corrupt image named an inode without links) means it is not ours to
// list: it may be there already.
Result<void> Volume::drop_link(InodeData& inode, Time now)
{
    bool const had_links = inode.links > 0;
    if (is_directory(inode.mode))
        inode.links = 0;
    else if (inode.links > 0)
        inode.links--;
    inode.ctime = now;
    TRY(update_inode(inode));
    if (had_links && inode.links == 0) TRY(add_orphan(inode));
    return {};
}

Result<void> Volume::rename(InodeData& old_dir, StringView name, InodeData& moved, InodeData& new_dir,
    StringView new_name, InodeData* replaced, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    // POSIX: two names of one file: nothing happens.
    if (replaced && replaced->ino == moved.ino) return {};
    bool const same_dir = old_dir.ino == new_dir.ino;
    if (same_dir && name == new_name) return {};
    if (is_dot_or_dot_dot(name) || is_dot_or_dot_dot(new_name)) return Errno(EINVAL);
    TRY(check_name(new_name));
    // One directory passed as two objects: edit one, copy it at the end.
    InodeData& to_dir = same_dir ? old_dir : new_dir;
    bool const moved_directory = is_directory(moved.mode);
    // A directory into itself; its descendants are the VFS's to refuse.
    if (moved_directory && moved.ino == to_dir.ino) return Errno(EINVAL);

    // The old name must be there before anything changes.
    {
        auto location = TRY(find_entry(old_dir, name));
        DirectoryBlock const block(const_cast<u8*>(location.handle.data()), directory_format(*this));
        if (block.inode_at(location.offset) != moved.ino) return Errno(ENOENT);
    }
    u8 const file_type = file_type_for_mode(moved.mode);
    if (replaced) {
        bool const replaced_directory = is_directory(replaced->mode);
        if (moved_directory && !replaced_directory) return Errno(ENOTDIR);
        if (!moved_directory && replaced_directory) return Errno(EISDIR);
        if (replaced_directory && !TRY(is_empty_directory(*replaced))) return Errno(ENOTEMPTY);
        TRY(replace_entry(to_dir, new_name, replaced->ino, moved.ino, file_type));
    } else {
        if (moved_directory && !same_dir) TRY(check_subdirectory_room(*this, to_dir));
        TRY(add_entry(to_dir, new_name, moved.ino, file_type));
    }
    // The new name is in place; now the old one goes (as Linux's ext4_rename).
    TRY(remove_entry(old_dir, name, moved.ino));

    if (moved_directory && !same_dir) TRY(replace_entry(moved, "..", 0, to_dir.ino, kFileTypeDirectory));
    if (replaced) TRY(drop_link(*replaced, now));
    if (moved_directory) {
        // `moved`'s ".." left old_dir; in to_dir it took the place of the
        // replaced directory's, if there was one.
        if (!same_dir) {
            drop_subdirectory_link(old_dir);
            if (!replaced) add_subdirectory_link(to_dir);
        } else if (replaced) {
            drop_subdirectory_link(old_dir);
        }
    }
    // Linux sets the moved inode's ctime too.
    moved.ctime = now;
    TRY(update_inode(moved));
    return touch_directories(old_dir, new_dir, now);
}

// RENAME_EXCHANGE (Linux's ext4_cross_rename): each name takes the other's
// inode; a directory that changes parent takes its ".." along, and the
// parents' link counts follow the directories.
Result<void> Volume::exchange(InodeData& dir_a, StringView name_a, InodeData& a, InodeData& dir_b, StringView name_b,
    InodeData& b, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    if (a.ino == b.ino) return {};
    if (is_dot_or_dot_dot(name_a) || is_dot_or_dot_dot(name_b)) return Errno(EINVAL);
    bool const same_dir = dir_a.ino == dir_b.ino;
    InodeData& other_dir = same_dir ? dir_a : dir_b;
    bool const a_directory = is_directory(a.mode), b_directory = is_directory(b.mode);
    if ((a_directory && a.ino == other_dir.ino) || (b_directory && b.ino == dir_a.ino)) return Errno(EINVAL);
    // Both names must be what the caller says before anything changes.
    auto names = [&](InodeData const& dir, StringView name, u32 ino) -> Result<void> {
        auto location = TRY(find_entry(dir, name));
        DirectoryBlock const block(const_cast<u8*>(location.handle.data()), directory_format(*this));
        return block.inode_at(location.offset) == ino ? Result<void> {} : Errno(ENOENT);
    };
    TRY(names(dir_a, name_a, a.ino));
    TRY(names(other_dir, name_b, b.ino));
    if (!same_dir && a_directory != b_directory) TRY(check_subdirectory_room(*this, a_directory ? other_dir : dir_a));
    TRY(replace_entry(dir_a, name_a, a.ino, b.ino, file_type_for_mode(b.mode)));
    if (auto result = replace_entry(other_dir, name_b, b.ino, a.ino, file_type_for_mode(a.mode)); result.is_error()) {
        // Both names would name b: put a back (the first error is the one to report).
        (void)replace_entry(dir_a, name_a, b.ino, a.ino, file_type_for_mode(a.mode));
        return result.error();
    }
    if (!same_dir) {
        if (a_directory) TRY(replace_entry(a, "..", 0, other_dir.ino, kFileTypeDirectory));
        if (b_directory) TRY(replace_entry(b, "..", 0, dir_a.ino, kFileTypeDirectory));
        if (a_directory && !b_directory) {
            drop_subdirectory_link(dir_a);
            add_subdirectory_link(other_dir);
        } else if (b_directory && !a_directory) {
            drop_subdirectory_link(other_dir);
            add_subdirectory_link(dir_a);
        }
    }
    a.ctime = b.ctime = now;
    TRY(update_inode(a));
    TRY(update_inode(b));
    return touch_directories(dir_a, dir_b, now);
}

// The end of a rename or exchange: both directories changed. They may be
// one directory passed as two objects, of which `first` was edited: it is
// written once and copied into `second`.
Result<void> Volume::touch_directories(InodeData& first, InodeData& second, Time now)
{
    first.mtime = first.ctime = now;
    TRY(update_inode(first));
    if (first.ino != second.ino) {
        second.mtime = second.ctime = now;
        return update_inode(second);
    }
    if (&second != &first) second = first;
    return {};
}

} // namespace ext4
