// The orphan list (Volume's unlink/rename/release and open_writable's
// cleanup) on images mke2fs makes. The oracles:
//  - between an unlink and its release, after sync() (a crash or a monitor
//    snapshot then): e2fsck -fn is no oracle there, as it skips orphan
//    processing in read-only mode and then reports the listed inodes as
//    deleted-but-in-use ("Deleted inode N has zero dtime", bitmap
//    differences). So a copy goes through e2fsck -fy, which must do the
//    orphan processing alone ("Clearing orphaned inode N" for exactly the
//    inodes we listed, in list order, and no other message), and then
//    e2fsck -fn must find the copy clean; debugfs's stats show the head;
//  - after open_writable's cleanup: e2fsck -fn clean, and the bitmaps
//    (dumpe2fs's free block and inode ranges) the same as those e2fsck -fy
//    leaves from the same list;
//  - a corrupt list is refused before anything is written: the image's
//    bytes stay as they were.
#include "image.h"
#include "volume_test_peer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

namespace {

using namespace ext4_test;

constexpr uint32_t kModeRegular = 0100000;
constexpr uint32_t kModeDirectory = 0040000;
constexpr ext4::Time kNow { 1700000000, 0 };

class StringSource final : public ext4::DataSource {
public:
    explicit StringSource(std::string const& bytes)
        : m_bytes(bytes)
    {
    }
    Result<void> read(usize offset, u8* data, usize length) override
    {
        if (offset + length > m_bytes.size()) return Errno(EINVAL);
        std::copy(m_bytes.begin() + long(offset), m_bytes.begin() + long(offset + length), data);
        return {};
    }

private:
    std::string const& m_bytes;
};

std::string pattern(size_t length, unsigned seed)
{
    std::string out(length, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < length; i++) {
        x = x * 1103515245u + 12345u;
        out[i] = char(x >> 24);
    }
    return out;
}

int error_of(Result<void> const& result) { return result.is_error() ? result.error().code() : 0; }
template<typename T> int error_of(Result<T> const& result) { return result.is_error() ? result.error().code() : 0; }

ext4::Superblock superblock(std::string const& image)
{
    return peek_value<ext4::Superblock>(image, ext4::kSuperblockOffset);
}

uint32_t dtime_of(std::string const& image, uint32_t ino)
{
    return peek_value<uint32_t>(image, inode_offset(image, ino) + offsetof(ext4::DiskInode, i_dtime));
}

// The list as the disk holds it: s_last_orphan, then each i_dtime.
std::vector<uint32_t> orphan_chain(std::string const& image)
{
    std::vector<uint32_t> chain;
    auto const super = superblock(image);
    for (uint32_t ino = super.s_last_orphan; ino && chain.size() < 10000; ino = dtime_of(image, ino)) {
        if (ino > super.s_inodes_count) {
            chain.push_back(~0u);
            break;
        }
        chain.push_back(ino);
    }
    return chain;
}

// What e2fsck -fy does to a copy of the image: the orphans it released
// ("Clearing") or truncated ("Truncating"), in its order, and whatever
// else it said (which must be nothing).
struct Repair {
    std::vector<uint32_t> cleared;
    std::vector<uint32_t> truncated;
    std::string other;
    int status { -1 };
    std::string copy;
};

Repair repair_copy(std::string const& image)
{
    Repair repair;
    repair.copy = image + ".repaired";
    if (run("cp --sparse=always '" + image + "' '" + repair.copy + "'") != 0) return repair;
    std::string const log = command_output("e2fsck -fy '" + repair.copy + "' 2>&1; echo \"exit $?\"");
    std::istringstream lines(log);
    std::string line;
    std::string const& name = repair.copy; // e2fsck's name for the device
    auto starts = [&](std::string const& prefix) { return line.compare(0, prefix.size(), prefix) == 0; };
    while (std::getline(lines, line)) {
        if (starts("Clearing orphaned inode ")) {
            repair.cleared.push_back(uint32_t(std::stoul(line.substr(24))));
        } else if (starts("Truncating orphaned inode ")) {
            repair.truncated.push_back(uint32_t(std::stoul(line.substr(26))));
        } else if (starts("exit ")) {
            repair.status = std::atoi(line.c_str() + 5);
        } else if (line.empty() || starts("Pass ") || starts("e2fsck ")
            || starts(name + ": ***** FILE SYSTEM WAS MODIFIED")
            || (starts(name + ": ") && line.find(" files (") != std::string::npos)) {
            continue;
        } else {
            repair.other += line + "\n";
        }
    }
    return repair;
}

// The block and inode bitmaps as dumpe2fs shows them: each group's free
// ranges and counts of free blocks, free inodes and directories.
std::string bitmaps(std::string const& image)
{
    std::istringstream lines(command_output("dumpe2fs '" + image + "' 2>/dev/null"));
    std::string out;
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find("  Free blocks: ") == 0 || line.find("  Free inodes: ") == 0) {
            out += line + "\n";
        } else if (line.find(" free blocks, ") != std::string::npos) {
            // Up to the directories; "unused inodes" (itable_unused) is a hint.
            out += line.substr(0, line.find(" directories")) + "\n";
        }
    }
    return out;
}

