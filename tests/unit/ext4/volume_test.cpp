// ext4::Volume against images mke2fs builds from one source tree, in every
// layout the reader supports: ext2 (indirect blocks, 128-byte inodes),
// ext3, ext4 with 1, 4 and 64 KiB blocks, without extents, with and
// without 64BIT, with META_BG. Each image is compared with the tree:
// names, types, sizes, contents, symlink targets, modes, owners, times and
// device numbers.
#include "image.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <functional>

namespace {

using namespace ext4_test;

constexpr size_t kManyEntries = 2000;
std::string const kSlowTarget = std::string(150, 'x') + "/a/long/dangling/target";

std::string pattern(size_t size, unsigned seed)
{
    std::string s(size, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        s[i] = char(x >> 16);
    }
    return s;
}

void write_at(std::string const& path, std::vector<std::pair<off_t, std::string>> const& pieces, off_t size)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    for (auto const& [offset, data] : pieces)
        ASSERT_EQ(::pwrite(fd, data.data(), data.size(), offset), ssize_t(data.size()));
    ASSERT_EQ(::ftruncate(fd, size), 0);
    ::close(fd);
}

// The source tree every image is made from (built once).
class Tree {
public:
    static Tree& get()
    {
        static Tree tree;
        return tree;
    }
    std::string const& root() const { return m_root; }

private:
    Tree()
    {
        m_root = m_dir / "src";
        std::string const& r = m_root;
        run("mkdir -p '" + r + "/dir/sub' '" + r + "/many'");
        write_file(r + "/hello.txt", "hello, ext4\n");
        write_file(r + "/empty", "");
        write_file(r + "/dir/sub/deep.txt", "deep\n");
        write_file(r + "/binary", pattern(100 * 1024 + 17, 1));
        for (size_t i = 0; i < kManyEntries; i++)
            write_file(r + "/many/entry-" + std::to_string(i), i % 100 ? "" : std::to_string(i));
        // 20 MB with three islands of data: everything else is holes.
        write_at(r + "/sparse", { { 0, "start" }, { 10 << 20, "middle" }, { (20 << 20) - 3, "end" } }, 20 << 20);
        // Data in every other 4 KiB block: hundreds of extents, so the tree
        // has index nodes (depth >= 1); with 1 KiB ext2 blocks, double
        // indirect blocks.
        std::vector<std::pair<off_t, std::string>> pieces;
        for (int i = 0; i < 600; i += 2) pieces.push_back({ off_t(i) * 4096, pattern(4096, unsigned(i) + 7) });
        write_at(r + "/fragmented", pieces, 600 * 4096);
        // Past 64 MiB: triple indirect with 1 KiB blocks.
        write_at(r + "/far", { { 0, "near" }, { off_t(70) << 20, "far away" } }, (off_t(80) << 20));
        symlink("hello.txt", (r + "/fast").c_str());
        symlink(kSlowTarget.c_str(), (r + "/slow").c_str());
        mkfifo((r + "/fifo").c_str(), 0640);
        mknod((r + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3));
        mknod((r + "/disk").c_str(), S_IFBLK | 0660, makedev(8, 1));
        mknod((r + "/bignum").c_str(), S_IFCHR | 0600, makedev(300, 70000));
        write_file(r + "/setuid", "#!/bin/sh\n");
        chmod((r + "/setuid").c_str(), 04755);
        write_file(r + "/owned", "owned\n");
        chown((r + "/owned").c_str(), 70000, 80001); // needs the high 16 bits
        chown((r + "/dir").c_str(), 1234, 5678);
        // atime after mtime, so that relatime leaves it alone when mke2fs reads the file.
        timespec times[2] = { { 2000000000, 5 }, { 1234567890, 123456789 } };
        utimensat(AT_FDCWD, (r + "/hello.txt").c_str(), times, 0);
    }
    TempDir m_dir;
    std::string m_root;
};

struct Layout {
    char const* name;
    char const* options;
    char const* size;
    bool extents;
};

std::string layout_name(testing::TestParamInfo<Layout> const& info) { return info.param.name; }

