// MmioBus: routes the guest's MMIO exits (KVM_EXIT_MMIO) to devices by
// guest-physical range, as IoBus does for ports.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace vmm {

class MmioDevice {
public:
    virtual ~MmioDevice() = default;
    // `offset` is from the device's base; `data` is the access, 1 to 8
    // bytes, and lies wholly inside the device's range.
    virtual void read(uint64_t offset, std::span<uint8_t> data) = 0;
    virtual void write(uint64_t offset, std::span<uint8_t const> data) = 0;
};

class MmioBus {
public:
    void attach(uint64_t base, uint64_t length, MmioDevice& device) { m_ranges.push_back({ base, length, &device }); }
    // Addresses no device claims read as all ones and ignore writes, as an
    // empty bus does. So does an access that runs past a device's end.
    void read(uint64_t gpa, std::span<uint8_t> data) {
        if (auto* range = find(gpa, data.size())) return range->device->read(gpa - range->base, data);
        std::memset(data.data(), 0xff, data.size());
    }
    void write(uint64_t gpa, std::span<uint8_t const> data) {
        if (auto* range = find(gpa, data.size())) range->device->write(gpa - range->base, data);
    }

private:
    struct Range {
        uint64_t base;
        uint64_t length;
        MmioDevice* device;
    };
    Range* find(uint64_t gpa, uint64_t size) {
        for (auto& r : m_ranges)
            if (gpa >= r.base && gpa - r.base < r.length && size <= r.length - (gpa - r.base)) return &r;
        return nullptr;
    }
    std::vector<Range> m_ranges;
};

} // namespace vmm
