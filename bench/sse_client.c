// The SSE load test's client in C: N raw TCP connections to an event stream,
// read with one epoll loop, so that what the load test measures is the
// server and the kernel rather than the client. It speaks the same protocol as
// bench/_sse_client.ts: "ready" on stdout once every stream has its first
// scoreboard event, then the delivery lag of every `t=<ms>` marker, printed as
// JSON when "done" arrives on stdin (or after 10 minutes).
//
// With --spin the loop polls without sleeping, on a core of its own. A client
// asleep in epoll_wait must be woken for each burst of data, and on loopback
// that wake-up is paid inside the server's send() call; a phone on Wi-Fi costs
// the server nothing of the kind.
//
// With --tokens FILE (one session token a line), stream i is opened as the team
// of line i modulo their count (Authorization: Bearer), as phones would be.
//
// Build: cc -O2 -o sse_client bench/sse_client.c
// Usage: sse_client PORT N [--spin] [--tokens FILE] [PATH]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int ready;
  int64_t last;
  // The unfinished tail of the last chunk, when a marker was cut in two.
  char carry[32];
  int carried;
} Stream;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t *lags;
static size_t lag_count, lag_capacity;

static void record(int64_t lag) {
  if (lag_count == lag_capacity) {
    lag_capacity = lag_capacity ? lag_capacity * 2 : 1 << 16;
    lags = realloc(lags, lag_capacity * sizeof *lags);
    if (!lags) exit(1);
  }
  lags[lag_count++] = lag;
}

