// Extended attributes: Volume::get_xattr, list_xattrs, set_xattr and
// remove_xattr on images mke2fs makes (ext4 with 1 KiB and 4 KiB blocks,
// ext3, ext2 with 128-byte inodes and without ext_attr). The oracles share
// no code with the writer: e2fsck -fn (entries, entry hashes, values
// inside their areas, the block's checksum and reference count, i_blocks,
// the bitmaps), debugfs's ea_list and ea_get (what Linux's tools read),
// debugfs's stat (where the attributes are: File ACL), and this file's
// own walk of an xattr block (its sort order and header hash). debugfs's
// ea_set makes attributes for the reader, and e2fsck -fy makes a block
// two inodes share.
#include "image.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <set>

namespace {

using namespace ext4_test;

constexpr ext4::Time kNow { 1700000000, 0 };
constexpr ext4::Time kLater { 1700000500, 0 };
constexpr u32 kCreate = 1; // XATTR_CREATE
constexpr u32 kReplace = 2; // XATTR_REPLACE

// The file systems the tests run on.
char const* const kLayouts[] = { "-t ext4 -b 1024", "-t ext4 -b 4096", "-t ext3 -b 1024", "-t ext2 -b 1024 -I 128" };

// Whether inodes of `options` have room for attributes (256 bytes).
bool has_body(std::string const& options) { return options.find("-I 128") == std::string::npos; }

// An image of `options` holding empty files /f0, /f1 and /f2, a
// directory /d and a symlink /l to f0; the test's scratch directory with
// it.
struct XattrImage {
    TempDir scratch;
    std::string path { scratch / "image" };
    bool made { false };

