#include <fs/vfs/file_page_source.h>
#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/debug/log.h>
#include <kernel/drivers/random.h>
#include <kernel/mm/vdso.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/exec.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/posix_timers.h>
#include <kernel/proc/process.h>
#include <kernel/sched/scheduler.h>
#include <kernel/vm.h>
#include <uapi/auxv.h>
#include <uapi/elf.h>
#include <uapi/limits.h>

namespace exec {

namespace {

using ElfHeader = uapi::Elf64_Ehdr;
using ProgramHeader = uapi::Elf64_Phdr;
using uapi::PT_LOAD, uapi::PT_INTERP, uapi::PT_PHDR, uapi::PF_X, uapi::PF_W, uapi::PF_R, uapi::ET_EXEC, uapi::ET_DYN,
    uapi::EM_X86_64;
constexpr u64 kPieBase = 0x555555554000;
constexpr usize kMaxPhdrs = 128;
constexpr int kMaxInterpreterDepth = 4;

u8 access_of(u32 flags) {
    return u8(((flags & PF_R) ? mm::kAccessRead : 0) | ((flags & PF_W) ? mm::kAccessWrite : 0)
              | ((flags & PF_X) ? mm::kAccessExec : 0));
}

struct Loaded {
    u64 entry;  // where the program starts (AT_ENTRY)
    u64 phdr;   // its program headers in memory (AT_PHDR)
    u16 phnum;
    u64 brk;    // the end of its highest segment
    u64 bias;   // what was added to its p_vaddr (the interpreter's is AT_BASE)
    // The PT_INTERP path, NUL-terminated, or empty for a static program.
    HeapBuffer<char> interpreter;
};

enum class Placement { Program, Interpreter };

Result<Loaded> load_elf(mm::AddressSpace& space, RefPtr<Inode> inode, ElfHeader const& header, char const* name,
                        Placement placement) {
    if (header.e_type != ET_EXEC && header.e_type != ET_DYN) return Errno(ENOEXEC);
    if (header.e_phentsize != sizeof(ProgramHeader) || header.e_phnum == 0 || header.e_phnum > kMaxPhdrs) return Errno(ENOEXEC);
    usize const table_size = header.e_phnum * sizeof(ProgramHeader);
    HeapBuffer<ProgramHeader> phdr_table(table_size);
    if (!phdr_table) return Errno(ENOMEM);
    ProgramHeader* const phdrs = phdr_table.data();
    if (TRY(inode->read(header.e_phoff, IoBuffer::kernel(phdrs), table_size)) != table_size) return Errno(ENOEXEC);

    // The span of the PT_LOAD segments, which an ET_DYN file is moved as a
    // whole to where it fits.
    u64 low = ~u64(0), high = 0;
    for (usize i = 0; i < header.e_phnum; i++) {
        ProgramHeader const& ph = phdrs[i];
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr || ph.p_vaddr + ph.p_memsz > mm::kUserEnd) return Errno(ENOEXEC);
        low = lib::min(low, align_down(ph.p_vaddr, mm::kPageSize));
        high = lib::max(high, align_up(ph.p_vaddr + ph.p_memsz, mm::kPageSize));
    }
    if (high == 0) return Errno(ENOEXEC);

