// The virtio-mmio block device, driven as a guest driver drives it: the
// registers through the MMIO entry points, the rings and the requests laid
// out by hand in guest RAM, a temporary file as the disk. No KVM.
//
// Everything the guest writes is untrusted. The malformed cases check that
// the device answers with an error status, gives the chain back, or breaks
// (DEVICE_NEEDS_RESET) -- and that it wrote nothing in guest RAM or the disk
// file outside what it was allowed to.
#include <vmm/devices/mmio_bus.h>
#include <vmm/devices/virtio_blk.h>
#include <vmm/devices/virtio_mmio.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace vmm;
using namespace vmm::virtio;

namespace {

constexpr uint64_t kRam = 1ull << 20;
// Where the tests' driver puts things in guest RAM.
constexpr uint64_t kDescriptors = 0x10000;
constexpr uint64_t kAvail = 0x11000;
constexpr uint64_t kUsed = 0x12000;
constexpr uint64_t kHeader = 0x20000; // request headers, 16 bytes apart
constexpr uint64_t kStatus = 0x21000; // status bytes, 16 bytes apart
constexpr uint64_t kData = 0x30000;   // data buffers
constexpr uint16_t kQueueSize = 8;
constexpr uint64_t kDiskBytes = 64 * 512;
constexpr uint8_t kFill = 0xa5;           // guest RAM before the test
constexpr uint8_t kStatusUnwritten = 0xee; // a status byte the device did not write

uint8_t disk_byte(uint64_t offset) { return uint8_t(offset * 7 + 3); }

std::vector<uint8_t> disk_pattern(uint64_t size) {
    std::vector<uint8_t> bytes(size);
    for (uint64_t i = 0; i < size; i++) bytes[i] = disk_byte(i);
    return bytes;
}

// A temporary file, removed at the end of the test.
class TempFile {
public:
    explicit TempFile(std::vector<uint8_t> const& contents) {
        std::string pattern = testing::TempDir() + "virtio_blk_XXXXXX";
        int fd = mkstemp(pattern.data());
        EXPECT_GE(fd, 0) << "mkstemp";
        m_path = pattern;
        if (!contents.empty()) {
            EXPECT_EQ(::write(fd, contents.data(), contents.size()), ssize_t(contents.size()));
        }
        ::close(fd);
    }
    ~TempFile() { ::unlink(m_path.c_str()); }
    std::string const& path() const { return m_path; }
    std::vector<uint8_t> contents() const {
        std::ifstream in(m_path, std::ios::binary);
        return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
    }

private:
    std::string m_path;
};

struct Range {
    uint64_t gpa;
    uint64_t length;
};

// One guest with one device: a driver's view of it.
class Rig {
public:
    // `grow_to`: extends the disk file to that size (sparse) first.
    explicit Rig(bool read_only = false, std::vector<uint8_t> const& disk = disk_pattern(kDiskBytes),
                 uint64_t grow_to = 0)
        : m_disk(disk) {
        if (grow_to) {
            EXPECT_EQ(truncate(m_disk.path().c_str(), off_t(grow_to)), 0);
        }
        std::memset(memory.host_base(), kFill, kRam);
        block = std::make_unique<VirtioBlock>(memory, m_disk.path(), read_only, collect_warning());
        device = std::make_unique<VirtioMmio>(memory, *block, [this] { irqs++; }, collect_warning());
        clear_rings();
    }

    GuestMemory memory { kRam };
    std::unique_ptr<VirtioBlock> block;
    std::unique_ptr<VirtioMmio> device;
    std::vector<std::string> warnings;
    int irqs = 0;

    std::vector<uint8_t> disk() const { return m_disk.contents(); }

    uint32_t reg(uint32_t offset) {
        uint8_t bytes[4];
        device->read(offset, bytes);
        uint32_t value;
        std::memcpy(&value, bytes, 4);
        return value;
    }
    void set(uint32_t offset, uint32_t value) {
        uint8_t bytes[4];
        std::memcpy(bytes, &value, 4);
        device->write(offset, bytes);
    }
    uint32_t status() { return reg(VIRTIO_MMIO_STATUS); }