    explicit XattrImage(std::string const& options)
    {
        std::string const tree = scratch / "tree";
        made = run("mkdir -p '" + tree + "/d' && touch '" + tree + "/f0' '" + tree + "/f1' '" + tree
                   + "/f2' && ln -s f0 '" + tree + "/l'")
                == 0
            && make_image(path, tree, options, "16M") == 0;
    }
    std::string debugfs(std::string const& request) const { return debugfs_output(path, request); }
    // Opens the image writable at `now`, gives f the volume and `file`'s
    // inode, and closes it.
    template<typename F> void change(std::string const& file, F f, ext4::Time now = kNow) const
    {
        auto opened = open_image_writable(path, now);
        ASSERT_EQ(opened.error, 0);
        auto inode = lookup_path(*opened.volume, file);
        ASSERT_FALSE(inode.is_error());
        f(*opened.volume, inode.value());
        ASSERT_FALSE(opened.volume->close().is_error());
    }
    // debugfs -w: a change made the way Linux's tools make it.
    int debugfs_write(std::string const& request) const
    {
        return run("debugfs -w -R '" + request + "' '" + path + "' >/dev/null 2>&1");
    }
    // What `file` holds, as debugfs reads it: name -> value.
    std::map<std::string, std::string> attributes(std::string const& file) const
    {
        std::map<std::string, std::string> found;
        std::string const list = debugfs("ea_list " + file);
        for (size_t line = list.find("\n  "); line != std::string::npos; line = list.find("\n  ", line + 1)) {
            size_t const start = line + 3;
            std::string const name = list.substr(start, list.find(" (", start) - start);
            std::string const out = scratch / "value";
            std::remove(out.c_str());
            debugfs("ea_get -f " + out + " " + file + " " + name);
            found[name] = read_host_file(out);
        }
        return found;
    }
    // The inode's xattr block (debugfs's "File ACL"), 0 for none.
    uint64_t xattr_block(std::string const& file) const
    {
        std::string const stat = debugfs("stat " + file);
        size_t const at = stat.find("File ACL: ");
        return at == std::string::npos ? 0 : std::stoull(stat.substr(at + 10));
    }
    uint32_t inode_number(std::string const& file) const
    {
        std::string const stat = debugfs("stat " + file);
        size_t const at = stat.find("Inode: ");
        return at == std::string::npos ? 0 : uint32_t(std::stoul(stat.substr(at + 7)));
    }
    size_t block_size() const
    {
        return size_t(1024) << peek_value<ext4::Superblock>(path, ext4::kSuperblockOffset).s_log_block_size;
    }
    ext4::XattrHeader block_header(uint64_t block) const
    {
        return peek_value<ext4::XattrHeader>(path, block * block_size());
    }
    uint64_t free_blocks() const
    {
        auto const super = peek_value<ext4::Superblock>(path, ext4::kSuperblockOffset);
        return super.s_free_blocks_count_lo
            | (super.s_feature_incompat & ext4::kIncompat64Bit ? uint64_t(super.s_free_blocks_count_hi) << 32 : 0);
    }
    std::string block_bytes(uint64_t block) const
    {
        std::string bytes(block_size(), '\0');
        peek(path, block * bytes.size(), bytes.data(), bytes.size());
        return bytes;
    }
};

Result<void> set(ext4::Volume& volume, ext4::InodeData& inode, std::string const& name, std::string const& value,
    u32 flags = 0, ext4::Time now = kNow)
{
    return volume.set_xattr(inode, StringView(name.data(), name.size()), reinterpret_cast<u8 const*>(value.data()),
        value.size(), flags, now);
}

int error_of(Result<void> const& result) { return result.is_error() ? result.error().code() : 0; }

// The value, or "errno N".
std::string get(ext4::Volume& volume, ext4::InodeData const& inode, std::string const& name)
{
    std::string value(70000, '\0');
    auto length = volume.get_xattr(
        inode, StringView(name.data(), name.size()), reinterpret_cast<u8*>(value.data()), value.size());
    if (length.is_error()) return "errno " + std::to_string(length.error().code());
    value.resize(length.value());
    return value;
}

Result<std::set<std::string>> names(ext4::Volume& volume, ext4::InodeData const& inode)
{
    std::set<std::string> out;
    TRY(volume.list_xattrs(
        inode,
        [](StringView name, void* context) {
            static_cast<std::set<std::string>*>(context)->insert(std::string(name.data(), name.length()));
            return true;
        },
        &out));
    return out;
}

std::set<std::string> keys(std::map<std::string, std::string> const& attributes)
{
    std::set<std::string> out;
    for (auto const& [name, value] : attributes) out.insert(name);
    return out;
}

// One entry of a raw xattr block, as Linux's struct ext4_xattr_entry.
struct RawEntry {
    uint8_t index;
    std::string name;
    uint32_t hash;
};

// The entries of a raw xattr block, in their order.
std::vector<RawEntry> block_entries(std::string const& block)
{
    std::vector<RawEntry> entries;
    for (size_t at = sizeof(ext4::XattrHeader); at + 4 <= block.size();) {
        uint32_t word;
        std::memcpy(&word, block.data() + at, 4);
        if (word == 0) break;
        ext4::XattrEntry entry;
        std::memcpy(&entry, block.data() + at, sizeof(entry));
        entries.push_back({ entry.e_name_index, block.substr(at + 16, entry.e_name_len), entry.e_hash });
        at += (16 + entry.e_name_len + 3) & ~size_t(3);
    }
    return entries;
}

// Linux's ext4_xattr_rehash, written again from its definition.
uint32_t header_hash(std::vector<RawEntry> const& entries)
{
    uint32_t hash = 0;
    for (auto const& entry : entries) {
        if (entry.hash == 0) return 0;
        hash = (hash << 16) ^ (hash >> 16) ^ entry.hash;
    }
    return hash;
}

// A block Linux would write: entries sorted by (index, name length, name)
// and the header hash of their hashes.
void expect_linux_block(XattrImage const& image, uint64_t block)
{
    std::string const bytes = image.block_bytes(block);
    ext4::XattrHeader header;
    std::memcpy(&header, bytes.data(), sizeof(header));
    EXPECT_EQ(header.h_magic, ext4::kXattrMagic);
    auto const entries = block_entries(bytes);
    EXPECT_FALSE(entries.empty());
    for (size_t i = 1; i < entries.size(); i++) {
        auto const& a = entries[i - 1];
        auto const& b = entries[i];
        bool const ordered = a.index != b.index ? a.index < b.index
            : a.name.size() != b.name.size()    ? a.name.size() < b.name.size()
                                                : a.name < b.name;
        EXPECT_TRUE(ordered) << a.name << " before " << b.name;
    }
    EXPECT_EQ(header.h_hash, header_hash(entries));
}

class Ext4Xattr : public ::testing::TestWithParam<char const*> { };

// A small value stays in the inode body (with room there), and Linux's
// tools read it; the read-only reader does too.
TEST_P(Ext4Xattr, SmallValueInTheInode)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    bool const roomy_inodes = has_body(GetParam());
    uint64_t const free_before = image.free_blocks();
    image.change("f0", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        ASSERT_EQ(error_of(set(volume, inode, "user.a", "hello")), 0);
        EXPECT_EQ(get(volume, inode, "user.a"), "hello");
        EXPECT_EQ(volume.get_xattr(inode, "user.a", nullptr, 0).value(), 5u);
        u8 small[3];
        EXPECT_EQ(volume.get_xattr(inode, "user.a", small, sizeof small).error().code(), ERANGE);
        EXPECT_EQ(get(volume, inode, "user.b"), "errno " + std::to_string(ENODATA));
        EXPECT_EQ(inode.ctime.sec, kNow.sec);
    });
    EXPECT_EQ(image.attributes("/f0"), (std::map<std::string, std::string> { { "user.a", "hello" } }));
    EXPECT_EQ(image.xattr_block("/f0") == 0, roomy_inodes);
    EXPECT_EQ(image.free_blocks(), free_before - (roomy_inodes ? 0 : 1));
    EXPECT_EQ(fsck_output(image.path), "");
    auto reader = open_image(image.path);
    ASSERT_EQ(reader.error, 0);
    auto inode = lookup_path(*reader.volume, "f0").release_value();
    EXPECT_EQ(get(*reader.volume, inode, "user.a"), "hello");
    EXPECT_EQ(error_of(set(*reader.volume, inode, "user.b", "x")), EROFS);
}

