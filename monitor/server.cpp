#include <monitor/server.h>

#include <monitor/ext4_check.h>

#include <vmm/kvm/guest_memory.h>
#include <vmm/util/error.h>
#include <vmm/util/fd.h>

#include "monitor.capnp.h"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <cstdio>
#include <cstring>
#include <map>
#include <utility>
#include <set>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace aramid::monitor {

namespace dt = aramid::debug;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kPollInterval = 20 * kj::MILLISECONDS;
// A watcher's next event stuck "being written" for this many polls (the
// guest is paused mid-write, or the record is garbage) is skipped as torn.
constexpr unsigned kStalledPolls = 50;
constexpr uint32_t kEventsPerPoll = 256;
// Listener calls not yet answered, per watcher; beyond it the watcher is
// too slow and further events are counted as lost.
constexpr unsigned kMaxInFlight = 1024;
constexpr size_t kMaxRememberedNames = 8192;
// fsBitmaps: disagreements listed per file system when the client does not
// say, and the most it may ask for.
constexpr uint32_t kDefaultFsItems = 64;
constexpr uint32_t kMaxFsItems = 100000;

uint64_t nanoseconds(Clock::duration d) {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

kj::Exception failure(std::string const& message) {
    return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__, kj::heapString(message.c_str()));
}

// Runs `body` and turns a C++ exception into a failed call with its message.
template<typename Body>
kj::Promise<void> answer(Body&& body) {
    try {
        body();
        return kj::READY_NOW;
    } catch (kj::Exception& e) {
        return kj::mv(e);
    } catch (std::exception const& e) {
        return failure(e.what());
    }
}

rpc::TaskState task_state(uint32_t state) {
    switch (dt::ThreadState(state)) {
    case dt::ThreadState::Runnable: return rpc::TaskState::RUNNABLE;
    case dt::ThreadState::Running: return rpc::TaskState::RUNNING;
    case dt::ThreadState::Blocked: return rpc::TaskState::BLOCKED;
    case dt::ThreadState::Dead: return rpc::TaskState::DEAD;
    case dt::ThreadState::Free: break;
    }
    return rpc::TaskState::UNKNOWN;
}

rpc::SwitchReason switch_reason(uint32_t reason) {
    switch (dt::SwitchReason(reason)) {
    case dt::SwitchReason::Yield: return rpc::SwitchReason::YIELD;
    case dt::SwitchReason::Block: return rpc::SwitchReason::BLOCK;
    case dt::SwitchReason::Preempt: return rpc::SwitchReason::PREEMPT;
    case dt::SwitchReason::Exit: return rpc::SwitchReason::EXIT;
    case dt::SwitchReason::Start: break; // only ever a predecessor, never a record shown
    }
    return rpc::SwitchReason::UNKNOWN;
}

rpc::EventKind event_kind(uint32_t kind) {
    switch (dt::EventKind(kind)) {
    case dt::EventKind::ThreadCreated: return rpc::EventKind::THREAD_CREATED;
    case dt::EventKind::ThreadExited: return rpc::EventKind::THREAD_EXITED;
    case dt::EventKind::CanaryBroken: return rpc::EventKind::CANARY_BROKEN;
    case dt::EventKind::Panic: return rpc::EventKind::PANIC;
    case dt::EventKind::UnknownSyscall: return rpc::EventKind::UNKNOWN_SYSCALL;
    case dt::EventKind::StackOverflow: return rpc::EventKind::STACK_OVERFLOW;
    }
    return rpc::EventKind::UNKNOWN;
}

// The kinds whose text is the thread's name (debug_table.cpp).
bool text_is_thread_name(uint32_t kind) {
    switch (dt::EventKind(kind)) {
    case dt::EventKind::ThreadCreated:
    case dt::EventKind::ThreadExited:
    case dt::EventKind::CanaryBroken:
    case dt::EventKind::StackOverflow: return true;
    default: return false;
    }
}

void fill_task(rpc::Task::Builder task, ThreadInfo const& thread) {
    task.setSlot(thread.slot);
    task.setTorn(thread.torn);
    task.setProblem(thread.problem);
    if (thread.torn) return;
    task.setTid(thread.tid);
    task.setPid(thread.pid);
    task.setName(thread.name);
    task.setState(task_state(thread.state));
    task.setCpu(thread.cpu);
    task.setSwitches(thread.switches);
}

void fill_owner(rpc::FsBlockOwner::Builder builder, BlockOwner const& owner) {
    if (owner.role != BlockRole::None) builder.setRole(block_role_name(owner.role));
    builder.setInode(owner.inode);
    builder.setLogical(owner.logical);
    builder.setGroup(owner.group);
}

