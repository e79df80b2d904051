// Every uapi struct that is copied to user space whole spells out its
// padding, so that `T value {}` zeroes every byte and no kernel memory leaks
// through a gap. The exceptions are unions and the structs inside them
// (siginfo_t zeroes its whole union through its first member, _fields),
// and linux_dirent64, whose tail padding is where the name goes.
#include <uapi/auxv.h>
#include <uapi/dirent.h>
#include <uapi/elf.h>
#include <uapi/epoll.h>
#include <uapi/fcntl.h>
#include <uapi/futex.h>
#include <uapi/poll.h>
#include <uapi/resource.h>
#include <uapi/sched.h>
#include <uapi/select.h>
#include <uapi/signal.h>
#include <uapi/socket.h>
#include <uapi/stat.h>
#include <uapi/sysinfo.h>
#include <uapi/termios.h>
#include <uapi/time.h>
#include <uapi/uio.h>
#include <uapi/utsname.h>

#include <gtest/gtest.h>

#include <type_traits>

namespace {

template<typename... T> constexpr bool kNoPadding = (std::has_unique_object_representations_v<T> && ...);

static_assert(kNoPadding<uapi::auxv_entry, uapi::Elf64_Ehdr, uapi::Elf64_Phdr, uapi::epoll_event, uapi::flock,
    uapi::robust_list, uapi::robust_list_head, uapi::pollfd, uapi::rlimit, uapi::rlimit64, uapi::rusage,
    uapi::clone_args, uapi::fd_set, uapi::sigset_argpack, uapi::kernel_sigaction, uapi::sigaltstack, uapi::siginfo_kill,
    uapi::siginfo_sigchld, uapi::siginfo_sigsys, uapi::_fpx_sw_bytes, uapi::_fpstate, uapi::sigcontext, uapi::ucontext,
    uapi::sockaddr, uapi::sockaddr_storage, uapi::sockaddr_un, uapi::msghdr, uapi::mmsghdr, uapi::cmsghdr, uapi::ucred,
    uapi::linger, uapi::stat, uapi::statx_timestamp, uapi::statx, uapi::sysinfo, uapi::termios, uapi::winsize,
    uapi::timespec, uapi::timeval, uapi::timezone, uapi::itimerspec, uapi::itimerval, uapi::iovec, uapi::new_utsname>);

TEST(UapiPadding, OnlyUnionsHaveGaps) {
    EXPECT_FALSE(std::has_unique_object_representations_v<uapi::siginfo_t>); // the union's smaller members
    EXPECT_EQ(sizeof(uapi::siginfo_t::_fields), sizeof(uapi::siginfo_t) - offsetof(uapi::siginfo_t, _fields));
}

} // namespace
