/* Contract: epoll level-triggered reports a readable pipe on every wait;
 * EPOLLET reports it once per new arrival; EPOLLONESHOT disarms until
 * EPOLL_CTL_MOD; data is returned as registered; ADD twice is EEXIST, MOD or
 * DEL of an unregistered fd is ENOENT, a regular file is EPERM. */
#include "contract.h"
#include <sys/epoll.h>

static int wait_now(int ep, struct epoll_event *ev)
{
    int n = epoll_wait(ep, ev, 1, 0);
    CHECK(n >= 0, "epoll_wait");
    return n;
}

int main(void)
{
    ct_enter_tmpdir();
    int ep = OK(epoll_create1(EPOLL_CLOEXEC));
    EXPECT("epoll_create1(EPOLL_CLOEXEC) sets FD_CLOEXEC", fcntl(ep, F_GETFD) == FD_CLOEXEC);
    int p[2];
    OK(pipe(p));
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234567890abcdefULL };
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    struct epoll_event out;
    EXPECT("empty pipe: no events", wait_now(ep, &out) == 0);

    CHECK(write(p[1], "abc", 3) == 3, "write");
    int n1 = wait_now(ep, &out);
    EXPECT("level-triggered: data.u64 as registered", n1 == 1 && out.data.u64 == 0x1234567890abcdefULL);
    int n2 = wait_now(ep, &out);
    printf("level-triggered: first wait %d event(s), second wait %d event(s)\n", n1, n2);
    CHECK(n1 == 1 && n2 == 1 && out.events == EPOLLIN, "reported again");

    ev.events = EPOLLIN | EPOLLET;
    OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    n1 = wait_now(ep, &out);
    n2 = wait_now(ep, &out);
    printf("edge-triggered after MOD: first wait %d, second wait %d\n", n1, n2);
    CHECK(n1 == 1 && n2 == 0, "reported once");
    CHECK(write(p[1], "d", 1) == 1, "write more");
    n1 = wait_now(ep, &out);
    n2 = wait_now(ep, &out);
    printf("edge-triggered after new data: first wait %d, second wait %d\n", n1, n2);
    CHECK(n1 == 1 && n2 == 0, "new arrival reported once");
    char buf[8];
    CHECK(read(p[0], buf, sizeof buf) == 4, "drain 4 bytes");

    ev.events = EPOLLIN | EPOLLONESHOT;
    OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK(write(p[1], "e", 1) == 1, "write");
    n1 = wait_now(ep, &out);
    CHECK(write(p[1], "f", 1) == 1, "write");
    n2 = wait_now(ep, &out);
    printf("EPOLLONESHOT: first wait %d, after more data %d\n", n1, n2);
    CHECK(n1 == 1 && n2 == 0, "disarmed after one event");
    OK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    EXPECT("EPOLL_CTL_MOD re-arms it", wait_now(ep, &out) == 1);

    /* The write end: EPOLLOUT; the read end after the writer closes: EPOLLHUP. */
    struct epoll_event wev = { .events = EPOLLOUT, .data.fd = p[1] };
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &wev));
    OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    EXPECT("write end reports EPOLLOUT", wait_now(ep, &out) == 1 && out.events == EPOLLOUT && out.data.fd == p[1]);

    EXPECT_ERRNO("EPOLL_CTL_ADD twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &wev), EEXIST);
    EXPECT_ERRNO("EPOLL_CTL_MOD of an unregistered fd", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    EXPECT_ERRNO("EPOLL_CTL_DEL of an unregistered fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev), ENOENT);
    int file = OK(open("f", O_RDWR | O_CREAT, 0644));
    EXPECT_ERRNO("EPOLL_CTL_ADD of a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM);
    EXPECT_ERRNO("adding the epoll fd to itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    EXPECT_ERRNO("epoll_ctl on a closed fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev), EBADF);
    EXPECT_ERRNO("epoll_wait with maxevents 0", epoll_wait(ep, &out, 0, 0), EINVAL);

    int q[2];
    OK(pipe(q));
    struct epoll_event hev = { .events = EPOLLIN, .data.fd = q[0] };
    OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &hev));
    close(q[1]);
    EXPECT("read end after the writer closed: EPOLLHUP", wait_now(ep, &out) == 1 && out.events == EPOLLHUP);

    /* Closing the only fd for a registered file removes it from the set. */
    close(q[0]);
    EXPECT("a closed fd is dropped from the interest list", wait_now(ep, &out) == 0);
    ct_pass();
}