rpc::FsDisagreementKind disagreement_kind(Disagreement kind) {
    switch (kind) {
    case Disagreement::BlockUsedButFree: return rpc::FsDisagreementKind::BLOCK_USED_BUT_FREE;
    case Disagreement::BlockLeaked: return rpc::FsDisagreementKind::BLOCK_LEAKED;
    case Disagreement::BlockMultiplyClaimed: return rpc::FsDisagreementKind::BLOCK_MULTIPLY_CLAIMED;
    case Disagreement::InodeUsedButFree: return rpc::FsDisagreementKind::INODE_USED_BUT_FREE;
    case Disagreement::InodeMarkedButUnused: return rpc::FsDisagreementKind::INODE_MARKED_BUT_UNUSED;
    case Disagreement::BadBlockPointer: return rpc::FsDisagreementKind::BAD_BLOCK_POINTER;
    case Disagreement::GroupFreeBlocks: return rpc::FsDisagreementKind::GROUP_FREE_BLOCKS;
    case Disagreement::GroupFreeInodes: return rpc::FsDisagreementKind::GROUP_FREE_INODES;
    }
    return rpc::FsDisagreementKind::BAD_BLOCK_POINTER;
}

void fill_check(rpc::FsReport::Builder fs, CheckReport const& report) {
    if (!report.error.empty()) {
        fs.setProblem(report.error);
        return;
    }
    fs.setChecked(true);
    fs.setComplete(report.complete);
    fs.setBlockSize(report.block_size);
    fs.setGroups(report.groups);
    fs.setBlocks(report.blocks);
    fs.setBlocksUsed(report.blocks_used);
    fs.setInodes(report.inodes);
    fs.setInodesUsed(report.inodes_used);
    fs.setSuperFreeBlocks(report.super_free_blocks);
    fs.setSuperFreeInodes(report.super_free_inodes);
    auto counts = fs.initCounts();
    counts.setBlockUsedButFree(report.count(Disagreement::BlockUsedButFree));
    counts.setBlockLeaked(report.count(Disagreement::BlockLeaked));
    counts.setBlockMultiplyClaimed(report.count(Disagreement::BlockMultiplyClaimed));
    counts.setInodeUsedButFree(report.count(Disagreement::InodeUsedButFree));
    counts.setInodeMarkedButUnused(report.count(Disagreement::InodeMarkedButUnused));
    counts.setBadBlockPointer(report.count(Disagreement::BadBlockPointer));
    counts.setGroupFreeBlocks(report.count(Disagreement::GroupFreeBlocks));
    counts.setGroupFreeInodes(report.count(Disagreement::GroupFreeInodes));
    fs.setDisagreements(report.disagreements());
    auto items = fs.initItems(unsigned(report.items.size()));
    for (size_t i = 0; i < report.items.size(); i++) {
        DisagreementItem const& from = report.items[i];
        auto item = items[unsigned(i)];
        item.setKind(disagreement_kind(from.kind));
        item.setBlock(from.block);
        item.setInode(from.inode);
        item.setGroup(from.group);
        fill_owner(item.initOwner(), from.owner);
        fill_owner(item.initOther(), from.other);
        item.setRecorded(from.recorded);
        item.setCounted(from.counted);
        item.setText(from.text);
    }
    auto notes = fs.initNotes(unsigned(report.notes.size()));
    for (size_t i = 0; i < report.notes.size(); i++) notes.set(unsigned(i), report.notes[i]);
    fs.setNoteCount(report.note_count);
}

void fill_frame(rpc::Frame::Builder builder, Frame const& frame) {
    builder.setAddress(frame.address);
    builder.setSymbol(frame.symbol);
    builder.setOffset(frame.offset);
}

// Binds and listens on `path`, returning the descriptor. A leftover socket
// nobody listens on (an aramid-vmm that was killed) is replaced; anything
// else there is an error.
int listen_on(std::string const& path) {
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(address.sun_path))
        throw vmm::VmmError("--monitor: socket path must be 1-" + std::to_string(sizeof(address.sun_path) - 1)
                            + " bytes long");
    std::memcpy(address.sun_path, path.c_str(), path.size());
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) throw vmm::VmmError("--monitor: '" + path + "' exists and is not a socket");
        vmm::Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (probe.valid() && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0)
            throw vmm::VmmError("--monitor: '" + path + "' is in use (another aramid-vmm serves it)");
        ::unlink(path.c_str());
    }
    vmm::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) vmm::throw_errno("--monitor: socket");
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) < 0)
        vmm::throw_errno("--monitor: cannot bind '" + path + "'");
    if (::listen(fd.get(), 16) < 0) {
        int const error = errno;
        ::unlink(path.c_str());
        errno = error;
        vmm::throw_errno("--monitor: cannot listen on '" + path + "'");
    }
    // Handed over as a plain descriptor: the server thread's KJ loop owns it.
    int const owned = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0);
    if (owned < 0) vmm::throw_errno("--monitor: dup");
    return owned;
}

} // namespace

// ---- the server thread's state

class Server::Core final : private kj::TaskSet::ErrorHandler {
public:
    Core(Target& target, kj::Timer& timer, std::string vmm_version)
        : m_target(target), m_timer(timer), m_vmm_version(std::move(vmm_version)), m_tasks(*this) { }
    ~Core() {
        // Listener capabilities go before the connections they came from.
        m_watchers.clear();
    }

    Target& target() { return m_target; }
    std::string const& vmm_version() const { return m_vmm_version; }

    void listen(kj::Own<kj::ConnectionReceiver> receiver) {
        m_receiver = kj::mv(receiver);
        m_tasks.add(accept_loop());
    }

