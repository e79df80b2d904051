// Terminals: the kernel's struct termios (asm-generic/termbits.h, NCCS 19;
// glibc's is larger and translated by libc), struct winsize, the mode bits,
// the c_cc indices and the tty ioctls (asm-generic/ioctls.h).
#pragma once

#include <uapi/types.h>

#if defined(TCGETS) || defined(ICANON) || defined(VMIN) || defined(TIOCGWINSZ) || defined(FIONREAD) || defined(B38400)
#error "<uapi/termios.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

using tcflag_t = u32;
using cc_t = u8;
using speed_t = u32;

inline constexpr usize NCCS = 19;

// TCGETS/TCSETS*. Baud rates live in c_cflag (CBAUD); there are no
// c_ispeed/c_ospeed fields in this version of the struct.
struct termios {
    tcflag_t c_iflag;
    tcflag_t c_oflag;
    tcflag_t c_cflag;
    tcflag_t c_lflag;
    cc_t c_line;
    cc_t c_cc[NCCS];
};
static_assert(sizeof(termios) == 36);

// TIOCGWINSZ/TIOCSWINSZ.
struct winsize {
    u16 ws_row;
    u16 ws_col;
    u16 ws_xpixel;
    u16 ws_ypixel;
};
static_assert(sizeof(winsize) == 8);

// c_cc indices.
inline constexpr usize VINTR = 0;
inline constexpr usize VQUIT = 1;
inline constexpr usize VERASE = 2;
inline constexpr usize VKILL = 3;
inline constexpr usize VEOF = 4;
inline constexpr usize VTIME = 5;
inline constexpr usize VMIN = 6;
inline constexpr usize VSWTC = 7;
inline constexpr usize VSTART = 8;
inline constexpr usize VSTOP = 9;
inline constexpr usize VSUSP = 10;
inline constexpr usize VEOL = 11;
inline constexpr usize VREPRINT = 12;
inline constexpr usize VDISCARD = 13;
inline constexpr usize VWERASE = 14;
inline constexpr usize VLNEXT = 15;
inline constexpr usize VEOL2 = 16;

// c_iflag.
inline constexpr tcflag_t IGNBRK = 0x001;
inline constexpr tcflag_t BRKINT = 0x002;
inline constexpr tcflag_t IGNPAR = 0x004;
inline constexpr tcflag_t PARMRK = 0x008;
inline constexpr tcflag_t INPCK = 0x010;
inline constexpr tcflag_t ISTRIP = 0x020;
inline constexpr tcflag_t INLCR = 0x040;
inline constexpr tcflag_t IGNCR = 0x080;
inline constexpr tcflag_t ICRNL = 0x100;
inline constexpr tcflag_t IUCLC = 0x0200;
inline constexpr tcflag_t IXON = 0x0400;
inline constexpr tcflag_t IXANY = 0x0800;
inline constexpr tcflag_t IXOFF = 0x1000;
inline constexpr tcflag_t IMAXBEL = 0x2000;
inline constexpr tcflag_t IUTF8 = 0x4000;

// c_oflag.
inline constexpr tcflag_t OPOST = 0x01;
inline constexpr tcflag_t OLCUC = 0x02;
inline constexpr tcflag_t ONLCR = 0x04;
inline constexpr tcflag_t OCRNL = 0x08;
inline constexpr tcflag_t ONOCR = 0x10;
inline constexpr tcflag_t ONLRET = 0x20;
inline constexpr tcflag_t OFILL = 0x40;
inline constexpr tcflag_t OFDEL = 0x80;
inline constexpr tcflag_t NLDLY = 0x00100;
inline constexpr tcflag_t CRDLY = 0x00600;
inline constexpr tcflag_t TABDLY = 0x01800;
inline constexpr tcflag_t TAB3 = 0x01800; // expand tabs to spaces
inline constexpr tcflag_t XTABS = TAB3;
inline constexpr tcflag_t BSDLY = 0x02000;
inline constexpr tcflag_t VTDLY = 0x04000;
inline constexpr tcflag_t FFDLY = 0x08000;

