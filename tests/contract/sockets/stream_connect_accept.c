/* Contract: bind(2) on a path creates a socket node (S_IFSOCK, mode 0777
 * less the umask); listen/connect/accept make a connection whose ends name
 * each other: getsockname on the accepted end is the listener's path,
 * getpeername on the client is the path, an unbound client's name is just
 * the family (length 2), and accept reports that too. The connection
 * exists before accept and carries data both ways; SO_PEERCRED gives each
 * end the other's pid/uid/gid. Removing the node keeps the listener but
 * new connects fail with ENOENT. Abstract names (a leading NUL) work the
 * same without a node. */
#include "contract.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t make_address(struct sockaddr_un *a, char const *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void show_name(char const *what, struct sockaddr_un const *a, socklen_t len)
{
    printf("%s: length %d, family %s", what, (int)len, a->sun_family == AF_UNIX ? "AF_UNIX" : "other");
    if (len > offsetof(struct sockaddr_un, sun_path)) {
        if (a->sun_path[0])
            printf(", path \"%s\"", a->sun_path);
        else
            printf(", abstract \"@%.*s\"", (int)(len - offsetof(struct sockaddr_un, sun_path) - 1), a->sun_path + 1);
    }
    printf("\n");
}

int main(void)
{
    ct_enter_tmpdir();
    umask(022);
    struct sockaddr_un addr, name;
    socklen_t addr_len = make_address(&addr, "sock");

    int server = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    socklen_t len = sizeof name;
    OK(getsockname(server, (struct sockaddr *)&name, &len));
    show_name("unbound getsockname", &name, len);
    OK(bind(server, (struct sockaddr *)&addr, addr_len));
    struct stat st;
    OK(lstat("sock", &st));
    printf("the node: S_ISSOCK %d, mode %04o, size %lld\n", S_ISSOCK(st.st_mode), st.st_mode & 07777,
           (long long)st.st_size);
    len = sizeof name;
    OK(getsockname(server, (struct sockaddr *)&name, &len));
    show_name("bound getsockname", &name, len);
    /* A short buffer gets the full length back and a cut copy. */
    len = 4;
    memset(&name, 0, sizeof name);
    OK(getsockname(server, (struct sockaddr *)&name, &len));
    printf("getsockname into 4 bytes: length %d, path starts \"%.2s\"\n", (int)len, name.sun_path);
    OK(listen(server, 5));

    int client = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(connect(client, (struct sockaddr *)&addr, addr_len));
    /* Connected before accept: the client may write at once. */
    CHECK(write(client, "hello", 5) == 5, "write before accept");
    len = sizeof name;
    int conn = OK(accept(server, (struct sockaddr *)&name, &len));
    show_name("accept's peer address (an unbound client)", &name, len);
    char buf[32];
    ssize_t n = read(conn, buf, sizeof buf);
    printf("server reads \"%.*s\"\n", (int)n, buf);
    CHECK(write(conn, "world", 5) == 5, "reply");
    n = read(client, buf, sizeof buf);
    printf("client reads \"%.*s\"\n", (int)n, buf);

    len = sizeof name;
    OK(getsockname(conn, (struct sockaddr *)&name, &len));
    show_name("accepted end getsockname", &name, len);
    len = sizeof name;
    OK(getpeername(conn, (struct sockaddr *)&name, &len));
    show_name("accepted end getpeername", &name, len);
    len = sizeof name;
    OK(getpeername(client, (struct sockaddr *)&name, &len));
    show_name("client getpeername", &name, len);
    len = sizeof name;
    OK(getsockname(client, (struct sockaddr *)&name, &len));
    show_name("client getsockname", &name, len);
    EXPECT_ERRNO("getpeername on the listener", getpeername(server, (struct sockaddr *)&name, &len), ENOTCONN);

    struct ucred cred;
    len = sizeof cred;
    OK(getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len));
    printf("server's SO_PEERCRED: length %d, pid is ours %d, uid %d, gid %d\n", (int)len, cred.pid == getpid(),
           (int)cred.uid, (int)cred.gid);
    len = sizeof cred;
    OK(getsockopt(client, SOL_SOCKET, SO_PEERCRED, &cred, &len));
    printf("client's SO_PEERCRED: pid is ours %d\n", cred.pid == getpid());

    /* A bound client: accept reports its path. */
    int bound = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un caddr;
    socklen_t caddr_len = make_address(&caddr, "client");
    OK(bind(bound, (struct sockaddr *)&caddr, caddr_len));
    OK(connect(bound, (struct sockaddr *)&addr, addr_len));
    len = sizeof name;
    int conn2 = OK(accept(server, (struct sockaddr *)&name, &len));
    show_name("accept's peer address (a bound client)", &name, len);

    /* A child connects and the server learns its pid. */
    pid_t child = ct_fork();
    if (child == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&addr, addr_len) < 0) _exit(1);
        char byte;
        _exit(read(c, &byte, 1) == 1 && byte == 'k' ? 0 : 2);
    }
    int conn3 = OK(accept(server, NULL, NULL));
    len = sizeof cred;
    OK(getsockopt(conn3, SOL_SOCKET, SO_PEERCRED, &cred, &len));
    printf("a child's connection: SO_PEERCRED pid is the child's %d\n", cred.pid == child);
    CHECK(write(conn3, "k", 1) == 1, "write k");
    printf("child %s\n", status_text(ct_wait(child)));

    /* The node removed: the listener lives on, unreachable by path. */
    OK(unlink("sock"));
    int late = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERRNO("connect after unlink", connect(late, (struct sockaddr *)&addr, addr_len), ENOENT);
    /* Another socket can take the name now. */
    int again = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT("bind the unlinked name again", bind(again, (struct sockaddr *)&addr, addr_len) == 0);
    /* Renaming the node keeps it reachable under the new name. */
    OK(listen(again, 1));
    OK(rename("sock", "moved"));
    struct sockaddr_un moved;
    socklen_t moved_len = make_address(&moved, "moved");
    EXPECT("connect through the renamed node", connect(late, (struct sockaddr *)&moved, moved_len) == 0);

    /* Abstract names. */
    struct sockaddr_un abstract;
    memset(&abstract, 0, sizeof abstract);
    abstract.sun_family = AF_UNIX;
    memcpy(abstract.sun_path, "\0ct-abstract-test", 17);
    socklen_t abstract_len = offsetof(struct sockaddr_un, sun_path) + 17;
    int as = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(bind(as, (struct sockaddr *)&abstract, abstract_len));
    len = sizeof name;
    OK(getsockname(as, (struct sockaddr *)&name, &len));
    show_name("abstract getsockname", &name, len);
    int taken = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERRNO("bind of a taken abstract name", bind(taken, (struct sockaddr *)&abstract, abstract_len), EADDRINUSE);
    int dgram = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT("the same abstract name for a datagram socket", bind(dgram, (struct sockaddr *)&abstract, abstract_len) == 0);
    OK(listen(as, 1));
    int ac = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(connect(ac, (struct sockaddr *)&abstract, abstract_len));
    int aconn = OK(accept(as, NULL, NULL));
    CHECK(write(ac, "abs", 3) == 3, "write");
    n = read(aconn, buf, sizeof buf);
    printf("over the abstract name: \"%.*s\"\n", (int)n, buf);
    close(as);
    int ac2 = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERRNO("connect to an abstract name whose socket closed", connect(ac2, (struct sockaddr *)&abstract, abstract_len),
                 ECONNREFUSED);

    /* Autobind: bind with only the family gives an abstract name of 5 hex digits. */
    int ab = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    struct sockaddr_un family_only = { .sun_family = AF_UNIX };
    OK(bind(ab, (struct sockaddr *)&family_only, sizeof(sa_family_t)));
    len = sizeof name;
    OK(getsockname(ab, (struct sockaddr *)&name, &len));
    int hex = len == 8 && name.sun_path[0] == 0;
    for (int i = 1; i < 6 && hex; i++)
        hex = strchr("0123456789abcdef", name.sun_path[i]) != NULL;
    printf("autobind: length %d, a NUL and five hex digits %s\n", (int)len, hex ? "yes" : "no");

    close(conn);
    close(conn2);
    close(conn3);
    ct_pass();
}