    // Negotiates `features` and ends with the Status the driver reads back.
    uint32_t negotiate(uint64_t features) {
        set(VIRTIO_MMIO_STATUS, 0);
        set(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
        set(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
        set(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
        set(VIRTIO_MMIO_DRIVER_FEATURES, uint32_t(features));
        set(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        set(VIRTIO_MMIO_DRIVER_FEATURES, uint32_t(features >> 32));
        set(VIRTIO_MMIO_STATUS,
            VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
        return status();
    }
    void program_queue(uint32_t size, uint64_t descriptors = kDescriptors, uint64_t avail = kAvail,
                       uint64_t used = kUsed) {
        m_queue_size = size;
        set(VIRTIO_MMIO_QUEUE_SEL, 0);
        set(VIRTIO_MMIO_QUEUE_NUM, size);
        set(VIRTIO_MMIO_QUEUE_DESC_LOW, uint32_t(descriptors));
        set(VIRTIO_MMIO_QUEUE_DESC_HIGH, uint32_t(descriptors >> 32));
        set(VIRTIO_MMIO_QUEUE_AVAIL_LOW, uint32_t(avail));
        set(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, uint32_t(avail >> 32));
        set(VIRTIO_MMIO_QUEUE_USED_LOW, uint32_t(used));
        set(VIRTIO_MMIO_QUEUE_USED_HIGH, uint32_t(used >> 32));
    }
    // The whole of a driver's start: features, queue, DRIVER_OK.
    void start(uint32_t queue_size = kQueueSize) {
        uint32_t const status = negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
        ASSERT_TRUE(status & VIRTIO_CONFIG_S_FEATURES_OK);
        program_queue(queue_size);
        set(VIRTIO_MMIO_QUEUE_READY, 1);
        ASSERT_EQ(reg(VIRTIO_MMIO_QUEUE_READY), 1u);
        set(VIRTIO_MMIO_STATUS, status | VIRTIO_CONFIG_S_DRIVER_OK);
        ASSERT_EQ(this->status() & VIRTIO_CONFIG_S_NEEDS_RESET, 0u);
    }

    void clear_rings() {
        std::memset(memory.host_base() + kAvail, 0, 0x1000);
        std::memset(memory.host_base() + kUsed, 0, 0x1000);
        m_avail_index = 0;
    }
    void put_descriptor(uint16_t index, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) {
        ASSERT_TRUE(memory.write(kDescriptors + 16ull * index, VirtqDesc { addr, len, flags, next }));
    }
    void make_available(uint16_t head) {
        ASSERT_TRUE(memory.write(kAvail + 4 + 2ull * (m_avail_index % m_queue_size), head));
        m_avail_index++;
        ASSERT_TRUE(memory.write(kAvail + 2, m_avail_index));
    }
    // Also remembers guest RAM as the driver left it, for expect_untouched.
    void notify() {
        m_before_notify = snapshot();
        set(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
    }
    void submit(uint16_t head) {
        make_available(head);
        notify();
    }
    uint16_t used_index() { return memory.read<uint16_t>(kUsed + 2).value(); }
    VirtqUsedElem used(uint16_t position) {
        return memory.read<VirtqUsedElem>(kUsed + 4 + 8ull * (position % m_queue_size)).value();
    }
    // The used ring, which the device may always write.
    Range used_ring() const { return { kUsed, 4 + 8ull * m_queue_size + 2 }; }

    // Lays out the usual three-descriptor request at descriptors `first`..:
    // header, data (`data_flags`: VIRTQ_DESC_F_WRITE for a device-writable
    // buffer), status. Returns the head.
    uint16_t request(uint16_t first, uint32_t type, uint64_t sector, uint64_t data_gpa, uint32_t data_len,
                     uint16_t data_flags) {
        EXPECT_TRUE(memory.write(header_gpa(first), VirtioBlkOuthdr { type, 0, sector }));
        EXPECT_TRUE(memory.write(status_gpa(first), kStatusUnwritten));
        put_descriptor(first, header_gpa(first), 16, VIRTQ_DESC_F_NEXT, uint16_t(first + 1));
        put_descriptor(uint16_t(first + 1), data_gpa, data_len, uint16_t(data_flags | VIRTQ_DESC_F_NEXT),
                       uint16_t(first + 2));
        put_descriptor(uint16_t(first + 2), status_gpa(first), 1, VIRTQ_DESC_F_WRITE);
        return first;
    }
    // A request without data: header and status.
    uint16_t bare_request(uint16_t first, uint32_t type) {
        EXPECT_TRUE(memory.write(header_gpa(first), VirtioBlkOuthdr { type, 0, 0 }));
        EXPECT_TRUE(memory.write(status_gpa(first), kStatusUnwritten));
        put_descriptor(first, header_gpa(first), 16, VIRTQ_DESC_F_NEXT, uint16_t(first + 1));
        put_descriptor(uint16_t(first + 1), status_gpa(first), 1, VIRTQ_DESC_F_WRITE);
        return first;
    }
    static uint64_t header_gpa(uint16_t first) { return kHeader + 16ull * first; }
    static uint64_t status_gpa(uint16_t first) { return kStatus + 16ull * first; }
    uint8_t status_byte(uint16_t first) { return memory.read<uint8_t>(status_gpa(first)).value(); }

    std::vector<uint8_t> snapshot() const { return { memory.host_base(), memory.host_base() + kRam }; }
    // Since the last notify, the device wrote guest RAM only in the used
    // ring and `allowed`.
    void expect_untouched(std::vector<Range> allowed = {}) {
        std::vector<uint8_t> const& before = m_before_notify;
        ASSERT_EQ(before.size(), kRam) << "no notify yet";
        allowed.push_back(used_ring());
        for (uint64_t gpa = 0; gpa < kRam; gpa++) {
            if (memory.host_base()[gpa] == before[gpa]) continue;
            bool ok = false;
            for (Range const& r : allowed) ok = ok || (gpa >= r.gpa && gpa - r.gpa < r.length);
            if (!ok) {
                ADD_FAILURE() << "the device wrote guest RAM at 0x" << std::hex << gpa;
                return;
            }
        }
    }

private:
    Warn collect_warning() {
        return [this](std::string const& line) { warnings.push_back(line); };
    }

    TempFile m_disk;
    std::vector<uint8_t> m_before_notify;
    uint32_t m_queue_size = kQueueSize;
    uint16_t m_avail_index = 0;
};

std::vector<uint8_t> guest_bytes(GuestMemory const& memory, uint64_t gpa, uint64_t length) {
    return { memory.host_base() + gpa, memory.host_base() + gpa + length };
}

} // namespace

// ---- transport and bus ------------------------------------------------------

namespace {
class RecordingDevice final : public MmioDevice {
public:
    void read(uint64_t offset, std::span<uint8_t> data) override {
        last_offset = offset;
        std::memset(data.data(), 0x42, data.size());
    }
    void write(uint64_t offset, std::span<uint8_t const> data) override {
        last_offset = offset;
        written = data.size();
    }
    uint64_t last_offset = ~0ull;
    size_t written = 0;
};
} // namespace

TEST(VirtioMmioBus, RoutesWholeAccessesInsideTheWindowOnly) {
    MmioBus bus;
    RecordingDevice device;
    bus.attach(aramid::abi::kVirtioMmioBase, aramid::abi::kVirtioMmioSize, device);
    uint8_t data[8] = {};
    bus.read(aramid::abi::kVirtioMmioBase + 0x70, { data, 4 });
    EXPECT_EQ(device.last_offset, 0x70u);
    EXPECT_EQ(data[0], 0x42);
    bus.write(aramid::abi::kVirtioMmioBase + 0xff8, { data, 8 });
    EXPECT_EQ(device.last_offset, 0xff8u);
    EXPECT_EQ(device.written, 8u);

    device.last_offset = ~0ull;
    bus.read(aramid::abi::kVirtioMmioBase + 0xffe, { data, 4 }); // runs past the end
    EXPECT_EQ(device.last_offset, ~0ull);
    EXPECT_EQ(data[0], 0xff);
    EXPECT_EQ(data[3], 0xff);
    bus.read(aramid::abi::kVirtioMmioBase - 4, { data, 4 });
    bus.write(aramid::abi::kVirtioMmioBase + aramid::abi::kVirtioMmioSize, { data, 4 });
    bus.read(0, { data, 8 });
    EXPECT_EQ(device.last_offset, ~0ull) << "an access outside the window reached the device";
}

TEST(VirtioMmio, CommandLineWord) {
    using namespace aramid::abi;
    EXPECT_EQ(virtio_mmio_cmdline(kVirtioMmioBase, kVirtioMmioSize, kVirtioBlkGsi),
              "virtio_mmio.device=4K@0xd0000000:5");
    EXPECT_EQ(virtio_mmio_cmdline(0x1000, 0x200, 11), "virtio_mmio.device=512@0x1000:11");
    // Above the largest RAM, so never shadowed by a memslot.
    EXPECT_GE(kVirtioMmioBase, 3072ull << 20);
}

TEST(VirtioBlk, ProbeRegisters) {
    Rig rig;
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_VERSION), 2u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_DEVICE_ID), 2u);
    EXPECT_NE(rig.reg(VIRTIO_MMIO_VENDOR_ID), 0u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_STATUS), 0u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_NUM_MAX), 256u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_READY), 0u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_CONFIG_GENERATION), 0u);

    rig.set(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    uint32_t const low = rig.reg(VIRTIO_MMIO_DEVICE_FEATURES);
    rig.set(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint32_t const high = rig.reg(VIRTIO_MMIO_DEVICE_FEATURES);
    rig.set(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_DEVICE_FEATURES), 0u);
    uint64_t const features = (uint64_t(high) << 32) | low;
    EXPECT_EQ(features,
              VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_SEG_MAX);
    EXPECT_FALSE(features & VIRTIO_BLK_F_RO);

    // virtio_blk_config: capacity in 512-byte sectors, as two 32-bit reads.
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_CONFIG + 0), kDiskBytes / 512);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_CONFIG + 4), 0u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_CONFIG + 0x0c), VirtioBlock::kSegMax);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_CONFIG + 0x14), 512u);

    // Queues other than 0 do not exist.
    rig.set(VIRTIO_MMIO_QUEUE_SEL, 1);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_NUM_MAX), 0u);
    rig.set(VIRTIO_MMIO_QUEUE_READY, 1);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_READY), 0u);
    EXPECT_FALSE(rig.device->broken());
}