// c_cflag.
inline constexpr tcflag_t CBAUD = 0x0000100f;
inline constexpr tcflag_t CSIZE = 0x00000030;
inline constexpr tcflag_t CS5 = 0x00000000;
inline constexpr tcflag_t CS6 = 0x00000010;
inline constexpr tcflag_t CS7 = 0x00000020;
inline constexpr tcflag_t CS8 = 0x00000030;
inline constexpr tcflag_t CSTOPB = 0x00000040;
inline constexpr tcflag_t CREAD = 0x00000080;
inline constexpr tcflag_t PARENB = 0x00000100;
inline constexpr tcflag_t PARODD = 0x00000200;
inline constexpr tcflag_t HUPCL = 0x00000400;
inline constexpr tcflag_t CLOCAL = 0x00000800;
inline constexpr tcflag_t CBAUDEX = 0x00001000;
inline constexpr tcflag_t BOTHER = 0x00001000;
inline constexpr tcflag_t CIBAUD = 0x100f0000;
inline constexpr tcflag_t CMSPAR = 0x40000000;
inline constexpr tcflag_t CRTSCTS = 0x80000000;

// Baud rates: values of c_cflag & CBAUD.
inline constexpr speed_t B0 = 0x00000000; // hang up
inline constexpr speed_t B50 = 0x00000001;
inline constexpr speed_t B75 = 0x00000002;
inline constexpr speed_t B110 = 0x00000003;
inline constexpr speed_t B134 = 0x00000004;
inline constexpr speed_t B150 = 0x00000005;
inline constexpr speed_t B200 = 0x00000006;
inline constexpr speed_t B300 = 0x00000007;
inline constexpr speed_t B600 = 0x00000008;
inline constexpr speed_t B1200 = 0x00000009;
inline constexpr speed_t B1800 = 0x0000000a;
inline constexpr speed_t B2400 = 0x0000000b;
inline constexpr speed_t B4800 = 0x0000000c;
inline constexpr speed_t B9600 = 0x0000000d;
inline constexpr speed_t B19200 = 0x0000000e;
inline constexpr speed_t B38400 = 0x0000000f;
inline constexpr speed_t B57600 = 0x00001001;
inline constexpr speed_t B115200 = 0x00001002;
inline constexpr speed_t B230400 = 0x00001003;
inline constexpr speed_t B460800 = 0x00001004;
inline constexpr speed_t B500000 = 0x00001005;
inline constexpr speed_t B576000 = 0x00001006;
inline constexpr speed_t B921600 = 0x00001007;
inline constexpr speed_t B1000000 = 0x00001008;
inline constexpr speed_t B1152000 = 0x00001009;
inline constexpr speed_t B1500000 = 0x0000100a;
inline constexpr speed_t B2000000 = 0x0000100b;
inline constexpr speed_t B2500000 = 0x0000100c;
inline constexpr speed_t B3000000 = 0x0000100d;
inline constexpr speed_t B3500000 = 0x0000100e;
inline constexpr speed_t B4000000 = 0x0000100f;

// c_lflag.
inline constexpr tcflag_t ISIG = 0x00001;
inline constexpr tcflag_t ICANON = 0x00002;
inline constexpr tcflag_t XCASE = 0x00004;
inline constexpr tcflag_t ECHO = 0x00008;
inline constexpr tcflag_t ECHOE = 0x00010;
inline constexpr tcflag_t ECHOK = 0x00020;
inline constexpr tcflag_t ECHONL = 0x00040;
inline constexpr tcflag_t NOFLSH = 0x00080;
inline constexpr tcflag_t TOSTOP = 0x00100;
inline constexpr tcflag_t ECHOCTL = 0x00200;
inline constexpr tcflag_t ECHOPRT = 0x00400;
inline constexpr tcflag_t ECHOKE = 0x00800;
inline constexpr tcflag_t FLUSHO = 0x01000;
inline constexpr tcflag_t PENDIN = 0x04000;
inline constexpr tcflag_t IEXTEN = 0x08000;
inline constexpr tcflag_t EXTPROC = 0x10000;