std::string stat_field(std::string const& image, std::string const& path, std::string const& field)
{
    std::string const stat = debugfs_output(image, "stat " + path);
    size_t const at = stat.find(field);
    if (at == std::string::npos) return "";
    size_t const end = stat.find_first_of(" \t\n", at + field.size());
    return stat.substr(at + field.size(), end - at - field.size());
}

struct Layout {
    char const* name;
    char const* options;
};
void PrintTo(Layout const& layout, std::ostream* out) { *out << layout.name; }

// An image with /keep (a file that stays), /h (two names) and room for
// what the tests make; volume() is open writable on it. Dropping the
// volume without close() is a crash: what sync() did not write is lost.
class Ext4Orphan : public testing::TestWithParam<Layout> {
protected:
    void SetUp() override
    {
        run("mkdir -p '" + m_dir / "src/d" + "'");
        write_file(m_dir / "src/keep", pattern(5000, 1));
        write_file(m_dir / "src/h", "two names\n");
        ASSERT_EQ(run("ln '" + m_dir / "src/h" + "' '" + m_dir / "src/d/h2" + "'"), 0);
        ASSERT_EQ(make_image(image(), m_dir / "src", GetParam().options, "16M"), 0) << GetParam().options;
        ASSERT_EQ(fsck_output(image()), "");
        ASSERT_TRUE(open());
    }
    std::string image() const { return m_dir / "image.img"; }
    bool open()
    {
        m_opened = open_image_writable(image(), kNow);
        EXPECT_EQ(m_opened.error, 0) << (m_opened.report.problem ? m_opened.report.problem : "");
        return m_opened.error == 0;
    }
    // A crash: the volume goes without sync() or close().
    void crash() { m_opened = Opened {}; }
    ext4::Volume& volume() { return *m_opened.volume; }
    ext4::InodeData at(std::string const& path)
    {
        auto inode = lookup_path(volume(), path);
        EXPECT_FALSE(inode.is_error()) << path << ": errno " << error_of(inode);
        return inode.is_error() ? ext4::InodeData {} : inode.release_value();
    }
    // A regular file of `size` bytes (many blocks: indirect ones with the
    // small-block layouts).
    ext4::InodeData make_file(ext4::InodeData& dir, std::string const& name, size_t size, unsigned seed)
    {
        auto inode = volume().create(dir, StringView(name.data(), name.size()), kModeRegular | 0644, 0, 0, 0, kNow);
        EXPECT_FALSE(inode.is_error()) << name << ": errno " << error_of(inode);
        if (inode.is_error()) return {};
        std::string const bytes = pattern(size, seed);
        StringSource source(bytes);
        auto written = volume().write(inode.value(), 0, size, source, kNow);
        EXPECT_EQ(error_of(written), 0) << name;
        return inode.release_value();
    }
    int unlink(ext4::InodeData& dir, std::string const& name, ext4::InodeData& target)
    {
        return error_of(volume().unlink(dir, StringView(name.data(), name.size()), target, kNow));
    }
    int sync() { return error_of(volume().sync()); }
    ext4::Superblock cached_superblock()
    {
        size_t const block_size = volume().block_size();
        auto handle = volume().cache().get(ext4::kSuperblockOffset / block_size);
        EXPECT_FALSE(handle.is_error());
        ext4::Superblock super {};
        if (!handle.is_error())
            std::memcpy(&super, handle.value().data() + ext4::kSuperblockOffset % block_size, sizeof(super));
        return super;
    }
    // e2fsck -fy on a copy finishes exactly the deletions on `chain` (in
    // its order) and finds nothing else; e2fsck -fn then finds the copy clean.
    void expect_repair_is_orphans_only(std::vector<uint32_t> const& chain, std::vector<uint32_t> const& truncated = {})
    {
        auto const repair = repair_copy(image());
        std::vector<uint32_t> cleared;
        for (uint32_t ino : chain)
            if (std::find(truncated.begin(), truncated.end(), ino) == truncated.end()) cleared.push_back(ino);
        EXPECT_EQ(repair.cleared, cleared);
        EXPECT_EQ(repair.truncated, truncated);
        EXPECT_EQ(repair.other, "");
        EXPECT_LE(repair.status, 1);
        EXPECT_EQ(fsck_output(repair.copy), "");
        EXPECT_NE(bitmaps(repair.copy).find("Free inodes: "), std::string::npos);
        m_repaired = repair.copy;
    }