TEST(VirtioBlk, ConfigSpaceAtAnyWidth) {
    // 1000 sectors and a bit: capacity needs more than one byte.
    Rig rig(false, std::vector<uint8_t>(1000 * 512 + 100, 0));
    EXPECT_EQ(rig.block->capacity_sectors(), 1000u);
    uint8_t bytes[8];
    rig.device->read(VIRTIO_MMIO_CONFIG, bytes);
    uint64_t capacity;
    std::memcpy(&capacity, bytes, 8);
    EXPECT_EQ(capacity, 1000u);
    uint8_t byte;
    rig.device->read(VIRTIO_MMIO_CONFIG + 1, { &byte, 1 });
    EXPECT_EQ(byte, 1000 >> 8);
    // Past the structure: zeros, up to the end of the window.
    rig.device->read(aramid::abi::kVirtioMmioSize - 8, bytes);
    for (uint8_t b : bytes) EXPECT_EQ(b, 0);
    // Config writes are ignored.
    rig.set(VIRTIO_MMIO_CONFIG, 7);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_CONFIG), 1000u);
}

TEST(VirtioBlk, RegistersTakeOnlyAlignedWords) {
    Rig rig;
    uint8_t bytes[8];
    rig.device->read(VIRTIO_MMIO_MAGIC_VALUE, { bytes, 2 });
    EXPECT_EQ(bytes[0] | bytes[1], 0) << "a 16-bit register read";
    rig.device->read(VIRTIO_MMIO_MAGIC_VALUE, { bytes, 8 });
    EXPECT_EQ(bytes[0], 0) << "a 64-bit register read";
    rig.device->read(VIRTIO_MMIO_MAGIC_VALUE + 1, { bytes, 4 });
    EXPECT_EQ(bytes[0], 0) << "an unaligned register read";
    uint8_t const one[4] = { VIRTIO_CONFIG_S_ACKNOWLEDGE, 0, 0, 0 };
    rig.device->write(VIRTIO_MMIO_STATUS, { one, 1 });
    rig.device->write(VIRTIO_MMIO_STATUS + 2, { one, 4 });
    EXPECT_EQ(rig.status(), 0u);
    rig.device->write(VIRTIO_MMIO_STATUS, { one, 4 });
    EXPECT_EQ(rig.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE);
    // Shared-memory regions (virtio 1.2): none, so their length is all ones.
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
}

