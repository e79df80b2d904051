// Volume's extended attributes (Linux's fs/ext4/xattr.c, without EA
// inodes and block sharing).
//
// An inode's attributes live in two areas: its body past i_extra_isize (a
// magic word, then entries: about 90 bytes in a 256-byte inode) and one
// xattr block (i_file_acl: a header, then entries). An area holds entries
// growing up from its start, ended by a zero word, and their values packed
// down from its end, each padded to 4 bytes. Linux's rules, kept here:
//  - a value goes to the body if it fits there, else to the block, and
//    leaves the other area;
//  - a block's entries are sorted (index, name length, name) and carry a
//    hash of their name and value; the header hashes those hashes and,
//    with metadata_csum, carries a crc32c of the block and its number;
//  - inodes with the same attributes may share a block (h_refcount): a
//    change to a shared block goes to a new copy, and the old one loses a
//    user.
// Where we differ: an area is laid out afresh at each change (the entries
// in order, the values packed from the end in that order) where Linux
// edits it in place -- the same attributes, which is all e2fsck checks --
// and a new block is never shared with another inode's equal one (Linux
// finds those through its mbcache).
//
// Everything read is checked before use, as Linux's check_xattrs: entries
// inside the area, names without NULs, values inside the area past the
// entries' end (EUCLEAN otherwise). A change verifies the checksums of the
// inode and the block it rewrites first, as every writer here.
#include <fs/ext4/checksum.h>
#include <fs/ext4/volume.h>
#include <uapi/xattr.h>

#include <new>

