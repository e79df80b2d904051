// The guest's mount records (debug table version 4) and fsBitmaps end to
// end: the decoder on good and garbage records and block caches, laid out
// in a plain GuestMemory with the kernel's own BlockCacheEntry layout; and
// the server, over a real socket, checking a mke2fs image as the disk with
// the guest's dirty blocks from that memory overlaid.
#include "ext4_images.h"
#include "table_builder.h"

#include <monitor/client.h>
#include <monitor/server.h>

#include <fs/block_cache.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <unistd.h>

using namespace aramid::monitor;
using namespace monitor_test;
namespace rpc = aramid::monitor::rpc;

namespace {

constexpr uint64_t kMounts = 0x200000;
constexpr uint64_t kEntries = 0x210000;
constexpr uint64_t kBlockData = 0x240000; // entry i's bytes at + i * 64 KiB
constexpr uint64_t kDirectMap = 0xffff888000000000ull;
constexpr uint32_t kEntryCount = 8;

class MountTable {
public:
    MountTable(TableBuilder& builder, vmm::GuestMemory& memory) : m(memory) {
        dt::Table& t = builder.table();
        t.direct_map_base = kDirectMap;
        t.mounts = kMounts;
        t.mount_capacity = dt::kMaxMounts;
        t.mount_record_size = sizeof(dt::MountRecord);
    }

    dt::MountRecord& record(uint32_t slot) {
        return *reinterpret_cast<dt::MountRecord*>(m.host_base() + kMounts + slot * sizeof(dt::MountRecord));
    }

    // A mounted ext4 on 254:0 at /mnt with an 8-entry cache of `block_size`
    // blocks over a device of `device_bytes`, as debug_table.cpp fills it.
    dt::MountRecord& add(uint32_t slot, uint32_t block_size = 4096, uint64_t device_bytes = 16 << 20) {
        dt::MountRecord r {};
        r.sequence = 2;
        r.state = dt::MountState::Mounted;
        r.flags = dt::kMountReadOnly;
        r.dev = 254 << 8;
        std::strcpy(r.type, "ext4");
        std::strcpy(r.mount_point, "/mnt");
        r.device_bytes = device_bytes;
        r.block_size = block_size;
        r.cache_capacity = kEntryCount;
        r.cache_entries = kEntries;
        r.entry_size = sizeof(BlockCacheEntry);
        r.entry_number_offset = offsetof(BlockCacheEntry, number);
        r.entry_data_offset = offsetof(BlockCacheEntry, data);
        r.entry_dirty_offset = offsetof(BlockCacheEntry, dirty);
        record(slot) = r;
        return record(slot);
    }

    BlockCacheEntry& entry(uint32_t index) {
        return *reinterpret_cast<BlockCacheEntry*>(m.host_base() + kEntries + index * sizeof(BlockCacheEntry));
    }
    static uint64_t data_gpa(uint32_t index) { return kBlockData + index * 65536ull; }

    // Entry `index` caches block `number` holding `bytes` (a pattern if
    // empty), dirty or not.
    void cache(uint32_t index, uint64_t number, bool dirty, std::vector<uint8_t> const& bytes = {},
               uint32_t block_size = 4096) {
        BlockCacheEntry& e = entry(index);
        e.number = number;
        e.data = reinterpret_cast<u8*>(kDirectMap + data_gpa(index));
        e.dirty = dirty;
        e.pins = 0;
        for (uint32_t i = 0; i < block_size; i++)
            m.host_base()[data_gpa(index) + i] = bytes.empty() ? uint8_t(number + i) : bytes[i];
    }

private:
    vmm::GuestMemory& m;
};

class MonitorMounts : public testing::Test {
protected:
    std::string decode_error(std::function<void(DebugTableReader const&)> const& use) {
        try {
            DebugTableReader const reader(memory, kTable);
            use(reader);
        } catch (DecodeError const& e) {
            return e.what();
        }
        return "";
    }
    std::string dirty_error(uint32_t slot = 0) {
        return decode_error([&](DebugTableReader const& reader) {
            for (MountInfo const& mount : reader.mounts())
                if (mount.slot == slot) (void)reader.dirty_blocks(mount);
        });
    }

