// Directory writing: DirectoryBlock on buffers (checked against blocks
// mke2fs wrote), then Volume's create, create_symlink, link, unlink and
// rename on images mke2fs builds, checked by e2fsck -fn, a fresh read-only
// Volume and debugfs.
#include "image.h"

#include <fs/ext4/checksum.h>
#include <fs/ext4/directory_block.h>

#include <gtest/gtest.h>
#include <sys/sysmacros.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <set>

namespace {

using namespace ext4_test;
using ext4::DirectoryBlock;
using ext4::DirectoryFormat;

constexpr uint32_t kModeRegular = 0100000;
constexpr uint32_t kModeDirectory = 0040000;
constexpr uint32_t kModeCharacter = 0020000;
constexpr uint32_t kModeBlock = 0060000;
constexpr uint32_t kModeFifo = 0010000;
constexpr uint32_t kModeSocket = 0140000;
constexpr uint32_t kModeSymlink = 0120000;
constexpr uint32_t kModeTypeMask = 0170000;

constexpr uint32_t kCsumSeedFeature = 0x2000;
constexpr uint32_t kMetadataCsumFeature = 0x400;

// The seed of every metadata checksum of an image (crc32c of its UUID, or
// s_checksum_seed with CSUM_SEED).
uint32_t volume_seed(std::string const& image)
{
    auto super = peek_value<ext4::Superblock>(image, ext4::kSuperblockOffset);
    uint32_t const field = peek_value<uint32_t>(image, ext4::kSuperblockOffset + 0x270);
    return ext4::checksum_seed(super.s_uuid, super.s_feature_incompat & kCsumSeedFeature, field);
}

uint32_t inode_generation(std::string const& image, uint32_t ino)
{
    return peek_value<uint32_t>(image, inode_offset(image, ino) + offsetof(ext4::DiskInode, i_generation));
}

uint32_t inode_seed(std::string const& image, uint32_t ino)
{
    return ext4::crc32c_u32(ext4::crc32c_u32(volume_seed(image), ino), inode_generation(image, ino));
}

// The bytes of logical block `logical` of the file at `path`.
std::vector<u8> file_block(std::string const& image, std::string const& path, uint64_t logical)
{
    auto opened = open_image(image);
    EXPECT_EQ(opened.error, 0);
    if (opened.error) return {};
    auto& volume = *opened.volume;
    auto inode = lookup_path(volume, path);
    EXPECT_FALSE(inode.is_error());
    if (inode.is_error()) return {};
    auto mapping = volume.map(inode.value(), logical);
    EXPECT_FALSE(mapping.is_error());
    if (mapping.is_error()) return {};
    std::vector<u8> block(volume.block_size());
    peek(image, mapping.value().physical * volume.block_size(), block.data(), block.size());
    return block;
}

uint32_t ino_of(std::string const& image, std::string const& path)
{
    auto opened = open_image(image);
    if (opened.error) return 0;
    auto inode = lookup_path(*opened.volume, path);
    return inode.is_error() ? 0 : inode.value().ino;
}

DirectoryFormat format_of(std::string const& image)
{
    auto super = peek_value<ext4::Superblock>(image, ext4::kSuperblockOffset);
    return DirectoryFormat { size_t(1024) << super.s_log_block_size,
        (super.s_feature_ro_compat & kMetadataCsumFeature) != 0,
        (super.s_feature_incompat & ext4::kIncompatFiletype) != 0, super.s_inodes_count };
}

// Every live entry of a block, in order, as name -> inode.
std::vector<std::pair<std::string, uint32_t>> entries_of(std::vector<u8>& data, DirectoryFormat const& format)
{
    std::vector<std::pair<std::string, uint32_t>> out;
    DirectoryBlock block(data.data(), format);
    for (size_t offset = 0; offset < block.end();) {
        size_t const rec_len = block.rec_len_at(offset);
        if (rec_len == 0) break;
        if (block.inode_at(offset)) {
            auto name = block.name_at(offset);
            out.emplace_back(std::string(name.data(), name.length()), block.inode_at(offset));
        }
        offset += rec_len;
    }
    return out;
}

// ---- DirectoryBlock on buffers.

TEST(DirectoryBlock, RecordLengthsOf64KiBBlocks)
{
    EXPECT_EQ(ext4::encode_rec_len(65536, 65536), 65535);
    EXPECT_EQ(ext4::decode_rec_len(65535, 65536), 65536u);
    EXPECT_EQ(ext4::decode_rec_len(0, 65536), 65536u);
    for (size_t length : { 12ul, 4096ul, 65532ul, 65536ul })
        EXPECT_EQ(ext4::decode_rec_len(ext4::encode_rec_len(length, 65536), 65536), length) << length;
    EXPECT_EQ(ext4::encode_rec_len(4096, 4096), 4096);
    EXPECT_EQ(ext4::decode_rec_len(4096, 4096), 4096u);
}

// mke2fs -d writes directory blocks and their tails; ours must checksum
// them to the same value, and a tail we write must be the bytes it wrote.
TEST(DirectoryBlock, TailChecksumMatchesMke2fs)
{
    TempDir dir;
    run("mkdir -p '" + dir / "src/d" + "'");
    for (int i = 0; i < 30; i++) write_file(dir / ("src/d/file-" + std::to_string(i)), "x");
    for (std::string blocks : { "4096", "1024" }) {
        std::string const image = dir / ("csum-" + blocks + ".img");
        ASSERT_EQ(make_image(image, dir / "src", "-t ext4 -b " + blocks, "8M"), 0);
        auto const format = format_of(image);
        ASSERT_TRUE(format.checksummed) << "mke2fs -t ext4 should enable metadata_csum";
        uint32_t const ino = ino_of(image, "d");
        ASSERT_NE(ino, 0u);
        for (uint32_t which : { ino, ext4::kRootIno }) {
            std::string const path = which == ext4::kRootIno ? "" : "d";
            auto data = file_block(image, path, 0);
            ASSERT_EQ(data.size(), format.block_size);
            std::vector<u8> const original = data;
            DirectoryBlock block(data.data(), format);
            EXPECT_TRUE(block.has_tail());
            auto const& tail = *reinterpret_cast<ext4::DirEntryTail const*>(data.data() + block.end());
            uint32_t const seed = inode_seed(image, which);
            EXPECT_EQ(block.checksum(seed), tail.checksum) << blocks << " " << path;
            block.write_tail(seed);
            EXPECT_EQ(data, original);
            // And a wrong seed gives another checksum (the test can fail).
            EXPECT_NE(block.checksum(seed + 1), tail.checksum);
        }
    }
}

// e2fsprogs' ext2fs_link, which mke2fs -d uses, places entries as Linux
// does (split the slack of the first entry with room). Replaying its
// insertions into a block of our own gives its bytes.
TEST(DirectoryBlock, InsertionsMatchE2fsprogs)
{
    TempDir dir;
    run("mkdir -p '" + dir / "src/d" + "'");
    for (int i = 0; i < 40; i++)
        write_file(dir / ("src/d/" + std::string(size_t(i % 13 + 1), char('a' + i % 26)) + std::to_string(i)), "");
    for (std::string options : { "-t ext4 -b 4096", "-t ext4 -b 1024", "-t ext2 -O ^filetype", "-t ext3 -b 4096" }) {
        std::string const image = dir / "layout.img";
        ASSERT_EQ(make_image(image, dir / "src", options, "8M"), 0) << options;
        auto const format = format_of(image);
        auto disk = file_block(image, "d", 0);
        ASSERT_EQ(disk.size(), format.block_size);
        auto const names = entries_of(disk, format);
        ASSERT_GE(names.size(), 3u);
        ASSERT_EQ(names[0].first, ".");
        ASSERT_EQ(names[1].first, "..");

        std::vector<u8> ours(format.block_size, 0xaa);
        DirectoryBlock block(ours.data(), format);
        block.initialize_first(names[0].second, names[1].second);
        std::vector<u8> disk_copy = disk;
        DirectoryBlock theirs(disk_copy.data(), format);
        for (size_t i = 2; i < names.size(); i++) {
            StringView name(names[i].first.data(), names[i].first.size());
            auto search = block.search(name, ext4::dir_rec_len(name.length()));
            ASSERT_FALSE(search.is_error());
            ASSERT_EQ(search.value().offset, DirectoryBlock::kNone);
            ASSERT_NE(search.value().room, DirectoryBlock::kNone);
            auto at = theirs.search(name, 0);
            ASSERT_FALSE(at.is_error());
            uint8_t const type = disk[at.value().offset + 7];
            block.insert(search.value().room, name, names[i].second, type);
        }
        if (format.checksummed) block.write_tail(inode_seed(image, names[0].second));
        EXPECT_EQ(ours, disk) << options;
    }
}

// Random insertions and removals against a model: every live name is
// found, the chain of entries covers the block exactly, and a block
// emptied of names takes as many names again.
TEST(DirectoryBlock, InsertAndRemoveKeepTheChain)
{
    for (bool checksummed : { false, true }) {
        for (bool filetype : { false, true }) {
            DirectoryFormat const format { 1024, checksummed, filetype, 100000 };
            std::vector<u8> data(1024);
            DirectoryBlock block(data.data(), format);
            block.initialize();
            block.write_tail(7);
            std::mt19937 random(42);
            std::map<std::string, uint32_t> model;
            size_t first_fill = 0;
            for (int step = 0; step < 3000; step++) {
                bool const add = model.empty() || random() % 3 != 0;
                if (add) {
                    std::string const name = "n" + std::to_string(random() % 500) + std::string(random() % 40, 'z');
                    StringView view(name.data(), name.size());
                    auto search = block.search(view, ext4::dir_rec_len(name.size()));
                    ASSERT_FALSE(search.is_error());
                    ASSERT_EQ(search.value().offset != DirectoryBlock::kNone, model.count(name) == 1) << name;
                    if (model.count(name) || search.value().room == DirectoryBlock::kNone) {
                        if (!first_fill) first_fill = model.size();
                        continue;
                    }
                    uint32_t const ino = uint32_t(step + 11);
                    block.insert(search.value().room, view, ino, ext4::kFileTypeRegular);
                    model[name] = ino;
                } else {
                    auto victim = model.begin();
                    std::advance(victim, long(random() % model.size()));
                    StringView view(victim->first.data(), victim->first.size());
                    auto search = block.search(view, 0);
                    ASSERT_FALSE(search.is_error());
                    ASSERT_NE(search.value().offset, DirectoryBlock::kNone);
                    EXPECT_EQ(block.inode_at(search.value().offset), victim->second);
                    size_t const previous_end = search.value().previous == DirectoryBlock::kNone
                        ? 0
                        : search.value().previous + block.rec_len_at(search.value().previous);
                    size_t const rec_len = block.rec_len_at(search.value().offset);
                    block.remove(search.value().offset, search.value().previous);
                    if (search.value().previous == DirectoryBlock::kNone) {
                        // The first entry stays, dead, with its length.
                        EXPECT_EQ(block.inode_at(0), 0u);
                        EXPECT_EQ(block.rec_len_at(0), rec_len);
                    } else {
                        // Merged into the one before.
                        EXPECT_EQ(search.value().previous + block.rec_len_at(search.value().previous),
                            previous_end + rec_len);
                    }
                    model.erase(victim);
                }
                block.write_tail(7);
                ASSERT_TRUE(block.has_tail());
                std::vector<std::pair<std::string, uint32_t>> live = entries_of(data, format);
                std::map<std::string, uint32_t> seen(live.begin(), live.end());
                ASSERT_EQ(seen, model) << "step " << step;
                ASSERT_EQ(live.size(), model.size());
                size_t offset = 0;
                while (offset < block.end()) offset += block.rec_len_at(offset);
                ASSERT_EQ(offset, block.end());
            }
            EXPECT_GT(first_fill, 10u);
        }
    }
}

TEST(DirectoryBlock, BadEntriesAreCorruption)
{
    DirectoryFormat const format { 1024, true, true, 1000 };
    std::vector<u8> data(1024);
    DirectoryBlock block(data.data(), format);
    block.initialize_first(12, 2);
    block.write_tail(1);
    ASSERT_FALSE(block.search("x", 12).is_error());
    auto corrupt = [&](size_t offset, std::vector<u8> bytes) {
        std::vector<u8> copy = data;
        std::copy(bytes.begin(), bytes.end(), copy.begin() + long(offset));
        DirectoryBlock bad(copy.data(), format);
        auto result = bad.search("x", 12);
        return result.is_error() && result.error().code() == EUCLEAN;
    };
    EXPECT_TRUE(corrupt(4, { 0, 0 })); // rec_len 0
    EXPECT_TRUE(corrupt(16, { 0xf0, 0x03 })); // ".." runs into the tail
    EXPECT_TRUE(corrupt(6, { 9 })); // "." claims a name longer than its entry
    EXPECT_TRUE(corrupt(0, { 0xe9, 0x03 })); // inode 1001 of 1000
    EXPECT_TRUE(corrupt(1012 + 7, { 0 })); // the tail's marker
    EXPECT_TRUE(corrupt(14, { 4, 0 })); // rec_len 4 (and misaligns the chain)
}

// The htree root and nodes e2fsck -D writes become linear blocks.
TEST(DirectoryBlock, IndexRootBecomesLinear)
{
    TempDir dir;
    run("mkdir -p '" + dir / "src/big" + "'");
    for (int i = 0; i < 400; i++) write_file(dir / ("src/big/some-longer-file-name-" + std::to_string(i)), "");
    std::string const image = dir / "htree.img";
    ASSERT_EQ(make_image(image, dir / "src", "-t ext4 -b 1024", "8M"), 0);
    ASSERT_LE(run("e2fsck -fyD '" + image + "' >/dev/null 2>&1"), 1);
    auto opened = open_image(image);
    auto big = lookup_path(*opened.volume, "big");
    ASSERT_FALSE(big.is_error());
    ASSERT_TRUE(big.value().flags & ext4::kIndexFlag);
    auto const format = format_of(image);
    auto data = file_block(image, "big", 0);
    DirectoryBlock block(data.data(), format);
    EXPECT_FALSE(block.has_tail()); // a dx root has a dx tail, not a dirent tail
    auto dots = block.dots();
    ASSERT_FALSE(dots.is_error());
    EXPECT_EQ(block.inode_at(dots.value().dot), big.value().ino);
    EXPECT_EQ(block.inode_at(dots.value().dot_dot), ext4::kRootIno);
    ASSERT_FALSE(block.make_linear_root().is_error());
    block.write_tail(inode_seed(image, big.value().ino));
    EXPECT_TRUE(block.has_tail());
    auto names = entries_of(data, format);
    ASSERT_EQ(names.size(), 2u);
    EXPECT_EQ(names[1].first, "..");
    auto search = block.search("new", ext4::dir_rec_len(3));
    ASSERT_FALSE(search.is_error());
    EXPECT_EQ(search.value().room, dots.value().dot_dot);
    // A linear first block (".." followed by entries) is no root: nothing
    // is wiped.
    block.insert(search.value().room, "new", 99, ext4::kFileTypeRegular);
    auto const before = data;
    auto result = block.make_linear_root();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code(), EUCLEAN);
    EXPECT_EQ(data, before);
}

} // namespace