TEST(VirtioBlk, StatusReadsBackWhatTheDriverWrote) {
    Rig rig;
    rig.set(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    EXPECT_EQ(rig.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    // DEVICE_NEEDS_RESET is the device's to set; bits past the 8-bit status
    // do not exist.
    rig.set(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_NEEDS_RESET | 0x100);
    EXPECT_EQ(rig.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE);
    rig.set(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FAILED);
    EXPECT_EQ(rig.status(), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FAILED);
    rig.set(VIRTIO_MMIO_STATUS, 0);
    EXPECT_EQ(rig.status(), 0u);
}

TEST(VirtioBlk, FeaturesOkNeedsVersion1) {
    Rig rig;
    uint32_t const refused = rig.negotiate(VIRTIO_BLK_F_FLUSH);
    EXPECT_FALSE(refused & VIRTIO_CONFIG_S_FEATURES_OK) << "a legacy driver was accepted";
    EXPECT_EQ(refused, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);

    uint32_t const accepted = rig.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
    EXPECT_TRUE(accepted & VIRTIO_CONFIG_S_FEATURES_OK);
    EXPECT_EQ(rig.device->driver_features(), VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
    // After FEATURES_OK the features are fixed.
    rig.set(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    rig.set(VIRTIO_MMIO_DRIVER_FEATURES, 0);
    EXPECT_EQ(rig.device->driver_features(), VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_FLUSH);
}

TEST(VirtioBlk, FeaturesOkRefusesFeaturesNotOffered) {
    Rig rig;
    EXPECT_FALSE(rig.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO) & VIRTIO_CONFIG_S_FEATURES_OK);
    EXPECT_FALSE(rig.negotiate(VIRTIO_F_VERSION_1 | (1ull << 40)) & VIRTIO_CONFIG_S_FEATURES_OK);
    EXPECT_TRUE(rig.negotiate(VIRTIO_F_VERSION_1) & VIRTIO_CONFIG_S_FEATURES_OK);
}

TEST(VirtioBlk, NothingServedWithoutFeaturesOk) {
    Rig rig;
    uint32_t const status = rig.negotiate(VIRTIO_BLK_F_FLUSH);
    rig.program_queue(kQueueSize);
    rig.set(VIRTIO_MMIO_QUEUE_READY, 1);
    rig.set(VIRTIO_MMIO_STATUS, status | VIRTIO_CONFIG_S_DRIVER_OK); // a driver ignoring the refusal
    uint16_t const head = rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE);
    rig.submit(head);
    EXPECT_EQ(rig.used_index(), 0u);
    EXPECT_EQ(rig.irqs, 0);
    rig.expect_untouched();
    EXPECT_EQ(rig.warnings.size(), 1u) << "the ignored notify is reported once";
}

TEST(VirtioBlk, ReadRoundTrip) {
    Rig rig;
    rig.start();
    uint16_t const head = rig.request(0, VIRTIO_BLK_T_IN, 3, kData, 2 * 512, VIRTQ_DESC_F_WRITE);
    rig.submit(head);
    ASSERT_EQ(rig.used_index(), 1u);
    EXPECT_EQ(rig.used(0).id, head);
    EXPECT_EQ(rig.used(0).len, 2 * 512 + 1u);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    auto const expected = disk_pattern(kDiskBytes);
    EXPECT_EQ(guest_bytes(rig.memory, kData, 1024),
              std::vector<uint8_t>(expected.begin() + 3 * 512, expected.begin() + 5 * 512));
    rig.expect_untouched({ { kData, 1024 }, { Rig::status_gpa(0), 1 } });

    EXPECT_EQ(rig.irqs, 1);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
    rig.set(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
    EXPECT_TRUE(rig.warnings.empty());
}

TEST(VirtioBlk, WriteRoundTrip) {
    Rig rig;
    rig.start();
    std::vector<uint8_t> data(3 * 512);
    for (size_t i = 0; i < data.size(); i++) data[i] = uint8_t(i % 251);
    ASSERT_TRUE(rig.memory.write_bytes(kData, data.data(), data.size()));
    uint16_t const head = rig.request(0, VIRTIO_BLK_T_OUT, 10, kData, 3 * 512, 0);
    rig.submit(head);
    ASSERT_EQ(rig.used_index(), 1u);
    EXPECT_EQ(rig.used(0).len, 1u);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    auto expected = disk_pattern(kDiskBytes);
    std::copy(data.begin(), data.end(), expected.begin() + 10 * 512);
    EXPECT_EQ(rig.disk(), expected);
    rig.expect_untouched({ { Rig::status_gpa(0), 1 } });

    // And it reads back.
    uint16_t const read = rig.request(3, VIRTIO_BLK_T_IN, 10, kData + 0x1000, 3 * 512, VIRTQ_DESC_F_WRITE);
    rig.submit(read);
    EXPECT_EQ(rig.status_byte(3), VIRTIO_BLK_S_OK);
    EXPECT_EQ(guest_bytes(rig.memory, kData + 0x1000, data.size()), data);
}

TEST(VirtioBlk, AnyFraming) {
    // §2.6.4: the device must not assume how the bytes are split. Header and
    // OUT data in one buffer; then IN data and status in one buffer.
    Rig rig;
    rig.start();
    std::vector<uint8_t> out(16 + 512);
    VirtioBlkOuthdr const header { VIRTIO_BLK_T_OUT, 0, 1 };
    std::memcpy(out.data(), &header, 16);
    for (size_t i = 16; i < out.size(); i++) out[i] = uint8_t(i);
    ASSERT_TRUE(rig.memory.write_bytes(kData, out.data(), out.size()));
    rig.put_descriptor(0, kData, uint32_t(out.size()), VIRTQ_DESC_F_NEXT, 1);
    rig.put_descriptor(1, Rig::status_gpa(0), 1, VIRTQ_DESC_F_WRITE);
    rig.submit(0);
    EXPECT_EQ(rig.memory.read<uint8_t>(Rig::status_gpa(0)), VIRTIO_BLK_S_OK);
    auto const disk = rig.disk();
    EXPECT_TRUE(std::equal(out.begin() + 16, out.end(), disk.begin() + 512));

    ASSERT_TRUE(rig.memory.write(Rig::header_gpa(2), VirtioBlkOuthdr { VIRTIO_BLK_T_IN, 0, 1 }));
    rig.put_descriptor(2, Rig::header_gpa(2), 16, VIRTQ_DESC_F_NEXT, 3);
    rig.put_descriptor(3, kData + 0x1000, 513, VIRTQ_DESC_F_WRITE);
    rig.submit(2);
    EXPECT_EQ(rig.used(1).len, 513u);
    EXPECT_EQ(rig.memory.read<uint8_t>(kData + 0x1000 + 512), VIRTIO_BLK_S_OK);
    EXPECT_EQ(guest_bytes(rig.memory, kData + 0x1000, 512), std::vector<uint8_t>(out.begin() + 16, out.end()));
}

TEST(VirtioBlk, Flush) {
    Rig rig;
    rig.start();
    uint16_t const head = rig.bare_request(0, VIRTIO_BLK_T_FLUSH);
    rig.submit(head);
    ASSERT_EQ(rig.used_index(), 1u);
    EXPECT_EQ(rig.used(0).len, 1u);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    // A flush carries no data.
    uint16_t const with_data = rig.request(2, VIRTIO_BLK_T_FLUSH, 0, kData, 512, VIRTQ_DESC_F_WRITE);
    rig.submit(with_data);
    EXPECT_EQ(rig.status_byte(2), VIRTIO_BLK_S_IOERR);
}

TEST(VirtioBlk, GetId) {
    Rig rig;
    rig.start();
    uint16_t const head = rig.request(0, VIRTIO_BLK_T_GET_ID, 0, kData, 20, VIRTQ_DESC_F_WRITE);
    rig.submit(head);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    EXPECT_EQ(rig.used(0).len, 21u);
    char id[21] = {};
    std::memcpy(id, rig.memory.host_base() + kData, 20);
    EXPECT_STREQ(id, "aramid-disk");
    EXPECT_EQ(rig.memory.host_base()[kData + 19], 0) << "NUL-padded to 20 bytes";
    rig.expect_untouched({ { kData, 20 }, { Rig::status_gpa(0), 1 } });
    // A short buffer gets what fits, and nothing past it.
    uint16_t const short_buffer = rig.request(3, VIRTIO_BLK_T_GET_ID, 0, kData + 0x100, 4, VIRTQ_DESC_F_WRITE);
    rig.submit(short_buffer);
    EXPECT_EQ(rig.status_byte(3), VIRTIO_BLK_S_OK);
    EXPECT_EQ(std::string(reinterpret_cast<char const*>(rig.memory.host_base() + kData + 0x100), 4), "aram");
    rig.expect_untouched({ { kData + 0x100, 4 }, { Rig::status_gpa(3), 1 } });
    EXPECT_EQ(rig.used(1).len, 5u);
    // A longer buffer gets the 20 bytes, and the used length says only them.
    std::memset(rig.memory.host_base() + kData + 0x200, 0x77, 32);
    rig.submit(rig.request(0, VIRTIO_BLK_T_GET_ID, 0, kData + 0x200, 32, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    EXPECT_EQ(rig.used(2).len, 20u);
    rig.expect_untouched({ { kData + 0x200, 20 }, { Rig::status_gpa(0), 1 } });
}

TEST(VirtioBlk, UnknownTypeIsUnsupported) {
    Rig rig;
    rig.start();
    for (uint32_t type : { 2u, 11u /* DISCARD */, 13u /* WRITE_ZEROES */, 0xffffffffu }) {
        rig.request(0, type, 0, kData, 512, VIRTQ_DESC_F_WRITE);
        rig.submit(0);
        EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_UNSUPP) << type;
    }
    EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes));
}

TEST(VirtioBlk, ReadOnlyDisk) {
    Rig rig(true);
    rig.set(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    EXPECT_TRUE(rig.reg(VIRTIO_MMIO_DEVICE_FEATURES) & VIRTIO_BLK_F_RO);
    EXPECT_TRUE(rig.negotiate(VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_RO) & VIRTIO_CONFIG_S_FEATURES_OK);
    rig.start();

    std::memset(rig.memory.host_base() + kData, 0x77, 512);
    rig.submit(rig.request(0, VIRTIO_BLK_T_OUT, 0, kData, 512, 0));
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(rig.used(0).len, 1u);
    EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes));

    rig.submit(rig.request(3, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.status_byte(3), VIRTIO_BLK_S_OK);
    EXPECT_EQ(guest_bytes(rig.memory, kData, 512), std::vector<uint8_t>(disk_pattern(512)));
    rig.submit(rig.bare_request(6, VIRTIO_BLK_T_FLUSH));
    EXPECT_EQ(rig.status_byte(6), VIRTIO_BLK_S_OK);
}

TEST(VirtioBlk, SectorsOutsideTheDiskFail) {
    Rig rig;
    rig.start();
    uint64_t const sectors = kDiskBytes / 512;
    // The last sector is fine; one more is not.
    rig.submit(rig.request(0, VIRTIO_BLK_T_IN, sectors - 1, kData, 512, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);

    struct Case {
        uint32_t type;
        uint64_t sector;
        uint32_t bytes;
    };
    for (Case c : { Case { VIRTIO_BLK_T_IN, sectors - 1, 1024 }, Case { VIRTIO_BLK_T_IN, sectors, 512 },
                    Case { VIRTIO_BLK_T_OUT, sectors - 1, 1024 }, Case { VIRTIO_BLK_T_OUT, sectors, 512 },
                    Case { VIRTIO_BLK_T_OUT, ~0ull, 512 }, Case { VIRTIO_BLK_T_IN, ~0ull / 512, 1024 },
                    Case { VIRTIO_BLK_T_OUT, 1ull << 55, 512 } }) {
        std::memset(rig.memory.host_base() + kData, 0x77, 1024);
        uint16_t const flags = c.type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0;
        rig.submit(rig.request(0, c.type, c.sector, kData, c.bytes, flags));
        EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR) << c.type << " at " << c.sector;
        // An IN's data was not written: no byte from the start is promised.
        EXPECT_EQ(rig.used(uint16_t(rig.used_index() - 1)).len, c.type == VIRTIO_BLK_T_IN ? 0u : 1u);
        rig.expect_untouched({ { Rig::status_gpa(0), 1 } });
    }
    EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes)) << "the file changed";
    EXPECT_FALSE(rig.device->broken());
}