// tcflow(3), tcflush(3) and tcsetattr(3) arguments (TCXONC, TCFLSH, and
// which TCSETS* libc picks).
inline constexpr int TCOOFF = 0;
inline constexpr int TCOON = 1;
inline constexpr int TCIOFF = 2;
inline constexpr int TCION = 3;
inline constexpr int TCIFLUSH = 0;
inline constexpr int TCOFLUSH = 1;
inline constexpr int TCIOFLUSH = 2;
inline constexpr int TCSANOW = 0;
inline constexpr int TCSADRAIN = 1;
inline constexpr int TCSAFLUSH = 2;

// ioctl(2) requests. The old ones are plain numbers; the newer ones are
// encoded (direction, size, 'T', number) as by _IOR/_IOW/_IO.
inline constexpr u32 TCGETS = 0x5401;
inline constexpr u32 TCSETS = 0x5402; // now
inline constexpr u32 TCSETSW = 0x5403; // after output drains
inline constexpr u32 TCSETSF = 0x5404; // after output drains, discarding pending input
inline constexpr u32 TCSBRK = 0x5409;
inline constexpr u32 TCXONC = 0x540A;
inline constexpr u32 TCFLSH = 0x540B;
inline constexpr u32 TIOCEXCL = 0x540C;
inline constexpr u32 TIOCNXCL = 0x540D;
inline constexpr u32 TIOCSCTTY = 0x540E;
inline constexpr u32 TIOCGPGRP = 0x540F;
inline constexpr u32 TIOCSPGRP = 0x5410;
inline constexpr u32 TIOCOUTQ = 0x5411;
inline constexpr u32 TIOCSTI = 0x5412;
inline constexpr u32 TIOCGWINSZ = 0x5413;
inline constexpr u32 TIOCSWINSZ = 0x5414;
inline constexpr u32 TIOCMGET = 0x5415;
inline constexpr u32 TIOCMBIS = 0x5416;
inline constexpr u32 TIOCMBIC = 0x5417;
inline constexpr u32 TIOCMSET = 0x5418;
inline constexpr u32 FIONREAD = 0x541B;
inline constexpr u32 TIOCINQ = FIONREAD;
inline constexpr u32 TIOCLINUX = 0x541C;
inline constexpr u32 TIOCCONS = 0x541D;
inline constexpr u32 TIOCPKT = 0x5420;
inline constexpr u32 FIONBIO = 0x5421;
inline constexpr u32 TIOCNOTTY = 0x5422;
inline constexpr u32 TIOCSETD = 0x5423;
inline constexpr u32 TIOCGETD = 0x5424;
inline constexpr u32 TCSBRKP = 0x5425;
inline constexpr u32 TIOCSBRK = 0x5427;
inline constexpr u32 TIOCCBRK = 0x5428;
inline constexpr u32 TIOCGSID = 0x5429;
inline constexpr u32 TIOCGPTN = 0x80045430; // _IOR('T', 0x30, unsigned int)
inline constexpr u32 TIOCSPTLCK = 0x40045431; // _IOW('T', 0x31, int)
inline constexpr u32 TIOCGDEV = 0x80045432; // _IOR('T', 0x32, unsigned int)
inline constexpr u32 TIOCSIG = 0x40045436; // _IOW('T', 0x36, int)
inline constexpr u32 TIOCVHANGUP = 0x5437;
inline constexpr u32 TIOCGPKT = 0x80045438; // _IOR('T', 0x38, int)
inline constexpr u32 TIOCGPTLCK = 0x80045439; // _IOR('T', 0x39, int)
inline constexpr u32 TIOCGEXCL = 0x80045440; // _IOR('T', 0x40, int)
inline constexpr u32 TIOCGPTPEER = 0x5441; // _IO('T', 0x41)
inline constexpr u32 FIONCLEX = 0x5450;
inline constexpr u32 FIOCLEX = 0x5451;
inline constexpr u32 FIOASYNC = 0x5452;
inline constexpr u32 FIOQSIZE = 0x5460;

} // namespace uapi