    kj::Promise<void> until_stopped() {
        auto paf = kj::newPromiseAndFulfiller<void>();
        m_stop = kj::mv(paf.fulfiller);
        return kj::mv(paf.promise);
    }
    void stop() {
        m_finished = true;
        m_stop->fulfill();
    }

    // ---- methods
    void info(rpc::Info::Builder info);
    void tasks(rpc::Monitor::TasksResults::Builder results);
    void stacks(rpc::Monitor::StacksResults::Builder results);
    void switches(uint32_t limit, rpc::Monitor::SwitchesResults::Builder results);
    void read_memory(uint64_t gpa, uint32_t length, rpc::Monitor::ReadMemoryResults::Builder results);
    void pause(rpc::Monitor::PauseResults::Builder results);
    void resume(rpc::Monitor::ResumeResults::Builder results);
    void watch(uint64_t connection, rpc::Listener::Client listener, uint8_t threshold, bool replay);
    void fs_bitmaps(uint32_t limit, rpc::Monitor::FsBitmapsResults::Builder results);

    void hold_at_start() {
        PauseOutcome const outcome = m_target.pause();
        if (!outcome.paused) throw vmm::VmmError("--paused: cannot hold the vCPU: " + outcome.error);
        m_user_paused = true;
        m_user_paused_at = Clock::now();
    }

    kj::Promise<void> finish(int status, std::string const& reason, std::chrono::milliseconds grace);

private:
    struct Watcher {
        Watcher(uint64_t connection_, rpc::Listener::Client listener_, double threshold_, uint64_t next_event_)
            : connection(connection_), listener(kj::mv(listener_)), threshold(threshold_), next_event(next_event_) { }
        uint64_t connection;
        rpc::Listener::Client listener;
        double threshold;
        uint64_t next_event;
        unsigned stalled_polls { 0 };
        unsigned in_flight { 0 };
        uint64_t dropped { 0 }; // events not sent because too many were in flight
        std::set<uint32_t> watermark_reported;
        std::set<uint32_t> canary_reported;
    };

    // The RPC plumbing of one client connection.
    struct Connection {
        Connection(Core& core, uint64_t id, kj::Own<kj::AsyncIoStream>&& stream_);
        kj::Own<kj::AsyncIoStream> stream;
        capnp::TwoPartyVatNetwork network;
        capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
    };

    // Pauses the vCPU for one consistent read, and reports how in `Snapshot`.
    class SnapshotScope {
    public:
        explicit SnapshotScope(Core& core) : m_core(core) {
            if (m_core.m_target.stopped()) return;
            m_outcome = m_core.m_target.pause();
            m_held_since = Clock::now();
        }
        ~SnapshotScope() {
            if (m_outcome.paused) m_core.m_target.resume();
        }
        std::optional<VcpuContext> vcpu() const { return m_outcome.vcpu; }
        void fill(rpc::Snapshot::Builder snapshot) const {
            bool const stopped = m_core.m_target.stopped();
            snapshot.setPaused(m_outcome.paused);
            snapshot.setPauseLatencyNs(nanoseconds(m_outcome.latency));
            if (m_outcome.paused) snapshot.setHeldNs(nanoseconds(Clock::now() - m_held_since));
            snapshot.setVmStopped(stopped);
            if (!m_outcome.paused && !stopped)
                snapshot.setNote("read while the guest ran: "
                    + (m_outcome.error.empty() ? std::string("not paused") : m_outcome.error));
        }

    private:
        Core& m_core;
        PauseOutcome m_outcome;
        Clock::time_point m_held_since;
    };

    void taskFailed(kj::Exception&& exception) override {
        if (exception.getType() == kj::Exception::Type::DISCONNECTED) return;
        std::fprintf(stderr, "aramid-vmm: monitor: %s\n", exception.getDescription().cStr());
    }

    kj::Promise<void> accept_loop();
    void drop_connection(uint64_t id);
    DebugTableReader reader() const { return DebugTableReader(m_target.memory(), m_target.debug_table_gpa()); }
    SymbolTable const& symbols(DebugTableReader const& reader);
    // The live threads' names (and remembers them).
    std::map<uint32_t, std::string> thread_names(DebugTableReader const& reader);
    std::string event_thread_name(DebugTableReader const& reader, std::vector<EventInfo> const& batch, size_t index,
                                  std::optional<std::map<uint32_t, std::string>>& live);
    void remember_name(uint32_t tid, std::string const& name);

    void start_polling();
    kj::Promise<void> poll_loop();
    void poll(bool final);
    void poll_events(DebugTableReader const& reader, uint64_t id, Watcher& watcher, bool final);
    // Sends one event to watcher `id`; `fill` writes it.
    template<typename Fill>
    void send(uint64_t id, Watcher& watcher, Fill&& fill);

    Target& m_target;
    kj::Timer& m_timer;
    std::string m_vmm_version;
    kj::Own<kj::PromiseFulfiller<void>> m_stop;
    kj::Own<kj::ConnectionReceiver> m_receiver;
    kj::TaskSet m_tasks;
    uint64_t m_next_connection { 1 };
    uint64_t m_next_watcher { 1 };
    std::map<uint64_t, Watcher> m_watchers;
    bool m_polling { false };
    uint64_t m_polls { 0 };
    uint64_t m_poll_ns { 0 };
    bool m_finished { false };
    bool m_user_paused { false };
    Clock::time_point m_user_paused_at;
    std::map<uint32_t, std::string> m_names; // the last name seen for each thread, for events that outlive it
    std::optional<SymbolTable> m_symbols;
    std::pair<uint64_t, uint64_t> m_symbols_key { 0, 0 };
};