TEST(VirtioBlk, DataMustBeWholeSectors) {
    Rig rig;
    rig.start();
    rig.submit(rig.request(0, VIRTIO_BLK_T_OUT, 0, kData, 100, 0));
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    rig.submit(rig.request(3, VIRTIO_BLK_T_IN, 0, kData, 513, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.status_byte(3), VIRTIO_BLK_S_IOERR);
    rig.expect_untouched({ { Rig::status_gpa(3), 1 } });
    EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes));
}

TEST(VirtioBlk, BatchOfRequestsOneInterrupt) {
    Rig rig;
    rig.start();
    rig.make_available(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
    rig.make_available(rig.request(3, VIRTIO_BLK_T_IN, 1, kData + 512, 512, VIRTQ_DESC_F_WRITE));
    rig.make_available(rig.bare_request(6, VIRTIO_BLK_T_FLUSH));
    rig.notify();
    ASSERT_EQ(rig.used_index(), 3u);
    EXPECT_EQ(rig.used(0).id, 0u);
    EXPECT_EQ(rig.used(1).id, 3u);
    EXPECT_EQ(rig.used(2).id, 6u);
    EXPECT_EQ(rig.irqs, 1);
    EXPECT_EQ(guest_bytes(rig.memory, kData, 1024), disk_pattern(1024));
    // A notify with nothing new changes nothing.
    rig.notify();
    EXPECT_EQ(rig.used_index(), 3u);
    EXPECT_EQ(rig.irqs, 1);
}

TEST(VirtioBlk, RingsWrapAround) {
    Rig rig;
    rig.start(4);
    for (unsigned i = 0; i < 11; i++) {
        rig.submit(rig.request(0, VIRTIO_BLK_T_IN, i, kData, 512, VIRTQ_DESC_F_WRITE));
        ASSERT_EQ(rig.used_index(), i + 1);
        EXPECT_EQ(rig.used(uint16_t(i)).len, 513u);
        EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
        EXPECT_EQ(rig.memory.host_base()[kData], disk_byte(i * 512ull)) << i;
    }
}

TEST(VirtioBlk, NoInterruptWhenTheDriverSuppressesIt) {
    Rig rig;
    rig.start();
    ASSERT_TRUE(rig.memory.write<uint16_t>(kAvail, VIRTQ_AVAIL_F_NO_INTERRUPT));
    rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.used_index(), 1u);
    EXPECT_EQ(rig.irqs, 0);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
    ASSERT_TRUE(rig.memory.write<uint16_t>(kAvail, 0));
    rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.irqs, 1);
}

TEST(VirtioBlk, ResetStartsOver) {
    Rig rig;
    rig.start();
    rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
    ASSERT_EQ(rig.used_index(), 1u);
    rig.set(VIRTIO_MMIO_STATUS, 0);
    EXPECT_EQ(rig.status(), 0u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_READY), 0u);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_INTERRUPT_STATUS), 0u);
    EXPECT_EQ(rig.device->driver_features(), 0u);
    // A fresh driver with fresh rings: the device starts at position 0.
    rig.clear_rings();
    rig.start();
    rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 1, kData, 512, VIRTQ_DESC_F_WRITE));
    ASSERT_EQ(rig.used_index(), 1u);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    EXPECT_EQ(rig.memory.host_base()[kData], disk_byte(512));
}

// ---- opening the disk -------------------------------------------------------

namespace {
std::string open_error(std::string const& path, bool read_only, std::vector<std::string>* warnings = nullptr) {
    GuestMemory memory(kRam);
    try {
        VirtioBlock block(memory, path, read_only, [&](std::string const& line) {
            if (warnings) warnings->push_back(line);
        });
    } catch (VmmError const& e) {
        std::string const message = e.what();
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
        return message;
    }
    return "";
}
} // namespace

