// GuestMemory: the guest's RAM, one anonymous mapping starting at GPA 0.
//
// Everything the guest tells us (addresses, lengths) is untrusted: use the
// checked accessors, which return nullopt/false for any range outside RAM
// instead of touching host memory out of bounds.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <type_traits>

namespace vmm {

class GuestMemory {
public:
    explicit GuestMemory(uint64_t size);
    ~GuestMemory();
    GuestMemory(GuestMemory const&) = delete;
    GuestMemory& operator=(GuestMemory const&) = delete;

    uint64_t size() const { return m_size; }
    uint8_t* host_base() const { return m_base; }

    bool contains(uint64_t gpa, uint64_t length) const {
        return gpa <= m_size && length <= m_size - gpa;
    }
    // The bytes [gpa, gpa + length), or nullopt if any is outside RAM.
    std::optional<std::span<uint8_t>> span(uint64_t gpa, uint64_t length) const {
        if (!contains(gpa, length)) return std::nullopt;
        return std::span<uint8_t>(m_base + gpa, length);
    }
    template<typename T>
        requires std::is_trivially_copyable_v<T>
    std::optional<T> read(uint64_t gpa) const {
        if (!contains(gpa, sizeof(T))) return std::nullopt;
        T value;
        std::memcpy(&value, m_base + gpa, sizeof(T));
        return value;
    }
    template<typename T>
        requires std::is_trivially_copyable_v<T>
    bool write(uint64_t gpa, T const& value) {
        if (!contains(gpa, sizeof(T))) return false;
        std::memcpy(m_base + gpa, &value, sizeof(T));
        return true;
    }
    // Maps the file pages behind `bytes` -- a page-aligned range of this
    // program's own executable, such as the embedded initramfs -- at `gpa`,
    // copy-on-write, instead of copying them: otherwise the host allocates
    // and zeroes guest RAM page by page before the copy (1.3 ms for 2 MiB
    // here). The last page is the file's (embed.py pads with zeros). False,
    // with nothing done, for any other range: then write_bytes() it.
    bool map_from_executable(uint64_t gpa, std::span<uint8_t const> bytes);
    bool write_bytes(uint64_t gpa, void const* data, uint64_t length) {
        if (!contains(gpa, length)) return false;
        std::memcpy(m_base + gpa, data, length);
        return true;
    }

private:
    uint8_t* m_base { nullptr };
    uint64_t m_size { 0 };
};

} // namespace vmm