namespace {

// Images with an htree directory: "big" holds kHtreeFiles long names,
// which e2fsck -D indexes (the root alone with 4 KiB blocks, the root and
// a level of nodes with 1 KiB ones), beside an empty "d". mke2fs -d is
// slow to build a big directory, so each layout's image is made once and
// tests copy it.
constexpr int kHtreeFiles = 700;
std::string htree_file_name(int i) { return std::to_string(i) + "-" + std::string(190, 'h'); }

std::string htree_image(std::string const& options)
{
    static TempDir dir;
    static std::map<std::string, std::string> images;
    static bool source_made = false;
    if (!source_made) {
        run("mkdir -p '" + dir / "src/big" + "' '" + dir / "src/d" + "'");
        for (int i = 0; i < kHtreeFiles; i++) write_file(dir / ("src/big/" + htree_file_name(i)), "");
        source_made = true;
    }
    auto& image = images[options];
    if (!image.empty()) return image;
    std::string const path = dir / ("htree-" + std::to_string(images.size()) + ".img");
    if (make_image(path, dir / "src", options, "32M") != 0) return "";
    if (run("e2fsck -fyD '" + path + "' >/dev/null 2>&1") > 1) return ""; // 1: it indexed
    image = path;
    return image;
}

// A copy of `pristine` at `path` (holes kept).
bool copy_image(std::string const& pristine, std::string const& path)
{
    return !pristine.empty() && run("cp --sparse=always '" + pristine + "' '" + path + "'") == 0;
}

// What Volume does to an htree directory before adding a name, done here
// by hand: e2fsck must find the result clean.
TEST(DirectoryBlock, LinearizedHtreeIsClean)
{
    TempDir dir;
    for (std::string options : { "-t ext4 -b 4096", "-t ext4 -b 1024", "-t ext3 -b 1024" }) {
        std::string const image = dir / "htree.img";
        ASSERT_TRUE(copy_image(htree_image(options), image)) << options;
        auto const format = format_of(image);
        ext4::InodeData big;
        std::vector<uint64_t> physical;
        {
            auto opened = open_image(image);
            auto inode = lookup_path(*opened.volume, "big");
            ASSERT_FALSE(inode.is_error());
            big = inode.value();
            for (uint64_t b = 0; b < big.size / format.block_size; b++)
                physical.push_back(opened.volume->map(big, b).value().physical);
        }
        ASSERT_TRUE(big.flags & ext4::kIndexFlag) << options;
        bool const small_blocks = options.find("1024") != std::string::npos;
        std::string const levels = small_blocks ? "Indirect levels: 1" : "Indirect levels: 0";
        EXPECT_NE(debugfs_output(image, "htree big").find(levels), std::string::npos) << options;
        size_t nodes = 0;
        for (uint64_t b = 0; b < physical.size(); b++) {
            std::vector<u8> data(format.block_size);
            peek(image, physical[b] * format.block_size, data.data(), data.size());
            DirectoryBlock block(data.data(), format);
            if (b == 0) {
                ASSERT_FALSE(block.make_linear_root().is_error());
            } else if (block.is_index_node()) {
                block.initialize();
                nodes++;
            } else {
                continue;
            }
            block.write_tail(inode_seed(image, big.ino));
            patch(image, physical[b] * format.block_size, data.data(), data.size());
        }
        if (small_blocks) { EXPECT_GT(nodes, 0u) << options; }
        char flags[32];
        snprintf(flags, sizeof(flags), "0x%x", big.flags & ~ext4::kIndexFlag);
        ASSERT_EQ(run("debugfs -w -R 'sif big flags " + std::string(flags) + "' '" + image + "' >/dev/null 2>&1"), 0);
        EXPECT_EQ(fsck_output(image), "") << options;
        auto opened = open_image(image);
        auto linear = lookup_path(*opened.volume, "big");
        ASSERT_FALSE(linear.is_error());
        EXPECT_FALSE(linear.value().flags & ext4::kIndexFlag);
        auto listing = list_directory(*opened.volume, linear.value());
        ASSERT_FALSE(listing.is_error());
        EXPECT_EQ(listing.value().size(), size_t(kHtreeFiles + 2)) << options;
    }
}

} // namespace