namespace {

// Inside the generated classes `Server` is their own name.
using ServerCore = aramid::monitor::Server::Core;

class MonitorImpl final : public rpc::Monitor::Server {
public:
    MonitorImpl(ServerCore& core, uint64_t connection) : m_core(core), m_connection(connection) { }

    kj::Promise<void> info(InfoContext context) override {
        return answer([&] { m_core.info(context.getResults().initInfo()); });
    }
    kj::Promise<void> tasks(TasksContext context) override {
        return answer([&] { m_core.tasks(context.getResults()); });
    }
    kj::Promise<void> stacks(StacksContext context) override {
        return answer([&] { m_core.stacks(context.getResults()); });
    }
    kj::Promise<void> switches(SwitchesContext context) override {
        return answer([&] { m_core.switches(context.getParams().getLimit(), context.getResults()); });
    }
    kj::Promise<void> readMemory(ReadMemoryContext context) override {
        auto params = context.getParams();
        return answer([&] { m_core.read_memory(params.getGpa(), params.getLength(), context.getResults()); });
    }
    kj::Promise<void> pause(PauseContext context) override {
        return answer([&] { m_core.pause(context.getResults()); });
    }
    kj::Promise<void> resume(ResumeContext context) override {
        return answer([&] { m_core.resume(context.getResults()); });
    }
    kj::Promise<void> fsBitmaps(FsBitmapsContext context) override {
        return answer([&] { m_core.fs_bitmaps(context.getParams().getLimit(), context.getResults()); });
    }
    kj::Promise<void> watch(WatchContext context) override {
        auto params = context.getParams();
        return answer([&] {
            m_core.watch(m_connection, params.getListener(), params.getWatermarkThresholdPercent(), params.getReplay());
        });
    }

private:
    ServerCore& m_core;
    uint64_t m_connection;
};

class GateImpl final : public rpc::Gate::Server {
public:
    GateImpl(ServerCore& core, uint64_t connection) : m_core(core), m_connection(connection) { }

    kj::Promise<void> open(OpenContext context) override {
        auto results = context.getResults();
        results.setServerProtocol(rpc::PROTOCOL_VERSION);
        results.setVmmVersion(m_core.vmm_version());
        if (context.getParams().getClientProtocol() == rpc::PROTOCOL_VERSION)
            results.setMonitor(kj::heap<MonitorImpl>(m_core, m_connection));
        return kj::READY_NOW;
    }

private:
    ServerCore& m_core;
    uint64_t m_connection;
};

} // namespace

Server::Core::Connection::Connection(Core& core, uint64_t id, kj::Own<kj::AsyncIoStream>&& stream_)
    : stream(kj::mv(stream_))
    , network(*stream, capnp::rpc::twoparty::Side::SERVER)
    , rpc(capnp::makeRpcServer(network, kj::heap<GateImpl>(core, id))) { }

kj::Promise<void> Server::Core::accept_loop() {
    return m_receiver->accept().then([this](kj::Own<kj::AsyncIoStream>&& stream) {
        uint64_t const id = m_next_connection++;
        auto connection = kj::heap<Connection>(*this, id, kj::mv(stream));
        auto disconnected = connection->network.onDisconnect();
        // The watchers of the connection go first, then the connection.
        m_tasks.add(disconnected.then([this, id] { drop_connection(id); }).attach(kj::mv(connection)));
        return accept_loop();
    });
}

void Server::Core::drop_connection(uint64_t id) {
    for (auto it = m_watchers.begin(); it != m_watchers.end();) {
        if (it->second.connection == id) it = m_watchers.erase(it);
        else ++it;
    }
}

SymbolTable const& Server::Core::symbols(DebugTableReader const& reader) {
    std::pair<uint64_t, uint64_t> const key { reader.table().symbols, reader.table().symbols_size };
    if (!m_symbols || key != m_symbols_key) {
        m_symbols = reader.symbols();
        m_symbols_key = key;
    }
    return *m_symbols;
}

std::map<uint32_t, std::string> Server::Core::thread_names(DebugTableReader const& reader) {
    std::map<uint32_t, std::string> names;
    for (ThreadInfo const& thread : reader.threads()) {
        if (thread.torn) continue;
        names[thread.tid] = thread.name;
        remember_name(thread.tid, thread.name);
    }
    return names;
}

// ---- methods