    Loaded loaded {};
    if (header.e_type == ET_DYN) {
        if (placement == Placement::Program) {
            // Where Linux puts a PIE without address randomization.
            loaded.bias = kPieBase - low;
        } else {
            // The interpreter goes where mmap would put the whole span, as
            // Linux maps it; the reservation only finds the place.
            mm::MapRequest reserve;
            reserve.length = high - low;
            u64 const base = TRY(space.map(reserve));
            TRY(space.unmap(base, high - low));
            loaded.bias = base - low;
        }
    }
    u64 const bias = loaded.bias;
    loaded.entry = header.e_entry + bias;
    loaded.phnum = header.e_phnum;
    for (usize i = 0; i < header.e_phnum; i++) {
        ProgramHeader const& ph = phdrs[i];
        if (ph.p_type == PT_INTERP && placement == Placement::Program && !loaded.interpreter) {
            // A NUL-terminated path; Linux also rejects more than PATH_MAX,
            // and takes the first PT_INTERP only.
            if (ph.p_filesz < 2 || ph.p_filesz > uapi::PATH_MAX) return Errno(ENOEXEC);
            HeapBuffer<char> path(ph.p_filesz);
            if (!path) return Errno(ENOMEM);
            if (TRY(inode->read(ph.p_offset, IoBuffer::kernel(path.data()), ph.p_filesz)) != ph.p_filesz) return Errno(ENOEXEC);
            if (path.data()[ph.p_filesz - 1] != 0) return Errno(ENOEXEC);
            loaded.interpreter = static_cast<HeapBuffer<char>&&>(path);
        }
        if (ph.p_type == PT_PHDR) loaded.phdr = ph.p_vaddr + bias;
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
        if (ph.p_filesz > ph.p_memsz || ph.p_offset + ph.p_filesz < ph.p_offset || ph.p_offset + ph.p_filesz > inode->size())
            return Errno(ENOEXEC);
        if ((ph.p_vaddr % mm::kPageSize) != (ph.p_offset % mm::kPageSize)) return Errno(ENOEXEC);
        u64 const start = align_down(ph.p_vaddr + bias, mm::kPageSize);
        u64 const file_end = ph.p_vaddr + bias + ph.p_filesz;
        u64 const end = align_up(ph.p_vaddr + bias + ph.p_memsz, mm::kPageSize);
        if (!mm::is_user_range(start, end - start) || end < start) return Errno(ENOEXEC);
        u8 const access = access_of(ph.p_flags);
        if (ph.p_filesz) {
            mm::MapRequest file_part;
            file_part.address = start;
            file_part.length = align_up(file_end, mm::kPageSize) - start;
            file_part.access = access;
            file_part.fixed = true;
            file_part.source = TRY(FilePageSource::create(inode, ph.p_offset + ph.p_filesz, name));
            file_part.offset = align_down(ph.p_offset, mm::kPageSize);
            file_part.name = name;
            TRY(space.map(file_part));
        }
        u64 const anonymous_start = ph.p_filesz ? align_up(file_end, mm::kPageSize) : start;
        if (end > anonymous_start) {
            mm::MapRequest bss;
            bss.address = anonymous_start;
            bss.length = end - anonymous_start;
            bss.access = access;
            bss.fixed = true;
            bss.name = ph.p_filesz ? "[bss]" : name;
            TRY(space.map(bss));
        }
        // Writable segments are copied in now (each page would fault
        // anyway, and a fault costs more than the copy under PVM); the
        // others get the pages the file has in memory already, and fault
        // in the rest as they are touched, a window at a time: a big
        // program's first run reads only the text it uses. A last page
        // the segment fills only in part is no cached page of the file (it
        // holds the file's next bytes too): it is read in now, one page,
        // rather than faulted in (+30 us to exec a static program here).
        if (ph.p_flags & PF_W) {
            TRY(space.populate(start, end));
        } else {
            TRY(space.populate_cached(start, end));
            if (file_end % mm::kPageSize) {
                u64 const last = align_down(file_end, mm::kPageSize);
                TRY(space.populate(last, last + mm::kPageSize));
            }
        }
        if (!loaded.phdr && header.e_phoff >= ph.p_offset && header.e_phoff + table_size <= ph.p_offset + ph.p_filesz)
            loaded.phdr = ph.p_vaddr + bias + (header.e_phoff - ph.p_offset);
        loaded.brk = lib::max(loaded.brk, end);
    }
    return loaded;
}

// The initial stack image: argc, argv, envp, auxv and the strings, built in
// kernel memory and copied once.
Result<u64> build_stack(mm::AddressSpace& space, Arguments const& argv, Arguments const& envp, Loaded const& loaded,
                        u64 interpreter_base, Credentials const& credentials, StringView execfn) {
    u64 const hwcap = x86::cpuid(1).edx;
    using namespace uapi;
    u64 auxv[][2] = {
        { AT_PHDR, loaded.phdr }, { AT_PHENT, sizeof(ProgramHeader) }, { AT_PHNUM, loaded.phnum },
        { AT_PAGESZ, mm::kPageSize }, { AT_BASE, interpreter_base }, { AT_FLAGS, 0 }, { AT_ENTRY, loaded.entry },
        { AT_UID, credentials.uid }, { AT_EUID, credentials.euid }, { AT_GID, credentials.gid },
        { AT_EGID, credentials.egid }, { AT_PLATFORM, 0 }, { AT_HWCAP, hwcap }, { AT_CLKTCK, 100 },
        { AT_SECURE, credentials.euid != credentials.uid || credentials.egid != credentials.gid }, { AT_RANDOM, 0 }, { AT_HWCAP2, 0 }, { AT_EXECFN, 0 }, { AT_MINSIGSTKSZ, 2048 },
        { AT_SYSINFO_EHDR, vdso::kImageAddress }, { AT_NULL, 0 },
    };
    constexpr usize kAuxWords = sizeof(auxv) / sizeof(u64);
    static constexpr char kPlatform[] = "x86_64";
    usize const strings = argv.size() + envp.size() + sizeof(kPlatform) + 16 + execfn.length() + 1;
    usize const words = 1 + argv.count() + 1 + envp.count() + 1 + kAuxWords;
    // A multiple of 16, so that the image starts at the aligned initial rsp
    // and ends at the top: the buffer is exactly what is copied.
    usize const total = align_up(align_up(strings, usize(16)) + words * 8 + 16, usize(16));
    if (total > 256 * 1024) return Errno(E2BIG);

    HeapBuffer<u8> image_buffer(total, true);
    if (!image_buffer) return Errno(ENOMEM);
    u8* const image = image_buffer.data();

    u64 const top = kStackTop;
    u64 const base = top - total; // the initial rsp
    auto user_address = [&](usize offset) { return base + offset; };
    // Strings go at the top of the image; the vectors at the bottom.
    usize at = total - strings;
    usize const strings_start = at;
    __builtin_memcpy(image + at, argv.data(), argv.size());
    at += argv.size();
    __builtin_memcpy(image + at, envp.data(), envp.size());
    at += envp.size();
    u64 const platform_at = user_address(at);
    __builtin_memcpy(image + at, kPlatform, sizeof(kPlatform));
    at += sizeof(kPlatform);
    u64 const random_at = user_address(at);
    random::fill(image + at, 16);
    at += 16;
    u64 const execfn_at = user_address(at);
    __builtin_memcpy(image + at, execfn.data(), execfn.length());

    for (auto& entry : auxv) {
        if (entry[0] == AT_PLATFORM) entry[1] = platform_at;
        if (entry[0] == AT_RANDOM) entry[1] = random_at;
        if (entry[0] == AT_EXECFN) entry[1] = execfn_at;
    }
    u64* vector = reinterpret_cast<u64*>(image);
    usize w = 0;
    vector[w++] = argv.count();
    usize string_offset = strings_start;
    for (usize i = 0; i < argv.count(); i++) {
        vector[w++] = user_address(string_offset);
        string_offset += argv.at(i).length() + 1;
    }
    vector[w++] = 0;
    for (usize i = 0; i < envp.count(); i++) {
        vector[w++] = user_address(string_offset);
        string_offset += envp.at(i).length() + 1;
    }
    vector[w++] = 0;
    __builtin_memcpy(vector + w, auxv, sizeof(auxv));

    TRY(space.populate(base, top));
    TRY(mm::copy_to_user(base, image, total));
    return base;
}

bool is_elf(ElfHeader const& header) {
    return header.e_ident[0] == 0x7f && header.e_ident[1] == 'E' && header.e_ident[2] == 'L' && header.e_ident[3] == 'F'
        && header.e_ident[uapi::EI_CLASS] == uapi::ELFCLASS64 && header.e_ident[uapi::EI_DATA] == uapi::ELFDATA2LSB
        && header.e_machine == EM_X86_64;
}

Result<ElfHeader> read_elf_header(Inode& inode) {
    ElfHeader header;
    usize got = TRY(inode.read(0, IoBuffer::kernel(&header), sizeof(header)));
    if (got != sizeof(header) || !is_elf(header)) return Errno(ENOEXEC);
    return header;
}

Result<RefPtr<Custody>> resolve_executable(Process& process, StringView path) {
    vfs::Context c { process.credentials(), *process.fs().root, *process.fs().cwd };
    auto custody = TRY(vfs::resolve(c, path));
    Inode& inode = custody->inode();
    if (!inode.is_regular()) return Errno(EACCES);
    if (inode.fs().mount_flags() & vfs::kMountNoExec) return Errno(EACCES); // Linux's path_noexec
    TRY(vfs::check_access(process.credentials(), inode.metadata(), 1));
    TRY(vfs::check_access(process.credentials(), inode.metadata(), 4)); // the kernel reads it
    return custody;
}

} // namespace