// ---- Volume's name operations on images.

namespace {

ext4::Time const kNow { 1700000000, 123 };

struct WriteLayout {
    char const* name;
    char const* options;
    bool filetype;
    bool dir_nlink;
};

std::string write_layout_name(testing::TestParamInfo<WriteLayout> const& info) { return info.param.name; }
void PrintTo(WriteLayout const& layout, std::ostream* out) { *out << layout.name; }

// "Links: N" of debugfs's stat.
int debugfs_links(std::string const& image, std::string const& path)
{
    std::string const stat = debugfs_output(image, "stat " + path);
    size_t const at = stat.find("Links: ");
    return at == std::string::npos ? -1 : std::atoi(stat.c_str() + at + 7);
}

// A volume opened writable on an image file, reopened at will.
class WritableImage {
public:
    explicit WritableImage(std::string image)
        : m_image(std::move(image))
    {
    }
    ~WritableImage()
    {
        if (m_volume) (void)m_volume->close();
    }
    // Opens the image writable; false (and a test failure) if it cannot.
    bool open()
    {
        m_backend = std::make_unique<FileBackend>(m_image, true);
        ext4::OpenReport report;
        auto volume = ext4::Volume::open_writable(*m_backend, report, kNow);
        EXPECT_FALSE(volume.is_error()) << "open_writable: errno " << (volume.is_error() ? volume.error().code() : 0)
                                        << " " << (report.refused_feature ? report.refused_feature : "")
                                        << (report.problem ? report.problem : "");
        if (volume.is_error()) return false;
        m_volume = volume.release_value();
        return true;
    }
    // Closes the volume; the image must then be clean (returns e2fsck's
    // complaints, "" if none).
    std::string close()
    {
        if (!m_volume) return "not open";
        auto result = m_volume->close();
        m_volume.clear();
        m_backend.reset();
        if (result.is_error()) return "close: errno " + std::to_string(result.error().code());
        return fsck_output(m_image);
    }
    ext4::Volume& volume() { return *m_volume; }
    ext4::InodeData at(std::string const& path)
    {
        auto inode = lookup_path(*m_volume, path);
        EXPECT_FALSE(inode.is_error()) << path << ": errno " << (inode.is_error() ? inode.error().code() : 0);
        return inode.is_error() ? ext4::InodeData {} : inode.release_value();
    }
    std::string const& image() const { return m_image; }

private:
    std::string m_image;
    std::unique_ptr<FileBackend> m_backend;
    OwnPtr<ext4::Volume> m_volume;
};

int error_of(Result<void> const& result) { return result.is_error() ? result.error().code() : 0; }
template<typename T> int error_of(Result<T> const& result) { return result.is_error() ? result.error().code() : 0; }

class DirectoryWrite : public testing::TestWithParam<WriteLayout> {
protected:
    void SetUp() override
    {
        run("mkdir -p '" + m_dir / "src/d" + "' '" + m_dir / "src/e" + "'");
        write_file(m_dir / "src/f", "file f\n");
        ASSERT_EQ(make_image(image(), m_dir / "src", GetParam().options, "16M"), 0) << GetParam().options;
        ASSERT_EQ(fsck_output(image()), "");
        ASSERT_TRUE(m_writable.open());
    }
    std::string image() const { return m_dir / "image.img"; }
    ext4::Volume& volume() { return m_writable.volume(); }
    ext4::InodeData at(std::string const& path) { return m_writable.at(path); }
    ext4::InodeData create(ext4::InodeData& dir, std::string const& name, uint32_t mode, uint64_t rdev = 0)
    {
        auto inode = volume().create(dir, StringView(name.data(), name.size()), mode, 1000, 1001, rdev, kNow);
        EXPECT_FALSE(inode.is_error()) << name << ": errno " << error_of(inode);
        return inode.is_error() ? ext4::InodeData {} : inode.release_value();
    }
    // unlink, then release what has no links left.
    int remove(ext4::InodeData& dir, std::string const& name, ext4::InodeData& target)
    {
        auto result = volume().unlink(dir, StringView(name.data(), name.size()), target, kNow);
        if (result.is_error()) return result.error().code();
        if (target.links == 0) { EXPECT_EQ(error_of(volume().release(target, kNow)), 0) << name; }
        return 0;
    }
    int rename(ext4::InodeData& old_dir, std::string const& name, ext4::InodeData& moved, ext4::InodeData& new_dir,
        std::string const& new_name, ext4::InodeData* replaced)
    {
        auto result = volume().rename(old_dir, StringView(name.data(), name.size()), moved, new_dir,
            StringView(new_name.data(), new_name.size()), replaced, kNow);
        if (result.is_error()) return result.error().code();
        if (replaced && replaced->ino != moved.ino && replaced->links == 0) {
            EXPECT_EQ(error_of(volume().release(*replaced, kNow)), 0) << new_name;
        }
        return 0;
    }
    int exchange(ext4::InodeData& dir_a, std::string const& name_a, ext4::InodeData& a, ext4::InodeData& dir_b,
        std::string const& name_b, ext4::InodeData& b)
    {
        return error_of(volume().exchange(dir_a, StringView(name_a.data(), name_a.size()), a, dir_b,
            StringView(name_b.data(), name_b.size()), b, kNow));
    }
    // Closes; e2fsck -fn must find the image clean; then a read-only view.
    void close_clean()
    {
        EXPECT_EQ(m_writable.close(), "") << GetParam().name;
        m_read = open_image(image());
        ASSERT_EQ(m_read.error, 0);
    }
    // After close_clean(): writable again.
    bool reopen()
    {
        m_read = Opened {};
        return m_writable.open();
    }
    ext4::Volume& reader() { return *m_read.volume; }
    ext4::InodeData read(std::string const& path)
    {
        auto inode = lookup_path(reader(), path);
        EXPECT_FALSE(inode.is_error()) << path << ": errno " << error_of(inode);
        return inode.is_error() ? ext4::InodeData {} : inode.release_value();
    }
    std::map<std::string, Entry> listing(std::string const& path)
    {
        auto entries = list_directory(reader(), read(path));
        EXPECT_FALSE(entries.is_error()) << path;
        return entries.is_error() ? std::map<std::string, Entry> {} : entries.release_value();
    }
    uint8_t type(uint8_t file_type) const { return GetParam().filetype ? file_type : uint8_t(ext4::kFileTypeUnknown); }

