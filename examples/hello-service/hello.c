// The README's per-connection service: wardend runs one fresh instance of this module per
// TCP connection, with the connection as stdin and stdout (the inetd model). It reads one
// line and answers with a greeting; a static counter shows every instance starts afresh.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int connections_seen_by_this_instance = 0;

int main(void) {
    char name[128];
    size_t used = 0;
    while (used < sizeof name - 1 && read(0, name + used, 1) == 1 && name[used] != '\n') used++;
    name[used] = 0;
    connections_seen_by_this_instance++;
    printf("hello %s (connection %d of this instance: always 1)\n", used ? name : "stranger",
           connections_seen_by_this_instance);
    return 0;
}