TEST(VirtioBlkOpen, MissingFileIsAClearError) {
    EXPECT_EQ(open_error("/nonexistent/disk.img", false),
              "cannot open disk '/nonexistent/disk.img' read-write: No such file or directory");
    EXPECT_EQ(open_error("/nonexistent/disk.img", true),
              "cannot open disk '/nonexistent/disk.img': No such file or directory");
}

TEST(VirtioBlkOpen, RefusesWhatIsNotADisk) {
    std::string const directory = testing::TempDir();
    EXPECT_NE(open_error(directory, true).find("is not a regular file or a block device"), std::string::npos);
    EXPECT_EQ(open_error("/dev/null", true), "disk '/dev/null' is not a regular file or a block device");
    // A FIFO must not block the open.
    std::string const fifo = testing::TempDir() + "virtio_blk_fifo_" + std::to_string(getpid());
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(open_error(fifo, true), "disk '" + fifo + "' is not a regular file or a block device");
    ::unlink(fifo.c_str());
}

TEST(VirtioBlkOpen, ReadOnlyFileNeedsDiskReadonly) {
    if (geteuid() == 0) GTEST_SKIP() << "root opens a read-only file read-write anyway";
    TempFile file(disk_pattern(512));
    ASSERT_EQ(chmod(file.path().c_str(), 0444), 0);
    EXPECT_EQ(open_error(file.path(), false),
              "cannot open disk '" + file.path() + "' read-write: Permission denied (try --disk-readonly)");
    EXPECT_EQ(open_error(file.path(), true), "");
}

// One writer or any number of readers, as QEMU locks its images.
TEST(VirtioBlkOpen, ImageInUseIsRefused) {
    TempFile file(disk_pattern(512));
    std::string const in_use = "disk '" + file.path() + "' is in use by another process";
    {
        GuestMemory memory(kRam);
        VirtioBlock writer(memory, file.path(), false, [](std::string const&) { });
        EXPECT_EQ(open_error(file.path(), false).rfind(in_use, 0), 0u);
        EXPECT_EQ(open_error(file.path(), true).rfind(in_use, 0), 0u);
    }
    GuestMemory memory(kRam);
    VirtioBlock reader(memory, file.path(), true, [](std::string const&) { });
    EXPECT_EQ(open_error(file.path(), true), "");
    EXPECT_EQ(open_error(file.path(), false).rfind(in_use, 0), 0u);
}

TEST(VirtioBlkOpen, SizeRoundsDownToSectors) {
    TempFile file(disk_pattern(3 * 512 + 100));
    std::vector<std::string> warnings;
    EXPECT_EQ(open_error(file.path(), false, &warnings), "");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("1636 bytes"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("first 1536 bytes"), std::string::npos) << warnings[0];

    GuestMemory memory(kRam);
    VirtioBlock block(memory, file.path(), false, [](std::string const&) { });
    EXPECT_EQ(block.capacity_sectors(), 3u);

    TempFile exact(disk_pattern(2 * 512));
    warnings.clear();
    EXPECT_EQ(open_error(exact.path(), false, &warnings), "");
    EXPECT_TRUE(warnings.empty());
}

TEST(VirtioBlkOpen, TailPastTheLastSectorIsNeverTouched) {
    Rig rig(false, disk_pattern(2 * 512 + 100));
    rig.start();
    std::memset(rig.memory.host_base() + kData, 0x77, 1024);
    rig.submit(rig.request(0, VIRTIO_BLK_T_OUT, 2, kData, 512, 0));
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    rig.submit(rig.request(3, VIRTIO_BLK_T_OUT, 1, kData, 1024, 0));
    EXPECT_EQ(rig.status_byte(3), VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(rig.disk(), disk_pattern(2 * 512 + 100));
}

// ---- malformed input ----------------------------------------------------------

TEST(VirtioMalformed, DescriptorLoop) {
    Rig rig;
    rig.start();
    rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE);
    // The status descriptor points back at the header.
    rig.put_descriptor(2, Rig::status_gpa(0), 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
    rig.submit(0);
    ASSERT_EQ(rig.used_index(), 1u) << "the chain must still come back";
    EXPECT_EQ(rig.used(0).id, 0u);
    EXPECT_EQ(rig.used(0).len, 0u);
    rig.expect_untouched();
    // A descriptor that is its own successor.
    rig.put_descriptor(5, kData, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 5);
    rig.submit(5);
    ASSERT_EQ(rig.used_index(), 2u);
    EXPECT_EQ(rig.used(1).len, 0u);
    rig.expect_untouched();
    // The queue goes on.
    EXPECT_FALSE(rig.device->broken());
    rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
}

TEST(VirtioMalformed, LongestChainIsNotALoop) {
    // A chain of exactly the queue size is legal: header, 6 data, status.
    Rig rig;
    rig.start();
    ASSERT_TRUE(rig.memory.write(Rig::header_gpa(0), VirtioBlkOuthdr { VIRTIO_BLK_T_IN, 0, 0 }));
    rig.put_descriptor(0, Rig::header_gpa(0), 16, VIRTQ_DESC_F_NEXT, 1);
    for (uint16_t i = 1; i <= 6; i++)
        rig.put_descriptor(i, kData + 512ull * (i - 1), 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, uint16_t(i + 1));
    rig.put_descriptor(7, Rig::status_gpa(0), 1, VIRTQ_DESC_F_WRITE);
    rig.submit(0);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    EXPECT_EQ(rig.used(0).len, 6 * 512 + 1u);
    EXPECT_EQ(guest_bytes(rig.memory, kData, 6 * 512), disk_pattern(6 * 512));
}

TEST(VirtioMalformed, DescriptorIndexOutOfRange) {
    Rig rig;
    rig.start();
    // Just past the table lies what looks like a good descriptor: only the
    // index check keeps the device from using it.
    ASSERT_TRUE(rig.memory.write(kDescriptors + 16 * kQueueSize, VirtqDesc { kData, 512, VIRTQ_DESC_F_WRITE, 0 }));
    rig.submit(kQueueSize); // the head itself
    rig.expect_untouched();
    rig.submit(0xffff);
    rig.expect_untouched();
    rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE);
    rig.put_descriptor(1, kData, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, kQueueSize); // a `next`
    rig.submit(0);
    ASSERT_EQ(rig.used_index(), 3u);
    EXPECT_EQ(rig.used(0).id, kQueueSize);
    EXPECT_EQ(rig.used(1).id, 0xffffu);
    for (uint16_t i = 0; i < 3; i++) EXPECT_EQ(rig.used(i).len, 0u) << i;
    rig.expect_untouched();
    EXPECT_EQ(rig.status_byte(0), kStatusUnwritten);
    EXPECT_FALSE(rig.device->broken());
}