// A value too big for the body goes to a new block (i_blocks counts it),
// which its removal frees.
TEST_P(Ext4Xattr, BigValueInABlockAndItsRemoval)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    uint64_t const free_before = image.free_blocks();
    std::string const big(700, 'v');
    image.change("f1", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        u64 const blocks = inode.blocks;
        ASSERT_EQ(error_of(set(volume, inode, "user.big", big)), 0);
        EXPECT_EQ(inode.blocks, blocks + volume.block_size() / 512);
        EXPECT_EQ(get(volume, inode, "user.big"), big);
    });
    uint64_t const block = image.xattr_block("/f1");
    EXPECT_NE(block, 0u);
    EXPECT_EQ(image.free_blocks(), free_before - 1);
    EXPECT_EQ(image.attributes("/f1"), (std::map<std::string, std::string> { { "user.big", big } }));
    expect_linux_block(image, block);
    EXPECT_EQ(fsck_output(image.path), "");
    image.change(
        "f1",
        [&](ext4::Volume& volume, ext4::InodeData& inode) {
            ASSERT_EQ(error_of(volume.remove_xattr(inode, "user.big", kLater)), 0);
            EXPECT_EQ(inode.ctime.sec, kLater.sec);
            EXPECT_EQ(error_of(volume.remove_xattr(inode, "user.big", kLater)), ENODATA);
            EXPECT_EQ(get(volume, inode, "user.big"), "errno " + std::to_string(ENODATA));
        },
        kLater);
    EXPECT_EQ(image.xattr_block("/f1"), 0u);
    EXPECT_EQ(image.free_blocks(), free_before);
    EXPECT_TRUE(image.attributes("/f1").empty());
    EXPECT_EQ(fsck_output(image.path), "");
}

// Many attributes: the body fills, the rest go to one block, sorted there;
// removing every other one keeps the rest intact.
TEST_P(Ext4Xattr, ManyAttributesFillTheBodyAndABlock)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    std::map<std::string, std::string> model;
    image.change("f0", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        // Out of order, in three namespaces, of several lengths.
        for (int i = 19; i >= 0; i--) {
            std::string const name = std::string(i % 3 == 0 ? "trusted."
                                             : i % 3 == 1   ? "user."
                                                            : "security.")
                + std::string(size_t(i % 5 + 1), char('a' + i));
            std::string const value = "value " + std::to_string(i) + std::string(size_t(i), '.');
            ASSERT_EQ(error_of(set(volume, inode, name, value, kCreate)), 0) << name;
            model[name] = value;
        }
        EXPECT_EQ(names(volume, inode).value(), keys(model));
        for (auto const& [name, value] : model) EXPECT_EQ(get(volume, inode, name), value) << name;
    });
    EXPECT_EQ(image.attributes("/f0"), model);
    uint64_t const block = image.xattr_block("/f0");
    ASSERT_NE(block, 0u);
    expect_linux_block(image, block);
    EXPECT_EQ(fsck_output(image.path), "");
    image.change("f0", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        bool drop = true;
        for (auto it = model.begin(); it != model.end(); drop = !drop) {
            if (!drop) {
                ++it;
                continue;
            }
            ASSERT_EQ(error_of(volume.remove_xattr(inode, StringView(it->first.data(), it->first.size()), kNow)), 0);
            it = model.erase(it);
        }
        EXPECT_EQ(names(volume, inode).value(), keys(model));
    });
    EXPECT_EQ(image.attributes("/f0"), model);
    if (uint64_t const left = image.xattr_block("/f0")) expect_linux_block(image, left);
    EXPECT_EQ(fsck_output(image.path), "");
}

