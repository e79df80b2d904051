// aramid-mon: the monitor's command line. Asks a running aramid-vmm (its
// --monitor socket) about the live kernel and prints readable tables, or with
// --json one stable JSON document (for `watch`, one JSON object per line).
//
// Exit status: 0 on success (for `watch`, when the VM goes away), 1 when the
// request fails (no socket, the VM has gone, a version mismatch, an error
// reply), 2 for bad usage; each failure is one line on stderr.
#include <monitor/client.h>
#include <monitor/json_writer.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace aramid::monitor;
namespace rpc = aramid::monitor::rpc;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

char const kUsage[] = "usage: aramid-mon --socket PATH [--json] COMMAND\n"
                      "\n"
                      "Shows the state of a running aramid kernel, read by aramid-vmm --monitor PATH.\n"
                      "\n"
                      "commands:\n"
                      "  info                 kernel, platform, uptime, memory, VM state\n"
                      "  tasks                threads: tid, pid, name, state, CPU, switches\n"
                      "  stacks               kernel stacks: watermark, canary, guard page, saved rip,\n"
                      "                       backtrace\n"
                      "  switches [--limit N] per CPU: current thread and the last N switch records\n"
                      "                       (default 32; with --json every record the ring holds)\n"
                      "  fs-bitmaps [--limit N]\n"
                      "                       each mounted ext2/3/4 file system: which block and inode\n"
                      "                       bitmap bits disagree with the inodes and metadata that own\n"
                      "                       the blocks (used but free, leaked, claimed twice, bad\n"
                      "                       pointers, group counts), on the disk image overlaid with\n"
                      "                       the guest's unwritten blocks; all are counted, the first\n"
                      "                       N (default 64) listed\n"
                      "  watch [--threshold PCT] [--replay]\n"
                      "                       print events as they come (stack watermark over PCT%,\n"
                      "                       default 75; canary broken; panic; unknown syscall; stack\n"
                      "                       overflow; threads created and exited) until the VM ends;\n"
                      "                       --replay first prints what the guest's event ring holds\n"
                      "  mem ADDR LEN         guest-physical memory, at most 65536 bytes (hex dump)\n"
                      "  pause                stop the vCPUs (prints how long stopping took); they stay\n"
                      "                       stopped after aramid-mon exits, until `resume`\n"
                      "  resume               run them again (also starts a guest held by\n"
                      "                       aramid-vmm --paused)\n"
                      "\n"
                      "options:\n"
                      "  --socket PATH        the socket given to aramid-vmm --monitor\n"
                      "  --json               machine-readable output\n"
                      "  --help\n"
                      "\n"
                      "tasks, stacks, switches and fs-bitmaps pause the guest for the moment of the\n"
                      "read (fs-bitmaps: of the whole check), so what they show is one consistent\n"
                      "instant; the reply says how long that took.\n";

struct Arguments {
    std::string socket;
    bool json = false;
    std::string command;
    std::vector<std::string> operands;
    std::optional<uint32_t> limit;
    uint8_t threshold = 0;
    bool replay = false;
    uint32_t protocol = rpc::PROTOCOL_VERSION; // --protocol: tests the version check
    uint64_t address = 0;                      // mem
    uint32_t length = 0;
};

uint64_t parse_number(std::string const& what, std::string const& text, uint64_t max) {
    if (text.empty() || text[0] == '-' || text[0] == '+')
        throw UsageError(what + ": expected a number, got '" + text + "'");
    char* end = nullptr;
    errno = 0;
    unsigned long long const value = std::strtoull(text.c_str(), &end, 0); // 0x... for hex
    if (errno || *end) throw UsageError(what + ": expected a number, got '" + text + "'");
    if (value > max) throw UsageError(what + ": " + text + " is larger than " + std::to_string(max));
    return value;
}