    TempDir m_dir;
    WritableImage m_writable { m_dir / "image.img" };
    Opened m_read;
};

TEST_P(DirectoryWrite, CreatesEveryFileType)
{
    auto root = at("");
    uint32_t const root_links = root.links;
    size_t const block_size = volume().block_size();
    auto regular = create(root, "regular", kModeRegular | 0644);
    auto dir = create(root, "dir", kModeDirectory | 0750);
    auto null = create(root, "null", kModeCharacter | 0666, makedev(1, 3));
    auto big = create(root, "big", kModeBlock | 0660, makedev(259, 300000));
    auto fifo = create(root, "fifo", kModeFifo | 0600);
    auto socket = create(root, "socket", kModeSocket | 0755);
    auto inner = create(dir, "inner", kModeRegular | 0600);
    std::string const slow(150, 's');
    std::string const longest(block_size - 1, 'l');
    auto symlink = [&](ext4::InodeData& in, std::string const& name, std::string const& target) {
        return volume().create_symlink(
            in, StringView(name.data(), name.size()), StringView(target.data(), target.size()), 1000, 1001, kNow);
    };
    ASSERT_EQ(error_of(symlink(root, "fast", "regular")), 0);
    ASSERT_EQ(error_of(symlink(root, "fast59", std::string(59, 'f'))), 0);
    ASSERT_EQ(error_of(symlink(root, "slow60", std::string(60, 'g'))), 0);
    ASSERT_EQ(error_of(symlink(root, "slow", slow)), 0);
    ASSERT_EQ(error_of(symlink(dir, "longest", longest)), 0);
    EXPECT_EQ(error_of(symlink(root, "too-long", std::string(block_size, 't'))), ENAMETOOLONG);
    EXPECT_EQ(error_of(symlink(root, "regular", "x")), EEXIST);
    EXPECT_EQ(root.links, root_links + 1);
    EXPECT_EQ(dir.links, 2u);
    EXPECT_EQ(regular.links, 1u);
    close_clean();

    auto entries = listing("");
    EXPECT_EQ(entries["regular"].type, type(ext4::kFileTypeRegular));
    EXPECT_EQ(entries["dir"].type, type(ext4::kFileTypeDirectory));
    EXPECT_EQ(entries["null"].type, type(ext4::kFileTypeCharacter));
    EXPECT_EQ(entries["big"].type, type(ext4::kFileTypeBlock));
    EXPECT_EQ(entries["fifo"].type, type(ext4::kFileTypeFifo));
    EXPECT_EQ(entries["socket"].type, type(ext4::kFileTypeSocket));
    EXPECT_EQ(entries["fast"].type, type(ext4::kFileTypeSymlink));
    EXPECT_EQ(entries["dir"].ino, dir.ino);
    EXPECT_EQ(read("").links, root_links + 1);
    auto dir_entries = listing("dir");
    EXPECT_EQ(dir_entries.size(), 4u);
    EXPECT_EQ(dir_entries["."].ino, dir.ino);
    EXPECT_EQ(dir_entries[".."].ino, ext4::kRootIno);
    EXPECT_EQ(dir_entries["inner"].ino, inner.ino);
    struct Expected {
        char const* path;
        uint32_t mode;
        uint32_t links;
    };
    for (auto const& e : { Expected { "regular", kModeRegular | 0644, 1 }, Expected { "dir", kModeDirectory | 0750, 2 },
             Expected { "null", kModeCharacter | 0666, 1 }, Expected { "big", kModeBlock | 0660, 1 },
             Expected { "fifo", kModeFifo | 0600, 1 }, Expected { "socket", kModeSocket | 0755, 1 },
             Expected { "fast", kModeSymlink | 0777, 1 }, Expected { "dir/inner", kModeRegular | 0600, 1 } }) {
        auto inode = read(e.path);
        EXPECT_EQ(inode.mode, e.mode) << e.path;
        EXPECT_EQ(inode.links, e.links) << e.path;
        EXPECT_EQ(inode.uid, 1000u) << e.path;
        EXPECT_EQ(inode.gid, 1001u) << e.path;
        EXPECT_EQ(inode.mtime.sec, kNow.sec) << e.path;
    }
    EXPECT_EQ(read("null").rdev, makedev(1, 3));
    EXPECT_EQ(read("big").rdev, makedev(259, 300000));
    EXPECT_EQ(read("dir").size, block_size);
    auto target = [&](std::string const& path) {
        auto inode = read(path);
        std::string buffer(block_size, '\0');
        auto n = reader().read_link(inode, buffer.data(), buffer.size());
        EXPECT_FALSE(n.is_error()) << path;
        buffer.resize(n.is_error() ? 0 : n.value());
        return buffer;
    };
    EXPECT_EQ(target("fast"), "regular");
    EXPECT_EQ(target("fast59"), std::string(59, 'f'));
    EXPECT_EQ(target("slow60"), std::string(60, 'g'));
    EXPECT_EQ(target("slow"), slow);
    EXPECT_EQ(target("dir/longest"), longest);
    // Fast symlinks live in i_block; the others have a block.
    EXPECT_EQ(read("fast59").blocks, 0u);
    EXPECT_GT(read("slow60").blocks, 0u);
    // debugfs reads the devices as we meant them.
    EXPECT_NE(debugfs_output(image(), "stat /big").find("Device major/minor number: 259:300000"), std::string::npos);
    EXPECT_NE(debugfs_output(image(), "stat /null").find("Device major/minor number: 01:03"), std::string::npos);
    EXPECT_EQ(debugfs_links(image(), "/dir"), 2);
    (void)null, (void)big, (void)fifo, (void)socket;
}

TEST_P(DirectoryWrite, NameErrors)
{
    auto d = at("d");
    std::string const longest(255, 'n');
    create(d, longest, kModeRegular | 0644);
    auto result = volume().create(d, std::string(256, 'n').c_str(), kModeRegular | 0644, 0, 0, 0, kNow);
    EXPECT_EQ(error_of(result), ENAMETOOLONG);
    EXPECT_EQ(error_of(volume().create(d, StringView(longest.data(), 255), kModeRegular, 0, 0, 0, kNow)), EEXIST);
    EXPECT_EQ(error_of(volume().create(d, ".", kModeDirectory | 0755, 0, 0, 0, kNow)), EEXIST);
    EXPECT_EQ(error_of(volume().create(d, "..", kModeRegular | 0644, 0, 0, 0, kNow)), EEXIST);
    EXPECT_EQ(error_of(volume().create(d, "", kModeRegular | 0644, 0, 0, 0, kNow)), ENOENT);
    auto f = at("f");
    EXPECT_EQ(error_of(volume().unlink(d, "missing", f, kNow)), ENOENT);
    EXPECT_EQ(error_of(volume().link(d, StringView(longest.data(), 255), f, kNow)), EEXIST);
    EXPECT_EQ(f.links, 1u); // a failed link leaves the count alone
    auto root = at("");
    EXPECT_EQ(error_of(volume().link(root, "d-again", d, kNow)), EPERM);
    close_clean();
    EXPECT_EQ(listing("d").size(), 3u);
    EXPECT_EQ(read("d/" + longest).mode, kModeRegular | 0644);
    EXPECT_EQ(read("f").links, 1u);
}

// Hundreds of names of every length: the directory grows block by block;
// then every name goes, and the space is found again.
TEST_P(DirectoryWrite, DirectoryGrowsAndShrinks)
{
    // Names average 130 bytes: enough of them for three blocks at least.
    int const kNames = std::max(400, int(3 * volume().block_size() / 100));
    auto name = [](int i) { return "entry-" + std::to_string(i) + std::string(size_t(i * 37 % 240), 'x'); };
    auto d = at("d");
    std::map<std::string, uint32_t> created;
    for (int i = 0; i < kNames; i++) {
        created[name(i)] = create(d, name(i), kModeRegular | 0644).ino;
        ASSERT_NE(created[name(i)], 0u);
    }
    uint64_t const grown = d.size;
    EXPECT_GE(grown, 3 * volume().block_size());
    EXPECT_EQ(grown % volume().block_size(), 0u);
    close_clean();
    auto entries = listing("d");
    EXPECT_EQ(entries.size(), size_t(kNames + 2));
    for (auto const& [n, ino] : created) EXPECT_EQ(entries[n].ino, ino) << n;
    EXPECT_EQ(read("d").size, grown);

    ASSERT_TRUE(m_writable.open());
    d = at("d");
    std::vector<std::string> order;
    for (auto const& [n, ino] : created) order.push_back(n);
    std::shuffle(order.begin(), order.end(), std::mt19937(7));
    for (auto const& n : order) {
        auto target = at("d/" + n);
        ASSERT_EQ(remove(d, n, target), 0) << n;
    }
    close_clean();
    EXPECT_EQ(listing("d").size(), 2u);
    EXPECT_EQ(read("d").size, grown); // directories do not shrink (as Linux)

    ASSERT_TRUE(m_writable.open());
    d = at("d");
    for (int i = 0; i < kNames; i += 2) create(d, name(i), kModeRegular | 0644);
    EXPECT_EQ(d.size, grown); // the freed space is reused
    close_clean();
    EXPECT_EQ(listing("d").size(), size_t(kNames / 2 + 2));
}

TEST_P(DirectoryWrite, HardLinksBeyondABlock)
{
    // 56 bytes an entry: more than a block of them.
    int const kLinks = std::max(300, int(volume().block_size() / 50));
    auto d = at("d");
    auto f = at("f");
    for (int i = 0; i < kLinks; i++) {
        std::string const name = "link-" + std::to_string(i) + std::string(40, 'l');
        ASSERT_EQ(error_of(volume().link(d, StringView(name.data(), name.size()), f, kNow)), 0) << name;
    }
    EXPECT_EQ(f.links, uint32_t(kLinks + 1));
    EXPECT_GT(d.size, volume().block_size());
    close_clean();
    EXPECT_EQ(read("f").links, uint32_t(kLinks + 1));
    EXPECT_EQ(debugfs_links(image(), "/f"), kLinks + 1);
    EXPECT_EQ(read("d/link-7" + std::string(40, 'l')).ino, read("f").ino);

    ASSERT_TRUE(m_writable.open());
    d = at("d");
    f = at("f");
    for (int i = 0; i < kLinks; i++) ASSERT_EQ(remove(d, "link-" + std::to_string(i) + std::string(40, 'l'), f), 0);
    EXPECT_EQ(f.links, 1u);
    close_clean();
    EXPECT_EQ(read("f").links, 1u);
    EXPECT_EQ(listing("d").size(), 2u);
}

TEST_P(DirectoryWrite, RemovesDirectories)
{
    auto root = at("");
    uint32_t const root_links = root.links;
    auto d = at("d");
    auto sub = create(d, "sub", kModeDirectory | 0755);
    auto file = create(sub, "file", kModeRegular | 0644);
    EXPECT_EQ(d.links, 3u);
    EXPECT_EQ(remove(d, "sub", sub), ENOTEMPTY);
    EXPECT_EQ(remove(root, "d", d), ENOTEMPTY);
    EXPECT_EQ(remove(sub, "file", file), 0);
    EXPECT_EQ(remove(d, "sub", sub), 0);
    EXPECT_EQ(sub.links, 0u);
    EXPECT_EQ(d.links, 2u);
    EXPECT_EQ(remove(root, "d", d), 0);
    EXPECT_EQ(root.links, root_links - 1);
    EXPECT_EQ(error_of(volume().unlink(root, ".", root, kNow)), EINVAL);
    close_clean();
    EXPECT_EQ(listing("").count("d"), 0u);
    EXPECT_EQ(read("").links, root_links - 1);
    EXPECT_EQ(debugfs_links(image(), "/"), int(root_links - 1));
}

TEST_P(DirectoryWrite, RenamesFiles)
{
    auto d = at("d");
    auto e = at("e");
    auto a = create(d, "a", kModeRegular | 0644);
    auto b = create(d, "b", kModeRegular | 0644);
    // Over an existing file: b's inode loses its name and is released.
    ASSERT_EQ(rename(d, "a", a, d, "b", &b), 0);
    EXPECT_EQ(b.links, 0u);
    EXPECT_EQ(a.links, 1u);
    // Across directories, with a long name.
    std::string const long_name(200, 'm');
    ASSERT_EQ(rename(d, "b", a, e, long_name, nullptr), 0);
    EXPECT_EQ(error_of(lookup_path(volume(), "d/b")), ENOENT);
    // Onto itself: nothing happens.
    ASSERT_EQ(rename(e, long_name, a, e, long_name, &a), 0);
    // Onto another name of the same inode: nothing happens (POSIX).
    ASSERT_EQ(error_of(volume().link(e, "alias", a, kNow)), 0);
    ASSERT_EQ(rename(e, "alias", a, e, long_name, &a), 0);
    EXPECT_EQ(a.links, 2u);
    // A name that is not there.
    EXPECT_EQ(rename(d, "gone", a, d, "x", nullptr), ENOENT);
    // Without a replaced inode the new name must be free.
    auto c = create(e, "c", kModeRegular | 0644);
    EXPECT_EQ(rename(e, "c", c, e, "alias", nullptr), EEXIST);
    close_clean();
    auto entries = listing("e");
    EXPECT_EQ(entries.size(), 5u);
    EXPECT_EQ(entries[long_name].ino, a.ino);
    EXPECT_EQ(entries["alias"].ino, a.ino);
    EXPECT_EQ(entries["c"].ino, c.ino);
    EXPECT_EQ(listing("d").size(), 2u);
    EXPECT_EQ(read(std::string("e/") + long_name).links, 2u);
}

TEST_P(DirectoryWrite, RenamesDirectories)
{
    auto root = at("");
    auto d = at("d");
    auto e = at("e");
    auto x = create(d, "x", kModeDirectory | 0755);
    create(x, "inside", kModeRegular | 0644);
    auto empty = create(e, "empty", kModeDirectory | 0755);
    auto full = create(e, "full", kModeDirectory | 0755);
    create(full, "file", kModeRegular | 0644);
    EXPECT_EQ(d.links, 3u);
    EXPECT_EQ(e.links, 4u);
    // Over a directory that is not empty.
    EXPECT_EQ(rename(d, "x", x, e, "full", &full), ENOTEMPTY);
    // A directory over a file and a file over a directory.
    auto file = create(d, "file", kModeRegular | 0644);
    EXPECT_EQ(rename(d, "x", x, d, "file", &file), ENOTDIR);
    EXPECT_EQ(rename(d, "file", file, e, "empty", &empty), EISDIR);
    // Over an empty directory, across: d loses a subdirectory, e keeps its count.
    ASSERT_EQ(rename(d, "x", x, e, "empty", &empty), 0);
    EXPECT_EQ(empty.links, 0u);
    EXPECT_EQ(d.links, 2u);
    EXPECT_EQ(e.links, 4u);
    EXPECT_EQ(at("e/empty/..").ino, e.ino);
    // Back, to a new name: e loses one, d gains one.
    ASSERT_EQ(rename(e, "empty", x, d, "back", nullptr), 0);
    EXPECT_EQ(d.links, 3u);
    EXPECT_EQ(e.links, 3u);
    // Within one directory: the counts stay.
    ASSERT_EQ(rename(d, "back", x, d, "again", nullptr), 0);
    EXPECT_EQ(d.links, 3u);
    // Up to the root, passing the same directory as two objects.
    auto root_copy = root;
    ASSERT_EQ(rename(d, "again", x, root, "top", nullptr), 0);
    EXPECT_EQ(root.links, root_copy.links + 1);
    // Into itself.
    EXPECT_EQ(rename(root, "top", x, x, "self", nullptr), EINVAL);
    // A directory over an empty one in the same directory.
    auto other = create(root, "other", kModeDirectory | 0755);
    uint32_t const before = root.links;
    ASSERT_EQ(rename(root, "top", x, root, "other", &other), 0);
    EXPECT_EQ(root.links, before - 1);
    close_clean();
    EXPECT_EQ(read("other/..").ino, ext4::kRootIno);
    EXPECT_EQ(read("other/inside").mode, kModeRegular | 0644);
    EXPECT_EQ(read("d").links, 2u);
    EXPECT_EQ(read("e").links, 3u);
    EXPECT_EQ(debugfs_links(image(), "/d"), 2);
    EXPECT_EQ(debugfs_links(image(), "/e"), 3);
    EXPECT_EQ(debugfs_links(image(), "/"), int(before - 1));
    std::string const ls = debugfs_output(image(), "ls -l /other");
    EXPECT_NE(ls.find("inside"), std::string::npos) << ls;
}

// RENAME_EXCHANGE. Each case: the names swap inodes, ".." and the parents'
// link counts follow a directory that changes parent; e2fsck -fn clean, a
// fresh read-only Volume and debugfs show the result.
TEST_P(DirectoryWrite, ExchangesFilesInOneDirectory)
{
    auto d = at("d");
    auto a = create(d, "a", kModeRegular | 0644);
    auto b = create(d, "b", kModeFifo | 0600);
    // The directory passed as two objects, as the VFS may.
    auto d_again = d;
    ASSERT_EQ(exchange(d, "a", a, d_again, "b", b), 0);
    EXPECT_EQ(d_again.mtime.sec, kNow.sec);
    EXPECT_EQ(d_again.links, d.links);
    EXPECT_EQ(a.links, 1u);
    EXPECT_EQ(b.links, 1u);
    EXPECT_EQ(a.ctime.sec, kNow.sec);
    EXPECT_EQ(at("d/a").ino, b.ino);
    EXPECT_EQ(at("d/b").ino, a.ino);
    close_clean();
    auto entries = listing("d");
    EXPECT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries["a"].ino, b.ino);
    EXPECT_EQ(entries["a"].type, type(ext4::kFileTypeFifo));
    EXPECT_EQ(entries["b"].ino, a.ino);
    EXPECT_EQ(entries["b"].type, type(ext4::kFileTypeRegular));
    EXPECT_EQ(read("d/a").mode, kModeFifo | 0600);
    EXPECT_EQ(debugfs_links(image(), "/d"), 2);
    EXPECT_NE(debugfs_output(image(), "stat /d/b").find("Inode: " + std::to_string(a.ino)), std::string::npos);
}

