/* Contract: poll on pipes: an empty pipe's write end is POLLOUT and its read
 * end not ready; after a write the read end is POLLIN; when the writer is
 * gone it is POLLHUP (with POLLIN while data remains); when the reader is
 * gone the write end is POLLERR; a closed fd is POLLNVAL; negative fds are
 * ignored. */
#include "contract.h"
#include <poll.h>

static void show(char const *what, short revents)
{
    printf("%s:%s%s%s%s%s\n", what, revents == 0 ? " none" : "", revents & POLLIN ? " POLLIN" : "",
           revents & POLLOUT ? " POLLOUT" : "", revents & POLLHUP ? " POLLHUP" : "", revents & POLLERR ? " POLLERR" : "");
}

static short poll_one(int fd, short events)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int n = poll(&pfd, 1, 0);
    CHECK(n >= 0, "poll");
    CHECK((n == 0) == (pfd.revents == 0), "poll's count matches revents");
    return pfd.revents;
}

int main(void)
{
    int p[2];
    OK(pipe(p));
    short r = poll_one(p[0], POLLIN);
    show("empty pipe, read end", r);
    CHECK(r == 0, "not readable");
    r = poll_one(p[1], POLLOUT);
    show("empty pipe, write end", r);
    CHECK(r == POLLOUT, "writable");

    CHECK(write(p[1], "hi", 2) == 2, "write");
    r = poll_one(p[0], POLLIN);
    show("after a write, read end", r);
    CHECK(r == POLLIN, "readable");
    r = poll_one(p[0], POLLOUT);
    show("read end asked for POLLOUT only", r);
    CHECK(r == 0, "events filter the result");

    close(p[1]);
    r = poll_one(p[0], POLLIN);
    show("writer closed, data left", r);
    CHECK(r == (POLLIN | POLLHUP), "POLLIN|POLLHUP");
    char buf[2];
    CHECK(read(p[0], buf, 2) == 2, "drain");
    r = poll_one(p[0], POLLIN);
    show("writer closed, drained", r);
    CHECK(r == POLLHUP, "POLLHUP");
    r = poll_one(p[0], 0);
    show("writer closed, no events asked", r);
    CHECK(r == POLLHUP, "POLLHUP is always reported");
    EXPECT("read returns EOF", read(p[0], buf, 1) == 0);

    int q[2];
    OK(pipe(q));
    close(q[0]);
    r = poll_one(q[1], POLLOUT);
    show("reader closed, write end", r);
    CHECK(r & POLLERR, "POLLERR");

    /* Several fds at once, with a blocking wait that is already satisfied. */
    int a[2];
    OK(pipe(a));
    CHECK(write(a[1], "x", 1) == 1, "write");
    struct pollfd set[4] = {
        { .fd = a[0], .events = POLLIN }, { .fd = -1, .events = POLLIN }, { .fd = 99, .events = POLLIN },
        { .fd = a[1], .events = POLLOUT },
    };
    int n = poll(set, 4, -1);
    printf("poll over 4 entries: %d ready\n", n);
    CHECK(n == 3, "three entries with revents");
    show("negative fd", set[1].revents);
    CHECK(set[1].revents == 0, "negative fd ignored");
    printf("closed fd: %s\n", set[2].revents == POLLNVAL ? "POLLNVAL" : "other");
    CHECK(set[2].revents == POLLNVAL, "POLLNVAL");
    EXPECT("poll with no fds and timeout 0 returns 0", poll(NULL, 0, 0) == 0);

    /* A blocked poll wakes when a child writes. */
    int w[2];
    OK(pipe(w));
    pid_t child = ct_fork();
    if (child == 0) _exit(write(w[1], "z", 1) == 1 ? 0 : 1);
    struct pollfd pw = { .fd = w[0], .events = POLLIN };
    n = poll(&pw, 1, 5000);
    EXPECT("blocking poll woken by another process's write", n == 1 && pw.revents == POLLIN);
    ct_wait(child);
    ct_pass();
}