    vmm::GuestMemory memory { kRam };
    TableBuilder builder { memory };
    MountTable mounts { builder, memory };
};

TEST_F(MonitorMounts, RecordsAndDirtyBlocks) {
    mounts.add(0);
    dt::MountRecord& second = mounts.add(2);
    std::strcpy(second.mount_point, "/data");
    std::strcpy(second.type, "ext2");
    second.flags = 0;
    second.dev = 254 << 8 | 1;
    second.busy = 7;
    mounts.cache(0, 5, true);
    mounts.cache(1, 6, false); // clean: the device has the same bytes
    mounts.cache(3, 9, true);
    // Entry 2 and 4-7 were never used: no data, not dirty.

    DebugTableReader const reader(memory, kTable);
    auto const list = reader.mounts();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].slot, 0u);
    EXPECT_FALSE(list[0].torn);
    EXPECT_EQ(list[0].type, "ext4");
    EXPECT_EQ(list[0].mount_point, "/mnt");
    EXPECT_TRUE(list[0].read_only);
    EXPECT_EQ(list[0].dev, 254u << 8);
    EXPECT_EQ(list[0].busy, 0u);
    EXPECT_EQ(list[0].problem, "");
    EXPECT_EQ(list[1].slot, 2u);
    EXPECT_EQ(list[1].type, "ext2");
    EXPECT_EQ(list[1].mount_point, "/data");
    EXPECT_FALSE(list[1].read_only);
    EXPECT_EQ(list[1].busy, 7u);

    auto const dirty = reader.dirty_blocks(list[0]);
    ASSERT_EQ(dirty.size(), 2u);
    EXPECT_EQ(dirty[0].number, 5u);
    EXPECT_EQ(dirty[1].number, 9u);
    ASSERT_EQ(dirty[1].data.size(), 4096u);
    for (uint32_t i = 0; i < 4096; i++) ASSERT_EQ(dirty[1].data[i], uint8_t(9 + i));
}

TEST_F(MonitorMounts, OlderTablesAndFreeSlots) {
    builder.table().mount_capacity = 0; // what a kernel without mounts gives
    EXPECT_TRUE(DebugTableReader(memory, kTable).mounts().empty());
    builder.table().mount_capacity = dt::kMaxMounts;
    EXPECT_TRUE(DebugTableReader(memory, kTable).mounts().empty()); // all free
    mounts.add(1).state = dt::MountState(9);
    auto const list = DebugTableReader(memory, kTable).mounts();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_NE(list[0].problem.find("unknown state 9"), std::string::npos);
}

TEST_F(MonitorMounts, TornRecord) {
    mounts.add(0).sequence = 3; // the kernel is writing it
    auto const list = DebugTableReader(memory, kTable).mounts();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_TRUE(list[0].torn);
    EXPECT_NE(dirty_error().find("torn"), std::string::npos);
}

TEST_F(MonitorMounts, GarbageMountArrays) {
    auto mounts_error = [&] { return decode_error([](DebugTableReader const& r) { (void)r.mounts(); }); };
    dt::Table& t = builder.table();
    t.mount_capacity = 100000;
    EXPECT_NE(mounts_error().find("absurd mount capacity"), std::string::npos);
    t.mount_capacity = dt::kMaxMounts;
    t.mount_record_size = 100;
    EXPECT_NE(mounts_error().find("mount record size"), std::string::npos);
    t.mount_record_size = sizeof(dt::MountRecord);
    t.mounts = kRam - 100;
    EXPECT_NE(mounts_error().find("outside guest RAM"), std::string::npos);
    t.mounts = ~0ull - 50; // wraps
    EXPECT_NE(mounts_error().find("outside guest RAM"), std::string::npos);
    t.mounts = kMounts;
    EXPECT_EQ(mounts_error(), "");
    // The rest of the table still decodes: only fsBitmaps needs the mounts.
    t.mount_capacity = 100000;
    EXPECT_NO_THROW(DebugTableReader(memory, kTable).threads());
}