    TempDir m_dir;
    Opened m_opened;
    std::string m_repaired;
};

// (a) of the orphan list: unlinked, still in use, synced.
TEST_P(Ext4Orphan, AnUnlinkedFileIsListedUntilReleased)
{
    auto root = at("");
    auto f = make_file(root, "f", 40000, 2);
    ASSERT_EQ(sync(), 0);
    ASSERT_EQ(unlink(root, "f", f), 0);
    EXPECT_EQ(f.links, 0u);
    EXPECT_EQ(volume().superblock().s_last_orphan, f.ino);
    // Already in the cached superblock, before any sync(): what a snapshot
    // of the image with the dirty blocks (aramid-vmm's fsBitmaps) reads.
    EXPECT_EQ(cached_superblock().s_last_orphan, f.ino);
    // Still readable while "open".
    auto contents = read_file(volume(), f);
    ASSERT_FALSE(contents.is_error());
    EXPECT_EQ(contents.value(), pattern(40000, 2));
    ASSERT_EQ(sync(), 0);
    EXPECT_EQ(orphan_chain(image()), std::vector<uint32_t> { f.ino });
    EXPECT_EQ(dtime_of(image(), f.ino), 0u); // the end of the list
    EXPECT_NE(
        debugfs_output(image(), "stats").find("First orphan inode:       " + std::to_string(f.ino)), std::string::npos);
    expect_repair_is_orphans_only({ f.ino });

    // A read-only open leaves the list alone.
    {
        std::string const before = read_host_file(image());
        auto reader = open_image(image());
        ASSERT_EQ(reader.error, 0);
        EXPECT_EQ(reader.volume->superblock().s_last_orphan, f.ino);
        EXPECT_EQ(error_of(lookup_path(*reader.volume, "f")), ENOENT);
        EXPECT_EQ(read_host_file(image()), before);
    }

    // The last user goes: off the list, freed.
    ASSERT_EQ(error_of(volume().release(f, kNow)), 0);
    EXPECT_EQ(volume().superblock().s_last_orphan, 0u);
    EXPECT_EQ(cached_superblock().s_last_orphan, 0u);
    ASSERT_EQ(sync(), 0);
    EXPECT_EQ(orphan_chain(image()), std::vector<uint32_t> {});
    EXPECT_EQ(dtime_of(image(), f.ino), uint32_t(kNow.sec));
    EXPECT_EQ(fsck_output(image()), ""); // synced, not closed: consistent all the same
    // The repaired copy and ours free the same blocks and inodes.
    EXPECT_EQ(bitmaps(image()), bitmaps(m_repaired));
    ASSERT_EQ(error_of(volume().close()), 0);
    EXPECT_EQ(fsck_output(image()), "");
}