// A value that grows past the body moves to the block and leaves the
// body; shrunk again, it moves back and the emptied block is freed.
// (Without a body, everything stays in the block.)
TEST_P(Ext4Xattr, ReplacingMovesAValueBetweenTheAreas)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    bool const roomy_inodes = has_body(GetParam());
    uint64_t const free_before = image.free_blocks();
    std::string const big(300, 'B');
    image.change("f2", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        ASSERT_EQ(error_of(set(volume, inode, "user.v", "small")), 0);
        ASSERT_EQ(error_of(set(volume, inode, "user.w", "stays")), 0);
        ASSERT_EQ(error_of(set(volume, inode, "user.v", big, kReplace)), 0);
        EXPECT_EQ(get(volume, inode, "user.v"), big);
        EXPECT_EQ(names(volume, inode).value(), (std::set<std::string> { "user.v", "user.w" }));
    });
    EXPECT_NE(image.xattr_block("/f2"), 0u);
    EXPECT_EQ(image.free_blocks(), free_before - 1);
    EXPECT_EQ(
        image.attributes("/f2"), (std::map<std::string, std::string> { { "user.v", big }, { "user.w", "stays" } }));
    EXPECT_EQ(fsck_output(image.path), "");
    image.change("f2", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        ASSERT_EQ(error_of(set(volume, inode, "user.v", "small again")), 0);
        EXPECT_EQ(names(volume, inode).value(), (std::set<std::string> { "user.v", "user.w" }));
    });
    EXPECT_EQ(image.xattr_block("/f2") == 0, roomy_inodes);
    EXPECT_EQ(image.free_blocks(), free_before - (roomy_inodes ? 0 : 1));
    EXPECT_EQ(image.attributes("/f2"),
        (std::map<std::string, std::string> { { "user.v", "small again" }, { "user.w", "stays" } }));
    EXPECT_EQ(fsck_output(image.path), "");
}

// Attributes Linux's tools wrote (debugfs ea_set: body and block, the
// Hurd's namespace) are read, listed, replaced and removed.
TEST_P(Ext4Xattr, ReadsAndChangesWhatDebugfsWrote)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    write_file(image.scratch / "big", std::string(600, 'x'));
    ASSERT_EQ(image.debugfs_write("ea_set /f0 user.small tiny"), 0);
    ASSERT_EQ(image.debugfs_write("ea_set /f0 gnu.hurd h"), 0);
    ASSERT_EQ(image.debugfs_write("ea_set -f " + (image.scratch / "big") + " /f0 trusted.big"), 0);
    ASSERT_EQ(fsck_output(image.path), "");
    image.change("f0", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        EXPECT_EQ(names(volume, inode).value(), (std::set<std::string> { "user.small", "gnu.hurd", "trusted.big" }));
        EXPECT_EQ(get(volume, inode, "user.small"), "tiny");
        EXPECT_EQ(get(volume, inode, "gnu.hurd"), "h");
        EXPECT_EQ(get(volume, inode, "trusted.big"), std::string(600, 'x'));
        ASSERT_EQ(error_of(set(volume, inode, "trusted.big", std::string(500, 'y'))), 0);
        ASSERT_EQ(error_of(volume.remove_xattr(inode, "user.small", kNow)), 0);
    });
    EXPECT_EQ(image.attributes("/f0"),
        (std::map<std::string, std::string> { { "gnu.hurd", "h" }, { "trusted.big", std::string(500, 'y') } }));
    EXPECT_EQ(fsck_output(image.path), "");
}

