/* Contract: a signal whose handler has no SA_RESTART interrupts a blocked
 * recv, send, accept or connect on a unix socket with EINTR. With
 * SA_RESTART the call restarts and completes -- unless the socket has a
 * timeout (SO_RCVTIMEO), when recv and read fail with EINTR anyway
 * (signal(7)). */
#include "contract.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

static volatile sig_atomic_t caught;
static void on_signal(int sig) { (void)sig; caught++; }

static void handle(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = flags;
    OK(sigaction(sig, &sa, NULL));
}

/* SIGALRM in 30 ms. */
static void arm(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 30000 } };
    OK(setitimer(ITIMER_REAL, &it, NULL));
}

int main(void)
{
    ct_enter_tmpdir();
    handle(SIGALRM, 0);
    char buf[16];
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    arm();
    EXPECT_ERRNO("blocked stream recv, SIGALRM without SA_RESTART", recv(sv[0], buf, sizeof buf, 0), EINTR);
    static char chunk[4096];
    while (send(sv[0], chunk, sizeof chunk, MSG_DONTWAIT) > 0) { }
    arm();
    EXPECT_ERRNO("blocked send to a full socket", send(sv[0], chunk, sizeof chunk, 0), EINTR);
    close(sv[0]);
    close(sv[1]);

    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    arm();
    EXPECT_ERRNO("blocked datagram recv", recv(sv[0], buf, sizeof buf, 0), EINTR);
    close(sv[0]);
    close(sv[1]);

    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "l" };
    socklen_t addr_len = offsetof(struct sockaddr_un, sun_path) + 2;
    int server = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(bind(server, (struct sockaddr *)&addr, addr_len));
    OK(listen(server, 0));
    arm();
    EXPECT_ERRNO("blocked accept", accept(server, NULL, NULL), EINTR);
    int c1 = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(connect(c1, (struct sockaddr *)&addr, addr_len));
    int c2 = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    arm();
    EXPECT_ERRNO("connect blocked on a full backlog", connect(c2, (struct sockaddr *)&addr, addr_len), EINTR);
    printf("handler ran %d times\n", (int)caught);

    /* SA_RESTART: the recv goes on and gets the child's data. */
    caught = 0;
    handle(SIGUSR1, SA_RESTART);
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t parent = getpid();
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(30000);
        kill(parent, SIGUSR1);
        usleep(30000);
        _exit(write(sv[1], "after", 5) == 5 ? 0 : 1);
    }
    ssize_t n = recv(sv[0], buf, sizeof buf, 0);
    printf("SA_RESTART recv: \"%.*s\", handler ran %d time(s)\n", (int)(n > 0 ? n : 0), buf, (int)caught);
    ct_wait(child);

    /* ... but not with a receive timeout. */
    caught = 0;
    struct timeval tv = { 5, 0 };
    OK(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    child = ct_fork();
    if (child == 0) {
        usleep(30000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    EXPECT_ERRNO("SA_RESTART recv on a socket with SO_RCVTIMEO", recv(sv[0], buf, sizeof buf, 0), EINTR);
    printf("handler ran %d time(s)\n", (int)caught);
    ct_wait(child);
    child = ct_fork();
    if (child == 0) {
        usleep(30000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    EXPECT_ERRNO("and read(2) on it", read(sv[0], buf, sizeof buf), EINTR);
    ct_wait(child);
    ct_pass();
}
