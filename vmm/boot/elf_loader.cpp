#include <vmm/boot/elf_loader.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <cstring>
#include <elf.h>
#include <sstream>

namespace vmm {

namespace {

std::string hex(uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

bool range_ok(uint64_t offset, uint64_t length, uint64_t total) {
    return offset <= total && length <= total - offset;
}

template<typename T>
T read_at(std::span<uint8_t const> file, uint64_t offset) {
    T value;
    std::memcpy(&value, file.data() + offset, sizeof(T));
    return value;
}

// Scans one PT_NOTE segment for the PVH entry note.
std::optional<uint64_t> find_pvh_note(std::span<uint8_t const> file, Elf64_Phdr const& ph) {
    uint64_t pos = ph.p_offset;
    uint64_t const end = ph.p_offset + ph.p_filesz;
    while (end - pos >= sizeof(Elf64_Nhdr)) {
        auto note = read_at<Elf64_Nhdr>(file, pos);
        uint64_t name_at = pos + sizeof(Elf64_Nhdr);
        uint64_t name_size = (uint64_t(note.n_namesz) + 3) & ~uint64_t(3);
        uint64_t desc_size = (uint64_t(note.n_descsz) + 3) & ~uint64_t(3);
        if (name_size > end - name_at || desc_size > end - name_at - name_size)
            throw VmmError("kernel ELF: malformed note at offset " + hex(pos));
        uint64_t desc_at = name_at + name_size;
        if (note.n_type == aramid::abi::kXenElfNotePhys32Entry && note.n_namesz == 4
            && std::memcmp(file.data() + name_at, "Xen", 4) == 0) {
            if (note.n_descsz == 4) return read_at<uint32_t>(file, desc_at);
            if (note.n_descsz == 8) return read_at<uint64_t>(file, desc_at);
            throw VmmError("kernel ELF: PVH entry note has a bad size");
        }
        pos = desc_at + desc_size;
    }
    return std::nullopt;
}

} // namespace

KernelImage parse_kernel_elf(std::span<uint8_t const> file) {
    // The magic first: a short script or text file is "not ELF", not "too short".
    if (file.size() >= SELFMAG && std::memcmp(file.data(), ELFMAG, SELFMAG) != 0)
        throw VmmError("kernel: not an ELF file (bad magic)");
    if (file.size() < sizeof(Elf64_Ehdr)) throw VmmError("kernel: not an ELF file (too short)");
    auto eh = read_at<Elf64_Ehdr>(file, 0);
    if (eh.e_ident[EI_CLASS] != ELFCLASS64) throw VmmError("kernel ELF: not 64-bit (ELFCLASS64 expected)");
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) throw VmmError("kernel ELF: not little-endian");
    if (eh.e_machine != EM_X86_64) throw VmmError("kernel ELF: wrong architecture (machine " + std::to_string(eh.e_machine) + ", x86-64 expected)");
    if (eh.e_type != ET_EXEC) throw VmmError("kernel ELF: not an executable (ET_EXEC expected)");
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) throw VmmError("kernel ELF: bad program header size");
    if (eh.e_phnum == 0) throw VmmError("kernel ELF: no program headers");
    if (!range_ok(eh.e_phoff, uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr), file.size()))
        throw VmmError("kernel ELF: program headers outside the file");

    KernelImage image {};
    image.entry = eh.e_entry;
    image.physical_start = ~uint64_t(0);
    image.physical_end = 0;
    bool entry_inside = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        auto ph = read_at<Elf64_Phdr>(file, eh.e_phoff + uint64_t(i) * sizeof(Elf64_Phdr));
        std::string const which = "kernel ELF: segment " + std::to_string(i);
        if (ph.p_type == PT_NOTE) {
            if (!range_ok(ph.p_offset, ph.p_filesz, file.size())) throw VmmError(which + ": note outside the file");
            if (auto entry = find_pvh_note(file, ph)) image.pvh_entry = entry;
            continue;
        }
        if (ph.p_type != PT_LOAD) continue;
        if (ph.p_filesz > ph.p_memsz) throw VmmError(which + ": file size larger than memory size");
        if (ph.p_memsz == 0) continue;
        if (!range_ok(ph.p_offset, ph.p_filesz, file.size())) throw VmmError(which + ": contents outside the file");
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr) throw VmmError(which + ": physical range overflows");
        if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr) throw VmmError(which + ": virtual range overflows");
        image.segments.push_back({ ph.p_offset, ph.p_filesz, ph.p_memsz, ph.p_paddr, ph.p_vaddr });
        image.physical_start = std::min<uint64_t>(image.physical_start, ph.p_paddr);
        image.physical_end = std::max<uint64_t>(image.physical_end, ph.p_paddr + ph.p_memsz);
        if (!entry_inside && eh.e_entry >= ph.p_vaddr && eh.e_entry < ph.p_vaddr + ph.p_memsz) {
            entry_inside = true;
            image.entry_physical = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
        }
    }
    if (image.segments.empty()) throw VmmError("kernel ELF: no loadable segment");
    if (!entry_inside) throw VmmError("kernel ELF: entry point " + hex(eh.e_entry) + " is outside every loadable segment");
    return image;
}

void load_kernel(KernelImage const& image, std::span<uint8_t const> file, GuestMemory& memory, uint64_t lowest_gpa) {
    for (auto const& s : image.segments) {
        if (s.physical_address < lowest_gpa)
            throw VmmError("kernel ELF: segment at " + hex(s.physical_address) + " is below " + hex(lowest_gpa)
                           + ", where the VMM keeps its boot structures");
        auto target = memory.span(s.physical_address, s.memory_size);
        if (!target)
            throw VmmError("kernel ELF: segment " + hex(s.physical_address) + "-" + hex(s.physical_address + s.memory_size)
                           + " is outside guest RAM (" + std::to_string(memory.size() >> 20) + " MiB); raise --mem");
        std::memcpy(target->data(), file.data() + s.file_offset, s.file_size);
        std::memset(target->data() + s.file_size, 0, s.memory_size - s.file_size);
    }
}

} // namespace vmm