TEST_P(Ext4Orphan, AChainOfOrphansReleasedInAnyOrder)
{
    auto root = at("");
    auto d = at("d");
    auto f1 = make_file(root, "f1", 300000, 3); // indirect blocks with 1 KiB blocks
    auto f2 = make_file(d, "f2", 1, 4);
    auto empty = volume().create(root, "empty", kModeDirectory | 0755, 0, 0, 0, kNow).release_value();
    std::string const target(300, 't'); // a slow symlink: a block to free
    auto link = volume().create_symlink(d, "s", StringView(target.data(), target.size()), 0, 0, kNow).release_value();
    auto x = make_file(root, "x", 5000, 5);
    auto y = make_file(root, "y", 9000, 6);
    auto h = at("h");
    ASSERT_EQ(sync(), 0);
    uint32_t const free_inodes = volume().superblock().s_free_inodes_count;

    ASSERT_EQ(unlink(root, "f1", f1), 0);
    ASSERT_EQ(unlink(d, "f2", f2), 0);
    ASSERT_EQ(unlink(root, "empty", empty), 0);
    EXPECT_EQ(empty.links, 0u);
    ASSERT_EQ(unlink(d, "s", link), 0);
    // Over y: y's last link goes.
    ASSERT_EQ(error_of(volume().rename(root, "x", x, root, "y", &y, kNow)), 0);
    EXPECT_EQ(y.links, 0u);
    // One of two names: no orphan.
    ASSERT_EQ(unlink(d, "h2", h), 0);
    EXPECT_EQ(h.links, 1u);
    // An orphan takes no new name.
    EXPECT_EQ(error_of(volume().link(root, "back", f1, kNow)), ENOENT);

    std::vector<uint32_t> const chain { y.ino, link.ino, empty.ino, f2.ino, f1.ino };
    EXPECT_EQ(volume().superblock().s_last_orphan, y.ino);
    ASSERT_EQ(sync(), 0);
    EXPECT_EQ(orphan_chain(image()), chain);
    expect_repair_is_orphans_only(chain);

    // Released from the middle, the head, the tail, then the rest.
    auto release = [&](ext4::InodeData& inode) { return error_of(volume().release(inode, kNow)); };
    ASSERT_EQ(release(empty), 0);
    ASSERT_EQ(sync(), 0);
    EXPECT_EQ(orphan_chain(image()), (std::vector<uint32_t> { y.ino, link.ino, f2.ino, f1.ino }));
    ASSERT_EQ(release(y), 0);
    ASSERT_EQ(sync(), 0);
    EXPECT_EQ(orphan_chain(image()), (std::vector<uint32_t> { link.ino, f2.ino, f1.ino }));
    ASSERT_EQ(release(f1), 0);
    ASSERT_EQ(sync(), 0);
    EXPECT_EQ(orphan_chain(image()), (std::vector<uint32_t> { link.ino, f2.ino }));
    // What remains is still what e2fsck would finish.
    expect_repair_is_orphans_only({ link.ino, f2.ino });
    ASSERT_EQ(release(f2), 0);
    ASSERT_EQ(release(link), 0);
    EXPECT_EQ(volume().superblock().s_last_orphan, 0u);
    EXPECT_EQ(volume().superblock().s_free_inodes_count, free_inodes + 5);
    ASSERT_EQ(error_of(volume().close()), 0);
    EXPECT_EQ(fsck_output(image()), "");
    EXPECT_EQ(orphan_chain(image()), std::vector<uint32_t> {});
    EXPECT_EQ(bitmaps(image()), bitmaps(m_repaired));
    auto reader = open_image(image());
    ASSERT_EQ(reader.error, 0);
    auto listing = list_directory(*reader.volume, reader.volume->read_inode(ext4::kRootIno).value());
    ASSERT_FALSE(listing.is_error());
    EXPECT_EQ(listing.value().count("f1"), 0u);
    EXPECT_EQ(listing.value().count("empty"), 0u);
    EXPECT_EQ(listing.value().at("y").ino, x.ino);
    EXPECT_EQ(lookup_path(*reader.volume, "h").value().links, 1u);
}