TEST_F(MonitorMounts, GarbageCaches) {
    auto fresh = [&] {
        mounts.add(0);
        for (uint32_t i = 0; i < kEntryCount; i++) mounts.entry(i) = {};
        mounts.cache(0, 5, true);
        return std::ref(mounts.record(0));
    };
    fresh();
    EXPECT_EQ(dirty_error(), "");

    fresh().get().block_size = 1000;
    EXPECT_NE(dirty_error().find("absurd block size"), std::string::npos);
    fresh().get().block_size = 1 << 20;
    EXPECT_NE(dirty_error().find("absurd block size"), std::string::npos);
    fresh().get().cache_capacity = 1u << 30;
    EXPECT_NE(dirty_error().find("absurd cache capacity"), std::string::npos);
    fresh().get().entry_size = 0;
    EXPECT_NE(dirty_error().find("layout"), std::string::npos);
    fresh().get().entry_size = 100000;
    EXPECT_NE(dirty_error().find("layout"), std::string::npos);
    fresh().get().entry_data_offset = uint16_t(sizeof(BlockCacheEntry) - 4);
    EXPECT_NE(dirty_error().find("layout"), std::string::npos);
    fresh().get().entry_dirty_offset = uint16_t(sizeof(BlockCacheEntry));
    EXPECT_NE(dirty_error().find("layout"), std::string::npos);
    fresh().get().cache_entries = kRam - 64;
    EXPECT_NE(dirty_error().find("outside guest RAM"), std::string::npos);
    fresh().get().cache_entries = ~0ull - 64;
    EXPECT_NE(dirty_error().find("outside guest RAM"), std::string::npos);

    // Entries: bytes outside the direct map or RAM, a block past the
    // device, one block dirty twice.
    fresh();
    mounts.entry(0).data = reinterpret_cast<u8*>(0x1000);
    EXPECT_NE(dirty_error().find("direct map"), std::string::npos);
    fresh();
    mounts.entry(0).data = reinterpret_cast<u8*>(kDirectMap + kRam - 100);
    EXPECT_NE(dirty_error().find("direct map"), std::string::npos);
    fresh();
    mounts.entry(0).data = nullptr;
    EXPECT_NE(dirty_error().find("direct map"), std::string::npos);
    fresh();
    mounts.entry(0).number = (16 << 20) / 4096;
    EXPECT_NE(dirty_error().find("past the device"), std::string::npos);
    fresh();
    mounts.entry(0).number = ~0ull;
    EXPECT_NE(dirty_error().find("past the device"), std::string::npos);
    fresh();
    mounts.cache(1, 5, true);
    EXPECT_NE(dirty_error().find("dirty in two cache entries"), std::string::npos);
    fresh();
    mounts.entry(0).dirty = false; // a discarded slot: number ~0, clean
    mounts.entry(0).number = ~0ull;
    EXPECT_EQ(dirty_error(), "");

    // More dirty bytes than guest RAM: 128 entries of 64 KiB, all over
    // one buffer.
    dt::MountRecord& r = fresh().get();
    r.block_size = 65536;
    r.cache_capacity = 128;
    r.device_bytes = 1ull << 40;
    for (uint32_t i = 0; i < 128; i++) {
        BlockCacheEntry& e = mounts.entry(i);
        e.number = i;
        e.data = reinterpret_cast<u8*>(kDirectMap + kBlockData);
        e.dirty = true;
    }
    EXPECT_NE(dirty_error().find("more dirty cache bytes than guest RAM"), std::string::npos);
}

// ---- fsBitmaps through the server