Arguments parse(int argc, char** argv) {
    Arguments a;
    std::vector<std::string> const args(argv + 1, argv + argc);
    for (size_t i = 0; i < args.size(); i++) {
        std::string const& arg = args[i];
        auto value = [&]() -> std::string const& {
            if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
            return args[++i];
        };
        if (arg == "--socket") a.socket = value();
        else if (arg == "--json") a.json = true;
        else if (arg == "--limit") a.limit = uint32_t(parse_number(arg, value(), 1u << 20));
        else if (arg == "--threshold") {
            a.threshold = uint8_t(parse_number(arg, value(), 100));
            if (a.threshold == 0) throw UsageError("--threshold: expected 1-100");
        } else if (arg == "--replay") a.replay = true;
        else if (arg == "--protocol") a.protocol = uint32_t(parse_number(arg, value(), UINT32_MAX));
        else if (arg == "--help" || arg == "-h") a.command = "help";
        else if (arg.size() > 1 && arg[0] == '-')
            throw UsageError("unknown option '" + arg + "'");
        else if (a.command.empty()) a.command = arg;
        else a.operands.push_back(arg);
    }
    if (a.command == "help") return a;
    if (a.command.empty()) throw UsageError("no command given");
    static char const* const kCommands[] = { "info", "tasks", "stacks", "switches", "fs-bitmaps",
                                             "watch", "mem", "pause", "resume" };
    if (std::find_if(std::begin(kCommands), std::end(kCommands), [&](char const* c) { return a.command == c; })
        == std::end(kCommands))
        throw UsageError("unknown command '" + a.command + "'");
    size_t const operands = a.command == "mem" ? 2 : 0;
    if (a.operands.size() != operands)
        throw UsageError(a.command + (operands ? " takes ADDR and LEN" : " takes no operands"));
    if (a.command == "mem") {
        a.address = parse_number("ADDR", a.operands[0], UINT64_MAX);
        a.length = uint32_t(parse_number("LEN", a.operands[1], rpc::MAX_READ_LENGTH));
    }
    if (a.socket.empty()) throw UsageError("--socket PATH is required");
    return a;
}

// ---- formatting helpers

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof(text), "0x%" PRIx64, value);
    return text;
}

std::string seconds(uint64_t ns) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.6f", double(ns) / 1e9);
    return text;
}