// (b): a list left by a crash is finished by the next writable open, as
// Linux's mount does: inodes without links released, one with links (a
// truncate Linux did not finish, made here with debugfs) cut to its size.
TEST_P(Ext4Orphan, AWritableOpenFinishesTheList)
{
    auto root = at("");
    auto d = at("d");
    auto f = make_file(root, "f", 200000, 7);
    auto g = make_file(d, "g", 3000, 8);
    auto sub = volume().create(d, "sub", kModeDirectory | 0755, 0, 0, 0, kNow).release_value();
    auto t = make_file(root, "t", 100000, 9);
    ASSERT_EQ(unlink(root, "f", f), 0);
    ASSERT_EQ(unlink(d, "g", g), 0);
    ASSERT_EQ(unlink(d, "sub", sub), 0);
    ASSERT_EQ(sync(), 0);
    crash();
    // t: shrunk to 1000 bytes by a Linux that crashed before it freed the
    // blocks past them, so still on the list.
    std::string const request = "sif /t size 1000\nsif /t dtime " + std::to_string(sub.ino) + "\nssv last_orphan "
        + std::to_string(t.ino) + "\n";
    write_file(m_dir / "requests", request);
    ASSERT_EQ(run("debugfs -w -f '" + m_dir / "requests" + "' '" + image() + "' >/dev/null 2>&1"), 0);
    std::vector<uint32_t> const chain { t.ino, sub.ino, g.ino, f.ino };
    ASSERT_EQ(orphan_chain(image()), chain);
    expect_repair_is_orphans_only(chain, { t.ino });

    // Read-only: nothing changes.
    std::string const before = read_host_file(image());
    {
        auto reader = open_image(image());
        ASSERT_EQ(reader.error, 0);
        EXPECT_EQ(reader.volume->superblock().s_last_orphan, t.ino);
    }
    EXPECT_EQ(read_host_file(image()), before);

    ASSERT_TRUE(open());
    EXPECT_EQ(volume().superblock().s_last_orphan, 0u);
    auto shrunk = at("t");
    EXPECT_EQ(shrunk.size, 1000u);
    EXPECT_EQ(read_file(volume(), shrunk).value(), pattern(100000, 9).substr(0, 1000));
    ASSERT_EQ(error_of(volume().close()), 0);
    EXPECT_EQ(fsck_output(image()), "");
    EXPECT_EQ(orphan_chain(image()), std::vector<uint32_t> {});
    EXPECT_EQ(dtime_of(image(), t.ino), 0u); // in use: no dtime
    EXPECT_EQ(bitmaps(image()), bitmaps(m_repaired));
    EXPECT_EQ(stat_field(image(), "/t", "Blockcount: "), stat_field(m_repaired, "/t", "Blockcount: "));
    EXPECT_EQ(superblock(image()).s_free_inodes_count, superblock(m_repaired).s_free_inodes_count);
}

// Many orphans: the walks stay bounded and right on a long list; the open
// finishes all of them.
TEST_P(Ext4Orphan, ManyOrphans)
{
    auto root = at("");
    std::vector<ext4::InodeData> files;
    for (int i = 0; i < 150; i++) files.push_back(make_file(root, "m" + std::to_string(i), size_t(i) * 97, i));
    for (int i = 0; i < 150; i++) ASSERT_EQ(unlink(root, "m" + std::to_string(i), files[i]), 0);
    // Released from the tail (the longest walks), half of them.
    for (int i = 0; i < 75; i++) ASSERT_EQ(error_of(volume().release(files[i], kNow)), 0) << i;
    ASSERT_EQ(sync(), 0);
    std::vector<uint32_t> chain;
    for (int i = 149; i >= 75; i--) chain.push_back(files[i].ino);
    EXPECT_EQ(orphan_chain(image()), chain);
    crash();
    expect_repair_is_orphans_only(chain);
    ASSERT_TRUE(open());
    EXPECT_EQ(volume().superblock().s_last_orphan, 0u);
    ASSERT_EQ(error_of(volume().close()), 0);
    EXPECT_EQ(fsck_output(image()), "");
    EXPECT_EQ(bitmaps(image()), bitmaps(m_repaired));
}

