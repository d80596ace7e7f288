// The SSE load test's floor: the least a server can do for a broadcast, which
// is one send() per stream, from C with no runtime. It answers just enough
// HTTP for bench/sse_load.ts: GET /healthz, GET /api/events (a chunked event
// stream that opens with a scoreboard event), and POST /api/admin/announcements,
// whose `t=<ms>` marker it sends to every stream in one loop before it
// reads anything else. What the kernel charges for that loop is the part of
// the lag no server on this machine can avoid. Loopback only.
//
// Build: cc -O2 -o sse_floor bench/sse_floor.c
// Usage: sse_floor --port P (other flags, as given to `cairn serve`, are ignored)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_STREAMS 30000

static int streams[MAX_STREAMS];
static int stream_count;

static void reply(int fd, const char *text) { send(fd, text, strlen(text), MSG_NOSIGNAL); }

// Formats one event as a chunk of a chunked response, as Bun writes it.
static int chunk(char *out, size_t size, const char *event) {
  return snprintf(out, size, "%zx\r\n%s\r\n", strlen(event), event);
}

static void broadcast(const char *request) {
  // The announcement's text is its `t=<ms>` marker, in the body; without one the text is empty.
  const char *body = strstr(request, "\r\n\r\n");
  const char *marker = body ? strstr(body, "t=") : NULL;
  int length = marker ? 2 + (int)strspn(marker + 2, "0123456789") : 0;
  char event[256], out[300];
  snprintf(event, sizeof event, "id: 1.2\nevent: announcement\ndata: {\"id\":1,\"text\":\"%.*s\",\"at\":1}\n\n",
           length, marker ? marker : "");
  int size = chunk(out, sizeof out, event);
  for (int i = 0; i < stream_count; i++) {
    if (streams[i] < 0) continue;
    // A stream that cannot take a whole event is closed, as Cairn closes one that falls behind.
    if (send(streams[i], out, (size_t)size, MSG_DONTWAIT | MSG_NOSIGNAL) != size) {
      close(streams[i]);
      streams[i] = -1;
    }
  }
}

// Reads one request: its headers, then as much body as content-length says. NUL-terminated.
static ssize_t read_request(int fd, char *buffer, size_t size) {
  size_t have = 0;
  for (;;) {
    ssize_t got = recv(fd, buffer + have, size - 1 - have, 0);
    if (got <= 0) return got;
    have += (size_t)got;
    buffer[have] = 0;
    char *end = strstr(buffer, "\r\n\r\n");
    if (end == NULL && have < size - 1) continue;
    if (end == NULL) return (ssize_t)have;
    const char *length = strcasestr(buffer, "content-length:");
    size_t body = length && length < end ? strtoul(length + 15, NULL, 10) : 0;
    size_t total = (size_t)(end + 4 - buffer) + body;
    if (have >= total || total >= size) return (ssize_t)have;
  }
}

int main(int argc, char **argv) {
  int port = 0;
  for (int a = 1; a + 1 < argc; a++)
    if (strcmp(argv[a], "--port") == 0) port = atoi(argv[a + 1]);
  if (port <= 0) {
    fprintf(stderr, "usage: sse_floor --port P\n");
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4096) != 0) {
    perror("sse_floor: listen");
    return 1;
  }
  int ep = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &event);
  struct epoll_event events[1024];
  static char request[65536];
  for (;;) {
    int n = epoll_wait(ep, events, 1024, -1);
    for (int e = 0; e < n; e++) {
      int fd = events[e].data.fd;
      if (fd == listener) {
        int client;
        // Blocking sockets: a request's body is read to its end below; streams are sent to with
        // MSG_DONTWAIT.
        while ((client = accept(listener, NULL, NULL)) >= 0) {
          setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event added = {.events = EPOLLIN, .data.fd = client};
          epoll_ctl(ep, EPOLL_CTL_ADD, client, &added);
        }
        continue;
      }
      ssize_t got = read_request(fd, request, sizeof request);
      if (got <= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
        close(fd);
        continue;
      }
      if (strncmp(request, "GET /api/events", 15) == 0 && stream_count < MAX_STREAMS) {
        char out[512];
        int size = snprintf(out, sizeof out,
                            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                            "transfer-encoding: chunked\r\n\r\n");
        size += chunk(out + size, sizeof out - (size_t)size,
                      "retry: 3000\n\nid: 0.1\nevent: scoreboard\ndata: {\"frozen\":false,\"teams\":[]}\n\n");
        send(fd, out, (size_t)size, MSG_NOSIGNAL);
        // The stream only receives from now on: its socket leaves the poll set.
        epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
        streams[stream_count++] = fd;
      } else if (strncmp(request, "POST ", 5) == 0) {
        reply(fd, "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}");
        broadcast(request);
      } else {
        reply(fd, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      }
    }
  }
}
