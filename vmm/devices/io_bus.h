// IoBus: routes the guest's port I/O exits to devices by port range.
#pragma once

#include <cstdint>
#include <vector>

namespace vmm {

class IoDevice {
public:
    virtual ~IoDevice() = default;
    // `port` is absolute; `size` is 1, 2 or 4 bytes.
    virtual void out(uint16_t port, uint32_t value, unsigned size) = 0;
    virtual uint32_t in(uint16_t port, unsigned size) = 0;
};

class IoBus {
public:
    void attach(uint16_t base, uint16_t length, IoDevice& device) { m_ranges.push_back({ base, length, &device }); }
    // Unclaimed ports read as all ones and ignore writes, as on a PC.
    void out(uint16_t port, uint32_t value, unsigned size) {
        if (auto* d = find(port)) d->out(port, value, size);
    }
    uint32_t in(uint16_t port, unsigned size) {
        if (auto* d = find(port)) return d->in(port, size);
        return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    }

private:
    struct Range {
        uint16_t base;
        uint16_t length;
        IoDevice* device;
    };
    IoDevice* find(uint16_t port) {
        for (auto& r : m_ranges)
            if (port >= r.base && port - r.base < r.length) return r.device;
        return nullptr;
    }
    std::vector<Range> m_ranges;
};

} // namespace vmm
