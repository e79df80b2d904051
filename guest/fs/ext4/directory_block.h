// ext4::DirectoryBlock: one linear directory block in memory, edited as
// Linux's fs/ext4/namei.c edits it. Volume's name operations
// (directory_write.cpp) use it on cache blocks; the host tests use it on
// plain buffers, which is why it knows nothing of a volume.
//
// The layout: entries (struct ext4_dir_entry_2) chained by rec_len from the
// block's start; with metadata_csum the last 12 bytes are a tail (struct
// ext4_dir_entry_tail), a fake dead entry holding the block's checksum, so
// the entries end 12 bytes early. Edits, as Linux's:
//   insert  takes the first dead entry big enough, or splits the slack off
//           a live entry (ext4_find_dest_de, ext4_insert_dentry);
//   remove  merges the entry into the one before it, or, first in the
//           block, marks it dead (inode 0) and keeps its rec_len
//           (ext4_generic_delete_entry).
//
// Every entry is checked while walking, as the reader checks it (Linux's
// __ext4_check_dir_entry), and so is the tail's presence; a bad block is
// EUCLEAN. Checksums are computed here but not verified on reads: the
// reader verifies none.
#pragma once

#include <fs/ext4/format.h>
#include <lib/result.h>
#include <lib/string_view.h>

namespace ext4 {

// struct ext4_dir_entry_tail.
struct PACKED DirEntryTail {
    u32 inode; // 0
    u16 rec_len; // 12
    u8 name_len; // 0
    u8 file_type; // kDirTailFileType
    u32 checksum;
};
static_assert(sizeof(DirEntryTail) == 12);
inline constexpr u8 kDirTailFileType = 0xde;

// rec_len as stored: 64 KiB blocks need 17 bits, so Linux folds the top two
// into the low two (ext4_rec_len_from_disk, ext4_rec_len_to_disk).
usize decode_rec_len(u16 stored, usize block_size);
u16 encode_rec_len(usize length, usize block_size);

// What a directory block's format depends on.
struct DirectoryFormat {
    usize block_size;
    bool checksummed; // metadata_csum: blocks end with a tail
    bool filetype; // FILETYPE: the byte after name_len is a type, else name_len's high byte
    u32 inode_count; // entries naming a larger inode are corrupt
};

class DirectoryBlock {
public:
    static constexpr usize kNone = ~usize(0);

    DirectoryBlock(u8* data, DirectoryFormat const& format)
        : m_data(data)
        , m_format(format)
    {
    }

    // Where the entries end: the tail's offset, or the block's end.
    usize end() const { return m_format.block_size - (m_format.checksummed ? sizeof(DirEntryTail) : 0); }

    struct Search {
        usize offset { kNone }; // the live entry named `name`
        usize previous { kNone }; // the entry before it (kNone: it is the first)
        usize room { kNone }; // the first entry with room for a new one
    };
    // Looks for a live entry named `name` and, if `needed` (an entry's
    // rec_len, dir_rec_len of its name) is not 0, for room for a new entry.
    // EUCLEAN if an entry or the tail is bad.
    Result<Search> search(StringView name, usize needed) const;

    // Writes an entry at `room`, which search() found for a name this long.
    void insert(usize room, StringView name, u32 ino, u8 file_type);
    // Removes the entry at `offset`; `previous` as search() gave it.
    void remove(usize offset, usize previous);
    // Points the entry at `offset` at another inode (rename over a name,
    // a moved directory's "..").
    void set_inode(usize offset, u32 ino, u8 file_type);

    // An empty block: one dead entry over it all, then the tail (whose
    // checksum write_tail fills in once the entries are written).
    void initialize();
    // A new directory's first block: "." and "..", then the tail.
    void initialize_first(u32 self, u32 parent);

    // htree blocks, which Volume turns into linear ones (see directory_write.cpp).
    // An index node (struct dx_node): a fake dead entry spanning the block.
    bool is_index_node() const;
    // An index root (struct dx_root) keeps "." and ".."; ".." is made to
    // reach the tail, the index in its slack is wiped, and the tail placed.
    Result<void> make_linear_root();

    // The offsets of "." and ".." in a first block, checked. EUCLEAN if not there.
    struct Dots {
        usize dot;
        usize dot_dot;
    };
    Result<Dots> dots() const;

    u32 inode_at(usize offset) const;
    StringView name_at(usize offset) const;
    usize rec_len_at(usize offset) const;

    // metadata_csum (ext4_dirblock_csum): crc32c of the entries, seeded with
    // `inode_seed` (crc32c of the volume's seed, the directory's inode
    // number and its generation).
    u32 checksum(u32 inode_seed) const;
    // Writes the tail (as Linux's ext4_initialize_dirent_tail) and its checksum.
    void write_tail(u32 inode_seed);
    bool has_tail() const;

private:
    DirEntry& entry(usize offset) const { return *reinterpret_cast<DirEntry*>(m_data + offset); }
    usize name_length(DirEntry const& e) const;
    // Checks the entry at `offset` (which must leave room for a header);
    // returns its rec_len.
    Result<usize> check(usize offset) const;
    void set_rec_len(usize offset, usize length);
    void write_entry(usize offset, StringView name, u32 ino, u8 file_type);
    // The tail's fixed fields (ext4_initialize_dirent_tail).
    void place_tail();

    u8* m_data;
    DirectoryFormat m_format;
};

} // namespace ext4