// One image per layout, made on first use and shared by that layout's
// tests (which only read it). mke2fs -d writes linear directories; e2fsck
// -D then indexes them, so the big one becomes an htree.
std::string image_for(Layout const& layout)
{
    static std::map<std::string, std::unique_ptr<TempDir>> images;
    auto& dir = images[layout.name];
    std::string const image = layout.name + std::string(".img");
    if (dir) return *dir / image;
    dir = std::make_unique<TempDir>();
    if (make_image(*dir / image, Tree::get().root(), std::string(layout.options) + " -N 4096", layout.size) != 0)
        return "";
    int const fsck = run("e2fsck -fyD '" + *dir / image + "' >/dev/null 2>&1");
    if (fsck != 0 && fsck != 1) return ""; // 1: e2fsck changed something (the indexes)
    return *dir / image;
}

class Ext4Layout : public testing::TestWithParam<Layout> {
protected:
    void SetUp() override
    {
        m_image = image_for(GetParam());
        ASSERT_FALSE(m_image.empty()) << "mke2fs or e2fsck failed: " << GetParam().options;
        m_opened = open_image(m_image);
        ASSERT_EQ(m_opened.error, 0) << (m_opened.report.problem ? m_opened.report.problem : "");
    }
    ext4::Volume& volume() { return *m_opened.volume; }
    ext4::InodeData inode(std::string const& path)
    {
        auto r = lookup_path(volume(), path);
        EXPECT_FALSE(r.is_error()) << path << ": errno " << (r.is_error() ? r.error().code() : 0);
        return r.is_error() ? ext4::InodeData {} : r.release_value();
    }
    std::string contents(std::string const& path)
    {
        auto r = read_file(volume(), inode(path));
        EXPECT_FALSE(r.is_error()) << path;
        return r.is_error() ? std::string() : r.release_value();
    }

    std::string m_image;
    Opened m_opened;
};

// Walks the host tree and the image together.
void compare_tree(ext4::Volume& volume, std::string const& host, ext4::InodeData const& dir, bool large_inodes)
{
    auto listing = list_directory(volume, dir);
    ASSERT_FALSE(listing.is_error()) << host;
    auto entries = listing.release_value();
    ASSERT_TRUE(entries.count(".") && entries.count("..")) << host;
    EXPECT_EQ(entries["."].ino, dir.ino);
    entries.erase(".");
    entries.erase("..");
    entries.erase("lost+found");

    std::map<std::string, bool> seen;
    DIR* d = opendir(host.c_str());
    ASSERT_NE(d, nullptr);
    while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        seen[name] = true;
        std::string const path = host + "/" + name;
        struct stat st { };
        ASSERT_EQ(lstat(path.c_str(), &st), 0);
        ASSERT_TRUE(entries.count(name)) << "missing " << path;
        auto child_result = volume.read_inode(entries[name].ino);
        ASSERT_FALSE(child_result.is_error()) << path;
        auto child = child_result.release_value();
        SCOPED_TRACE(path);
        EXPECT_EQ(child.mode, st.st_mode);
        EXPECT_EQ(ext4::mode_for_file_type(entries[name].type), volume.has_filetype() ? (st.st_mode & S_IFMT) : 0u);
        EXPECT_EQ(child.uid, st.st_uid);
        EXPECT_EQ(child.gid, st.st_gid);
        EXPECT_EQ(child.links, st.st_nlink);
        EXPECT_EQ(child.mtime.sec, st.st_mtim.tv_sec);
        EXPECT_EQ(child.mtime.nsec, 0u); // mke2fs -d copies whole seconds (see NanosecondTimes)
        (void)large_inodes;
        if (S_ISREG(st.st_mode)) {
            EXPECT_EQ(child.size, uint64_t(st.st_size));
            auto data = read_file(volume, child);
            ASSERT_FALSE(data.is_error());
            EXPECT_TRUE(data.value() == read_host_file(path)) << "contents differ";
        } else if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlink(path.c_str(), target, sizeof(target));
            auto got = volume.read_link(child, target + 2048, 2048);
            ASSERT_FALSE(got.is_error());
            EXPECT_EQ(std::string(target + 2048, got.value()), std::string(target, size_t(n)));
            EXPECT_EQ(child.size, uint64_t(n));
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            EXPECT_EQ(child.rdev, uint64_t(st.st_rdev));
        } else if (S_ISDIR(st.st_mode)) {
            compare_tree(volume, path, child, large_inodes);
        }
    }
    closedir(d);
    EXPECT_EQ(seen.size(), entries.size()) << "extra entries in " << host;
}

