// SymbolTable: the guest kernel's .ksyms section (guest/kernel/debug/ksyms.h
// layout), copied out of guest memory once and checked, for symbolizing the
// addresses the monitor shows.
//
// Nothing in the section is trusted: the header's count and names offset are
// checked against the section's size, every name offset against the names
// area (a bad one gives that entry no name, counted in bad_names()), and the
// entries are sorted here if the guest did not sort them. A section too
// broken to use gives an empty table whose problem() says why; lookups then
// find nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmm {
class GuestMemory;
}

namespace aramid::monitor {

class SymbolTable {
public:
    // The section's layout, as debug/ksyms.h defines it.
    static constexpr uint32_t kMagic = 0x4d59534b; // "KSYM"
    struct Header {
        uint32_t magic;
        uint32_t count;
        uint64_t names_offset;
    };
    struct Entry {
        uint64_t address;
        uint32_t name_offset;
        uint32_t reserved;
    };
    static_assert(sizeof(Header) == 16 && sizeof(Entry) == 16);

    static constexpr uint64_t kMaxSectionBytes = 64ull << 20;
    static constexpr size_t kMaxNameLength = 512;
    // An address further than this past the last symbol below it is unknown
    // (no kernel function is this large; past the last one lies data).
    static constexpr uint64_t kMaxSymbolSpan = 256 << 10;

    struct Symbol {
        std::string_view name;
        uint64_t offset; // address - symbol start
    };

    SymbolTable() = default;
    // Reads the section [gpa, gpa + size) of guest RAM.
    static SymbolTable load(vmm::GuestMemory const& memory, uint64_t gpa, uint64_t size);

    std::optional<Symbol> lookup(uint64_t address) const;
    size_t size() const { return m_entries.size(); }
    uint32_t bad_names() const { return m_bad_names; }
    std::string const& problem() const { return m_problem; }

private:
    struct Named {
        uint64_t address;
        uint32_t name;   // offset into m_names
        uint32_t length; // 0: no usable name
    };
    std::vector<Named> m_entries;
    std::string m_names;
    uint32_t m_bad_names { 0 };
    std::string m_problem;
};

} // namespace aramid::monitor