std::string duration(uint64_t ns) {
    char text[32];
    if (ns < 10'000) std::snprintf(text, sizeof(text), "%" PRIu64 " ns", ns);
    else if (ns < 10'000'000) std::snprintf(text, sizeof(text), "%.1f us", double(ns) / 1e3);
    else if (ns < 10'000'000'000) std::snprintf(text, sizeof(text), "%.1f ms", double(ns) / 1e6);
    else std::snprintf(text, sizeof(text), "%.1f s", double(ns) / 1e9);
    return text;
}

std::string frame_text(rpc::Frame::Reader frame) {
    std::string text = hex(frame.getAddress());
    if (frame.getSymbol().size()) {
        char offset[24];
        std::snprintf(offset, sizeof(offset), "+%#" PRIx64, frame.getOffset());
        text += std::string(" ") + frame.getSymbol().cStr() + offset;
    }
    return text;
}

char const* state_name(rpc::TaskState state) {
    switch (state) {
    case rpc::TaskState::RUNNABLE: return "runnable";
    case rpc::TaskState::RUNNING: return "running";
    case rpc::TaskState::BLOCKED: return "blocked";
    case rpc::TaskState::DEAD: return "dead";
    case rpc::TaskState::UNKNOWN: break;
    }
    return "unknown";
}

char const* reason_name(rpc::SwitchReason reason) {
    switch (reason) {
    case rpc::SwitchReason::YIELD: return "yield";
    case rpc::SwitchReason::BLOCK: return "block";
    case rpc::SwitchReason::PREEMPT: return "preempt";
    case rpc::SwitchReason::EXIT: return "exit";
    case rpc::SwitchReason::UNKNOWN: break;
    }
    return "unknown";
}

char const* kind_name(rpc::EventKind kind) {
    switch (kind) {
    case rpc::EventKind::THREAD_CREATED: return "thread-created";
    case rpc::EventKind::THREAD_EXITED: return "thread-exited";
    case rpc::EventKind::CANARY_BROKEN: return "canary-broken";
    case rpc::EventKind::PANIC: return "panic";
    case rpc::EventKind::UNKNOWN_SYSCALL: return "unknown-syscall";
    case rpc::EventKind::STACK_OVERFLOW: return "stack-overflow";
    case rpc::EventKind::WATERMARK_THRESHOLD: return "watermark-threshold";
    case rpc::EventKind::EVENTS_LOST: return "events-lost";
    case rpc::EventKind::TORN_EVENT: return "torn-event";
    case rpc::EventKind::VM_EXITED: return "vm-exited";
    case rpc::EventKind::UNKNOWN: break;
    }
    return "unknown";
}

void snapshot_json(JsonWriter& json, rpc::Snapshot::Reader snapshot) {
    json.key("snapshot").begin_object();
    json.field("paused", snapshot.getPaused());
    json.field("pause_latency_ns", snapshot.getPauseLatencyNs());
    json.field("held_ns", snapshot.getHeldNs());
    json.field("vm_stopped", snapshot.getVmStopped());
    json.field("note", std::string_view(snapshot.getNote().cStr()));
    json.end_object();
}

void snapshot_text(rpc::Snapshot::Reader snapshot) {
    if (snapshot.getPaused())
        std::printf("(a consistent snapshot: the guest was paused for %s, stopping it took %s)\n",
                    duration(snapshot.getHeldNs()).c_str(), duration(snapshot.getPauseLatencyNs()).c_str());
    else if (snapshot.getVmStopped())
        std::printf("(the guest has stopped: its memory as it was left)\n");
    if (snapshot.getNote().size()) std::printf("(note: %s)\n", snapshot.getNote().cStr());
}

void task_json(JsonWriter& json, rpc::Task::Reader task) {
    json.field("tid", task.getTid());
    json.field("pid", task.getPid());
    json.field("name", std::string_view(task.getName().cStr()));
    json.field("state", state_name(task.getState()));
    json.field("cpu", task.getCpu());
    json.field("switches", task.getSwitches());
    json.field("slot", task.getSlot());
    json.field("torn", task.getTorn());
    json.key("problem");
    if (task.getProblem().size()) json.value(std::string_view(task.getProblem().cStr()));
    else json.null();
}

void frame_json(JsonWriter& json, rpc::Frame::Reader frame) {
    json.begin_object();
    json.field("address", frame.getAddress());
    json.key("symbol");
    if (frame.getSymbol().size()) json.value(std::string_view(frame.getSymbol().cStr()));
    else json.null();
    json.field("offset", frame.getOffset());
    json.end_object();
}

// ---- commands

int info(MonitorConnection& c, bool as_json) {
    auto response = c.wait(c.monitor().infoRequest().send());
    auto info = response.getInfo();
    auto memory = info.getMemory();
    char const* state = info.getVmStopped() ? "stopped" : info.getPaused() ? "paused" : "running";
    if (as_json) {
        JsonWriter json;
        json.begin_object();
        json.field("kernel_version", std::string_view(info.getKernelVersion().cStr()));
        json.field("platform", std::string_view(info.getPlatform().cStr()));
        json.field("uptime_ns", info.getUptimeNs());
        json.field("state", state);
        json.field("paused", info.getPaused());
        json.field("vm_stopped", info.getVmStopped());
        json.field("tsc_khz", info.getTscKhz());
        json.field("cpu_count", info.getCpuCount());
        json.key("memory").begin_object();
        json.field("total_pages", memory.getTotalPages());
        json.field("free_pages", memory.getFreePages());
        json.field("used_pages", memory.getTotalPages() - std::min(memory.getFreePages(), memory.getTotalPages()));
        json.field("heap_bytes", memory.getHeapBytes());
        json.field("heap_allocations", memory.getHeapAllocations());
        json.field("heap_frees", memory.getHeapFrees());
        json.field("slab_pages", memory.getSlabPages());
        json.field("large_pages", memory.getLargePages());
        json.field("torn", memory.getTorn());
        json.end_object();
        json.field("guest_ram_bytes", info.getGuestRamBytes());
        json.field("debug_table_gpa", info.getDebugTableGpa());
        json.field("thread_slots", info.getThreadSlots());
        json.field("event_count", info.getEventCount());
        json.field("watchers", info.getWatchers());
        json.field("polls", info.getPolls());
        json.field("poll_ns", info.getPollNs());
        json.field("vmm_version", std::string_view(info.getVmmVersion().cStr()));
        json.field("protocol", rpc::PROTOCOL_VERSION);
        json.key("table_problem");
        if (info.getTableProblem().size()) json.value(std::string_view(info.getTableProblem().cStr()));
        else json.null();
        json.end_object();
        std::puts(json.text().c_str());
        return 0;
    }
    std::printf("kernel       %s\n", info.getKernelVersion().size() ? info.getKernelVersion().cStr() : "?");
    std::printf("platform     %s\n", info.getPlatform().size() ? info.getPlatform().cStr() : "?");
    std::printf("state        %s\n", state);
    std::printf("uptime       %s s\n", seconds(info.getUptimeNs()).c_str());
    std::printf("cpus         %u (TSC %" PRIu64 " kHz)\n", info.getCpuCount(), info.getTscKhz());
    if (memory.getTorn()) {
        std::printf("memory       (statistics torn: the guest was updating them)\n");
    } else {
        uint64_t const total = memory.getTotalPages(), free = memory.getFreePages();
        std::printf("memory       %" PRIu64 " of %" PRIu64 " pages free (%.1f of %.1f MiB)\n", free, total,
                    double(free) * 4096 / (1 << 20), double(total) * 4096 / (1 << 20));
        std::printf("heap         %" PRIu64 " bytes in use, %" PRIu64 " allocations, %" PRIu64 " frees, %" PRIu64
                    " slab pages, %" PRIu64 " large pages\n",
                    memory.getHeapBytes(), memory.getHeapAllocations(), memory.getHeapFrees(), memory.getSlabPages(),
                    memory.getLargePages());
    }
    std::printf("guest RAM    %" PRIu64 " MiB\n", info.getGuestRamBytes() >> 20);
    std::printf("debug table  %s (%u thread slots, %" PRIu64 " events so far)\n", hex(info.getDebugTableGpa()).c_str(),
                info.getThreadSlots(), info.getEventCount());
    std::printf("watchers     %u", info.getWatchers());
    if (info.getPolls())
        std::printf(" (%" PRIu64 " polls so far, %s each)", info.getPolls(),
            duration(info.getPollNs() / info.getPolls()).c_str());
    std::printf("\n");
    std::printf("vmm          aramid-vmm %s, protocol %u\n", info.getVmmVersion().cStr(), rpc::PROTOCOL_VERSION);
    if (info.getTableProblem().size()) std::printf("table        %s\n", info.getTableProblem().cStr());
    return 0;
}

int tasks(MonitorConnection& c, bool as_json) {
    auto response = c.wait(c.monitor().tasksRequest().send());
    if (as_json) {
        JsonWriter json;
        json.begin_object().key("tasks").begin_array();
        for (auto task : response.getTasks()) {
            json.begin_object();
            task_json(json, task);
            json.end_object();
        }
        json.end_array();
        snapshot_json(json, response.getSnapshot());
        json.end_object();
        std::puts(json.text().c_str());
        return 0;
    }
    std::printf("%6s %6s  %-16s %-9s %3s %10s\n", "TID", "PID", "NAME", "STATE", "CPU", "SWITCHES");
    for (auto task : response.getTasks()) {
        if (task.getTorn()) {
            std::printf("%6s %6s  (slot %u torn: %s)\n", "?", "?", task.getSlot(), task.getProblem().cStr());
            continue;
        }
        std::printf("%6u %6u  %-16s %-9s %3u %10" PRIu64 "%s%s\n", task.getTid(), task.getPid(), task.getName().cStr(),
            state_name(task.getState()), task.getCpu(), task.getSwitches(), task.getProblem().size() ? "  ! " : "",
            task.getProblem().cStr());
    }
    snapshot_text(response.getSnapshot());
    return 0;
}

int stacks(MonitorConnection& c, bool as_json) {
    auto response = c.wait(c.monitor().stacksRequest().send());
    if (as_json) {
        JsonWriter json;
        json.begin_object().key("stacks").begin_array();
        for (auto stack : response.getStacks()) {
            json.begin_object();
            task_json(json, stack.getTask());
            json.field("base_va", stack.getBaseVa());
            json.field("size", stack.getSizeBytes());
            json.field("watermark_bytes", stack.getWatermarkBytes());
            json.field("watermark_percent", stack.getWatermarkPercent());
            json.field("canary_intact", stack.getCanaryIntact());
            json.field("guard_page", stack.getGuardPage());
            json.key("context_source");
            if (stack.getHasContext()) json.value(std::string_view(stack.getContextSource().cStr()));
            else json.null();
            json.key("saved_rip");
            if (stack.getHasContext()) frame_json(json, stack.getSavedRip());
            else json.null();
            json.key("backtrace").begin_array();
            for (auto frame : stack.getBacktrace()) frame_json(json, frame);
            json.end_array();
            json.key("stack_problem");
            if (stack.getProblem().size()) json.value(std::string_view(stack.getProblem().cStr()));
            else json.null();
            json.end_object();
        }
        json.end_array();
        snapshot_json(json, response.getSnapshot());
        json.end_object();
        std::puts(json.text().c_str());
        return 0;
    }
    std::printf("%6s  %-16s %-9s %6s %6s %6s  %-7s %-5s  %s\n", "TID", "NAME", "STATE", "SIZE", "USED", "USE%",
        "CANARY", "GUARD", "SAVED RIP");
    for (auto stack : response.getStacks()) {
        auto task = stack.getTask();
        if (task.getTorn()) {
            std::printf("%6s  (slot %u torn: %s)\n", "?", task.getSlot(), task.getProblem().cStr());
            continue;
        }
        std::string const rip = stack.getHasContext() ? frame_text(stack.getSavedRip()) : "-";
        std::printf("%6u  %-16s %-9s %6" PRIu64 " %6" PRIu64 " %5.1f%%  %-7s %-5s  %s\n", task.getTid(),
            task.getName().cStr(), state_name(task.getState()), stack.getSizeBytes(), stack.getWatermarkBytes(),
            stack.getWatermarkPercent(), stack.getCanaryIntact() ? "ok" : "BROKEN", stack.getGuardPage() ? "yes" : "no",
            rip.c_str());
        for (auto frame : stack.getBacktrace()) std::printf("%8s  <- %s\n", "", frame_text(frame).c_str());
        if (stack.getProblem().size()) std::printf("%8s  ! %s\n", "", stack.getProblem().cStr());
    }
    snapshot_text(response.getSnapshot());
    return 0;
}

std::string thread_label(uint32_t tid, capnp::Text::Reader name) {
    return std::to_string(tid) + " (" + (name.size() ? name.cStr() : "gone") + ")";
}

int switches(MonitorConnection& c, bool as_json, std::optional<uint32_t> limit) {
    auto request = c.monitor().switchesRequest();
    request.setLimit(limit.value_or(as_json ? 0 : 32));
    auto response = c.wait(request.send());
    if (as_json) {
        JsonWriter json;
        json.begin_object().key("cpus").begin_array();
        for (auto cpu : response.getCpus()) {
            json.begin_object();
            json.field("cpu", cpu.getCpu());
            json.field("torn", cpu.getTorn());
            json.key("problem");
            if (cpu.getProblem().size()) json.value(std::string_view(cpu.getProblem().cStr()));
            else json.null();
            json.field("current_tid", cpu.getCurrentTid());
            json.field("current_name", std::string_view(cpu.getCurrentName().cStr()));
            json.field("context_switches", cpu.getContextSwitches());
            json.field("interrupts", cpu.getInterrupts());
            json.field("switch_count", cpu.getSwitchCount());
            json.key("records").begin_array();
            for (auto r : cpu.getRecords()) {
                json.begin_object();
                json.field("tsc", r.getTsc());
                json.field("time_ns", r.getTimeNs());
                json.field("from_tid", r.getFromTid());
                json.field("from_name", std::string_view(r.getFromName().cStr()));
                json.field("to_tid", r.getToTid());
                json.field("to_name", std::string_view(r.getToName().cStr()));
                json.field("reason", reason_name(r.getReason()));
                json.end_object();
            }
            json.end_array();
            json.end_object();
        }
        json.end_array();
        snapshot_json(json, response.getSnapshot());
        json.end_object();
        std::puts(json.text().c_str());
        return 0;
    }
    for (auto cpu : response.getCpus()) {
        if (cpu.getTorn()) {
            std::printf("cpu %u: torn (%s)\n", cpu.getCpu(), cpu.getProblem().cStr());
            continue;
        }
        std::printf("cpu %u: running %s; %" PRIu64 " context switches, %" PRIu64 " interrupts; the last %u of %" PRIu64
                    " records:\n",
            cpu.getCpu(), thread_label(cpu.getCurrentTid(), cpu.getCurrentName()).c_str(), cpu.getContextSwitches(),
            cpu.getInterrupts(), cpu.getRecords().size(), cpu.getSwitchCount());
        std::printf("  %14s  %-22s    %-22s  %s\n", "TIME (s)", "FROM", "TO", "REASON");
        for (auto r : cpu.getRecords())
            std::printf("  %14s  %-22s -> %-22s  %s\n", seconds(r.getTimeNs()).c_str(),
                        thread_label(r.getFromTid(), r.getFromName()).c_str(),
                        thread_label(r.getToTid(), r.getToName()).c_str(), reason_name(r.getReason()));
    }
    snapshot_text(response.getSnapshot());
    return 0;
}

// fsBitmaps' kinds: the JSON names, and the words of the summary.
struct KindNames {
    rpc::FsDisagreementKind kind;
    char const* json;
    char const* singular;
    char const* plural;
};
constexpr KindNames kKindNames[] = {
    { rpc::FsDisagreementKind::BLOCK_USED_BUT_FREE, "block_used_but_free", "block used but free",
      "blocks used but free" },
    { rpc::FsDisagreementKind::BLOCK_LEAKED, "block_leaked", "leaked block", "leaked blocks" },
    { rpc::FsDisagreementKind::BLOCK_MULTIPLY_CLAIMED, "block_multiply_claimed", "block claimed twice",
      "blocks claimed twice" },
    { rpc::FsDisagreementKind::INODE_USED_BUT_FREE, "inode_used_but_free", "inode used but free",
      "inodes used but free" },
    { rpc::FsDisagreementKind::INODE_MARKED_BUT_UNUSED, "inode_marked_but_unused", "inode marked but unused",
      "inodes marked but unused" },
    { rpc::FsDisagreementKind::BAD_BLOCK_POINTER, "bad_block_pointer", "bad block pointer", "bad block pointers" },
    { rpc::FsDisagreementKind::GROUP_FREE_BLOCKS, "group_free_blocks", "group free-block count",
      "group free-block counts" },
    { rpc::FsDisagreementKind::GROUP_FREE_INODES, "group_free_inodes", "group free-inode count",
      "group free-inode counts" },
};

KindNames const& kind_names(rpc::FsDisagreementKind kind) {
    for (KindNames const& names : kKindNames)
        if (names.kind == kind) return names;
    return kKindNames[5]; // an unknown kind from a newer server: a bad pointer is the closest
}

uint64_t kind_count(rpc::FsDisagreementCounts::Reader counts, rpc::FsDisagreementKind kind) {
    switch (kind) {
    case rpc::FsDisagreementKind::BLOCK_USED_BUT_FREE: return counts.getBlockUsedButFree();
    case rpc::FsDisagreementKind::BLOCK_LEAKED: return counts.getBlockLeaked();
    case rpc::FsDisagreementKind::BLOCK_MULTIPLY_CLAIMED: return counts.getBlockMultiplyClaimed();
    case rpc::FsDisagreementKind::INODE_USED_BUT_FREE: return counts.getInodeUsedButFree();
    case rpc::FsDisagreementKind::INODE_MARKED_BUT_UNUSED: return counts.getInodeMarkedButUnused();
    case rpc::FsDisagreementKind::BAD_BLOCK_POINTER: return counts.getBadBlockPointer();
    case rpc::FsDisagreementKind::GROUP_FREE_BLOCKS: return counts.getGroupFreeBlocks();
    case rpc::FsDisagreementKind::GROUP_FREE_INODES: return counts.getGroupFreeInodes();
    }
    return 0;
}

// Linux's dev_t encoding (new_decode_dev).
uint32_t dev_major(uint64_t dev) { return uint32_t(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull)); }
uint32_t dev_minor(uint64_t dev) { return uint32_t((dev & 0xff) | ((dev >> 12) & ~0xffull)); }

void owner_json(JsonWriter& json, char const* key, rpc::FsBlockOwner::Reader owner) {
    json.key(key);
    if (!owner.getRole().size()) {
        json.null();
        return;
    }
    json.begin_object();
    json.field("role", std::string_view(owner.getRole().cStr()));
    json.field("inode", owner.getInode());
    json.field("logical", owner.getLogical());
    json.field("group", owner.getGroup());
    json.end_object();
}

int fs_bitmaps(MonitorConnection& c, bool as_json, std::optional<uint32_t> limit) {
    auto request = c.monitor().fsBitmapsRequest();
    request.setLimit(limit.value_or(0));
    auto response = c.wait(request.send());
    if (as_json) {
        JsonWriter json;
        json.begin_object().key("filesystems").begin_array();
        for (auto fs : response.getFilesystems()) {
            json.begin_object();
            json.field("slot", fs.getSlot());
            json.field("dev", fs.getDev());
            json.field("dev_major", dev_major(fs.getDev()));
            json.field("dev_minor", dev_minor(fs.getDev()));
            json.field("type", std::string_view(fs.getType().cStr()));
            json.field("mount_point", std::string_view(fs.getMountPoint().cStr()));
            json.field("read_only", fs.getReadOnly());
            json.field("torn", fs.getTorn());
            json.key("problem");
            if (fs.getProblem().size()) json.value(std::string_view(fs.getProblem().cStr()));
            else json.null();
            json.field("busy", fs.getBusy());
            json.field("changes", fs.getChanges());
            json.field("dirty_blocks", fs.getDirtyBlocks());
            json.field("checked", fs.getChecked());
            json.field("complete", fs.getComplete());
            json.field("block_size", fs.getBlockSize());
            json.field("groups", fs.getGroups());
            json.field("blocks", fs.getBlocks());
            json.field("blocks_used", fs.getBlocksUsed());
            json.field("inodes", fs.getInodes());
            json.field("inodes_used", fs.getInodesUsed());
            json.field("super_free_blocks", fs.getSuperFreeBlocks());
            json.field("super_free_inodes", fs.getSuperFreeInodes());
            json.field("disagreements", fs.getDisagreements());
            json.key("counts").begin_object();
            for (KindNames const& names : kKindNames) json.field(names.json, kind_count(fs.getCounts(), names.kind));
            json.end_object();
            json.key("items").begin_array();
            for (auto item : fs.getItems()) {
                json.begin_object();
                json.field("kind", kind_names(item.getKind()).json);
                json.field("block", item.getBlock());
                json.field("inode", item.getInode());
                json.field("group", item.getGroup());
                owner_json(json, "owner", item.getOwner());
                owner_json(json, "other", item.getOther());
                json.field("recorded", item.getRecorded());
                json.field("counted", item.getCounted());
                json.field("text", std::string_view(item.getText().cStr()));
                json.end_object();
            }
            json.end_array();
            json.key("notes").begin_array();
            for (auto note : fs.getNotes()) json.value(std::string_view(note.cStr()));
            json.end_array();
            json.field("note_count", fs.getNoteCount());
            json.field("check_ns", fs.getCheckNs());
            json.end_object();
        }
        json.end_array();
        snapshot_json(json, response.getSnapshot());
        json.end_object();
        std::puts(json.text().c_str());
        return 0;
    }
    if (response.getFilesystems().size() == 0) std::puts("no ext2/ext3/ext4 file system is mounted");
    for (auto fs : response.getFilesystems()) {
        if (fs.getTorn()) {
            std::printf("mount slot %u: torn (%s)\n", fs.getSlot(), fs.getProblem().cStr());
            continue;
        }
        std::printf("%s: %s on %u:%u%s", fs.getMountPoint().size() ? fs.getMountPoint().cStr() : "(not yet placed)",
                    fs.getType().cStr(), dev_major(fs.getDev()), dev_minor(fs.getDev()), fs.getReadOnly() ? ", ro" : "");
        if (fs.getChecked())
            std::printf(", %u-byte blocks, %u groups\n", fs.getBlockSize(), fs.getGroups());
        else
            std::printf("\n");
        if (fs.getProblem().size()) {
            std::printf("  not checked: %s\n", fs.getProblem().cStr());
            continue;
        }
        std::printf("  blocks %" PRIu64 ", %" PRIu64 " used in the bitmaps (the superblock counts %" PRIu64
                    " free); inodes %u, %" PRIu64 " used (%" PRIu64 " free)\n",
                    fs.getBlocks(), fs.getBlocksUsed(), fs.getSuperFreeBlocks(), fs.getInodes(), fs.getInodesUsed(),
                    fs.getSuperFreeInodes());
        std::printf("  %u unwritten block%s overlaid on the image; %" PRIu64 " metadata change%s so far; checked in %s\n",
                    fs.getDirtyBlocks(), fs.getDirtyBlocks() == 1 ? "" : "s", fs.getChanges(),
                    fs.getChanges() == 1 ? "" : "s", duration(fs.getCheckNs()).c_str());
        if (fs.getBusy())
            std::printf("  A METADATA CHANGE WAS IN FLIGHT: what follows may be its half-done work, not corruption\n");
        uint64_t const total = fs.getDisagreements();
        if (total == 0) {
            std::printf("  no disagreements\n");
        } else {
            std::string summary;
            for (KindNames const& names : kKindNames) {
                uint64_t const n = kind_count(fs.getCounts(), names.kind);
                if (!n) continue;
                summary += (summary.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? names.singular : names.plural);
            }
            std::printf("  %" PRIu64 " disagreement%s: %s\n", total, total == 1 ? "" : "s", summary.c_str());
            for (auto item : fs.getItems()) std::printf("    %s\n", item.getText().cStr());
            if (total > fs.getItems().size())
                std::printf("    (%" PRIu64 " more not listed: --limit N)\n", total - fs.getItems().size());
        }
        if (!fs.getComplete()) std::printf("  the check is incomplete (see the notes)\n");
        for (auto note : fs.getNotes()) std::printf("  note: %s\n", note.cStr());
        if (fs.getNoteCount() > fs.getNotes().size())
            std::printf("  (%" PRIu64 " more notes)\n", fs.getNoteCount() - fs.getNotes().size());
    }
    snapshot_text(response.getSnapshot());
    return 0;
}

int memory(MonitorConnection& c, bool as_json, uint64_t address, uint32_t length) {
    auto request = c.monitor().readMemoryRequest();
    request.setGpa(address);
    request.setLength(length);
    auto response = c.wait(request.send());
    auto data = response.getData();
    if (as_json) {
        std::string hex_text;
        char pair[3];
        for (uint8_t byte : data) {
            std::snprintf(pair, sizeof(pair), "%02x", byte);
            hex_text += pair;
        }
        JsonWriter json;
        json.begin_object()
            .field("gpa", address)
            .field("length", uint64_t(data.size()))
            .field("hex", hex_text)
            .end_object();
        std::puts(json.text().c_str());
        return 0;
    }
    for (size_t line = 0; line < data.size(); line += 16) {
        std::printf("%016" PRIx64 " ", address + line);
        for (size_t i = line; i < line + 16; i++) {
            if (i % 8 == 0) std::putchar(' ');
            if (i < data.size()) std::printf("%02x ", data[i]);
            else std::fputs("   ", stdout);
        }
        std::fputs(" |", stdout);
        for (size_t i = line; i < line + 16 && i < data.size(); i++)
            std::putchar(data[i] >= 0x20 && data[i] < 0x7f ? data[i] : '.');
        std::puts("|");
    }
    return 0;
}

int pause(MonitorConnection& c, bool as_json) {
    auto response = c.wait(c.monitor().pauseRequest().send());
    if (as_json) {
        JsonWriter json;
        json.begin_object()
            .field("paused", true)
            .field("latency_ns", response.getLatencyNs())
            .field("already_paused", response.getAlreadyPaused())
            .end_object();
        std::puts(json.text().c_str());
    } else if (response.getAlreadyPaused()) {
        std::puts("already paused");
    } else {
        std::printf("paused (stopping the vCPU took %s)\n", duration(response.getLatencyNs()).c_str());
    }
    return 0;
}

int resume(MonitorConnection& c, bool as_json) {
    auto response = c.wait(c.monitor().resumeRequest().send());
    if (as_json) {
        JsonWriter json;
        json.begin_object()
            .field("resumed", response.getWasPaused())
            .field("paused_ns", response.getPausedNs())
            .end_object();
        std::puts(json.text().c_str());
    } else if (!response.getWasPaused()) {
        std::puts("was not paused");
    } else {
        std::printf("resumed after %s paused\n", duration(response.getPausedNs()).c_str());
    }
    return 0;
}

// Prints each event as it arrives.
class Printer final : public rpc::Listener::Server {
public:
    explicit Printer(bool as_json) : m_json(as_json) { }

protected:
    kj::Promise<void> event(EventContext context) override {
        auto e = context.getParams().getEvent();
        if (m_json) {
            JsonWriter json;
            json.begin_object();
            json.field("kind", kind_name(e.getKind()));
            json.field("sequence", e.getSequence());
            json.field("tid", e.getTid());
            json.field("name", std::string_view(e.getName().cStr()));
            json.field("value", e.getValue());
            json.field("text", std::string_view(e.getText().cStr()));
            json.field("time_ns", e.getTimeNs());
            json.field("watermark_percent", e.getWatermarkPercent());
            json.field("from_guest", e.getFromGuest());
            json.end_object();
            std::puts(json.text().c_str());
        } else if (e.getKind() == rpc::EventKind::VM_EXITED) {
            std::printf("vm-exited: aramid-vmm status %" PRIu64 " (%s)\n", e.getValue(), e.getText().cStr());
        } else {
            std::string who;
            if (e.getTid() || e.getName().size()) who = "thread " + thread_label(e.getTid(), e.getName());
            std::string text = e.getText().cStr();
            switch (e.getKind()) {
            case rpc::EventKind::THREAD_CREATED:
                text = e.getValue() ? "pid " + std::to_string(e.getValue()) : "";
                break;
            case rpc::EventKind::THREAD_EXITED: text.clear(); break;
            case rpc::EventKind::CANARY_BROKEN:
                if (e.getFromGuest()) text = "caught at a context switch";
                break;
            case rpc::EventKind::STACK_OVERFLOW: text = "fault at " + hex(e.getValue()) + " in the guard page"; break;
            case rpc::EventKind::UNKNOWN_SYSCALL:
                text = "syscall " + std::to_string(e.getValue())
                    + (text.empty() || text == "?" ? "" : " (" + text + ")");
                break;
            default: break;
            }
            std::string line = who;
            if (!text.empty()) line += (line.empty() ? "" : ": ") + text;
            std::printf("[%14s] %-20s %s\n", e.getTimeNs() ? seconds(e.getTimeNs()).c_str() : "-",
                kind_name(e.getKind()), line.c_str());
        }
        std::fflush(stdout);
        return kj::READY_NOW;
    }

private:
    bool m_json;
};

int watch(MonitorConnection& c, bool as_json, uint8_t threshold, bool replay) {
    auto request = c.monitor().watchRequest();
    request.setListener(kj::heap<Printer>(as_json));
    request.setWatermarkThresholdPercent(threshold);
    request.setReplay(replay);
    c.wait(request.send());
    std::fprintf(stderr, "aramid-mon: watching (stack watermark threshold %u%%); ^C to stop\n",
                 threshold ? threshold : rpc::DEFAULT_WATERMARK_THRESHOLD_PERCENT);
    // Until the VMM closes the connection: the VM has ended.
    c.on_disconnect().catch_([](kj::Exception&&) { }).wait(c.wait_scope());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    Arguments arguments;
    try {
        arguments = parse(argc, argv);
    } catch (UsageError const& e) {
        std::fprintf(stderr, "aramid-mon: %s (see --help)\n", e.what());
        return 2;
    }
    if (arguments.command == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    try {
        MonitorConnection connection(arguments.socket, arguments.protocol);
        std::string const& command = arguments.command;
        bool const json = arguments.json;
        if (command == "info") return info(connection, json);
        if (command == "tasks") return tasks(connection, json);
        if (command == "stacks") return stacks(connection, json);
        if (command == "switches") return switches(connection, json, arguments.limit);
        if (command == "fs-bitmaps") return fs_bitmaps(connection, json, arguments.limit);
        if (command == "mem") return memory(connection, json, arguments.address, arguments.length);
        if (command == "pause") return pause(connection, json);
        if (command == "resume") return resume(connection, json);
        if (command == "watch") return watch(connection, json, arguments.threshold, arguments.replay);
    } catch (UsageError const& e) {
        std::fprintf(stderr, "aramid-mon: %s (see --help)\n", e.what());
        return 2;
    } catch (ClientError const& e) {
        std::fprintf(stderr, "aramid-mon: %s\n", e.what());
        return 1;
    } catch (kj::Exception const& e) {
        std::fprintf(stderr, "aramid-mon: %s\n", e.getDescription().cStr());
        return 1;
    } catch (std::exception const& e) {
        std::fprintf(stderr, "aramid-mon: %s\n", e.what());
        return 1;
    }
    return 2;
}