TEST_P(Ext4Layout, MatchesTheSourceTree)
{
    auto root = volume().read_inode(ext4::kRootIno).release_value();
    bool const large = volume().superblock().s_rev_level && volume().superblock().s_inode_size > 128;
    compare_tree(volume(), Tree::get().root(), root, large);
}

TEST_P(Ext4Layout, ReadsHolesAsZeros)
{
    auto sparse = inode("sparse");
    EXPECT_EQ(sparse.size, 20u << 20);
    EXPECT_LT(sparse.blocks, (1u << 20) / 512); // a few blocks, not 20 MB of them
    auto data = contents("sparse");
    ASSERT_EQ(data.size(), 20u << 20);
    EXPECT_EQ(data.substr(0, 5), "start");
    EXPECT_EQ(data.substr(10 << 20, 6), "middle");
    EXPECT_EQ(data.substr((20 << 20) - 3), "end");
    EXPECT_EQ(std::count(data.begin(), data.end(), '\0'), long(data.size() - 14));
}

TEST_P(Ext4Layout, ReadsAtAnyOffset)
{
    auto file = inode("fragmented");
    std::string const whole = read_host_file(Tree::get().root() + "/fragmented");
    for (uint64_t offset : { 0ull, 1ull, 4095ull, 4096ull, 8191ull, 100000ull, 600 * 4096ull - 1, 600 * 4096ull }) {
        std::string out;
        VectorSink sink(out);
        auto n = volume().read(file, offset, 10000, sink);
        ASSERT_FALSE(n.is_error());
        out.resize(n.value());
        EXPECT_EQ(out, whole.substr(std::min<size_t>(offset, whole.size()), 10000)) << offset;
    }
}

TEST_P(Ext4Layout, FragmentedFileHasADeepMap)
{
    auto file = inode("fragmented");
    if (GetParam().extents) {
        ASSERT_TRUE(file.flags & ext4::kExtentsFlag);
        auto const* header = reinterpret_cast<ext4::ExtentHeader const*>(file.block);
        // With 64 KiB blocks every block has data: one extent.
        if (volume().block_size() <= 4096) { EXPECT_GE(header->eh_depth, 1) << "expected index nodes"; }
    } else {
        EXPECT_FALSE(file.flags & ext4::kExtentsFlag);
        EXPECT_NE(file.block[ext4::kSingleIndirect], 0u);
    }
    EXPECT_EQ(contents("fragmented"), read_host_file(Tree::get().root() + "/fragmented"));
}

TEST_P(Ext4Layout, FarFile)
{
    auto data = contents("far");
    ASSERT_EQ(data.size(), size_t(80) << 20);
    EXPECT_EQ(data.substr(0, 4), "near");
    EXPECT_EQ(data.substr(size_t(70) << 20, 8), "far away");
}

TEST_P(Ext4Layout, LargeDirectoryIsComplete)
{
    auto many = inode("many");
    auto listing = list_directory(volume(), many);
    ASSERT_FALSE(listing.is_error());
    EXPECT_EQ(listing.value().size(), kManyEntries + 2);
    if ((volume().superblock().s_feature_compat & 0x20) && many.size > volume().block_size()) {
        EXPECT_TRUE(many.flags & ext4::kIndexFlag) << "an htree";
    }
    for (size_t i : { size_t(0), size_t(100), size_t(1900) }) {
        auto ino = volume().lookup(many, StringView(("entry-" + std::to_string(i)).c_str()));
        ASSERT_FALSE(ino.is_error()) << i;
        EXPECT_EQ(
            read_file(volume(), volume().read_inode(ino.value()).release_value()).release_value(), std::to_string(i));
    }
    EXPECT_EQ(volume().lookup(many, "entry-2000").error().code(), ENOENT);
}