class DiskTarget final : public Target {
public:
    DiskTarget(vmm::GuestMemory& memory, ByteSource const* disk) : m_memory(memory), m_disk(disk) { }
    vmm::GuestMemory const& memory() const override { return m_memory; }
    uint64_t debug_table_gpa() const override { return kTable; }
    PauseOutcome pause() override {
        holds++;
        pauses++;
        PauseOutcome outcome;
        outcome.paused = true;
        return outcome;
    }
    void resume() override { holds--; }
    bool paused() const override { return holds > 0; }
    bool stopped() const override { return false; }
    std::chrono::nanoseconds uptime() const override { return std::chrono::seconds(1); }
    ByteSource const* disk() const override { return m_disk; }

    std::atomic<int> holds { 0 };
    std::atomic<int> pauses { 0 };

private:
    vmm::GuestMemory& m_memory;
    ByteSource const* m_disk;
};

class MonitorFsBitmaps : public testing::Test {
protected:
    void SetUp() override {
        write_tree(m_dir / "tree");
        ASSERT_TRUE(make_image("-t ext4 -b 4096", m_dir / "tree", m_image));
        m_clean = read_all(m_image);
        m_block = blocks_of(m_image, "/big").at(1);
        m_ino = inode_of(m_image, "/big");
        debugfs(m_image, "freeb " + std::to_string(m_block), true); // the disk as the guest left it
        auto const corrupt = read_all(m_image);
        for (uint64_t b = 0; b < corrupt.size() / 4096; b++)
            if (std::memcmp(corrupt.data() + b * 4096, m_clean.data() + b * 4096, 4096)) m_changed.push_back(b);
        ASSERT_FALSE(m_changed.empty());
        ASSERT_LE(m_changed.size(), kEntryCount);
        m_disk = ImageFile::open(m_image);
        ASSERT_TRUE(m_disk);
        mounts.add(0, 4096, m_disk->size());
        server = std::make_unique<Server>(ServerOptions { m_path, false, "test" }, target);
    }
    void TearDown() override { server.reset(); }

    capnp::Response<rpc::Monitor::FsBitmapsResults> fs_bitmaps(MonitorConnection& c, uint32_t limit = 0) {
        auto request = c.monitor().fsBitmapsRequest();
        request.setLimit(limit);
        return c.wait(request.send());
    }
    // The clean image's bytes of the blocks the corruption changed, as the
    // guest's dirty cache: what the guest wrote that the disk lacks.
    void cache_clean_blocks() {
        for (uint32_t i = 0; i < m_changed.size(); i++)
            mounts.cache(i, m_changed[i], true,
                         std::vector<uint8_t>(m_clean.begin() + long(m_changed[i] * 4096),
                                              m_clean.begin() + long((m_changed[i] + 1) * 4096)));
    }

    ScratchDir m_dir;
    std::string m_image = m_dir / "disk.img";
    std::vector<uint8_t> m_clean;
    uint64_t m_block { 0 };
    uint32_t m_ino { 0 };
    std::vector<uint64_t> m_changed;
    std::unique_ptr<ImageFile> m_disk;
    vmm::GuestMemory memory { kRam };
    TableBuilder builder { memory };
    MountTable mounts { builder, memory };
    DiskTarget target { memory, nullptr };
    std::string m_path = "/tmp/aramid-fs-bitmaps-test-" + std::to_string(getpid()) + ".sock";
    std::unique_ptr<Server> server;
};