TEST(VirtioMalformed, IndirectDescriptorNotOffered) {
    Rig rig;
    rig.start();
    rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE);
    rig.put_descriptor(1, kData, 512, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 2);
    rig.submit(0);
    ASSERT_EQ(rig.used_index(), 1u);
    EXPECT_EQ(rig.used(0).len, 0u);
    rig.expect_untouched();
}

TEST(VirtioMalformed, RingsOutsideRam) {
    struct Case {
        char const* what;
        uint64_t descriptors, avail, used;
    };
    for (Case c : { Case { "descriptors past RAM", kRam, kAvail, kUsed },
                    Case { "descriptors straddling the end", kRam - 16, kAvail, kUsed },
                    Case { "avail ring wrapping around 2^64", kDescriptors, ~0ull - 1, kUsed },
                    Case { "used ring straddling the end", kDescriptors, kAvail, kRam - 8 },
                    Case { "used ring far away", kDescriptors, kAvail, 1ull << 40 } }) {
        SCOPED_TRACE(c.what);
        Rig rig;
        uint32_t const status = rig.negotiate(VIRTIO_F_VERSION_1);
        rig.program_queue(kQueueSize, c.descriptors, c.avail, c.used);
        rig.set(VIRTIO_MMIO_QUEUE_READY, 1);
        rig.set(VIRTIO_MMIO_STATUS, status | VIRTIO_CONFIG_S_DRIVER_OK);
        EXPECT_TRUE(rig.status() & VIRTIO_CONFIG_S_NEEDS_RESET);
        EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_READY), 0u);
        ASSERT_EQ(rig.warnings.size(), 1u);
        EXPECT_NE(rig.warnings[0].find("outside guest RAM"), std::string::npos) << rig.warnings[0];
        rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
        rig.notify();
        EXPECT_EQ(rig.warnings.size(), 1u) << "one line, once";
        EXPECT_EQ(rig.irqs, 0);
        rig.expect_untouched();
        EXPECT_EQ(rig.used_index(), 0u);

        // A reset mends it.
        rig.clear_rings();
        rig.start();
        rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE));
        EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    }
}

TEST(VirtioMalformed, RingsMisaligned) {
    for (int ring = 0; ring < 3; ring++) {
        Rig rig;
        rig.negotiate(VIRTIO_F_VERSION_1);
        rig.program_queue(kQueueSize, kDescriptors + (ring == 0 ? 8 : 0), kAvail + (ring == 1 ? 1 : 0),
                          kUsed + (ring == 2 ? 2 : 0));
        rig.set(VIRTIO_MMIO_QUEUE_READY, 1);
        EXPECT_TRUE(rig.status() & VIRTIO_CONFIG_S_NEEDS_RESET) << ring;
        ASSERT_EQ(rig.warnings.size(), 1u);
        EXPECT_NE(rig.warnings[0].find("aligned"), std::string::npos) << rig.warnings[0];
    }
}

TEST(VirtioMalformed, QueueNumNotAPowerOfTwo) {
    for (uint32_t size : { 0u, 3u, 12u, 512u, 0x80000000u }) {
        Rig rig;
        rig.negotiate(VIRTIO_F_VERSION_1);
        rig.program_queue(size);
        rig.set(VIRTIO_MMIO_QUEUE_READY, 1);
        EXPECT_TRUE(rig.status() & VIRTIO_CONFIG_S_NEEDS_RESET) << size;
        EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_READY), 0u);
        ASSERT_EQ(rig.warnings.size(), 1u);
        EXPECT_NE(rig.warnings[0].find("QueueNum " + std::to_string(size)), std::string::npos) << rig.warnings[0];
    }
    // 1 and the maximum are fine.
    for (uint32_t size : { 1u, 256u }) {
        Rig rig;
        rig.negotiate(VIRTIO_F_VERSION_1);
        rig.program_queue(size);
        rig.set(VIRTIO_MMIO_QUEUE_READY, 1);
        EXPECT_EQ(rig.reg(VIRTIO_MMIO_QUEUE_READY), 1u) << size;
        EXPECT_FALSE(rig.status() & VIRTIO_CONFIG_S_NEEDS_RESET);
    }
}

TEST(VirtioMalformed, NotifyBeforeReady) {
    Rig rig;
    rig.negotiate(VIRTIO_F_VERSION_1);
    rig.program_queue(kQueueSize);
    uint16_t const head = rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, VIRTQ_DESC_F_WRITE);
    rig.make_available(head);
    rig.notify(); // queue not ready
    rig.expect_untouched();
    rig.set(VIRTIO_MMIO_QUEUE_READY, 1);
    rig.notify(); // no DRIVER_OK
    EXPECT_EQ(rig.used_index(), 0u);
    EXPECT_EQ(rig.irqs, 0);
    rig.expect_untouched();
    EXPECT_EQ(rig.warnings.size(), 1u);
    EXPECT_FALSE(rig.device->broken());
    // With DRIVER_OK the request waiting in the ring is served.
    rig.set(VIRTIO_MMIO_STATUS, rig.status() | VIRTIO_CONFIG_S_DRIVER_OK);
    rig.notify();
    EXPECT_EQ(rig.used_index(), 1u);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
}

TEST(VirtioMalformed, AvailIndexJumpsBreaksTheDevice) {
    Rig rig;
    rig.start();
    ASSERT_TRUE(rig.memory.write<uint16_t>(kAvail + 2, kQueueSize + 1));
    rig.notify();
    EXPECT_TRUE(rig.status() & VIRTIO_CONFIG_S_NEEDS_RESET);
    EXPECT_TRUE(rig.device->broken());
    rig.expect_untouched();
    EXPECT_EQ(rig.used_index(), 0u);
    // A running driver hears of it through a configuration-change interrupt.
    EXPECT_EQ(rig.irqs, 1);
    EXPECT_EQ(rig.reg(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
    ASSERT_EQ(rig.warnings.size(), 1u);
    // The driver cannot clear DEVICE_NEEDS_RESET but by a reset.
    rig.set(VIRTIO_MMIO_STATUS, rig.status() & ~VIRTIO_CONFIG_S_NEEDS_RESET);
    EXPECT_TRUE(rig.status() & VIRTIO_CONFIG_S_NEEDS_RESET);
    rig.set(VIRTIO_MMIO_STATUS, 0);
    EXPECT_EQ(rig.status(), 0u);
}

TEST(VirtioMalformed, DataBuffersOutsideRam) {
    struct Case {
        char const* what;
        uint64_t gpa;
        uint32_t length;
    };
    for (Case c : { Case { "past RAM", kRam, 512 }, Case { "straddling the end", kRam - 512, 1024 },
                    Case { "wrapping around 2^64", ~0ull - 255, 512 }, Case { "huge", 0, 0xfffffe00 } }) {
        SCOPED_TRACE(c.what);
        for (uint32_t type : { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_GET_ID }) {
            Rig rig;
            rig.start();
            uint16_t const flags = type == VIRTIO_BLK_T_OUT ? 0 : VIRTQ_DESC_F_WRITE;
            uint16_t const head = rig.request(0, type, 0, c.gpa, c.length, flags);
            rig.submit(head);
            ASSERT_EQ(rig.used_index(), 1u);
            EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR) << type;
            // Only an OUT's status is at the start of its writable bytes.
            EXPECT_EQ(rig.used(0).len, type == VIRTIO_BLK_T_OUT ? 1u : 0u);
            rig.expect_untouched({ { Rig::status_gpa(0), 1 } });
            EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes));
        }
    }
}