TEST_P(Ext4Layout, ReadDirectoryResumesAtAnOffset)
{
    auto many = inode("many");
    // Take entries three at a time, resuming where the last call stopped.
    struct State {
        unsigned taken;
        std::vector<std::string> names;
    } state;
    uint64_t position = 0;
    for (int calls = 0; calls < 10000; calls++) {
        state.taken = 0;
        auto next = volume().read_directory(
            many, position,
            [](ext4::DirectoryRecord const& record, void* context) {
                auto& s = *static_cast<State*>(context);
                if (s.taken == 3) return false;
                s.taken++;
                s.names.emplace_back(record.name.data(), record.name.length());
                return true;
            },
            &state);
        ASSERT_FALSE(next.is_error());
        if (state.taken < 3) break;
        ASSERT_GT(next.value(), position);
        position = next.value();
    }
    EXPECT_EQ(state.names.size(), kManyEntries + 2);
}

TEST_P(Ext4Layout, SymlinksFastAndSlow)
{
    char buffer[512];
    auto fast = inode("fast");
    EXPECT_FALSE(fast.flags & ext4::kExtentsFlag);
    auto n = volume().read_link(fast, buffer, sizeof(buffer));
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(std::string(buffer, n.value()), "hello.txt");
    n = volume().read_link(inode("slow"), buffer, sizeof(buffer));
    ASSERT_FALSE(n.is_error());
    EXPECT_EQ(std::string(buffer, n.value()), kSlowTarget);
    // A short buffer gets a prefix.
    n = volume().read_link(inode("slow"), buffer, 10);
    EXPECT_EQ(n.value(), 10u);
    EXPECT_EQ(volume().read_link(inode("hello.txt"), buffer, 10).error().code(), EINVAL);
}

TEST_P(Ext4Layout, OwnersModesTimesAndDevices)
{
    auto owned = inode("owned");
    EXPECT_EQ(owned.uid, 70000u);
    EXPECT_EQ(owned.gid, 80001u);
    EXPECT_EQ(inode("setuid").mode, S_IFREG | 04755u);
    auto hello = inode("hello.txt");
    EXPECT_EQ(hello.mtime.sec, 1234567890);
    EXPECT_EQ(hello.atime.sec, 2000000000);
    auto big = inode("bignum");
    EXPECT_EQ(major(big.rdev), 300u);
    EXPECT_EQ(minor(big.rdev), 70000u);
    EXPECT_EQ(inode("null").rdev, makedev(1, 3));
    EXPECT_EQ(inode("fifo").mode, S_IFIFO | 0640u);
}

TEST_P(Ext4Layout, LookupErrors)
{
    EXPECT_EQ(lookup_path(volume(), "nothing").error().code(), ENOENT);
    EXPECT_EQ(lookup_path(volume(), "hello.txt/x").error().code(), ENOTDIR);
    EXPECT_EQ(volume()
                  .read_directory(
                      inode("hello.txt"), 0, [](ext4::DirectoryRecord const&, void*) { return true; }, nullptr)
                  .error()
                  .code(),
        ENOTDIR);
    EXPECT_EQ(volume().read_inode(0).error().code(), EUCLEAN);
    EXPECT_EQ(volume().read_inode(volume().inode_count() + 1).error().code(), EUCLEAN);
}

INSTANTIATE_TEST_SUITE_P(Layouts, Ext4Layout,
    testing::Values(Layout { "ext4_4k", "-t ext4 -b 4096", "64M", true },
        Layout { "ext4_1k", "-t ext4 -b 1024", "128M", true }, Layout { "ext4_64k", "-t ext4 -b 65536", "128M", true },
        Layout { "ext4_no64bit", "-t ext4 -O ^64bit", "64M", true },
        Layout { "ext4_64bit", "-t ext4 -O 64bit", "64M", true },
        Layout { "ext4_meta_bg", "-t ext4 -b 1024 -O meta_bg,^resize_inode", "128M", true },
        Layout { "ext4_no_extents", "-t ext4 -O ^extent,^64bit", "64M", false },
        Layout { "ext3", "-t ext3", "64M", false }, Layout { "ext2_4k", "-t ext2 -b 4096", "64M", false },
        Layout { "ext2_1k_small_inodes", "-t ext2 -b 1024 -I 128", "128M", false }),
    layout_name);