// A list that cannot be trusted: refused (EUCLEAN, named) before anything
// is written; a read-only open still works.
TEST_P(Ext4Orphan, ACorruptListIsRefused)
{
    auto root = at("");
    auto a = make_file(root, "a", 20000, 10);
    auto b = make_file(root, "b", 20000, 11);
    auto c = make_file(root, "c", 20000, 12);
    ASSERT_EQ(unlink(root, "a", a), 0);
    ASSERT_EQ(unlink(root, "b", b), 0);
    ASSERT_EQ(unlink(root, "c", c), 0);
    ASSERT_EQ(sync(), 0);
    crash();
    ASSERT_EQ(orphan_chain(image()), (std::vector<uint32_t> { c.ino, b.ino, a.ino }));
    std::string const pristine = m_dir / "pristine.img";
    ASSERT_EQ(run("cp --sparse=always '" + image() + "' '" + pristine + "'"), 0);
    auto const super = superblock(image());
    uint32_t const free_ino = super.s_inodes_count - 1; // in the last group: never used
    auto number = [](uint32_t ino) { return std::to_string(ino); };
    struct Corruption {
        char const* what;
        std::string requests;
    };
    std::vector<Corruption> corruptions {
        { "head out of range", "ssv last_orphan " + number(super.s_inodes_count + 1) },
        { "head a reserved inode", "ssv last_orphan 2" },
        { "head a free inode", "ssv last_orphan " + number(free_ino) },
        { "next out of range", "sif <" + number(b.ino) + "> dtime 4000000000" },
        { "next a free inode", "sif <" + number(b.ino) + "> dtime " + number(free_ino) },
        { "a loop", "sif <" + number(a.ino) + "> dtime " + number(c.ino) },
        { "a loop past the head", "sif <" + number(a.ino) + "> dtime " + number(b.ino) },
        { "a self loop", "sif <" + number(c.ino) + "> dtime " + number(c.ino) },
    };
    for (auto const& corruption : corruptions) {
        ASSERT_EQ(run("cp --sparse=always '" + pristine + "' '" + image() + "'"), 0);
        write_file(m_dir / "requests", corruption.requests + "\n");
        ASSERT_EQ(run("debugfs -w -f '" + m_dir / "requests" + "' '" + image() + "' >/dev/null 2>&1"), 0);
        std::string const before = read_host_file(image());
        auto writable = open_image_writable(image(), kNow);
        EXPECT_EQ(writable.error, EUCLEAN) << corruption.what;
        EXPECT_NE(writable.report.problem, nullptr) << corruption.what;
        writable = Opened {};
        EXPECT_EQ(read_host_file(image()) == before, true) << corruption.what;
        EXPECT_EQ(open_image(image()).error, 0) << corruption.what;
    }
    // An inode whose checksum is wrong.
    if (super.s_feature_ro_compat & ext4::kRoCompatMetadataCsum) {
        ASSERT_EQ(run("cp --sparse=always '" + pristine + "' '" + image() + "'"), 0);
        uint64_t const mtime = inode_offset(image(), b.ino) + offsetof(ext4::DiskInode, i_mtime);
        patch_value<uint32_t>(image(), mtime, peek_value<uint32_t>(image(), mtime) ^ 1);
        std::string const before = read_host_file(image());
        auto writable = open_image_writable(image(), kNow);
        EXPECT_EQ(writable.error, EUCLEAN);
        writable = Opened {};
        EXPECT_EQ(read_host_file(image()) == before, true);
    }
    // The pristine list is fine.
    ASSERT_EQ(run("cp --sparse=always '" + pristine + "' '" + image() + "'"), 0);
    ASSERT_TRUE(open());
    ASSERT_EQ(error_of(volume().close()), 0);
    EXPECT_EQ(fsck_output(image()), "");
}

