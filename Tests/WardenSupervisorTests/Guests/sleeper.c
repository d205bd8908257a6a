// Daemon or slow per-connection guest: sleeps the number of milliseconds in argv[1] (default:
// a day), then writes "done" and exits with argv[2] (default 0).
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long milliseconds = argc > 1 ? atol(argv[1]) : 86400000L;
    struct timespec pause = { milliseconds / 1000, (milliseconds % 1000) * 1000000L };
    nanosleep(&pause, NULL);
    write(1, "done\n", 5);
    return argc > 2 ? atoi(argv[2]) : 0;
}
