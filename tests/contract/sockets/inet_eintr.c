/* Contract: blocked TCP and UDP calls and signals. A handler without
 * SA_RESTART ends a blocked recv, accept, send (to a full socket) or
 * connect (to a full backlog) with EINTR; with SA_RESTART the recv goes on
 * and returns what another process sends later -- unless the socket has a
 * timeout (SO_RCVTIMEO), when it fails with EINTR anyway (signal(7)). */
#include "inet.h"
#include <sys/time.h>

/* SIGALRM in 30 ms. */
static void arm(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 30000 } };
    OK(setitimer(ITIMER_REAL, &it, NULL));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    ct_count_signals(SIGALRM, 0);
    char buf[16];
    int client, server;
    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    arm();
    EXPECT_ERRNO("blocked TCP recv, SIGALRM without SA_RESTART", recv(server, buf, sizeof buf, 0), EINTR);
    static char chunk[65536];
    while (send(client, chunk, sizeof chunk, MSG_DONTWAIT) > 0) { }
    arm();
    EXPECT_ERRNO("blocked send to a full socket", send(client, chunk, sizeof chunk, 0), EINTR);
    close(client);
    close(server);

    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(AF_INET6), 0, &bound);
    arm();
    EXPECT_ERRNO("blocked accept", accept(listener, NULL, NULL), EINTR);
    int first = OK(socket(AF_INET6, SOCK_STREAM, 0));
    OK(connect(first, (struct sockaddr *)&bound.ss, bound.len));
    int second = OK(socket(AF_INET6, SOCK_STREAM, 0));
    arm();
    EXPECT_ERRNO("blocked connect to a full backlog", connect(second, (struct sockaddr *)&bound.ss, bound.len), EINTR);
    close(second);
    close(first);
    close(listener);

    int udp = OK(socket(AF_INET, SOCK_DGRAM, 0));
    struct ct_addr at = ct_loopback(AF_INET);
    OK(bind(udp, (struct sockaddr *)&at.ss, at.len));
    ct_set_port(&at, ct_local_port(udp));
    arm();
    EXPECT_ERRNO("blocked UDP recv", recv(udp, buf, sizeof buf, 0), EINTR);

    /* SA_RESTART: the recv goes on until another process sends. */
    ct_count_signals(SIGALRM, SA_RESTART);
    ct_caught = 0;
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(150000);
        int s = socket(AF_INET, SOCK_DGRAM, 0);
        _exit(sendto(s, "late", 4, 0, (struct sockaddr *)&at.ss, at.len) == 4 ? 0 : 1);
    }
    arm();
    SHOW("blocked UDP recv with SA_RESTART", recv(udp, buf, sizeof buf, 0));
    printf("signals ct_caught: %d; child %s\n", ct_caught, status_text(ct_wait(child)));

    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    ct_caught = 0;
    child = ct_fork();
    if (child == 0) {
        usleep(150000);
        _exit(write(client, "later", 5) == 5 ? 0 : 1);
    }
    arm();
    SHOW("blocked TCP recv with SA_RESTART", recv(server, buf, sizeof buf, 0));
    printf("signals ct_caught: %d; child %s\n", ct_caught, status_text(ct_wait(child)));
    struct timeval tv = { 5, 0 };
    OK(setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    arm();
    EXPECT_ERRNO("with SO_RCVTIMEO, SA_RESTART or not", recv(server, buf, sizeof buf, 0), EINTR);
    close(client);
    close(server);
    close(udp);
    ct_pass();
}
