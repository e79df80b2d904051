// The termios.h names both oracles know (termios_test.cpp: glibc's
// <termios.h> and <sys/ioctl.h>; termios_kernel.cpp: <asm/termbits.h>,
// <asm/ioctls.h> and <asm/termios.h>).
#pragma once

// clang-format off
#define UAPI_TERMIOS_FLAGS(X)                                                                                          \
    X(VINTR) X(VQUIT) X(VERASE) X(VKILL) X(VEOF) X(VTIME) X(VMIN) X(VSWTC) X(VSTART) X(VSTOP) X(VSUSP) X(VEOL)         \
    X(VREPRINT) X(VDISCARD) X(VWERASE) X(VLNEXT) X(VEOL2) X(IGNBRK) X(BRKINT) X(IGNPAR) X(PARMRK) X(INPCK) X(ISTRIP)   \
    X(INLCR) X(IGNCR) X(ICRNL) X(IUCLC) X(IXON) X(IXANY) X(IXOFF) X(IMAXBEL) X(IUTF8) X(OPOST) X(OLCUC) X(ONLCR)       \
    X(OCRNL) X(ONOCR) X(ONLRET) X(OFILL) X(OFDEL) X(NLDLY) X(CRDLY) X(TABDLY) X(TAB3) X(XTABS) X(BSDLY) X(VTDLY)       \
    X(FFDLY) X(CBAUD) X(CSIZE) X(CS5) X(CS6) X(CS7) X(CS8) X(CSTOPB) X(CREAD) X(PARENB) X(PARODD) X(HUPCL) X(CLOCAL)   \
    X(CBAUDEX) X(CIBAUD) X(CMSPAR) X(CRTSCTS) X(B0) X(B50) X(B75) X(B110) X(B134) X(B150) X(B200) X(B300) X(B600)      \
    X(B1200) X(B1800) X(B2400) X(B4800) X(B9600) X(B19200) X(B38400) X(B57600) X(B115200) X(B230400) X(B460800)        \
    X(B500000) X(B576000) X(B921600) X(B1000000) X(B1152000) X(B1500000) X(B2000000) X(B2500000) X(B3000000)           \
    X(B3500000) X(B4000000) X(ISIG) X(ICANON) X(XCASE) X(ECHO) X(ECHOE) X(ECHOK) X(ECHONL) X(NOFLSH) X(TOSTOP)         \
    X(ECHOCTL) X(ECHOPRT) X(ECHOKE) X(FLUSHO) X(PENDIN) X(IEXTEN) X(EXTPROC) X(TCOOFF) X(TCOON) X(TCIOFF) X(TCION)     \
    X(TCIFLUSH) X(TCOFLUSH) X(TCIOFLUSH) X(TCSANOW) X(TCSADRAIN) X(TCSAFLUSH)

#define UAPI_TTY_IOCTLS(X)                                                                                             \
    X(TCGETS) X(TCSETS) X(TCSETSW) X(TCSETSF) X(TCSBRK) X(TCXONC) X(TCFLSH) X(TIOCEXCL) X(TIOCNXCL) X(TIOCSCTTY)       \
    X(TIOCGPGRP) X(TIOCSPGRP) X(TIOCOUTQ) X(TIOCSTI) X(TIOCGWINSZ) X(TIOCSWINSZ) X(TIOCMGET) X(TIOCMBIS) X(TIOCMBIC)   \
    X(TIOCMSET) X(FIONREAD) X(TIOCINQ) X(TIOCLINUX) X(TIOCCONS) X(TIOCPKT) X(FIONBIO) X(TIOCNOTTY) X(TIOCSETD)         \
    X(TIOCGETD) X(TCSBRKP) X(TIOCSBRK) X(TIOCCBRK) X(TIOCGSID) X(TIOCGPTN) X(TIOCSPTLCK) X(TIOCGDEV) X(TIOCSIG)        \
    X(TIOCVHANGUP) X(TIOCGPKT) X(TIOCGPTLCK) X(TIOCGEXCL) X(TIOCGPTPEER) X(FIONCLEX) X(FIOCLEX) X(FIOASYNC)            \
    X(FIOQSIZE)

#define UAPI_WINSIZE_FIELDS(X, ns, T) X(ns, T, ws_row) X(ns, T, ws_col) X(ns, T, ws_xpixel) X(ns, T, ws_ypixel)
// clang-format on

// glibc's struct termios begins with the kernel's fields (then has a longer
// c_cc and c_ispeed/c_ospeed).
// clang-format off
#define UAPI_TERMIOS_FIELDS(X, ns, T)                                                                                  \
    X(ns, T, c_iflag) X(ns, T, c_oflag) X(ns, T, c_cflag) X(ns, T, c_lflag) X(ns, T, c_line)

#define UAPI_RECORD_TERMIOS()                                                                                          \
    UAPI_TERMIOS_FLAGS(UAPI_RECORD_CONSTANT)                                                                           \
    UAPI_TTY_IOCTLS(UAPI_RECORD_CONSTANT)                                                                              \
    UAPI_RECORD_TYPE(winsize_layout, uapi::winsize)                                                                    \
    UAPI_WINSIZE_FIELDS(UAPI_RECORD_FIELD, winsize_layout, uapi::winsize)                                              \
    UAPI_RECORD_TYPE(termios_layout, uapi::termios)                                                                    \
    UAPI_TERMIOS_FIELDS(UAPI_RECORD_FIELD, termios_layout, uapi::termios)                                              \
    UAPI_RECORD_FIELD(termios_layout, uapi::termios, c_cc)

#define UAPI_TERMIOS_COMMON_FACTS()                                                                                    \
    UAPI_TERMIOS_FLAGS(UAPI_FACT_CONSTANT)                                                                             \
    UAPI_TTY_IOCTLS(UAPI_FACT_CONSTANT)                                                                                \
    UAPI_FACT_TYPE(winsize_layout, struct winsize)                                                                     \
    UAPI_WINSIZE_FIELDS(UAPI_FACT_FIELD, winsize_layout, struct winsize)                                               \
    UAPI_TERMIOS_FIELDS(UAPI_FACT_FIELD, termios_layout, struct termios)
// clang-format on