TEST(VirtioMalformed, HeaderOutsideRamOrTooShort) {
    Rig rig;
    rig.start();
    for (uint64_t header : { kRam - 8, kRam, uint64_t(~0ull - 7) }) {
        rig.request(0, VIRTIO_BLK_T_OUT, 0, kData, 512, 0);
        rig.put_descriptor(0, header, 16, VIRTQ_DESC_F_NEXT, 1);
        rig.submit(0);
        EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR) << header;
    }
    // 8 bytes of header: the sector is missing.
    std::memset(rig.memory.host_base() + kData, 0x77, 512);
    rig.request(0, VIRTIO_BLK_T_OUT, 0, kData, 512, 0);
    rig.put_descriptor(0, Rig::header_gpa(0), 8, VIRTQ_DESC_F_NEXT, 2); // straight to the status
    rig.submit(0);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    // No readable descriptor at all.
    rig.submit(2);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes));
}

TEST(VirtioMalformed, StatusThatCannotBeWritten) {
    struct Case {
        char const* what;
        uint64_t gpa;
        uint32_t length;
        uint16_t flags;
    };
    for (Case c : { Case { "device-readable", Rig::status_gpa(0), 1, 0 },
                    Case { "empty", Rig::status_gpa(0), 0, VIRTQ_DESC_F_WRITE },
                    Case { "outside RAM", kRam, 1, VIRTQ_DESC_F_WRITE },
                    Case { "wrapping around 2^64", ~0ull, 2, VIRTQ_DESC_F_WRITE } }) {
        SCOPED_TRACE(c.what);
        Rig rig;
        rig.start();
        std::memset(rig.memory.host_base() + kData, 0x77, 512);
        rig.request(0, VIRTIO_BLK_T_OUT, 0, kData, 512, 0);
        rig.put_descriptor(2, c.gpa, c.length, c.flags);
        rig.submit(0);
        ASSERT_EQ(rig.used_index(), 1u);
        EXPECT_EQ(rig.used(0).len, 0u);
        rig.expect_untouched();
        EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes)) << "the write was performed";
    }
}

TEST(VirtioMalformed, DataInTheWrongDirection) {
    Rig rig;
    rig.start();
    // IN whose data buffer is device-readable: nothing may be written there.
    rig.submit(rig.request(0, VIRTIO_BLK_T_IN, 0, kData, 512, 0));
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    rig.expect_untouched({ { Rig::status_gpa(0), 1 } });
    // OUT whose data buffer is device-writable.
    rig.submit(rig.request(3, VIRTIO_BLK_T_OUT, 0, kData, 512, VIRTQ_DESC_F_WRITE));
    EXPECT_EQ(rig.status_byte(3), VIRTIO_BLK_S_IOERR);
    EXPECT_EQ(rig.disk(), disk_pattern(kDiskBytes));
    // A readable buffer after a writable one: an IN whose header is split
    // around its data buffer.
    ASSERT_TRUE(rig.memory.write(Rig::header_gpa(0), VirtioBlkOuthdr { VIRTIO_BLK_T_IN, 0, 0 }));
    rig.put_descriptor(0, Rig::header_gpa(0), 8, VIRTQ_DESC_F_NEXT, 1);
    rig.put_descriptor(1, kData, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
    rig.put_descriptor(2, Rig::header_gpa(0) + 8, 8, VIRTQ_DESC_F_NEXT, 3);
    rig.put_descriptor(3, Rig::status_gpa(0), 1, VIRTQ_DESC_F_WRITE);
    rig.submit(0);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    rig.expect_untouched({ { Rig::status_gpa(0), 1 } });
}

TEST(VirtioMalformed, HugeRequestsAreRefused) {
    // A sparse disk larger than the cap, and data descriptors that all alias
    // the same 512 KiB of guest RAM: guest RAM does not bound a request.
    Rig rig(false, disk_pattern(512), 64ull << 20);
    ASSERT_EQ(rig.block->capacity_sectors(), (64ull << 20) / 512);
    rig.start(64);
    uint32_t const chunk = 512 << 10;
    auto aliased_read = [&](uint16_t buffers) {
        ASSERT_TRUE(rig.memory.write(Rig::header_gpa(0), VirtioBlkOuthdr { VIRTIO_BLK_T_IN, 0, 0 }));
        ASSERT_TRUE(rig.memory.write(Rig::status_gpa(0), kStatusUnwritten));
        rig.put_descriptor(0, Rig::header_gpa(0), 16, VIRTQ_DESC_F_NEXT, 1);
        for (uint16_t i = 1; i <= buffers; i++)
            rig.put_descriptor(i, kData, chunk, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, uint16_t(i + 1));
        rig.put_descriptor(uint16_t(buffers + 1), Rig::status_gpa(0), 1, VIRTQ_DESC_F_WRITE);
        rig.submit(0);
    };
    ASSERT_EQ(uint64_t(32) * chunk, VirtioBlock::kMaxRequestBytes);
    aliased_read(33);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_IOERR);
    rig.expect_untouched({ { Rig::status_gpa(0), 1 } });
    // At the cap it is served (the sparse disk reads as zeros).
    aliased_read(32);
    EXPECT_EQ(rig.status_byte(0), VIRTIO_BLK_S_OK);
    EXPECT_EQ(rig.used(1).len, 32 * chunk + 1);
    EXPECT_EQ(guest_bytes(rig.memory, kData, chunk), std::vector<uint8_t>(chunk, 0));
    EXPECT_EQ(rig.memory.host_base()[kData + chunk], kFill);
}