namespace ext4 {

// A name as ext4 stores it: its namespace's index and what follows the prefix.
struct XattrKey {
    u8 index;
    StringView suffix;
};

// Entries from `first` up to a zero word, values up to `end`; every offset
// counts from `base` (a block's start, or the body's first entry). An area
// not `in_use` (a body without the magic, no block) holds no entries.
struct XattrArea {
    u8 const* base { nullptr };
    usize first { 0 };
    usize end { 0 };
    bool in_use { false };
};

// An inode's two areas, checked, with the blocks holding them pinned.
struct XattrSources {
    BlockHandle inode_block;
    usize inode_offset { 0 }; // the slot in inode_block
    bool has_body { false }; // the inode has room for a body area
    usize body_offset { 0 }; // from the slot to the body area's base
    XattrArea body;
    u64 block_number { 0 }; // i_file_acl
    BlockHandle block;
    XattrArea block_area;
};

namespace {

struct Namespace {
    u8 index;
    StringView prefix;
};
// The namespaces ext4 keeps (Linux's ext4_xattr_handler_map, less the
// POSIX ACLs, which are not attributes to the VFS).
constexpr Namespace kNamespaces[] = {
    { kXattrIndexUser, uapi::XATTR_USER_PREFIX },
    { kXattrIndexTrusted, uapi::XATTR_TRUSTED_PREFIX },
    { kXattrIndexSecurity, uapi::XATTR_SECURITY_PREFIX },
    { kXattrIndexHurd, uapi::XATTR_HURD_PREFIX },
};
constexpr usize kLongestPrefix = sizeof(uapi::XATTR_SECURITY_PREFIX) - 1;

// Linux's xattr_resolve_name over those.
Result<XattrKey> parse_name(StringView name)
{
    for (auto const& space : kNamespaces) {
        if (!name.starts_with(space.prefix)) continue;
        StringView const suffix = name.substring(space.prefix.length());
        if (suffix.is_empty()) return Errno(EINVAL);
        if (suffix.length() > kNameMax) return Errno(ERANGE); // e_name_len's 8 bits
        return XattrKey { space.index, suffix };
    }
    return Errno(EOPNOTSUPP);
}

StringView prefix_of(u8 index)
{
    for (auto const& space : kNamespaces)
        if (space.index == index) return space.prefix;
    return {};
}

bool is_end(u8 const* at)
{
    u32 word;
    __builtin_memcpy(&word, at, sizeof(word));
    return word == 0;
}

XattrEntry const& entry_at(XattrArea const& area, usize offset)
{
    return *reinterpret_cast<XattrEntry const*>(area.base + offset);
}

u8 const* value_of(XattrArea const& area, XattrEntry const& entry) { return area.base + entry.e_value_offs; }

// Calls f(entry) for each entry of a checked area until it returns false;
// returns whether it went to the end.
template<typename F> bool for_each_entry(XattrArea const& area, F f)
{
    if (!area.in_use) return true;
    for (usize at = area.first; !is_end(area.base + at); at += xattr_entry_length(entry_at(area, at).e_name_len))
        if (!f(entry_at(area, at))) return false;
    return true;
}

// The order of a block's entries (ext4_xattr_find_entry's).
int compare(XattrKey const& key, XattrEntry const& entry)
{
    if (key.index != entry.e_name_index) return key.index < entry.e_name_index ? -1 : 1;
    if (key.suffix.length() != entry.e_name_len) return key.suffix.length() < entry.e_name_len ? -1 : 1;
    return __builtin_memcmp(key.suffix.data(), entry.e_name, entry.e_name_len);
}

XattrEntry const* find(XattrArea const& area, XattrKey const& key)
{
    XattrEntry const* found = nullptr;
    for_each_entry(area, [&](XattrEntry const& entry) {
        if (compare(key, entry) == 0) found = &entry;
        return !found;
    });
    return found;
}

// Whether `entry` (maybe null) already holds exactly this value
// (ext4_xattr_value_same).
bool holds(XattrArea const& area, XattrEntry const* entry, u8 const* value, usize size)
{
    return entry && !entry->e_value_inum && entry->e_value_size == size
        && !__builtin_memcmp(value_of(area, *entry), value, size);
}

// What an entry's value takes in its area (an EA inode's: nothing).
usize value_room(XattrEntry const& entry) { return entry.e_value_inum ? 0 : xattr_value_room(entry.e_value_size); }

// ext4_xattr_hash_entry: the name's bytes, then the value's 32-bit words
// (its padding is zero).
u32 entry_hash(XattrEntry const& entry, u8 const* value)
{
    u32 hash = 0;
    for (usize i = 0; i < entry.e_name_len; i++) hash = (hash << 5) ^ (hash >> 27) ^ u8(entry.e_name[i]);
    for (usize i = 0; i < value_room(entry) / 4; i++) {
        u32 word;
        __builtin_memcpy(&word, value + 4 * i, sizeof(word));
        hash = (hash << 16) ^ (hash >> 16) ^ word;
    }
    return hash;
}

// ext4_xattr_rehash: of the entries' hashes; 0 if one is 0.
u32 block_hash(XattrArea const& area)
{
    u32 hash = 0;
    bool const complete = for_each_entry(area, [&](XattrEntry const& entry) {
        hash = (hash << 16) ^ (hash >> 16) ^ entry.e_hash;
        return entry.e_hash != 0;
    });
    return complete ? hash : 0;
}

// The bytes `area`'s entries take (entries, the end word, values) once
// `key` is set to a `size`-byte value (`set`) or removed.
usize bytes_after(XattrArea const& area, XattrKey const& key, bool set, usize size)
{
    usize total = sizeof(u32);
    for_each_entry(area, [&](XattrEntry const& entry) {
        if (compare(key, entry) != 0) total += xattr_entry_length(entry.e_name_len) + value_room(entry);
        return true;
    });
    if (set) total += xattr_entry_length(key.suffix.length()) + xattr_value_room(size);
    return total;
}

// Lays out `from`'s entries, with `key` set to `value` (`size` bytes) or
// removed (`value` null), afresh in [first, end) of `to` (where `from` is
// not): the entries in their order -- a new one in its sorted place in a
// block, last in the body, and a replaced one where it was, as Linux --
// their values packed down from the end in that order. A block's entries
// (`hashed`) carry their hash. ENOSPC, with nothing written, if they do not
// fit; else whether any entry is left.
Result<bool> lay_out(XattrArea const& from, XattrKey const& key, u8 const* value, usize size, u8* to, usize first,
    usize end, bool hashed)
{
    if (bytes_after(from, key, value != nullptr, size) > end - first) return Errno(ENOSPC);
    __builtin_memset(to + first, 0, end - first);
    usize cursor = first;
    usize values = end;
    auto put = [&](u8 index, char const* name, usize name_length, u8 const* bytes, usize length, u32 inum) {
        auto& entry = *reinterpret_cast<XattrEntry*>(to + cursor);
        entry.e_name_len = u8(name_length);
        entry.e_name_index = index;
        entry.e_value_inum = inum;
        entry.e_value_size = u32(length);
        __builtin_memcpy(entry.e_name, name, name_length);
        if (length && !inum) {
            values -= xattr_value_room(length);
            __builtin_memcpy(to + values, bytes, length);
            entry.e_value_offs = u16(values);
        }
        if (hashed) entry.e_hash = entry_hash(entry, to + entry.e_value_offs);
        cursor += xattr_entry_length(name_length);
    };
    bool placed = !value;
    auto put_new = [&] {
        put(key.index, key.suffix.data(), key.suffix.length(), value, size, 0);
        placed = true;
    };
    for_each_entry(from, [&](XattrEntry const& entry) {
        int const order = compare(key, entry);
        if (order == 0) {
            if (!placed) put_new();
            return true;
        }
        if (!placed && hashed && order < 0) put_new();
        put(entry.e_name_index, entry.e_name, entry.e_name_len, value_of(from, entry), entry.e_value_size,
            entry.e_value_inum);
        return true;
    });
    if (!placed) put_new();
    return cursor != first;
}

// A block-sized buffer on the heap for the length of a change.
class Scratch {
public:
    explicit Scratch(usize size)
        : m_bytes(new (std::nothrow) u8[size])
    {
    }
    ~Scratch() { delete[] m_bytes; }
    Scratch(Scratch const&) = delete;
    Scratch& operator=(Scratch const&) = delete;
    u8* bytes() const { return m_bytes; }

private:
    u8* m_bytes;
};

// The body's part of a change: its entries laid out again from a copy
// (in `scratch`), the magic saying whether any are left.
Result<void> rewrite_body(XattrSources& sources, XattrKey const& key, u8 const* value, usize size, u8* scratch)
{
    XattrArea const& body = sources.body;
    __builtin_memcpy(scratch, body.base, body.end);
    XattrArea const copy { scratch, body.first, body.end, body.in_use };
    u8* const base = sources.inode_block.mutable_data() + sources.inode_offset + sources.body_offset;
    bool const any = TRY(lay_out(copy, key, value, size, base, body.first, body.end, false));
    u32 const magic = any ? kXattrMagic : 0; // Linux clears it with the last entry
    __builtin_memcpy(base - sizeof(u32), &magic, sizeof(magic));
    return {};
}

} // namespace

u64 Volume::xattr_block_of(u8 const* slot) const
{
    auto const& raw = *reinterpret_cast<DiskInode const*>(slot);
    u64 block = raw.i_file_acl_lo;
    if (m_incompat & kIncompat64Bit) block |= u64(raw.l_i_file_acl_high) << 32;
    return block;
}

Result<bool> Volume::body_xattr_area(u8 const* slot, XattrArea& area, usize& offset) const
{
    if (m_inode_size <= kGoodOldInodeSize) return false;
    usize const extra = reinterpret_cast<DiskInode const*>(slot)->i_extra_isize;
    if (kGoodOldInodeSize + extra > m_inode_size || (extra & 3)) return Errno(EUCLEAN);
    // Linux keeps none there while i_extra_isize is 0 (ext4_xattr_ibody_set).
    if (extra == 0) return false;
    usize const magic = kGoodOldInodeSize + extra;
    offset = magic + sizeof(u32);
    if (offset + sizeof(u32) > m_inode_size) return false; // no room for an entry's end
    u32 word;
    __builtin_memcpy(&word, slot + magic, sizeof(word));
    area = XattrArea { slot + offset, 0, m_inode_size - offset, word == kXattrMagic };
    return true;
}

Result<void> Volume::check_xattr_area(XattrArea const& area) const
{
    if (!area.in_use) return {};
    usize end_word = area.first;
    for (;;) {
        if (area.end - end_word < sizeof(u32)) return Errno(EUCLEAN);
        if (is_end(area.base + end_word)) break;
        if (area.end - end_word < sizeof(XattrEntry)) return Errno(EUCLEAN);
        auto const& entry = entry_at(area, end_word);
        usize const next = end_word + xattr_entry_length(entry.e_name_len);
        if (next > area.end - sizeof(u32)) return Errno(EUCLEAN); // the next entry or the end word
        for (usize i = 0; i < entry.e_name_len; i++)
            if (entry.e_name[i] == 0) return Errno(EUCLEAN);
        end_word = next;
    }
    usize const values_start = end_word + sizeof(u32);
    bool ok = true;
    for_each_entry(area, [&](XattrEntry const& entry) {
        u32 const size = entry.e_value_size;
        if (u32 const inum = entry.e_value_inum) {
            ok = (m_incompat & kIncompatEaInode) && inum >= first_ino() && inum <= m_inodes_count && size != 0;
        } else if (size) {
            usize const offset = entry.e_value_offs;
            ok = size <= kXattrValueMax && offset >= values_start && offset <= area.end
                && xattr_value_room(size) <= area.end - offset;
        }
        return ok;
    });
    return ok ? Result<void> {} : Errno(EUCLEAN);
}

// ext4_xattr_block_csum: the block number, then the block with h_checksum
// zeroed.
u32 Volume::xattr_block_checksum(u64 block, u8 const* bytes) const
{
    u32 const zero = 0;
    usize const offset = __builtin_offsetof(XattrHeader, h_checksum);
    u32 crc = crc32c(m_checksum_seed, &block, sizeof(block));
    crc = crc32c(crc, bytes, offset);
    crc = crc32c(crc, &zero, sizeof(zero));
    return crc32c(crc, bytes + offset + sizeof(zero), m_block_size - offset - sizeof(zero));
}

Result<BlockHandle> Volume::xattr_block(u64 block, bool verify)
{
    if (!valid_range(block, 1)) return Errno(EUCLEAN);
    auto handle = TRY(m_cache->get(block));
    auto const& header = *reinterpret_cast<XattrHeader const*>(handle.data());
    if (header.h_magic != kXattrMagic || header.h_blocks != 1) return Errno(EUCLEAN);
    if (verify
        && (header.h_refcount == 0
            || (has_metadata_csum() && header.h_checksum != xattr_block_checksum(block, handle.data()))))
        return Errno(EUCLEAN);
    return handle;
}

void Volume::seal_xattr_block(u64 block, u8* bytes) const
{
    auto& header = *reinterpret_cast<XattrHeader*>(bytes);
    header = XattrHeader {};
    header.h_magic = kXattrMagic;
    header.h_refcount = 1;
    header.h_blocks = 1;
    header.h_hash = block_hash(XattrArea { bytes, sizeof(XattrHeader), m_block_size, true });
    if (has_metadata_csum()) header.h_checksum = xattr_block_checksum(block, bytes);
}

Result<void> Volume::read_xattrs(u32 ino, XattrSources& sources, bool verify)
{
    auto slot = TRY(inode_slot(ino));
    u8 const* bytes = slot.handle.data() + slot.offset;
    if (verify && !inode_checksum_matches(ino, bytes)) return Errno(EUCLEAN);
    sources.inode_offset = slot.offset;
    sources.has_body = TRY(body_xattr_area(bytes, sources.body, sources.body_offset));
    if (sources.has_body) TRY(check_xattr_area(sources.body));
    sources.block_number = xattr_block_of(bytes);
    sources.inode_block = static_cast<BlockHandle&&>(slot.handle);
    if (sources.block_number) {
        sources.block = TRY(xattr_block(sources.block_number, verify));
        sources.block_area = XattrArea { sources.block.data(), sizeof(XattrHeader), m_block_size, true };
        TRY(check_xattr_area(sources.block_area));
    }
    return {};
}

Result<usize> Volume::get_xattr(InodeData const& inode, StringView name, u8* buffer, usize size)
{
    auto const key = TRY(parse_name(name));
    XattrSources sources;
    TRY(read_xattrs(inode.ino, sources, false));
    // The body's first, as Linux looks.
    XattrArea const* const areas[] = { &sources.body, &sources.block_area };
    for (XattrArea const* area : areas) {
        XattrEntry const* entry = find(*area, key);
        if (!entry) continue;
        if (entry->e_value_inum) return Errno(EOPNOTSUPP);
        usize const length = entry->e_value_size;
        if (size == 0) return length;
        if (length > size) return Errno(ERANGE);
        __builtin_memcpy(buffer, value_of(*area, *entry), length);
        return length;
    }
    return Errno(ENODATA);
}

Result<void> Volume::list_xattrs(InodeData const& inode, bool (*f)(StringView name, void*), void* context)
{
    XattrSources sources;
    TRY(read_xattrs(inode.ino, sources, false));
    char name[kLongestPrefix + kNameMax];
    XattrArea const* const areas[] = { &sources.body, &sources.block_area };
    for (XattrArea const* area : areas) {
        bool const more = for_each_entry(*area, [&](XattrEntry const& entry) {
            StringView const prefix = prefix_of(entry.e_name_index);
            if (prefix.is_empty()) return true; // ACLs, system.data ...: not listed
            __builtin_memcpy(name, prefix.data(), prefix.length());
            __builtin_memcpy(name + prefix.length(), entry.e_name, entry.e_name_len);
            return f(StringView(name, prefix.length() + entry.e_name_len), context);
        });
        if (!more) break;
    }
    return {};
}

Result<void> Volume::set_xattr(InodeData& inode, StringView name, u8 const* value, usize size, u32 flags, Time now)
{
    auto const key = TRY(parse_name(name));
    static constexpr u8 kEmpty[1] = {};
    return change_xattr(inode, key, value ? value : kEmpty, size, flags, now);
}

Result<void> Volume::remove_xattr(InodeData& inode, StringView name, Time now)
{
    auto const key = TRY(parse_name(name));
    return change_xattr(inode, key, nullptr, 0, uapi::XATTR_REPLACE, now);
}

// Linux's ext4_xattr_set_handle, in its order.
Result<void> Volume::change_xattr(
    InodeData& inode, XattrKey const& key, u8 const* value, usize size, u32 flags, Time now)
{
    if (!m_writable) return Errno(EROFS);
    note_time(now);
    XattrSources sources;
    TRY(read_xattrs(inode.ino, sources, true));
    XattrEntry const* in_body = find(sources.body, key);
    XattrEntry const* in_block = find(sources.block_area, key);
    if (!in_body && !in_block && (flags & uapi::XATTR_REPLACE)) return Errno(ENODATA);
    if ((in_body || in_block) && (flags & uapi::XATTR_CREATE)) return Errno(EEXIST);
    if (value && (holds(sources.body, in_body, value, size) || holds(sources.block_area, in_block, value, size)))
        return {};

    Scratch scratch(m_block_size);
    if (!scratch.bytes()) return Errno(ENOMEM);
    u8* const slot = sources.inode_block.mutable_data() + sources.inode_offset;
    XattrArea const& body = sources.body;
    if (value && sources.has_body && bytes_after(body, key, true, size) <= body.end - body.first) {
        // The body takes it; the block lets its old value go first, since
        // that may fail (a shared block is copied).
        if (in_block) TRY(change_xattr_block(inode, slot, sources, key, nullptr, 0, scratch.bytes()));
        TRY(rewrite_body(sources, key, value, size, scratch.bytes()));
    } else if (value) {
        TRY(change_xattr_block(inode, slot, sources, key, value, size, scratch.bytes()));
        if (in_body) TRY(rewrite_body(sources, key, nullptr, 0, scratch.bytes()));
    } else if (in_body) {
        TRY(rewrite_body(sources, key, nullptr, 0, scratch.bytes()));
    } else {
        TRY(change_xattr_block(inode, slot, sources, key, nullptr, 0, scratch.bytes()));
    }
    // ext4_xattr_update_super_block: the first attribute sets ext_attr.
    if (value && !(m_compat & kCompatExtAttr)) {
        m_compat |= kCompatExtAttr;
        m_super.s_feature_compat |= kCompatExtAttr;
    }
    inode.ctime = now;
    return store_inode(inode, slot);
}

Result<void> Volume::change_xattr_block(
    InodeData& inode, u8* slot, XattrSources& sources, XattrKey const& key, u8 const* value, usize size, u8* scratch)
{
    u64 const old = sources.block_number;
    bool const shared = old && reinterpret_cast<XattrHeader const*>(sources.block.data())->h_refcount > 1;
    // The new contents come together in `scratch`: the old block stays as
    // it is until they fit.
    bool const any
        = TRY(lay_out(sources.block_area, key, value, size, scratch, sizeof(XattrHeader), m_block_size, true));
    u64 block = 0;
    if (any && old && !shared) {
        block = old;
        u8* bytes = sources.block.mutable_data();
        __builtin_memcpy(
            bytes + sizeof(XattrHeader), scratch + sizeof(XattrHeader), m_block_size - sizeof(XattrHeader));
        seal_xattr_block(block, bytes);
        return {};
    }
    if (any) {
        // A new block: the inode had none, or shared its old one.
        auto run = TRY(allocate_blocks(goal_for(inode), 1));
        auto fresh = m_cache->get_zeroed(run.first);
        if (fresh.is_error()) {
            (void)free_blocks(run.first, 1);
            return fresh.error();
        }
        block = run.first;
        u8* bytes = fresh.value().mutable_data();
        __builtin_memcpy(
            bytes + sizeof(XattrHeader), scratch + sizeof(XattrHeader), m_block_size - sizeof(XattrHeader));
        seal_xattr_block(block, bytes);
        add_inode_blocks(inode, 1);
    }
    auto& raw = *reinterpret_cast<DiskInode*>(slot);
    raw.i_file_acl_lo = u32(block);
    raw.l_i_file_acl_high = u16(block >> 32);
    sources.block_number = block;
    sources.block_area = XattrArea {};
    sources.block = BlockHandle();
    if (old) TRY(release_xattr_block(inode, old));
    return {};
}

Result<void> Volume::release_xattr_block(InodeData& inode, u64 block)
{
    auto handle = TRY(xattr_block(block, true));
    add_inode_blocks(inode, -1);
    if (reinterpret_cast<XattrHeader const*>(handle.data())->h_refcount == 1) {
        handle = BlockHandle();
        return free_blocks(block, 1);
    }
    u8* bytes = handle.mutable_data();
    auto& header = *reinterpret_cast<XattrHeader*>(bytes);
    header.h_refcount--;
    if (has_metadata_csum()) header.h_checksum = xattr_block_checksum(block, bytes);
    return {};
}

} // namespace ext4