// A block two inodes share (e2fsck -fy counts the second user): a change
// through one inode copies the block and leaves the other's as it was; a
// removal through the other lets go of its share.
TEST_P(Ext4Xattr, ASharedBlockIsCopiedOnWrite)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    write_file(image.scratch / "big", std::string(700, 's'));
    ASSERT_EQ(image.debugfs_write("ea_set -f " + (image.scratch / "big") + " /f0 user.shared"), 0);
    uint64_t const shared = image.xattr_block("/f0");
    ASSERT_NE(shared, 0u);
    ASSERT_EQ(image.debugfs_write("sif /f1 file_acl " + std::to_string(shared)), 0);
    run("e2fsck -fy '" + image.path + "' >/dev/null 2>&1");
    ASSERT_EQ(fsck_output(image.path), "");
    ASSERT_EQ(image.block_header(shared).h_refcount, 2u);
    uint64_t const free_before = image.free_blocks();
    image.change("f1", [&](ext4::Volume& volume, ext4::InodeData& f1) {
        EXPECT_EQ(get(volume, f1, "user.shared"), std::string(700, 's'));
        ASSERT_EQ(error_of(set(volume, f1, "user.mine", std::string(100, 'm'))), 0);
    });
    uint64_t const copy = image.xattr_block("/f1");
    EXPECT_NE(copy, shared);
    EXPECT_EQ(image.xattr_block("/f0"), shared);
    EXPECT_EQ(image.free_blocks(), free_before - 1);
    EXPECT_EQ(image.block_header(shared).h_refcount, 1u);
    EXPECT_EQ(
        image.attributes("/f0"), (std::map<std::string, std::string> { { "user.shared", std::string(700, 's') } }));
    auto const f1_attributes = image.attributes("/f1");
    EXPECT_EQ(f1_attributes.at("user.shared"), std::string(700, 's'));
    EXPECT_EQ(f1_attributes.at("user.mine"), std::string(100, 'm'));
    EXPECT_EQ(fsck_output(image.path), "");

    // Shared again; this time the other user removes its only attribute.
    ASSERT_EQ(image.debugfs_write("sif /f2 file_acl " + std::to_string(shared)), 0);
    run("e2fsck -fy '" + image.path + "' >/dev/null 2>&1");
    ASSERT_EQ(fsck_output(image.path), "");
    uint64_t const free_shared = image.free_blocks();
    image.change("f2", [&](ext4::Volume& volume, ext4::InodeData& f2) {
        u64 const blocks = f2.blocks;
        ASSERT_EQ(error_of(volume.remove_xattr(f2, "user.shared", kNow)), 0);
        EXPECT_EQ(f2.blocks, blocks - volume.block_size() / 512);
    });
    EXPECT_EQ(image.xattr_block("/f2"), 0u);
    EXPECT_EQ(image.free_blocks(), free_shared);
    EXPECT_EQ(
        image.attributes("/f0"), (std::map<std::string, std::string> { { "user.shared", std::string(700, 's') } }));
    EXPECT_EQ(fsck_output(image.path), "");
}

// Linux's errors: flags, names, what fits nowhere; a write that fails
// changes nothing; setting the value an attribute has writes nothing.
TEST_P(Ext4Xattr, ErrorsChangeNothing)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    uint64_t const free_before = image.free_blocks();
    image.change("d", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        ASSERT_EQ(error_of(set(volume, inode, "user.a", "1")), 0);
        EXPECT_EQ(error_of(set(volume, inode, "user.a", "2", kCreate)), EEXIST);
        EXPECT_EQ(error_of(set(volume, inode, "user.b", "2", kReplace)), ENODATA);
        EXPECT_EQ(error_of(volume.remove_xattr(inode, "user.b", kNow)), ENODATA);
        EXPECT_EQ(error_of(set(volume, inode, "user.", "x")), EINVAL);
        EXPECT_EQ(error_of(set(volume, inode, "foo.x", "x")), EOPNOTSUPP);
        EXPECT_EQ(error_of(set(volume, inode, "system.posix_acl_access", "x")), EOPNOTSUPP);
        EXPECT_EQ(error_of(set(volume, inode, "user." + std::string(256, 'n'), "x")), ERANGE);
        EXPECT_EQ(get(volume, inode, "foo.x"), "errno " + std::to_string(EOPNOTSUPP));
        // No block holds it (its header and the entry take room too).
        EXPECT_EQ(error_of(set(volume, inode, "user.huge", std::string(volume.block_size(), 'h'))), ENOSPC);
        EXPECT_EQ(get(volume, inode, "user.huge"), "errno " + std::to_string(ENODATA));
        // The same value again: not even ctime moves (as Linux's ext4).
        EXPECT_EQ(error_of(set(volume, inode, "user.a", "1", 0, kLater)), 0);
        EXPECT_EQ(inode.ctime.sec, kNow.sec);
        EXPECT_EQ(error_of(set(volume, inode, "user.a", "3", 0, kLater)), 0);
        EXPECT_EQ(inode.ctime.sec, kLater.sec);
        EXPECT_EQ(names(volume, inode).value(), (std::set<std::string> { "user.a" }));
    });
    bool const roomy_inodes = has_body(GetParam());
    EXPECT_EQ(image.free_blocks(), free_before - (roomy_inodes ? 0 : 1));
    EXPECT_EQ(image.attributes("/d"), (std::map<std::string, std::string> { { "user.a", "3" } }));
    EXPECT_EQ(fsck_output(image.path), "");
}

