// The poll.h and epoll.h names both oracles know (poll_test.cpp: glibc's
// <poll.h> and <sys/epoll.h>; poll_kernel.cpp: <asm/poll.h> and
// <linux/eventpoll.h>).
#pragma once

// clang-format off
#define UAPI_POLL_CONSTANTS(X)                                                                                         \
    X(POLLIN) X(POLLPRI) X(POLLOUT) X(POLLERR) X(POLLHUP) X(POLLNVAL) X(POLLRDNORM) X(POLLRDBAND) X(POLLWRNORM)        \
    X(POLLWRBAND) X(POLLMSG) X(POLLREMOVE) X(POLLRDHUP)

#define UAPI_EPOLL_CONSTANTS(X)                                                                                        \
    X(EPOLL_CLOEXEC) X(EPOLL_CTL_ADD) X(EPOLL_CTL_DEL) X(EPOLL_CTL_MOD) X(EPOLLIN) X(EPOLLPRI) X(EPOLLOUT)             \
    X(EPOLLERR) X(EPOLLHUP) X(EPOLLRDNORM) X(EPOLLRDBAND) X(EPOLLWRNORM) X(EPOLLWRBAND) X(EPOLLMSG) X(EPOLLRDHUP)      \
    X(EPOLLEXCLUSIVE) X(EPOLLWAKEUP) X(EPOLLONESHOT) X(EPOLLET)

#define UAPI_POLLFD_FIELDS(X, ns, T) X(ns, T, fd) X(ns, T, events) X(ns, T, revents)
#define UAPI_EPOLL_EVENT_FIELDS(X, ns, T) X(ns, T, events) X(ns, T, data)

#define UAPI_RECORD_POLL()                                                                                             \
    UAPI_POLL_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                          \
    UAPI_EPOLL_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                         \
    UAPI_RECORD_TYPE(pollfd_layout, uapi::pollfd)                                                                      \
    UAPI_POLLFD_FIELDS(UAPI_RECORD_FIELD, pollfd_layout, uapi::pollfd)                                                 \
    UAPI_RECORD_TYPE(epoll_event_layout, uapi::epoll_event)                                                            \
    UAPI_EPOLL_EVENT_FIELDS(UAPI_RECORD_FIELD, epoll_event_layout, uapi::epoll_event)

#define UAPI_POLL_FACTS()                                                                                              \
    UAPI_POLL_CONSTANTS(UAPI_FACT_CONSTANT)                                                                            \
    UAPI_EPOLL_CONSTANTS(UAPI_FACT_CONSTANT)                                                                           \
    UAPI_FACT_TYPE(pollfd_layout, struct pollfd)                                                                       \
    UAPI_POLLFD_FIELDS(UAPI_FACT_FIELD, pollfd_layout, struct pollfd)                                                  \
    UAPI_FACT_TYPE(epoll_event_layout, struct epoll_event)                                                             \
    UAPI_EPOLL_EVENT_FIELDS(UAPI_FACT_FIELD, epoll_event_layout, struct epoll_event)
// clang-format on