TEST_P(DirectoryWrite, ExchangesAFileAndADirectoryAcrossDirectories)
{
    auto d = at("d");
    auto e = at("e");
    auto file = create(d, "file", kModeRegular | 0644);
    auto sub = create(e, "sub", kModeDirectory | 0755);
    auto inner = create(sub, "inner", kModeRegular | 0644);
    EXPECT_EQ(d.links, 2u);
    EXPECT_EQ(e.links, 3u);
    // The file first: d gains a subdirectory, e loses one.
    ASSERT_EQ(exchange(d, "file", file, e, "sub", sub), 0);
    EXPECT_EQ(d.links, 3u);
    EXPECT_EQ(e.links, 2u);
    EXPECT_EQ(sub.links, 2u);
    EXPECT_EQ(file.links, 1u);
    close_clean();
    EXPECT_EQ(read("d/file").ino, sub.ino);
    EXPECT_EQ(read("d/file/..").ino, d.ino);
    EXPECT_EQ(read("d/file/inner").ino, inner.ino);
    EXPECT_EQ(read("e/sub").ino, file.ino);
    EXPECT_EQ(listing("d")["file"].type, type(ext4::kFileTypeDirectory));
    EXPECT_EQ(listing("e")["sub"].type, type(ext4::kFileTypeRegular));
    EXPECT_EQ(read("d").links, 3u);
    EXPECT_EQ(read("e").links, 2u);
    EXPECT_EQ(debugfs_links(image(), "/d"), 3);
    EXPECT_EQ(debugfs_links(image(), "/e"), 2);
    EXPECT_EQ(debugfs_links(image(), "/d/file"), 2);
    std::string const parent = debugfs_output(image(), "stat /d/file/..");
    EXPECT_NE(parent.find("Inode: " + std::to_string(d.ino) + " "), std::string::npos) << parent;

    // And back, the directory first this time.
    ASSERT_TRUE(reopen());
    d = at("d");
    e = at("e");
    sub = at("d/file");
    file = at("e/sub");
    ASSERT_EQ(exchange(d, "file", sub, e, "sub", file), 0);
    EXPECT_EQ(d.links, 2u);
    EXPECT_EQ(e.links, 3u);
    close_clean();
    EXPECT_EQ(read("e/sub").ino, sub.ino);
    EXPECT_EQ(read("e/sub/..").ino, e.ino);
    EXPECT_EQ(read("d/file").ino, file.ino);
    EXPECT_EQ(debugfs_links(image(), "/d"), 2);
    EXPECT_EQ(debugfs_links(image(), "/e"), 3);
}

