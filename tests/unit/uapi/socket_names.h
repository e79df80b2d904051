// The socket.h names both oracles know (socket_test.cpp: glibc's
// <sys/socket.h> and <sys/un.h>; socket_kernel.cpp: <linux/socket.h>,
// <linux/un.h> and <asm/socket.h>).
#pragma once

// clang-format off
#define UAPI_SOCKET_OPTIONS(X)                                                                                         \
    X(SOL_SOCKET) X(SO_DEBUG) X(SO_REUSEADDR) X(SO_TYPE) X(SO_ERROR) X(SO_DONTROUTE) X(SO_BROADCAST) X(SO_SNDBUF)      \
    X(SO_RCVBUF) X(SO_KEEPALIVE) X(SO_OOBINLINE) X(SO_NO_CHECK) X(SO_PRIORITY) X(SO_LINGER) X(SO_BSDCOMPAT)            \
    X(SO_REUSEPORT) X(SO_PASSCRED) X(SO_PEERCRED) X(SO_RCVLOWAT) X(SO_SNDLOWAT) X(SO_RCVTIMEO) X(SO_SNDTIMEO)          \
    X(SO_BINDTODEVICE) X(SO_TIMESTAMP) X(SO_ACCEPTCONN) X(SO_PEERSEC) X(SO_SNDBUFFORCE) X(SO_RCVBUFFORCE)              \
    X(SO_PASSSEC) X(SO_PROTOCOL) X(SO_DOMAIN) X(SO_PEEK_OFF) X(SO_PEERGROUPS)

#define UAPI_SOCKADDR_UN_FIELDS(X, ns, T) X(ns, T, sun_family) X(ns, T, sun_path)

#define UAPI_RECORD_SOCKET_COMMON()                                                                                    \
    UAPI_SOCKET_OPTIONS(UAPI_RECORD_CONSTANT)                                                                          \
    UAPI_RECORD_TYPE(sockaddr_un_layout, uapi::sockaddr_un)                                                            \
    UAPI_SOCKADDR_UN_FIELDS(UAPI_RECORD_FIELD, sockaddr_un_layout, uapi::sockaddr_un)                                  \
    UAPI_RECORD_TYPE(sockaddr_storage_layout, uapi::sockaddr_storage)                                                  \
    UAPI_RECORD_FIELD(sockaddr_storage_layout, uapi::sockaddr_storage, ss_family)

#define UAPI_SOCKET_COMMON_FACTS()                                                                                     \
    UAPI_SOCKET_OPTIONS(UAPI_FACT_CONSTANT)                                                                            \
    UAPI_FACT_TYPE(sockaddr_un_layout, struct sockaddr_un)                                                             \
    UAPI_SOCKADDR_UN_FIELDS(UAPI_FACT_FIELD, sockaddr_un_layout, struct sockaddr_un)
// clang-format on