void Server::Core::info(rpc::Info::Builder info) {
    vmm::GuestMemory const& memory = m_target.memory();
    info.setGuestRamBytes(memory.size());
    info.setUptimeNs(uint64_t(m_target.uptime().count()));
    info.setPaused(m_target.paused());
    info.setVmStopped(m_target.stopped());
    info.setWatchers(uint32_t(m_watchers.size()));
    info.setVmmVersion(m_vmm_version);
    info.setDebugTableGpa(m_target.debug_table_gpa());
    info.setPolls(m_polls);
    info.setPollNs(m_poll_ns);
    try {
        DebugTableReader const reader = this->reader();
        info.setKernelVersion(reader.kernel_version());
        info.setPlatform(reader.platform());
        info.setTscKhz(reader.table().tsc_khz);
        info.setCpuCount(reader.table().cpu_count);
        info.setEventCount(reader.event_count());
        info.setThreadSlots(reader.table().thread_capacity);
        MemoryInfo const stats = reader.memory_stats();
        auto memory_stats = info.initMemory();
        memory_stats.setTotalPages(stats.total_pages);
        memory_stats.setFreePages(stats.free_pages);
        memory_stats.setHeapBytes(stats.heap_bytes);
        memory_stats.setHeapAllocations(stats.heap_allocations);
        memory_stats.setHeapFrees(stats.heap_frees);
        memory_stats.setSlabPages(stats.slab_pages);
        memory_stats.setLargePages(stats.large_pages);
        memory_stats.setTorn(stats.torn);
        if (!stats.problem.empty()) info.setTableProblem(stats.problem);
    } catch (DecodeError const& e) {
        // What the VMM knows is still worth an answer: `info` works before boot.
        info.setTableProblem(e.what());
    }
}

void Server::Core::tasks(rpc::Monitor::TasksResults::Builder results) {
    SnapshotScope const scope(*this);
    DebugTableReader const reader = this->reader();
    auto const threads = reader.threads();
    auto list = results.initTasks(unsigned(threads.size()));
    for (size_t i = 0; i < threads.size(); i++) {
        fill_task(list[unsigned(i)], threads[i]);
        if (!threads[i].torn) remember_name(threads[i].tid, threads[i].name);
    }
    scope.fill(results.initSnapshot());
}

void Server::Core::stacks(rpc::Monitor::StacksResults::Builder results) {
    SnapshotScope const scope(*this);
    DebugTableReader const reader = this->reader();
    SymbolTable const& symbols = this->symbols(reader);
    auto const threads = reader.threads();
    auto list = results.initStacks(unsigned(threads.size()));
    for (size_t i = 0; i < threads.size(); i++) {
        StackInfo const info = reader.stack(threads[i], &symbols, scope.vcpu());
        auto stack = list[unsigned(i)];
        fill_task(stack.initTask(), info.thread);
        stack.setBaseVa(info.base_va);
        stack.setSizeBytes(info.size);
        stack.setWatermarkBytes(info.watermark);
        stack.setWatermarkPercent(info.watermark_percent);
        stack.setCanaryIntact(info.canary_intact);
        stack.setGuardPage(info.guard_page);
        stack.setHasContext(info.has_context);
        stack.setContextSource(info.context_source);
        if (info.has_context) fill_frame(stack.initSavedRip(), info.saved_rip);
        auto backtrace = stack.initBacktrace(unsigned(info.backtrace.size()));
        for (size_t f = 0; f < info.backtrace.size(); f++) fill_frame(backtrace[unsigned(f)], info.backtrace[f]);
        std::string problem = info.problem;
        if (problem.empty() && !symbols.problem().empty() && info.has_context)
            problem = "no symbols: " + symbols.problem();
        stack.setProblem(problem);
    }
    scope.fill(results.initSnapshot());
}

void Server::Core::switches(uint32_t limit, rpc::Monitor::SwitchesResults::Builder results) {
    SnapshotScope const scope(*this);
    DebugTableReader const reader = this->reader();
    auto const cpus = reader.cpus(limit, uint64_t(m_target.uptime().count()));
    auto const names = thread_names(reader);
    auto name_of = [&](uint32_t tid) {
        if (auto it = names.find(tid); it != names.end()) return it->second;
        auto it = m_names.find(tid); // a thread that has gone since
        return it == m_names.end() ? std::string() : it->second;
    };
    auto list = results.initCpus(unsigned(cpus.size()));
    for (size_t i = 0; i < cpus.size(); i++) {
        CpuInfo const& info = cpus[i];
        auto cpu = list[unsigned(i)];
        cpu.setCpu(info.index);
        cpu.setTorn(info.torn);
        cpu.setProblem(info.problem);
        if (info.torn) continue;
        cpu.setCurrentTid(info.current_tid);
        cpu.setCurrentName(name_of(info.current_tid));
        cpu.setContextSwitches(info.context_switches);
        cpu.setInterrupts(info.interrupts);
        cpu.setSwitchCount(info.switch_count);
        auto records = cpu.initRecords(unsigned(info.records.size()));
        for (size_t r = 0; r < info.records.size(); r++) {
            SwitchInfo const& s = info.records[r];
            auto record = records[unsigned(r)];
            record.setTsc(s.tsc);
            record.setTimeNs(s.time_ns);
            record.setFromTid(s.from_tid);
            record.setFromName(name_of(s.from_tid));
            record.setToTid(s.to_tid);
            record.setToName(name_of(s.to_tid));
            record.setReason(switch_reason(s.reason));
        }
    }
    scope.fill(results.initSnapshot());
}