TEST_P(DirectoryWrite, ExchangesDirectoriesAcrossDirectories)
{
    auto root = at("");
    auto d = at("d");
    auto e = at("e");
    auto x = create(d, "x", kModeDirectory | 0755);
    create(x, "in-x", kModeRegular | 0644);
    auto y = create(e, "y", kModeDirectory | 0700);
    auto z = create(y, "z", kModeDirectory | 0700);
    EXPECT_EQ(y.links, 3u);
    // A directory with its own parent: EINVAL, either way round.
    EXPECT_EQ(exchange(root, "e", e, e, "y", y), EINVAL);
    EXPECT_EQ(exchange(e, "y", y, root, "e", e), EINVAL);
    ASSERT_EQ(exchange(d, "x", x, e, "y", y), 0);
    EXPECT_EQ(d.links, 3u);
    EXPECT_EQ(e.links, 3u);
    EXPECT_EQ(x.links, 2u);
    EXPECT_EQ(y.links, 3u);
    close_clean();
    EXPECT_EQ(read("d/x").ino, y.ino);
    EXPECT_EQ(read("d/x/..").ino, d.ino);
    EXPECT_EQ(read("d/x/z").ino, z.ino);
    EXPECT_EQ(read("d/x/z/..").ino, y.ino);
    EXPECT_EQ(read("e/y").ino, x.ino);
    EXPECT_EQ(read("e/y/..").ino, e.ino);
    EXPECT_EQ(listing("e/y").count("in-x"), 1u);
    EXPECT_EQ(debugfs_links(image(), "/d"), 3);
    EXPECT_EQ(debugfs_links(image(), "/e"), 3);
    EXPECT_EQ(debugfs_links(image(), "/d/x"), 3);
    EXPECT_EQ(debugfs_links(image(), "/e/y"), 2);
}

TEST_P(DirectoryWrite, ExchangeOfOneInodeDoesNothing)
{
    auto root = at("");
    auto f = at("f");
    ASSERT_EQ(error_of(volume().link(root, "g", f, kNow)), 0);
    f = at("f");
    auto const ctime = f.ctime;
    auto f_again = f;
    ASSERT_EQ(exchange(root, "f", f, root, "g", f_again), 0);
    ASSERT_EQ(exchange(root, "f", f, root, "f", f_again), 0);
    EXPECT_EQ(f.ctime.sec, ctime.sec);
    EXPECT_EQ(f.links, 2u);
    close_clean();
    auto entries = listing("");
    EXPECT_EQ(entries["f"].ino, f.ino);
    EXPECT_EQ(entries["g"].ino, f.ino);
    EXPECT_EQ(read("f").links, 2u);
}

