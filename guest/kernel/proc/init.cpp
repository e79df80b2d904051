#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/drivers/tty.h>
#include <kernel/proc/exec.h>
#include <kernel/proc/init.h>
#include <kernel/proc/process.h>
#include <kernel/sched/scheduler.h>
#include <kernel/vm.h>

extern "C" [[noreturn]] void jump_to_user(TrapFrame* frame);
void prepare_return_to_user(Thread& thread, TrapFrame& frame);

namespace init_process {

namespace {

char g_path[256];
// init's argv after the path: the command line's words after `--`. Kept
// until pid 1 runs (the boot thread that has the command line is gone by
// then).
exec::Arguments* g_arguments;

void run(void*) {
    Thread& self = *sched::current();
    Process& process = *self.process;
    for (int fd = 0; fd < 3; fd++) {
        auto file = tty::open_stdio(fd);
        if (file.is_error() || process.fds().install(fd, file.release_value(), false).is_error())
            panic("init: cannot set up descriptor %d", fd);
    }
    // init= names the one program; without it, Linux's list: the
    // initramfs's /init, then the usual places on a root disk.
    static constexpr char const* kCandidates[] = { "/init", "/sbin/init", "/etc/init", "/bin/init", "/bin/sh" };
    char const* const* candidates = kCandidates;
    usize candidate_count = sizeof(kCandidates) / sizeof(kCandidates[0]);
    char const* requested = g_path;
    if (g_path[0]) {
        candidates = &requested;
        candidate_count = 1;
    }
    exec::Arguments envp;
    if (envp.add("HOME=/").is_error() || envp.add("TERM=linux").is_error()
        || envp.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").is_error())
        panic("init: out of memory");
    char const* path = nullptr;
    int error = 0;
    for (usize c = 0; c < candidate_count && !path; c++) {
        exec::Arguments argv;
        if (argv.add(StringView(candidates[c])).is_error()) panic("init: out of memory");
        for (usize i = 0; i < g_arguments->count(); i++)
            if (argv.add(g_arguments->at(i)).is_error()) panic("init: out of memory");
        auto executed = exec::execve(self, *self.user_frame(), StringView(candidates[c]), argv, envp);
        if (executed.is_error()) error = executed.error().code();
        else path = candidates[c];
    }
    delete g_arguments;
    g_arguments = nullptr;
    if (!path && g_path[0])
        panic("cannot run init %s: errno %d (is it in the initramfs or on the root disk, an x86-64 executable?)", g_path, error);
    if (!path) panic("no init found (tried /init, /sbin/init, /etc/init, /bin/init, /bin/sh; pass init=)");
    process.note_exec();
    mark_phase(aramid::abi::Phase::InitExec);
    log_info("init: running %s", path);
    platform::irq_disable();
    prepare_return_to_user(self, *self.user_frame());
    jump_to_user(self.user_frame());
}

} // namespace

void start(CommandLine const& command_line) {
    StringView const init_path = command_line.value("init");
    g_arguments = new (std::nothrow) exec::Arguments;
    if (!g_arguments) panic("init: out of memory");
    bool fits = true;
    command_line.for_each_init_argument([&](StringView word) { fits = fits && !g_arguments->add(word).is_error(); });
    if (!fits) panic("init: out of memory for its arguments");
    usize n = lib::min(init_path.length(), sizeof(g_path) - 1);
    __builtin_memcpy(g_path, init_path.data(), n);
    g_path[n] = 0;
    auto process = Process::create_init();
    if (process.is_error()) panic("cannot create the init process");
    TrapFrame frame {};
    auto thread = Thread::create_user(*process.value(), frame, "init", run, 1);
    if (thread.is_error()) panic("cannot create the init thread");
    sched::make_runnable(*thread.value());
}

} // namespace init_process