void Server::Core::read_memory(uint64_t gpa, uint32_t length, rpc::Monitor::ReadMemoryResults::Builder results) {
    if (length > rpc::MAX_READ_LENGTH)
        throw DecodeError("readMemory: at most " + std::to_string(rpc::MAX_READ_LENGTH) + " bytes per call, not "
                          + std::to_string(length));
    auto bytes = m_target.memory().span(gpa, length);
    if (!bytes) {
        char range[80];
        std::snprintf(range, sizeof(range), "%#llx+%u", static_cast<unsigned long long>(gpa), length);
        throw DecodeError(std::string("readMemory: ") + range + " is outside guest RAM ("
                          + std::to_string(m_target.memory().size()) + " bytes)");
    }
    results.setData(kj::arrayPtr(bytes->data(), bytes->size()));
}

void Server::Core::pause(rpc::Monitor::PauseResults::Builder results) {
    if (m_user_paused) {
        results.setAlreadyPaused(true);
        return;
    }
    PauseOutcome const outcome = m_target.pause();
    if (outcome.stopped) throw DecodeError("the VM has stopped");
    if (!outcome.paused) throw DecodeError("cannot pause: " + outcome.error);
    m_user_paused = true;
    m_user_paused_at = Clock::now();
    results.setLatencyNs(nanoseconds(outcome.latency));
}

void Server::Core::resume(rpc::Monitor::ResumeResults::Builder results) {
    if (!m_user_paused) return;
    m_user_paused = false;
    m_target.resume();
    results.setWasPaused(true);
    results.setPausedNs(nanoseconds(Clock::now() - m_user_paused_at));
}

void Server::Core::watch(uint64_t connection, rpc::Listener::Client listener, uint8_t threshold, bool replay) {
    if (threshold > 100) throw DecodeError("watch: threshold " + std::to_string(threshold) + "% is over 100%");
    if (threshold == 0) threshold = rpc::DEFAULT_WATERMARK_THRESHOLD_PERCENT;
    uint64_t next_event = 1; // before the table exists every event is new
    if (m_target.debug_table_gpa() != 0) {
        DebugTableReader const reader = this->reader();
        uint64_t const count = reader.event_count();
        uint64_t const capacity = reader.table().event_capacity;
        next_event = replay ? (count > capacity ? count - capacity + 1 : 1) : count + 1;
    }
    m_watchers.emplace(std::piecewise_construct, std::forward_as_tuple(m_next_watcher++),
                       std::forward_as_tuple(connection, kj::mv(listener), double(threshold), next_event));
    start_polling();
}

void Server::Core::fs_bitmaps(uint32_t limit, rpc::Monitor::FsBitmapsResults::Builder results) {
    if (limit == 0) limit = kDefaultFsItems;
    limit = std::min(limit, kMaxFsItems);
    // Held for the whole check, not just the copy of the dirty blocks: a
    // guest let go would write some back, and the image read afterwards
    // would no longer be the instant the copy was taken.
    SnapshotScope const scope(*this);
    DebugTableReader const reader = this->reader();
    std::vector<MountInfo> const mounts = reader.mounts();
    ByteSource const* disk = m_target.disk();
    auto list = results.initFilesystems(unsigned(mounts.size()));
    for (size_t i = 0; i < mounts.size(); i++) {
        MountInfo const& mount = mounts[i];
        auto fs = list[unsigned(i)];
        fs.setSlot(mount.slot);
        fs.setTorn(mount.torn);
        if (mount.torn) {
            fs.setProblem(mount.problem);
            continue;
        }
        fs.setDev(mount.dev);
        fs.setType(mount.type);
        fs.setMountPoint(mount.mount_point);
        fs.setReadOnly(mount.read_only);
        fs.setBusy(mount.busy & 1);
        fs.setChanges(mount.busy / 2);
        if (!mount.problem.empty()) {
            fs.setProblem(mount.problem);
            continue;
        }
        if (!disk) {
            fs.setProblem("aramid-vmm has no disk image (--disk) to read it from");
            continue;
        }
        // The guest's device is the image, in whole cache blocks.
        uint64_t const device = mount.record.device_bytes;
        uint32_t const block_size = mount.record.block_size;
        if (device > disk->size() || block_size == 0 || disk->size() - device >= block_size) {
            fs.setProblem("its device (" + std::to_string(device) + " bytes) is not aramid-vmm's disk image ("
                          + std::to_string(disk->size()) + " bytes)");
            continue;
        }
        std::vector<DirtyBlock> dirty;
        try {
            dirty = reader.dirty_blocks(mount);
        } catch (DecodeError const& e) {
            fs.setProblem(std::string("its block cache cannot be read: ") + e.what());
            continue;
        }
        OverlaySource source(*disk, block_size);
        for (DirtyBlock& block : dirty) source.put(block.number, std::move(block.data));
        fs.setDirtyBlocks(uint32_t(dirty.size()));
        CheckOptions options;
        options.max_items = limit;
        auto const start = Clock::now();
        CheckReport const report = check_ext4_bitmaps(source, options);
        fs.setCheckNs(nanoseconds(Clock::now() - start));
        fill_check(fs, report);
    }
    scope.fill(results.initSnapshot());
}

// ---- watching

void Server::Core::start_polling() {
    if (m_polling || m_watchers.empty() || m_finished) return;
    m_polling = true;
    m_tasks.add(poll_loop());
}