TEST_P(DirectoryWrite, ExchangeChecksBothNamesFirst)
{
    auto root = at("");
    auto d = at("d");
    auto e = at("e");
    auto a = create(d, "a", kModeRegular | 0644);
    auto b = create(e, "b", kModeRegular | 0644);
    auto c = create(e, "c", kModeDirectory | 0755);
    // The second name names another inode, or nothing: ENOENT, and the
    // first name is left as it was.
    EXPECT_EQ(exchange(d, "a", a, e, "b", c), ENOENT);
    EXPECT_EQ(exchange(d, "a", a, e, "gone", b), ENOENT);
    EXPECT_EQ(exchange(d, "a", b, e, "b", a), ENOENT);
    EXPECT_EQ(exchange(d, ".", d, e, "c", c), EINVAL);
    EXPECT_EQ(exchange(d, "a", a, e, "..", root), EINVAL);
    EXPECT_EQ(d.links, 2u);
    EXPECT_EQ(e.links, 3u);
    close_clean();
    EXPECT_EQ(read("d/a").ino, a.ino);
    EXPECT_EQ(read("e/b").ino, b.ino);
    EXPECT_EQ(read("e/c/..").ino, e.ino);
    EXPECT_EQ(debugfs_links(image(), "/d"), 2);
    EXPECT_EQ(debugfs_links(image(), "/e"), 3);
}

INSTANTIATE_TEST_SUITE_P(Layouts, DirectoryWrite,
    testing::Values(WriteLayout { "ext4", "-t ext4 -b 4096", true, true },
        WriteLayout { "ext4_1k", "-t ext4 -b 1024", true, true },
        WriteLayout { "ext2_no_filetype", "-t ext2 -O ^filetype", false, false },
        WriteLayout { "ext3", "-t ext3 -b 4096", true, false },
        // rec_len 65536 is stored as 65535 (Linux's ext4_rec_len_to_disk).
        WriteLayout { "ext4_64k", "-t ext4 -b 65536 -N 4096", true, true },
        WriteLayout { "ext4_64k_no_csum", "-t ext4 -b 65536 -N 4096 -O ^metadata_csum", true, true }),
    write_layout_name);

} // namespace

namespace {

// Directories e2fsck -D indexed: removals keep the index (as Linux's),
// anything that adds a name or moves the directory makes it linear; e2fsck
// finds either clean.
class HtreeWrite : public testing::TestWithParam<WriteLayout> {
protected:
    static constexpr int kFiles = kHtreeFiles;
    static std::string file_name(int i) { return htree_file_name(i); }
    void SetUp() override
    {
        ASSERT_TRUE(copy_image(htree_image(GetParam().options), image())) << GetParam().options;
        ASSERT_EQ(fsck_output(image()), "");
        ASSERT_TRUE(m_writable.open());
    }
    std::string image() const { return m_dir / "image.img"; }
    ext4::Volume& volume() { return m_writable.volume(); }

