// ElfImage: assembles a small x86-64 ELF executable in memory for the loader
// tests -- an Elf64_Ehdr, the program headers, the notes and the segment
// contents, in that order. Tests corrupt the result through edit_header()
// and edit_segment() to produce each malformed case from a valid image.
#pragma once

#include <proto/vm_abi.h>

#include <cstdint>
#include <cstring>
#include <elf.h>
#include <string>
#include <vector>

namespace vmm_test {

// A kernel-like default: linked at the top 2 GiB, loaded at 1 MiB.
inline constexpr uint64_t kLoadAddress = 0x100000;
inline constexpr uint64_t kLinkAddress = aramid::abi::kKernelVirtualBase + kLoadAddress;

class ElfImage {
public:
    struct Note {
        uint32_t type;
        std::string name; // without the NUL, which build() adds
        std::vector<uint8_t> desc;
    };

    ElfImage& entry(uint64_t address) {
        m_entry = address;
        return *this;
    }
    // A PT_LOAD segment: `contents` in the file, `memory_size` in memory
    // (the rest is .bss).
    ElfImage& load(uint64_t physical, uint64_t virtual_address, std::vector<uint8_t> contents, uint64_t memory_size) {
        m_segments.push_back({ PT_LOAD, physical, virtual_address, std::move(contents), memory_size, {} });
        return *this;
    }
    // One PT_NOTE segment holding `notes`, 4-byte aligned as ELF64 notes are.
    ElfImage& notes(std::vector<Note> notes) {
        m_segments.push_back({ PT_NOTE, 0, 0, {}, 0, std::move(notes) });
        return *this;
    }
    ElfImage& pvh_note32(uint32_t entry) { return notes({ pvh_note(&entry, sizeof(entry)) }); }
    ElfImage& pvh_note64(uint64_t entry) { return notes({ pvh_note(&entry, sizeof(entry)) }); }

    static Note pvh_note(void const* desc, size_t size) {
        auto const* bytes = static_cast<uint8_t const*>(desc);
        return { aramid::abi::kXenElfNotePhys32Entry, "Xen", std::vector<uint8_t>(bytes, bytes + size) };
    }

    std::vector<uint8_t> build() const {
        size_t const header_end = sizeof(Elf64_Ehdr) + m_segments.size() * sizeof(Elf64_Phdr);
        std::vector<uint8_t> file(header_end, 0);
        std::vector<Elf64_Phdr> phdrs;
        for (auto const& s : m_segments) {
            align(file, s.type == PT_NOTE ? 4 : 16);
            Elf64_Phdr ph {};
            ph.p_type = s.type;
            ph.p_offset = file.size();
            if (s.type == PT_NOTE) {
                for (auto const& n : s.notes) append_note(file, n);
                ph.p_align = 4;
            } else {
                file.insert(file.end(), s.contents.begin(), s.contents.end());
                ph.p_paddr = s.physical;
                ph.p_vaddr = s.virtual_address;
                ph.p_memsz = s.memory_size;
                ph.p_flags = PF_R | PF_W | PF_X;
                ph.p_align = 16;
            }
            ph.p_filesz = file.size() - ph.p_offset;
            phdrs.push_back(ph);
        }

        Elf64_Ehdr eh {};
        std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
        eh.e_ident[EI_CLASS] = ELFCLASS64;
        eh.e_ident[EI_DATA] = ELFDATA2LSB;
        eh.e_ident[EI_VERSION] = EV_CURRENT;
        eh.e_type = ET_EXEC;
        eh.e_machine = EM_X86_64;
        eh.e_version = EV_CURRENT;
        eh.e_entry = m_entry;
        eh.e_phoff = sizeof(Elf64_Ehdr);
        eh.e_ehsize = sizeof(Elf64_Ehdr);
        eh.e_phentsize = sizeof(Elf64_Phdr);
        eh.e_phnum = uint16_t(phdrs.size());
        std::memcpy(file.data(), &eh, sizeof(eh));
        if (!phdrs.empty()) std::memcpy(file.data() + sizeof(eh), phdrs.data(), phdrs.size() * sizeof(Elf64_Phdr));
        return file;
    }

private:
    struct Segment {
        uint32_t type;
        uint64_t physical;
        uint64_t virtual_address;
        std::vector<uint8_t> contents;
        uint64_t memory_size;
        std::vector<Note> notes;
    };

    static void align(std::vector<uint8_t>& file, size_t alignment) {
        file.resize((file.size() + alignment - 1) / alignment * alignment, 0);
    }
    template<typename T>
    static void append(std::vector<uint8_t>& file, T const& value) {
        auto const* bytes = reinterpret_cast<uint8_t const*>(&value);
        file.insert(file.end(), bytes, bytes + sizeof(T));
    }
    static void append_note(std::vector<uint8_t>& file, Note const& note) {
        Elf64_Nhdr header { uint32_t(note.name.size() + 1), uint32_t(note.desc.size()), note.type };
        append(file, header);
        file.insert(file.end(), note.name.begin(), note.name.end());
        file.push_back(0);
        align(file, 4);
        file.insert(file.end(), note.desc.begin(), note.desc.end());
        align(file, 4);
    }

    uint64_t m_entry { kLinkAddress };
    std::vector<Segment> m_segments;
};

// Rewrites the ELF header (or program header `index`) of a built image in place.
template<typename Edit>
void edit_header(std::vector<uint8_t>& file, Edit edit) {
    Elf64_Ehdr eh;
    std::memcpy(&eh, file.data(), sizeof(eh));
    edit(eh);
    std::memcpy(file.data(), &eh, sizeof(eh));
}

template<typename Edit>
void edit_segment(std::vector<uint8_t>& file, unsigned index, Edit edit) {
    size_t const at = sizeof(Elf64_Ehdr) + index * sizeof(Elf64_Phdr);
    Elf64_Phdr ph;
    std::memcpy(&ph, file.data() + at, sizeof(ph));
    edit(ph);
    std::memcpy(file.data() + at, &ph, sizeof(ph));
}

// The smallest kernel the loader accepts: one segment of `code` followed by
// `bss` zero bytes, entered at its first byte.
inline ElfImage minimal_kernel(std::vector<uint8_t> code = { 0xf4, 0xeb, 0xfd }, uint64_t bss = 0x100) {
    uint64_t const memory_size = code.size() + bss;
    return std::move(ElfImage().load(kLoadAddress, kLinkAddress, std::move(code), memory_size));
}

} // namespace vmm_test