// Releasing an inode frees its xattr block with it.
TEST_P(Ext4Xattr, ReleasingTheInodeFreesItsBlock)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    uint64_t const free_before = image.free_blocks();
    image.change("f0", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        ASSERT_EQ(error_of(set(volume, inode, "user.big", std::string(800, 'r'))), 0);
        ASSERT_EQ(error_of(set(volume, inode, "user.small", "s")), 0);
        inode.links = 0;
        ASSERT_EQ(error_of(volume.release(inode, kNow)), 0);
    });
    EXPECT_EQ(image.free_blocks(), free_before);
    run("debugfs -w -R 'unlink /f0' '" + image.path + "' >/dev/null 2>&1");
    EXPECT_EQ(fsck_output(image.path), "");
}

// A fast symlink (its target in i_block) with an xattr block: it stays a
// fast symlink to Linux (whose test subtracts the block from i_blocks) and
// to the reader, and keeps its target.
TEST_P(Ext4Xattr, AFastSymlinkWithABlock)
{
    XattrImage image(GetParam());
    ASSERT_TRUE(image.made);
    std::string const big(700, 'l');
    image.change("l", [&](ext4::Volume& volume, ext4::InodeData& link) {
        ASSERT_EQ(error_of(set(volume, link, "trusted.big", big)), 0);
        ASSERT_EQ(error_of(set(volume, link, "security.small", "s")), 0);
        char target[16];
        EXPECT_EQ(std::string(target, volume.read_link(link, target, sizeof target).value()), "f0");
    });
    EXPECT_NE(image.xattr_block("/l"), 0u);
    EXPECT_EQ(image.attributes("/l"),
        (std::map<std::string, std::string> { { "trusted.big", big }, { "security.small", "s" } }));
    EXPECT_NE(image.debugfs("stat /l").find("Fast link dest: \"f0\""), std::string::npos) << image.debugfs("stat /l");
    EXPECT_EQ(fsck_output(image.path), "");
}

INSTANTIATE_TEST_SUITE_P(Layouts, Ext4Xattr, ::testing::ValuesIn(kLayouts));

// Without ext_attr, the first attribute sets the feature (as Linux's
// ext4_xattr_update_super_block), or e2fsck would call the block bogus.
TEST(Ext4XattrFeature, TheFirstAttributeSetsExtAttr)
{
    XattrImage image("-t ext2 -b 1024 -O ^ext_attr");
    ASSERT_TRUE(image.made);
    ASSERT_FALSE(
        peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset).s_feature_compat & ext4::kCompatExtAttr);
    image.change("f0", [&](ext4::Volume& volume, ext4::InodeData& inode) {
        ASSERT_EQ(error_of(set(volume, inode, "user.big", std::string(600, 'e'))), 0);
    });
    EXPECT_TRUE(
        peek_value<ext4::Superblock>(image.path, ext4::kSuperblockOffset).s_feature_compat & ext4::kCompatExtAttr);
    EXPECT_EQ(image.attributes("/f0"), (std::map<std::string, std::string> { { "user.big", std::string(600, 'e') } }));
    EXPECT_EQ(fsck_output(image.path), "");
}