    TempDir m_dir;
    WritableImage m_writable { m_dir / "image.img" };
};

TEST_P(HtreeWrite, RemovalsKeepTheIndex)
{
    auto big = m_writable.at("big");
    ASSERT_TRUE(big.flags & ext4::kIndexFlag);
    for (int i = 0; i < kFiles; i += 3) {
        auto target = m_writable.at("big/" + file_name(i));
        auto name = file_name(i);
        ASSERT_EQ(error_of(volume().unlink(big, StringView(name.data(), name.size()), target, kNow)), 0) << name;
        ASSERT_EQ(error_of(volume().release(target, kNow)), 0);
    }
    // A rename over a name of the same directory keeps the hashes right too.
    auto moved = m_writable.at("big/" + file_name(1));
    auto replaced = m_writable.at("big/" + file_name(2));
    ASSERT_EQ(error_of(volume().rename(big, StringView(file_name(1).c_str()), moved, big,
                  StringView(file_name(2).c_str()), &replaced, kNow)),
        0);
    ASSERT_EQ(error_of(volume().release(replaced, kNow)), 0);
    EXPECT_TRUE(big.flags & ext4::kIndexFlag);
    EXPECT_EQ(m_writable.close(), "");
    auto opened = open_image(image());
    auto inode = lookup_path(*opened.volume, "big");
    ASSERT_FALSE(inode.is_error());
    EXPECT_TRUE(inode.value().flags & ext4::kIndexFlag);
    auto entries = list_directory(*opened.volume, inode.value());
    ASSERT_FALSE(entries.is_error());
    EXPECT_EQ(entries.value().size(), size_t(kFiles - (kFiles + 2) / 3 + 2 - 1));
    EXPECT_EQ(entries.value().count(file_name(0)), 0u);
    EXPECT_EQ(entries.value().count(file_name(1)), 0u);
    EXPECT_EQ(entries.value()[file_name(2)].ino, moved.ino);
    EXPECT_EQ(entries.value().count(file_name(4)), 1u);
    // debugfs looks names up through the index: it must find them (kFiles - 2
    // was not removed: it is not a multiple of 3).
    EXPECT_NE(debugfs_output(image(), "stat /big/" + file_name(2)).find("Inode: " + std::to_string(moved.ino)),
        std::string::npos);
    EXPECT_NE(debugfs_output(image(), "stat /big/" + file_name(kFiles - 2)).find("Links: 1"), std::string::npos);
}

TEST_P(HtreeWrite, EmptiedThenRemoved)
{
    auto root = m_writable.at("");
    auto big = m_writable.at("big");
    EXPECT_EQ(error_of(volume().unlink(root, "big", big, kNow)), ENOTEMPTY);
    for (int i = 0; i < kFiles; i++) {
        auto target = m_writable.at("big/" + file_name(i));
        auto name = file_name(i);
        ASSERT_EQ(error_of(volume().unlink(big, StringView(name.data(), name.size()), target, kNow)), 0) << name;
        ASSERT_EQ(error_of(volume().release(target, kNow)), 0);
    }
    ASSERT_EQ(error_of(volume().unlink(root, "big", big, kNow)), 0);
    EXPECT_EQ(big.links, 0u);
    ASSERT_EQ(error_of(volume().release(big, kNow)), 0);
    EXPECT_EQ(m_writable.close(), "");
    auto opened = open_image(image());
    EXPECT_EQ(error_of(lookup_path(*opened.volume, "big")), ENOENT);
}

TEST_P(HtreeWrite, AddingANameMakesItLinear)
{
    auto big = m_writable.at("big");
    ASSERT_TRUE(big.flags & ext4::kIndexFlag);
    auto created = volume().create(big, "new-name", kModeRegular | 0644, 0, 0, 0, kNow);
    ASSERT_EQ(error_of(created), 0);
    EXPECT_FALSE(big.flags & ext4::kIndexFlag);
    // The name that was there is still found, in the linear directory.
    EXPECT_EQ(error_of(volume().create(big, StringView(file_name(5).c_str()), kModeRegular, 0, 0, 0, kNow)), EEXIST);
    EXPECT_EQ(m_writable.close(), "");
    auto opened = open_image(image());
    auto inode = lookup_path(*opened.volume, "big");
    ASSERT_FALSE(inode.is_error());
    EXPECT_FALSE(inode.value().flags & ext4::kIndexFlag);
    auto entries = list_directory(*opened.volume, inode.value());
    ASSERT_FALSE(entries.is_error());
    EXPECT_EQ(entries.value().size(), size_t(kFiles + 3));
    EXPECT_EQ(entries.value()["new-name"].ino, created.value().ino);
    EXPECT_EQ(entries.value()[".."].ino, ext4::kRootIno);
}

TEST_P(HtreeWrite, MovingItRewritesItsParent)
{
    auto root = m_writable.at("");
    auto d = m_writable.at("d");
    auto big = m_writable.at("big");
    ASSERT_TRUE(big.flags & ext4::kIndexFlag);
    ASSERT_EQ(error_of(volume().rename(root, "big", big, d, "moved", nullptr, kNow)), 0);
    EXPECT_EQ(m_writable.close(), "");
    auto opened = open_image(image());
    auto moved = lookup_path(*opened.volume, "d/moved/..");
    ASSERT_FALSE(moved.is_error());
    EXPECT_EQ(moved.value().ino, d.ino);
    auto entries = list_directory(*opened.volume, lookup_path(*opened.volume, "d/moved").value());
    ASSERT_FALSE(entries.is_error());
    EXPECT_EQ(entries.value().size(), size_t(kFiles + 2));
    EXPECT_EQ(debugfs_links(image(), "/d"), 3);
}

// Exchanged with a directory elsewhere, an htree directory's ".." changes:
// it becomes linear, and both keep their names.
TEST_P(HtreeWrite, ExchangeRewritesItsParent)
{
    auto root = m_writable.at("");
    auto d = m_writable.at("d");
    auto big = m_writable.at("big");
    ASSERT_TRUE(big.flags & ext4::kIndexFlag);
    auto sub = volume().create(d, "sub", kModeDirectory | 0755, 0, 0, 0, kNow).release_value();
    ASSERT_EQ(error_of(volume().exchange(root, "big", big, d, "sub", sub, kNow)), 0);
    EXPECT_FALSE(big.flags & ext4::kIndexFlag);
    EXPECT_EQ(m_writable.close(), "");
    auto opened = open_image(image());
    EXPECT_EQ(lookup_path(*opened.volume, "d/sub/..").value().ino, d.ino);
    EXPECT_EQ(lookup_path(*opened.volume, "big/..").value().ino, ext4::kRootIno);
    EXPECT_EQ(lookup_path(*opened.volume, "big").value().ino, sub.ino);
    auto entries = list_directory(*opened.volume, lookup_path(*opened.volume, "d/sub").value());
    ASSERT_FALSE(entries.is_error());
    EXPECT_EQ(entries.value().size(), size_t(kFiles + 2));
    EXPECT_EQ(debugfs_links(image(), "/d"), 3);
}

INSTANTIATE_TEST_SUITE_P(Layouts, HtreeWrite,
    testing::Values(WriteLayout { "ext4", "-t ext4 -b 4096", true, true },
        WriteLayout { "ext4_1k", "-t ext4 -b 1024", true, true },
        WriteLayout { "ext3_1k", "-t ext3 -b 1024", true, false }),
    write_layout_name);

// Full disks: ENOSPC, and what was done before stays clean.
TEST(DirectoryWriteFull, InodeTableRunsOut)
{
    for (std::string options : { "-t ext4 -N 64", "-t ext2 -N 64" }) {
        TempDir dir;
        run("mkdir -p '" + dir / "src" + "'");
        std::string const image = dir / "small.img";
        ASSERT_EQ(make_image(image, dir / "src", options, "4M"), 0);
        WritableImage writable(image);
        ASSERT_TRUE(writable.open());
        auto root = writable.at("");
        int created = 0;
        int error = 0;
        while (created < 1000) {
            std::string const name = "file-" + std::to_string(created);
            bool const directory = created % 2;
            auto result = writable.volume().create(root, StringView(name.data(), name.size()),
                (directory ? kModeDirectory : kModeRegular) | 0644, 0, 0, 0, kNow);
            if (result.is_error()) {
                error = result.error().code();
                break;
            }
            created++;
        }
        EXPECT_EQ(error, ENOSPC) << options;
        EXPECT_GT(created, 30) << options;
        EXPECT_LT(created, 64) << options;
        EXPECT_EQ(writable.close(), "") << options;
        auto opened = open_image(image);
        auto entries = list_directory(*opened.volume, opened.volume->read_inode(ext4::kRootIno).value());
        ASSERT_FALSE(entries.is_error());
        EXPECT_EQ(entries.value().size(), size_t(created + 3)) << options; // ".", "..", lost+found
    }
}

TEST(DirectoryWriteFull, BlocksRunOut)
{
    for (std::string options : { "-t ext4 -b 1024", "-t ext2 -b 1024" }) {
        TempDir dir;
        run("mkdir -p '" + dir / "src" + "'");
        write_file(dir / "src/f", "f");
        std::string const image = dir / "small.img";
        ASSERT_EQ(make_image(image, dir / "src", options + " -N 256", "1M"), 0);
        WritableImage writable(image);
        ASSERT_TRUE(writable.open());
        auto root = writable.at("");
        auto d = writable.volume().create(root, "d", kModeDirectory | 0755, 0, 0, 0, kNow).value();
        auto f = writable.at("f");
        // Names of 255 bytes, three to a block, until no block is left.
        int links = 0;
        int error = 0;
        while (links < 10000) {
            std::string const name = std::to_string(links) + std::string(250, 'n');
            auto result = writable.volume().link(d, StringView(name.data(), name.size()), f, kNow);
            if (result.is_error()) {
                error = result.error().code();
                break;
            }
            links++;
        }
        EXPECT_EQ(error, ENOSPC) << options;
        EXPECT_GT(links, 300) << options;
        EXPECT_EQ(f.links, uint32_t(links + 1)) << options;
        // A directory needs a block too: its inode is given back.
        auto subdirectory = writable.volume().create(root, "sub", kModeDirectory | 0755, 0, 0, 0, kNow);
        EXPECT_EQ(error_of(subdirectory), ENOSPC) << options;
        // A long symlink needs one too.
        auto symlink = writable.volume().create_symlink(root, "s", std::string(100, 's').c_str(), 0, 0, kNow);
        EXPECT_EQ(error_of(symlink), ENOSPC) << options;
        EXPECT_EQ(writable.close(), "") << options;
        auto opened = open_image(image);
        EXPECT_EQ(lookup_path(*opened.volume, "f").value().links, uint32_t(links + 1));
        EXPECT_EQ(error_of(lookup_path(*opened.volume, "sub")), ENOENT);
    }
}

// EXT4_LINK_MAX, set with debugfs (making 65000 names would be slow).
TEST(DirectoryWriteLimits, LinkCounts)
{
    for (WriteLayout layout :
        { WriteLayout { "ext4", "-t ext4 -b 4096", true, true }, WriteLayout { "ext2", "-t ext2", true, false } }) {
        TempDir dir;
        run("mkdir -p '" + dir / "src/d" + "'");
        write_file(dir / "src/f", "f");
        std::string const image = dir / "limits.img";
        ASSERT_EQ(make_image(image, dir / "src", layout.options, "8M"), 0);
        ASSERT_EQ(run("debugfs -w -R 'sif /f links_count 65000' '" + image + "' >/dev/null 2>&1"), 0);
        ASSERT_EQ(run("debugfs -w -R 'sif /d links_count 64999' '" + image + "' >/dev/null 2>&1"), 0);
        WritableImage writable(image);
        ASSERT_TRUE(writable.open());
        auto d = writable.at("d");
        auto f = writable.at("f");
        EXPECT_EQ(error_of(writable.volume().link(d, "another", f, kNow)), EMLINK) << layout.name;
        EXPECT_EQ(f.links, 65000u);
        EXPECT_EQ(error_of(writable.volume().create(d, "s1", kModeDirectory | 0755, 0, 0, 0, kNow)), 0);
        EXPECT_EQ(d.links, 65000u);
        auto second = writable.volume().create(d, "s2", kModeDirectory | 0755, 0, 0, 0, kNow);
        if (layout.dir_nlink) {
            // dir_nlink: past 65000 the count reads 1, and stays so.
            EXPECT_EQ(error_of(second), 0);
            EXPECT_EQ(d.links, 1u);
            EXPECT_EQ(error_of(writable.volume().create(d, "s3", kModeDirectory | 0755, 0, 0, 0, kNow)), 0);
            EXPECT_EQ(d.links, 1u);
            auto s3 = writable.at("d/s3");
            EXPECT_EQ(error_of(writable.volume().unlink(d, "s3", s3, kNow)), 0);
            EXPECT_EQ(d.links, 1u);
        } else {
            EXPECT_EQ(error_of(second), EMLINK) << layout.name;
            EXPECT_EQ(d.links, 65000u);
        }
        ASSERT_EQ(error_of(writable.volume().close()), 0);
        auto opened = open_image(image);
        EXPECT_EQ(lookup_path(*opened.volume, "d").value().links, layout.dir_nlink ? 1u : 65000u);
    }
}

} // namespace