TEST_F(MonitorFsBitmaps, ChecksTheDiskWithTheDirtyBlocksOver) {
    DiskTarget with_disk(memory, m_disk.get());
    server.reset();
    server = std::make_unique<Server>(ServerOptions { m_path, false, "test" }, with_disk);
    MonitorConnection c(m_path);

    // The disk alone: the block /big uses is free in its bitmap.
    auto response = fs_bitmaps(c);
    ASSERT_EQ(response.getFilesystems().size(), 1u);
    auto fs = response.getFilesystems()[0];
    EXPECT_EQ(std::string(fs.getProblem().cStr()), "");
    EXPECT_TRUE(fs.getChecked());
    EXPECT_TRUE(fs.getComplete());
    EXPECT_EQ(std::string(fs.getMountPoint().cStr()), "/mnt");
    EXPECT_EQ(std::string(fs.getType().cStr()), "ext4");
    EXPECT_TRUE(fs.getReadOnly());
    EXPECT_EQ(fs.getDirtyBlocks(), 0u);
    EXPECT_EQ(fs.getBlockSize(), 4096u);
    EXPECT_EQ(fs.getCounts().getBlockUsedButFree(), 1u);
    EXPECT_EQ(fs.getDisagreements(), 2u); // and group 0's free count
    bool named = false;
    for (auto item : fs.getItems())
        if (item.getKind() == rpc::FsDisagreementKind::BLOCK_USED_BUT_FREE) {
            EXPECT_EQ(item.getBlock(), m_block);
            EXPECT_EQ(item.getInode(), m_ino);
            EXPECT_EQ(item.getOwner().getInode(), m_ino);
            EXPECT_EQ(item.getOwner().getLogical(), 1u);
            EXPECT_EQ(std::string(item.getOwner().getRole().cStr()), "data");
            EXPECT_FALSE(item.getOther().hasRole());
            named = true;
        }
    EXPECT_TRUE(named);
    EXPECT_TRUE(response.getSnapshot().getPaused());
    EXPECT_EQ(with_disk.holds.load(), 0); // resumed after the check

    // The guest's dirty blocks over it: consistent.
    cache_clean_blocks();
    response = fs_bitmaps(c);
    fs = response.getFilesystems()[0];
    EXPECT_EQ(fs.getDirtyBlocks(), m_changed.size());
    EXPECT_EQ(fs.getDisagreements(), 0u);
    EXPECT_FALSE(fs.getBusy());

    // A change in flight is said so.
    mounts.record(0).busy = 5;
    fs = fs_bitmaps(c).getFilesystems()[0];
    EXPECT_TRUE(fs.getBusy());
    EXPECT_EQ(fs.getChanges(), 2u);

    // A limit lists fewer and counts all.
    mounts.entry(0) = {};
    mounts.entry(1) = {};
    mounts.entry(2) = {};
    fs = fs_bitmaps(c, 1).getFilesystems()[0];
    EXPECT_EQ(fs.getDisagreements(), 2u);
    EXPECT_EQ(fs.getItems().size(), 1u);
}

TEST_F(MonitorFsBitmaps, ProblemsAreAnsweredPerFileSystem) {
    DiskTarget with_disk(memory, m_disk.get());
    server.reset();
    server = std::make_unique<Server>(ServerOptions { m_path, false, "test" }, with_disk);
    MonitorConnection c(m_path);
    // A cache entry whose bytes lie outside guest RAM.
    mounts.cache(0, 3, true);
    mounts.entry(0).data = reinterpret_cast<u8*>(kDirectMap + kRam);
    // A second mount on a device of another size.
    mounts.add(1, 4096, 1 << 30);
    // A third being written.
    mounts.add(3).sequence = 9;
    auto response = fs_bitmaps(c);
    ASSERT_EQ(response.getFilesystems().size(), 3u);
    auto list = response.getFilesystems();
    EXPECT_FALSE(list[0].getChecked());
    EXPECT_NE(std::string(list[0].getProblem().cStr()).find("block cache cannot be read"), std::string::npos);
    EXPECT_NE(std::string(list[1].getProblem().cStr()).find("not aramid-vmm's disk image"), std::string::npos);
    EXPECT_TRUE(list[2].getTorn());

    // A mount array that is garbage as a whole: an error reply.
    builder.table().mount_capacity = 5000;
    EXPECT_THROW(fs_bitmaps(c), ClientError);
    EXPECT_EQ(with_disk.holds.load(), 0);
}

TEST_F(MonitorFsBitmaps, NoDisk) {
    MonitorConnection c(m_path); // the fixture's target has no disk
    auto fs = fs_bitmaps(c).getFilesystems()[0];
    EXPECT_FALSE(fs.getChecked());
    EXPECT_NE(std::string(fs.getProblem().cStr()).find("no disk image"), std::string::npos);
}

} // namespace