Arguments::~Arguments() { kfree(m_data); }

Result<void> Arguments::add(StringView string) {
    if (string.length() + 1 > kMaxString) return Errno(E2BIG);
    usize const needed = m_size + string.length() + 1;
    if (needed > kMaxTotal) return Errno(E2BIG);
    if (needed > m_capacity) {
        usize capacity = lib::max(needed, m_capacity * 2 + 256);
        char* grown = static_cast<char*>(kmalloc(capacity));
        if (!grown) return Errno(ENOMEM);
        if (m_data) __builtin_memcpy(grown, m_data, m_size);
        kfree(m_data);
        m_data = grown;
        m_capacity = capacity;
    }
    TRY(m_offsets.try_append(m_size));
    __builtin_memcpy(m_data + m_size, string.data(), string.length());
    m_data[m_size + string.length()] = 0;
    m_size = needed;
    return {};
}

Result<void> Arguments::copy_from_user(UserPtr<u64> vector) {
    if (vector.is_null()) return {};
    HeapBuffer<char> string(kMaxString + 1);
    if (!string) return Errno(ENOMEM);
    char* const buffer = string.data();
    for (usize i = 0;; i++) {
        if (i > kMaxTotal / 8) return Errno(E2BIG);
        u64 pointer = TRY(mm::copy_from_user(vector.offset(i)));
        if (!pointer) return {};
        auto length = mm::copy_string_from_user(UserCString(pointer), buffer, kMaxString);
        if (length.is_error()) return Errno(length.error().code() == ENAMETOOLONG ? E2BIG : length.error().code());
        TRY(add(StringView(buffer, length.value())));
    }
}