// Finds every complete `t=<digits>` marker in bytes; keeps a cut-off tail.
static void scan(Stream *s, const char *bytes, size_t length, int64_t now) {
  size_t i = 0;
  while (i + 1 < length) {
    if (bytes[i] != 't' || bytes[i + 1] != '=') {
      i++;
      continue;
    }
    size_t j = i + 2;
    int64_t value = 0;
    while (j < length && bytes[j] >= '0' && bytes[j] <= '9') value = value * 10 + (bytes[j++] - '0');
    if (j == length) {
      size_t tail = length - i;
      if (tail < sizeof s->carry) {
        memcpy(s->carry, bytes + i, tail);
        s->carried = (int)tail;
      }
      return;
    }
    if (j > i + 2 && value > s->last) {
      s->last = value;
      record(now - value);
    }
    i = j;
  }
  if (i < length && bytes[i] == 't') {
    s->carry[0] = 't';
    s->carried = 1;
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: sse_client PORT N [--spin] [--tokens FILE] [PATH]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  int count = atoi(argv[2]);
  int spin = 0;
  const char *path = "/api/events";
  const char *tokens_file = NULL;
  for (int a = 3; a < argc; a++) {
    if (strcmp(argv[a], "--spin") == 0) spin = 1;
    else if (strcmp(argv[a], "--tokens") == 0 && a + 1 < argc) tokens_file = argv[++a];
    else path = argv[a];
  }
  // The session tokens, one a line: each stream's request names one, in turn.
  char **tokens = NULL;
  int token_count = 0;
  if (tokens_file) {
    FILE *file = fopen(tokens_file, "r");
    if (!file) {
      fprintf(stderr, "sse_client: cannot read %s\n", tokens_file);
      return 2;
    }
    char line[256];
    while (fgets(line, sizeof line, file)) {
      line[strcspn(line, "\r\n")] = 0;
      if (!line[0]) continue;
      tokens = realloc(tokens, (size_t)(token_count + 1) * sizeof *tokens);
      if (!tokens) return 1;
      tokens[token_count++] = strdup(line);
    }
    fclose(file);
    if (token_count == 0) {
      fprintf(stderr, "sse_client: %s holds no token\n", tokens_file);
      return 2;
    }
  }
  char request[768];
  int request_length = 0;

  int ep = epoll_create1(0);
  struct epoll_event in = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
  epoll_ctl(ep, EPOLL_CTL_ADD, 0, &in);

  // Stream state by file descriptor.
  Stream *streams = calloc((size_t)count + 1024, sizeof *streams);
  size_t stream_slots = (size_t)count + 1024;
  // Streams that never opened, and streams the server closed after they had opened.
  int ready = 0, failed = 0, dropped = 0, said_ready = 0, done = 0;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);

  static char buffer[1 << 16];
  struct epoll_event events[1024];
  int opened = 0;
  int64_t deadline = now_ms() + 600000;
  // After "done", reading goes on until the streams have been quiet for 200 ms (at most 5 s), so
  // that the last broadcast's slowest deliveries still count.
  int64_t last_data = 0, done_at = 0;
  for (;;) {
    int64_t now = now_ms();
    if (now >= deadline) break;
    if (done && (now - last_data >= 200 || now - done_at >= 5000)) break;
    // Open connections 500 at a time, so the accept queue is not flooded.
    for (int k = 0; k < 500 && opened < count; k++, opened++) {
      if (tokens) {
        request_length = snprintf(request, sizeof request,
                                  "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Authorization: Bearer %s\r\n\r\n",
                                  path, tokens[opened % token_count]);
      } else {
        request_length = snprintf(request, sizeof request,
                                  "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
      }
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0 || (size_t)fd >= stream_slots ||
          connect(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
          write(fd, request, (size_t)request_length) != request_length) {
        if (fd >= 0) close(fd);
        failed++;
        continue;
      }
      // A descriptor can be a closed stream's, reused: start from a clean state.
      memset(&streams[fd], 0, sizeof streams[fd]);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &event);
    }
    int n = epoll_wait(ep, events, 1024, spin && said_ready ? 0 : 10);
    for (int e = 0; e < n; e++) {
      if (events[e].data.u64 == UINT64_MAX) {
        ssize_t got = read(0, buffer, sizeof buffer - 1);
        if (got > 0) buffer[got] = 0;
        if (!done && (got <= 0 || strstr(buffer, "done"))) {
          done = 1;
          done_at = now_ms();
          epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
        }
        continue;
      }
      int fd = events[e].data.fd;
      Stream *s = &streams[fd];
      ssize_t got = recv(fd, buffer + sizeof s->carry, sizeof buffer - sizeof s->carry, MSG_DONTWAIT);
      if (got <= 0) {
        if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
          epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
          close(fd);
          if (!s->ready) failed++;
          else dropped++;
        }
        continue;
      }
      // The time each stream's bytes arrive, not the time the batch was polled.
      int64_t now = now_ms();
      last_data = now;
      char *start = buffer + sizeof s->carry;
      size_t length = (size_t)got;
      if (s->carried) {
        start -= s->carried;
        memcpy(start, s->carry, (size_t)s->carried);
        length += (size_t)s->carried;
        s->carried = 0;
      }
      if (!s->ready) {
        // The first event on a stream is the scoreboard. Its name can be cut in two: keep a tail.
        if (!memmem(start, length, "event: scoreboard", 17)) {
          size_t tail = length < 16 ? length : 16;
          memcpy(s->carry, start + length - tail, tail);
          s->carried = (int)tail;
          continue;
        }
        s->ready = 1;
        ready++;
      }
      scan(s, start, length, now);
    }
    if (!said_ready && opened == count && ready + failed >= count) {
      said_ready = 1;
      printf("{\"kind\":\"ready\",\"ready\":%d,\"failed\":%d}\n", ready, failed);
      fflush(stdout);
    }
  }
  if (!said_ready) printf("{\"kind\":\"ready\",\"ready\":%d,\"failed\":%d}\n", ready, failed);
  printf("{\"kind\":\"lags\",\"ready\":%d,\"failed\":%d,\"dropped\":%d,\"lags\":[", ready, failed,
         dropped);
  for (size_t i = 0; i < lag_count; i++) printf(i ? ",%lld" : "%lld", (long long)lags[i]);
  printf("]}\n");
  return 0;
}
