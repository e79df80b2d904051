#include <monitor/symbol_table.h>

#include <vmm/kvm/guest_memory.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace aramid::monitor {

namespace {

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof(text), "%#llx", static_cast<unsigned long long>(value));
    return text;
}

} // namespace

SymbolTable SymbolTable::load(vmm::GuestMemory const& memory, uint64_t gpa, uint64_t size) {
    SymbolTable table;
    if (size < sizeof(Header) || size > kMaxSectionBytes) {
        table.m_problem = "symbol table size " + std::to_string(size) + " is not between "
            + std::to_string(sizeof(Header)) + " and " + std::to_string(kMaxSectionBytes) + " bytes";
        return table;
    }
    auto section = memory.span(gpa, size);
    if (!section) {
        table.m_problem = "symbol table at " + hex(gpa) + " (" + std::to_string(size) + " bytes) is outside guest RAM";
        return table;
    }
    // One copy: the guest may rewrite the section while it is checked.
    std::vector<uint8_t> const bytes(section->begin(), section->end());
    Header header;
    std::memcpy(&header, bytes.data(), sizeof(header));
    if (header.magic != kMagic) {
        table.m_problem = "symbol table magic " + hex(header.magic) + " is not " + hex(kMagic);
        return table;
    }
    uint64_t const entries_end = sizeof(Header) + uint64_t(header.count) * sizeof(Entry);
    if (entries_end > size) {
        table.m_problem = "symbol table claims " + std::to_string(header.count) + " entries, more than its "
            + std::to_string(size) + " bytes hold";
        return table;
    }
    if (header.names_offset < entries_end || header.names_offset > size) {
        table.m_problem = "symbol names offset " + hex(header.names_offset) + " is outside the table's names area";
        return table;
    }
    char const* names = reinterpret_cast<char const*>(bytes.data() + header.names_offset);
    uint64_t const names_length = size - header.names_offset;
    table.m_entries.reserve(header.count);
    for (uint32_t i = 0; i < header.count; i++) {
        Entry entry;
        std::memcpy(&entry, bytes.data() + sizeof(Header) + uint64_t(i) * sizeof(Entry), sizeof(entry));
        Named named { entry.address, 0, 0 };
        if (entry.name_offset < names_length) {
            char const* name = names + entry.name_offset;
            size_t const room = std::min<uint64_t>(names_length - entry.name_offset, kMaxNameLength + 1);
            size_t const length = strnlen(name, room);
            if (length > 0 && length < room) {
                named.name = uint32_t(table.m_names.size());
                named.length = uint32_t(length);
                for (size_t c = 0; c < length; c++) {
                    unsigned char const ch = static_cast<unsigned char>(name[c]);
                    table.m_names += ch >= 0x20 && ch < 0x7f ? char(ch) : '?';
                }
            }
        }
        if (named.length == 0) table.m_bad_names++;
        table.m_entries.push_back(named);
    }
    std::stable_sort(table.m_entries.begin(), table.m_entries.end(),
                     [](Named const& a, Named const& b) { return a.address < b.address; });
    return table;
}

std::optional<SymbolTable::Symbol> SymbolTable::lookup(uint64_t address) const {
    // The last entry at or below `address`.
    auto it = std::upper_bound(m_entries.begin(), m_entries.end(), address,
                               [](uint64_t a, Named const& e) { return a < e.address; });
    if (it == m_entries.begin()) return std::nullopt;
    --it;
    uint64_t const offset = address - it->address;
    if (offset > kMaxSymbolSpan || it->length == 0) return std::nullopt;
    return Symbol { std::string_view(m_names).substr(it->name, it->length), offset };
}

} // namespace aramid::monitor