// The extra time fields: nanoseconds, and epoch bits past 2038 (mke2fs -d
// copies whole seconds, so they are written here).
TEST(Ext4Inode, NanosecondTimes)
{
    TempDir dir;
    run("mkdir -p '" + dir / "src" + "'");
    write_file(dir / "src/file", "x");
    std::string const image = dir / "image";
    ASSERT_EQ(make_image(image, dir / "src", "-t ext4 -I 256", "8M"), 0);
    uint32_t const ino = lookup_path(*open_image(image).volume, "file").release_value().ino;
    uint64_t const at = inode_offset(image, ino);
    patch_value<uint32_t>(image, at + 16, 0x80000000u); // i_mtime: the most negative 32-bit second
    patch_value<uint32_t>(image, at + 136, (123456789u << 2) | 1); // i_mtime_extra: +2^32 s
    patch_value<uint32_t>(image, at + 132, (999999999u << 2)); // i_ctime_extra
    auto opened = open_image(image);
    auto file = lookup_path(*opened.volume, "file").release_value();
    EXPECT_EQ(file.mtime.sec, -2147483648ll + (1ll << 32));
    EXPECT_EQ(file.mtime.nsec, 123456789u);
    EXPECT_EQ(file.ctime.nsec, 999999999u);
    // An i_extra_isize too small for the time fields: they are not read.
    patch_value<uint16_t>(image, at + 128, 4);
    file = lookup_path(*open_image(image).volume, "file").release_value();
    EXPECT_EQ(file.mtime.sec, -2147483648ll);
    EXPECT_EQ(file.mtime.nsec, 0u);
    // One that runs past the inode is corrupt.
    patch_value<uint16_t>(image, at + 128, 200);
    EXPECT_EQ(lookup_path(*open_image(image).volume, "file").error().code(), EUCLEAN);
}

TEST(Ext4Open, RefusesUnsupportedFeaturesByName)
{
    TempDir dir;
    run("mkdir -p '" + dir / "src" + "'");
    std::string const image = dir / "image";
    ASSERT_EQ(make_image(image, dir / "src", "-t ext4", "8M"), 0);
    auto incompat = peek_value<uint32_t>(image, ext4::kSuperblockOffset + 0x60);
    struct Case {
        uint32_t bit;
        char const* name;
    };
    for (Case c :
        { Case { ext4::kIncompatCompression, "compression" }, Case { ext4::kIncompatJournalDev, "journal_dev" },
            Case { ext4::kIncompatEncrypt, "encrypt" }, Case { ext4::kIncompatCasefold, "casefold" },
            Case { ext4::kIncompatInlineData, "inline_data" }, Case { 0x80000000u, "unknown incompat bits" } }) {
        patch_value<uint32_t>(image, ext4::kSuperblockOffset + 0x60, incompat | c.bit);
        auto opened = open_image(image);
        EXPECT_EQ(opened.error, EINVAL) << c.name;
        ASSERT_NE(opened.report.refused_feature, nullptr) << c.name;
        EXPECT_STREQ(opened.report.refused_feature, c.name);
    }
    // RECOVER opens, with the warning flag set.
    patch_value<uint32_t>(image, ext4::kSuperblockOffset + 0x60, incompat | ext4::kIncompatRecover);
    auto opened = open_image(image);
    EXPECT_EQ(opened.error, 0);
    EXPECT_TRUE(opened.report.needs_recovery);
    // Any ro_compat bit opens (nothing is written).
    patch_value<uint32_t>(image, ext4::kSuperblockOffset + 0x60, incompat);
    patch_value<uint32_t>(image, ext4::kSuperblockOffset + 0x64, 0xffffffffu);
    EXPECT_EQ(open_image(image).error, 0);
}

TEST(Ext4Open, InlineDataImagesAreRefused)
{
    TempDir dir;
    run("mkdir -p '" + dir / "src" + "'");
    write_file(dir / "src/small", "tiny");
    std::string const image = dir / "image";
    ASSERT_EQ(make_image(image, dir / "src", "-t ext4 -O inline_data", "8M"), 0);
    auto opened = open_image(image);
    EXPECT_EQ(opened.error, EINVAL);
    EXPECT_STREQ(opened.report.refused_feature, "inline_data");
}

} // namespace