kj::Promise<void> Server::Core::poll_loop() {
    return m_timer.afterDelay(kPollInterval).then([this]() -> kj::Promise<void> {
        if (m_watchers.empty() || m_finished) {
            m_polling = false;
            return kj::READY_NOW;
        }
        auto const start = Clock::now();
        poll(false);
        m_polls++;
        m_poll_ns += nanoseconds(Clock::now() - start);
        return poll_loop();
    });
}

template<typename Fill>
void Server::Core::send(uint64_t id, Watcher& watcher, Fill&& fill) {
    if (watcher.in_flight >= kMaxInFlight) {
        watcher.dropped++;
        return;
    }
    auto request = watcher.listener.eventRequest();
    fill(request.initEvent());
    watcher.in_flight++;
    m_tasks.add(request.send().then(
        [this, id](capnp::Response<rpc::Listener::EventResults>&&) {
            auto it = m_watchers.find(id);
            if (it != m_watchers.end()) it->second.in_flight--;
        },
        [this, id](kj::Exception&&) { m_watchers.erase(id); }));
}

std::string Server::Core::event_thread_name(DebugTableReader const& reader, std::vector<EventInfo> const& batch,
                                            size_t index, std::optional<std::map<uint32_t, std::string>>& live) {
    EventInfo const& event = batch[index];
    if (text_is_thread_name(event.kind)) {
        remember_name(event.tid, event.text);
        return event.text;
    }
    // The thread as it is now, else the name it had when it exited (later
    // in this batch: a thread that did something and went between two
    // polls), else the last name seen for it.
    if (!live) live = thread_names(reader);
    if (auto it = live->find(event.tid); it != live->end()) return it->second;
    for (size_t later = index + 1; later < batch.size(); later++)
        if (batch[later].tid == event.tid && !batch[later].torn
            && batch[later].kind == uint32_t(dt::EventKind::ThreadExited))
            return batch[later].text;
    auto it = m_names.find(event.tid);
    return it == m_names.end() ? std::string() : it->second;
}

void Server::Core::remember_name(uint32_t tid, std::string const& name) {
    if (m_names.size() >= kMaxRememberedNames) m_names.clear();
    m_names[tid] = name;
}

void Server::Core::poll_events(DebugTableReader const& reader, uint64_t id, Watcher& watcher, bool final) {
    bool const skip_torn = final || watcher.stalled_polls >= kStalledPolls;
    EventBatch const batch = reader.events(watcher.next_event, kEventsPerPoll, skip_torn);
    watcher.stalled_polls = batch.stalled ? watcher.stalled_polls + 1 : 0;
    watcher.next_event = batch.next;
    uint64_t const lost = batch.lost + std::exchange(watcher.dropped, 0);
    if (lost)
        send(id, watcher, [&](rpc::Event::Builder event) {
            event.setKind(rpc::EventKind::EVENTS_LOST);
            event.setValue(lost);
            event.setText(std::to_string(lost) + " events were overwritten or dropped before they were sent");
        });
    std::optional<std::map<uint32_t, std::string>> live;
    for (size_t i = 0; i < batch.events.size(); i++) {
        EventInfo const& info = batch.events[i];
        std::string const name = info.torn ? std::string() : event_thread_name(reader, batch.events, i, live);
        send(id, watcher, [&](rpc::Event::Builder event) {
            event.setSequence(info.sequence);
            event.setFromGuest(true);
            if (info.torn) {
                event.setKind(rpc::EventKind::TORN_EVENT);
                event.setText("event " + std::to_string(info.sequence) + " never settled");
                return;
            }
            event.setKind(event_kind(info.kind));
            event.setTid(info.tid);
            event.setName(name);
            event.setValue(info.value);
            event.setText(info.text);
            event.setTimeNs(info.time_ns);
        });
    }
}

void Server::Core::poll(bool final) {
    if (m_watchers.empty() || m_target.debug_table_gpa() == 0) return;
    std::optional<DebugTableReader> reader;
    try {
        reader.emplace(m_target.memory(), m_target.debug_table_gpa());
    } catch (DecodeError const&) {
        return; // a client asking will hear why; the watch waits for a good table
    }
    std::vector<uint64_t> ids;
    for (auto const& [id, watcher] : m_watchers) ids.push_back(id);
    for (uint64_t id : ids)
        if (auto it = m_watchers.find(id); it != m_watchers.end()) poll_events(*reader, id, it->second, final);

    std::vector<WatermarkSample> const samples = reader->watermarks();
    for (WatermarkSample const& sample : samples) remember_name(sample.tid, sample.name);
    for (uint64_t id : ids) {
        auto it = m_watchers.find(id);
        if (it == m_watchers.end()) continue;
        Watcher& watcher = it->second;
        for (WatermarkSample const& sample : samples) {
            if (sample.percent >= watcher.threshold && watcher.watermark_reported.insert(sample.tid).second)
                send(id, watcher, [&](rpc::Event::Builder event) {
                    event.setKind(rpc::EventKind::WATERMARK_THRESHOLD);
                    event.setTid(sample.tid);
                    event.setName(sample.name);
                    event.setValue(sample.watermark);
                    event.setWatermarkPercent(sample.percent);
                    char text[96];
                    std::snprintf(text, sizeof(text), "stack watermark %llu of %llu bytes (%.1f%%) reached %.0f%%",
                                  static_cast<unsigned long long>(sample.watermark),
                                  static_cast<unsigned long long>(sample.size), sample.percent, watcher.threshold);
                    event.setText(text);
                });
            if (!sample.canary_intact && watcher.canary_reported.insert(sample.tid).second)
                send(id, watcher, [&](rpc::Event::Builder event) {
                    event.setKind(rpc::EventKind::CANARY_BROKEN);
                    event.setTid(sample.tid);
                    event.setName(sample.name);
                    event.setWatermarkPercent(sample.percent);
                    event.setText("the stack's lowest word no longer holds the canary (seen by the monitor's scan)");
                });
        }
    }
}

