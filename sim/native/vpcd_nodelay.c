/*
 * LD_PRELOAD shim for the simulated pcscd: sets TCP_NODELAY on every socket
 * pcscd accepts. Why: vsmartcard-vpcd 3.3 (Debian bookworm) sends the 2-byte
 * length and the APDU in two send() calls on a Nagle socket, so the APDU
 * waits for the virtual card's delayed ACK (~40 ms per APDU on Linux).
 * Upstream vpcd later coalesced the two writes; this shim gives the same
 * effect on the packaged driver. Unix-socket accepts ignore the option.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

typedef int (*accept_fn)(int, struct sockaddr *, socklen_t *);

int accept(int sock, struct sockaddr *addr, socklen_t *len)
{
    static accept_fn real_accept;
    if (!real_accept)
        real_accept = (accept_fn)dlsym(RTLD_NEXT, "accept");
    int fd = real_accept(sock, addr, len);
    if (fd >= 0) {
        int saved = errno, one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        errno = saved;
    }
    return fd;
}
