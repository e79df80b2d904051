#include "process.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

namespace bench {

namespace {

using Clock = std::chrono::steady_clock;

// An owned pipe end.
class PipeEnd {
public:
    PipeEnd() = default;
    explicit PipeEnd(int fd) : m_fd(fd) { }
    PipeEnd(PipeEnd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) { }
    PipeEnd& operator=(PipeEnd&& other) noexcept {
        reset();
        m_fd = std::exchange(other.m_fd, -1);
        return *this;
    }
    PipeEnd(PipeEnd const&) = delete;
    PipeEnd& operator=(PipeEnd const&) = delete;
    ~PipeEnd() { reset(); }
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    void reset() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd { -1 };
};

bool make_pipe(PipeEnd& read_end, PipeEnd& write_end) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) return false;
    read_end = PipeEnd(fds[0]);
    write_end = PipeEnd(fds[1]);
    return true;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

ProcessResult run_process(std::vector<std::string> const& argv, ProcessOptions const& options) {
    ProcessResult result;
    auto const start = Clock::now();
    PipeEnd out_read, out_write, err_read, err_write;
    if (!make_pipe(out_read, out_write) || !make_pipe(err_read, err_write)) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    std::vector<char*> args;
    for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    pid_t const pid = fork();
    if (pid < 0) {
        result.error = std::string("fork: ") + std::strerror(errno);
        return result;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out_write.get(), 1);
        dup2(err_write.get(), 2);
        if (options.cpu) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(*options.cpu, &set);
            sched_setaffinity(0, sizeof(set), &set);
        }
        if (!options.cwd.empty() && chdir(options.cwd.c_str()) < 0) _exit(126);
        execv(args[0], args.data());
        std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    out_write.reset();
    err_write.reset();

    auto const deadline
        = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.timeout_seconds));
    char buffer[65536];
    bool stopped = false;
    while (out_read.valid() || err_read.valid()) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            result.timed_out = true;
            break;
        }
        pollfd fds[2] = { { out_read.get(), POLLIN, 0 }, { err_read.get(), POLLIN, 0 } };
        int ready = poll(fds, 2, int(std::min<long long>(left, 1000)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        for (int i = 0; i < 2; i++) {
            if (!fds[i].revents) continue;
            PipeEnd& end = i == 0 ? out_read : err_read;
            ssize_t n = read(end.get(), buffer, sizeof(buffer));
            if (n <= 0) {
                end.reset();
                continue;
            }
            (i == 0 ? result.out : result.err).append(buffer, size_t(n));
            if (i == 0 && options.on_output) {
                double const now = std::chrono::duration<double>(Clock::now() - start).count();
                if (options.on_output(result.out, now)) stopped = true;
            }
        }
        if (stopped) break;
    }
    if (result.timed_out || stopped) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
    result.status = result.timed_out ? -1 : decode_status(status);
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

std::string read_file(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

bool write_file(std::filesystem::path const& path, std::string const& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    return bool(out);
}

} // namespace bench