kj::Promise<void> Server::Core::finish(int status, std::string const& reason, std::chrono::milliseconds grace) {
    poll(true);
    m_finished = true;
    auto acknowledgements = kj::heapArrayBuilder<kj::Promise<void>>(m_watchers.size());
    for (auto& [id, watcher] : m_watchers) {
        auto request = watcher.listener.eventRequest();
        auto event = request.initEvent();
        event.setKind(rpc::EventKind::VM_EXITED);
        event.setValue(uint64_t(status));
        event.setText(reason);
        // Calls on one capability arrive in order: when this one is
        // answered, the events before it have been taken.
        acknowledgements.add(request.send().ignoreResult().catch_([](kj::Exception&&) { }));
    }
    if (acknowledgements.size() == 0) return kj::READY_NOW;
    return kj::joinPromises(acknowledgements.finish())
        .exclusiveJoin(m_timer.afterDelay(uint64_t(grace.count()) * kj::MILLISECONDS));
}

// ---- the thread

struct Server::Shared {
    std::promise<void> ready;
    kj::Own<const kj::Executor> executor;
    Core* core { nullptr };
};

Server::Server(ServerOptions options, Target& target)
    : m_options(std::move(options)), m_target(target), m_shared(std::make_shared<Shared>()) {
    int const fd = listen_on(m_options.socket_path);
    // KJ's event port may reserve a signal; the vCPU kick uses SIGUSR1.
    kj::UnixEventPort::setReservedSignal(SIGUSR2);
    auto ready = m_shared->ready.get_future();
    m_thread = std::thread([this, fd] { thread_main(fd); });
    try {
        ready.get();
    } catch (...) {
        m_thread.join();
        ::unlink(m_options.socket_path.c_str());
        throw;
    }
}

void Server::thread_main(int listen_fd) {
    // The vCPU kick is for the vCPU thread only.
    sigset_t kick;
    sigemptyset(&kick);
    sigaddset(&kick, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &kick, nullptr);
    bool started = false;
    try {
        kj::AsyncIoContext io = kj::setupAsyncIo();
        auto receiver = io.lowLevelProvider->wrapListenSocketFd(
            listen_fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP | kj::LowLevelAsyncIoProvider::ALREADY_CLOEXEC
                | kj::LowLevelAsyncIoProvider::ALREADY_NONBLOCK);
        listen_fd = -1;
        Core core(m_target, io.provider->getTimer(), m_options.vmm_version);
        if (m_options.start_paused) core.hold_at_start();
        core.listen(kj::mv(receiver));
        kj::Promise<void> stopped = core.until_stopped();
        m_shared->executor = kj::getCurrentThreadExecutor().addRef();
        m_shared->core = &core;
        started = true;
        m_shared->ready.set_value();
        stopped.wait(io.waitScope);
        m_shared->core = nullptr;
    } catch (...) {
        if (listen_fd >= 0) ::close(listen_fd);
        if (!started) {
            try {
                throw;
            } catch (vmm::VmmError const&) {
                m_shared->ready.set_exception(std::current_exception());
            } catch (kj::Exception const& e) {
                m_shared->ready.set_exception(std::make_exception_ptr(
                    vmm::VmmError(std::string("monitor: ") + e.getDescription().cStr())));
            } catch (std::exception const& e) {
                m_shared->ready.set_exception(
                    std::make_exception_ptr(vmm::VmmError(std::string("monitor: ") + e.what())));
            }
        } else {
            std::fprintf(stderr, "aramid-vmm: monitor: the server stopped on an error\n");
        }
    }
}

void Server::vm_stopped(int status, std::string const& reason, std::chrono::milliseconds grace) {
    if (!m_shared->executor) return;
    try {
        m_shared->executor->executeSync([&]() -> kj::Promise<void> {
            if (!m_shared->core) return kj::READY_NOW;
            return m_shared->core->finish(status, reason, grace);
        });
    } catch (kj::Exception const& e) {
        std::fprintf(stderr, "aramid-vmm: monitor: %s\n", e.getDescription().cStr());
    }
}

Server::~Server() {
    if (m_shared->executor) {
        try {
            m_shared->executor->executeSync([&] {
                if (m_shared->core) m_shared->core->stop();
            });
        } catch (kj::Exception const&) {
            // The loop has already gone.
        }
    }
    if (m_thread.joinable()) m_thread.join();
    m_shared->executor = nullptr;
    ::unlink(m_options.socket_path.c_str());
}

} // namespace aramid::monitor