// A list gone bad while the volume is open (in memory here): release
// refuses to walk it, and frees nothing.
TEST_P(Ext4Orphan, ReleaseRefusesALoopedList)
{
    auto root = at("");
    auto a = make_file(root, "a", 20000, 13);
    auto b = make_file(root, "b", 20000, 14);
    auto c = make_file(root, "c", 20000, 15);
    ASSERT_EQ(unlink(root, "a", a), 0);
    ASSERT_EQ(unlink(root, "b", b), 0);
    ASSERT_EQ(unlink(root, "c", c), 0);
    // c -> b -> a -> b ...
    ASSERT_EQ(error_of(ext4::VolumeTestPeer::set_next_orphan(volume(), a.ino, b.ino)), 0);
    auto const free_blocks = volume().superblock().s_free_blocks_count_lo;
    auto const free_inodes = volume().superblock().s_free_inodes_count;
    auto const blocks = c.blocks;
    EXPECT_EQ(error_of(volume().release(c, kNow)), EUCLEAN);
    EXPECT_EQ(error_of(volume().release(a, kNow)), EUCLEAN);
    EXPECT_EQ(c.blocks, blocks);
    EXPECT_EQ(volume().superblock().s_free_blocks_count_lo, free_blocks);
    EXPECT_EQ(volume().superblock().s_free_inodes_count, free_inodes);
    // A number out of range past the head.
    ASSERT_EQ(error_of(ext4::VolumeTestPeer::set_next_orphan(volume(), a.ino, 4000000000u)), 0);
    EXPECT_EQ(error_of(volume().release(c, kNow)), EUCLEAN);
    EXPECT_EQ(volume().superblock().s_free_inodes_count, free_inodes);
    // Mended, it works.
    ASSERT_EQ(error_of(ext4::VolumeTestPeer::set_next_orphan(volume(), a.ino, 0)), 0);
    for (auto* inode : { &b, &c, &a }) ASSERT_EQ(error_of(volume().release(*inode, kNow)), 0);
    ASSERT_EQ(error_of(volume().close()), 0);
    EXPECT_EQ(fsck_output(image()), "");
}

// Linux drops the list of a file system marked with errors without
// processing it (e2fsck will run); so do we.
TEST_P(Ext4Orphan, AFileSystemWithErrorsDropsTheList)
{
    auto root = at("");
    auto a = make_file(root, "a", 20000, 16);
    ASSERT_EQ(unlink(root, "a", a), 0);
    ASSERT_EQ(sync(), 0);
    crash();
    ASSERT_EQ(run("debugfs -w -R 'ssv state 2' '" + image() + "' >/dev/null 2>&1"), 0);
    auto const free_inodes = superblock(image()).s_free_inodes_count;
    ASSERT_TRUE(open());
    EXPECT_EQ(volume().superblock().s_last_orphan, 0u);
    ASSERT_EQ(error_of(volume().close()), 0);
    EXPECT_EQ(orphan_chain(image()), std::vector<uint32_t> {});
    EXPECT_EQ(superblock(image()).s_free_inodes_count, free_inodes); // nothing freed
    EXPECT_TRUE(superblock(image()).s_state & ext4::kStateError);
}

INSTANTIATE_TEST_SUITE_P(Layouts, Ext4Orphan,
    testing::Values(Layout { "ext4", "-t ext4 -b 4096" }, Layout { "ext4_1k", "-t ext4 -b 1024" },
        Layout { "ext4_no_csum", "-t ext4 -b 1024 -O ^metadata_csum" }, Layout { "ext3", "-t ext3 -b 1024" },
        Layout { "ext2", "-t ext2 -b 1024" }),
    [](testing::TestParamInfo<Layout> const& info) { return std::string(info.param.name); });

} // namespace