StringView Arguments::at(usize i) const { return StringView(m_data + m_offsets[i]); }

Result<void> execve(Thread& thread, TrapFrame& frame, StringView path, Arguments& argv, Arguments& envp) {
    Process& process = *thread.process;
    // #! scripts: run the interpreter with the script as an argument.
    Arguments* arguments = &argv;
    Arguments script_arguments;
    HeapBuffer<char> first_line(256);
    if (!first_line) return Errno(ENOMEM);
    char* const line = first_line.data();
    RefPtr<Custody> custody;
    StringView program = path;
    for (int depth = 0;; depth++) {
        custody = TRY(resolve_executable(process, program));
        usize got = TRY(custody->inode().read(0, IoBuffer::kernel(line), 255));
        line[got] = 0;
        if (got < 2 || line[0] != '#' || line[1] != '!') break;
        if (depth == kMaxInterpreterDepth) return Errno(ELOOP);
        usize end = 2;
        while (end < got && line[end] != '\n') end++;
        if (end == got && got == 255) return Errno(ENOEXEC); // line too long
        line[end] = 0;
        usize i = 2;
        while (line[i] == ' ' || line[i] == '\t') i++;
        usize interpreter_start = i;
        while (line[i] && line[i] != ' ' && line[i] != '\t') i++;
        StringView interpreter(line + interpreter_start, i - interpreter_start);
        if (interpreter.is_empty()) return Errno(ENOEXEC);
        if (line[i]) line[i++] = 0;
        while (line[i] == ' ' || line[i] == '\t') i++;
        usize argument_end = end;
        while (argument_end > i && (line[argument_end - 1] == ' ' || line[argument_end - 1] == '\t')) argument_end--;
        StringView optional(line + i, argument_end - i);
        Arguments rewritten;
        TRY(rewritten.add(interpreter));
        if (!optional.is_empty()) TRY(rewritten.add(optional));
        TRY(rewritten.add(program));
        for (usize k = 1; k < arguments->count(); k++) TRY(rewritten.add(arguments->at(k)));
        script_arguments.~Arguments();
        new (&script_arguments) Arguments();
        for (usize k = 0; k < rewritten.count(); k++) TRY(script_arguments.add(rewritten.at(k)));
        arguments = &script_arguments;
        program = script_arguments.at(0);
    }

    ElfHeader header = TRY(read_elf_header(custody->inode()));

    // The command name is the last component of the path exec was given,
    // not of the file it resolved to (a busybox applet link, a #! script),
    // as Linux's kbasename(bprm->filename).
    char name[Process::kNameSize];
    usize slash = path.length();
    while (slash > 0 && path[slash - 1] != '/') slash--;
    StringView const base_name = path.substring(slash, path.length() - slash);
    usize n = lib::min(base_name.length(), sizeof(name) - 1);
    __builtin_memcpy(name, base_name.data(), n);
    name[n] = 0;

    // Other threads go first (they may still run the old program).
    if (process.thread_count() > 1) TRY(process.kill_other_threads(thread));
    if (thread.tid() != u32(process.pid())) thread.take_tid(u32(process.pid()));

    // Build the new address space completely before touching the old one.
    auto space = TRY(mm::AddressSpace::create());
    // The segments carry the file's path, as /proc/<pid>/maps shows it.
    char path_name[64];
    custody->path_from(*process.fs().root, path_name, sizeof(path_name));
    Loaded loaded = TRY(load_elf(*space, custody->inode_ref(), header, path_name, Placement::Program));
    // A dynamic program starts in its interpreter (the dynamic loader),
    // which finds the program through the auxiliary vector.
    u64 start = loaded.entry;
    u64 interpreter_base = 0;
    if (loaded.interpreter) {
        auto interpreter = TRY(resolve_executable(process, StringView(loaded.interpreter.data())));
        // Linux's errors: a file too short for the header is EIO, one that
        // is not an ELF for this machine (or cannot be loaded) ELIBBAD.
        ElfHeader interpreter_header;
        usize const got = TRY(interpreter->inode().read(0, IoBuffer::kernel(&interpreter_header), sizeof(ElfHeader)));
        if (got != sizeof(ElfHeader)) return Errno(EIO);
        if (!is_elf(interpreter_header)) return Errno(ELIBBAD);
        char interpreter_name[64];
        interpreter->path_from(*process.fs().root, interpreter_name, sizeof(interpreter_name));
        auto loader = load_elf(*space, interpreter->inode_ref(), interpreter_header, interpreter_name,
                               Placement::Interpreter);
        if (loader.is_error()) return Errno(loader.error().code() == ENOEXEC ? ELIBBAD : loader.error().code());
        start = loader.value().entry;
        interpreter_base = loader.value().bias;
    }
    mm::MapRequest stack;
    stack.address = kStackTop - kStackSize;
    stack.length = kStackSize;
    stack.access = mm::kAccessRead | mm::kAccessWrite;
    stack.fixed = true;
    stack.name = "[stack]";
    TRY(space->map(stack));
    space->set_brk_base(align_up(loaded.brk, mm::kPageSize));

    auto shared = TRY(try_make_ref<SharedAddressSpace>(static_cast<OwnPtr<mm::AddressSpace>&&>(space)));
    // The old program's robust mutexes die with it (Linux: exec_mm_release).
    futex::release_robust_list(thread.robust_list, thread.tid());
    thread.robust_list = 0;
    thread.rseq = {};
    // Set-user-ID and set-group-ID programs (Linux's bprm_fill_uid): the
    // effective IDs become the file's owner and group (the group only with
    // the group-execute bit, else it marks mandatory locking), unless the
    // thread asked for no new privileges or the mount is nosuid; the saved
    // IDs follow the effective ones, as after every exec.
    Credentials credentials = process.credentials();
    InodeMetadata const file = custody->inode().metadata();
    bool const grants = !thread.no_new_privs && !(custody->inode().fs().mount_flags() & vfs::kMountNoSuid);
    if (grants && (file.mode & vfs::kModeSetUid)) credentials.euid = file.uid;
    if (grants && (file.mode & vfs::kModeSetGid) && (file.mode & uapi::S_IXGRP)) credentials.egid = file.gid;
    credentials.suid = credentials.fsuid = credentials.euid;
    credentials.sgid = credentials.fsgid = credentials.egid;
    // The point of no return: switch to the new address space.
    RefPtr<SharedAddressSpace> old = process.shared_address_space();
    process.set_address_space(shared);
    process.address_space().activate();
    old = nullptr;
    process.credentials() = credentials;

    auto sp = build_stack(process.address_space(), *arguments, envp, loaded, interpreter_base, process.credentials(), path);
    if (sp.is_error()) {
        // Too late to fail back to the old program.
        process.exit_group(wait_status_signaled(signals::SIGSEGV, false));
        return sp.error();
    }

    process.fds().close_on_exec_all();
    process.signal_handlers().reset_for_exec();
    posix_timers::delete_all(process);
    process.set_name(StringView(name));
    process.executable = custody;
    process.set_command_line(arguments->data(), arguments->size());
    thread.set_name(name);
    thread.altstack_disabled = true;
    thread.altstack_sp = thread.altstack_size = 0;
    thread.fs_base = 0;
    x86::wrfsbase(0);
    thread.gs_base = 0;
    fpu::init_state(thread.fpu_state);
    fpu::restore(thread.fpu_state);

    frame = TrapFrame {};
    frame.rip = start;
    frame.rsp = sp.value();
    frame.rflags = 0x202;
    frame.cs = USER_CS;
    frame.ss = USER_DS;
    frame.vector = 0;
    return {};
}

} // namespace exec