// Corrupt attribute metadata is EUCLEAN for every operation that reads
// it, never a crash; a bad checksum only for a change (the reader
// verifies none).
class Ext4XattrCorrupt : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_image.made);
        write_file(m_image.scratch / "big", std::string(700, 'c'));
        ASSERT_EQ(m_image.debugfs_write("ea_set -f " + (m_image.scratch / "big") + " /f0 user.big"), 0);
        ASSERT_EQ(m_image.debugfs_write("ea_set /f0 user.small s"), 0);
        m_block = m_image.xattr_block("/f0");
        ASSERT_NE(m_block, 0u);
        m_block_size = m_image.block_size();
        ASSERT_EQ(fsck_output(m_image.path), "");
    }
    uint64_t entry_offset() const { return m_block * m_block_size + sizeof(ext4::XattrHeader); }
    // Every change to /f0 fails with `error`; reads with `read_error`
    // (0: they work).
    void expect_all(int error, int read_error)
    {
        m_image.change("f0", [&](ext4::Volume& volume, ext4::InodeData& inode) {
            EXPECT_EQ(get(volume, inode, "user.big"),
                read_error ? "errno " + std::to_string(read_error) : std::string(700, 'c'));
            auto const listed = names(volume, inode);
            EXPECT_EQ(listed.is_error() ? listed.error().code() : 0, read_error);
            EXPECT_EQ(error_of(set(volume, inode, "user.new", "n")), error);
            EXPECT_EQ(error_of(volume.remove_xattr(inode, "user.big", kNow)), error);
            EXPECT_EQ(error_of(volume.remove_xattr(inode, "user.small", kNow)), error);
        });
    }
    XattrImage m_image { "-t ext4 -b 1024" };
    uint64_t m_block { 0 };
    size_t m_block_size { 0 };
};

TEST_F(Ext4XattrCorrupt, BadMagic)
{
    patch_value<uint32_t>(m_image.path, m_block * m_block_size, 0xdeadbeef);
    expect_all(EUCLEAN, EUCLEAN);
}

TEST_F(Ext4XattrCorrupt, ValuePastTheBlock)
{
    patch_value<uint16_t>(
        m_image.path, entry_offset() + offsetof(ext4::XattrEntry, e_value_offs), uint16_t(m_block_size - 8));
    expect_all(EUCLEAN, EUCLEAN);
}

TEST_F(Ext4XattrCorrupt, ValueOverTheEntries)
{
    patch_value<uint16_t>(m_image.path, entry_offset() + offsetof(ext4::XattrEntry, e_value_offs), 8);
    expect_all(EUCLEAN, EUCLEAN);
}

TEST_F(Ext4XattrCorrupt, NameRunningOffTheBlock)
{
    // No end word: the entries run to the block's end.
    std::string const filler(m_block_size - sizeof(ext4::XattrHeader), '\x7f');
    patch(m_image.path, entry_offset(), filler.data(), filler.size());
    expect_all(EUCLEAN, EUCLEAN);
}

TEST_F(Ext4XattrCorrupt, ValueInAnInodeWithoutTheFeature)
{
    patch_value<uint32_t>(m_image.path, entry_offset() + offsetof(ext4::XattrEntry, e_value_inum), 12);
    expect_all(EUCLEAN, EUCLEAN);
}

TEST_F(Ext4XattrCorrupt, BlockNumberOutOfRange)
{
    ASSERT_EQ(m_image.debugfs_write("sif /f0 file_acl 99999999"), 0);
    expect_all(EUCLEAN, EUCLEAN);
}

TEST_F(Ext4XattrCorrupt, BodyEntryRunningOffTheInode)
{
    // user.small is in the body: its name length now runs past the slot.
    uint64_t const slot = inode_offset(m_image.path, m_image.inode_number("/f0"));
    uint64_t const body
        = slot + 128 + peek_value<uint16_t>(m_image.path, slot + offsetof(ext4::DiskInode, i_extra_isize));
    ASSERT_EQ(peek_value<uint32_t>(m_image.path, body), ext4::kXattrMagic);
    patch_value<uint8_t>(m_image.path, body + 4, 200);
    expect_all(EUCLEAN, EUCLEAN);
}

TEST_F(Ext4XattrCorrupt, BadChecksumStopsChangesOnly)
{
    // A byte between the entries and the value: they still make sense.
    patch_value<uint8_t>(m_image.path, m_block * m_block_size + 200, 0x55);
    expect_all(EUCLEAN, 0);
}

} // namespace
