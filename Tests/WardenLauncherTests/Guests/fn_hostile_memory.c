// Guest-memory hostility: raw imports called with pointers and lengths outside linear memory.
// The first argument names the call; the guest prints "errno=N" with what the host returned.
// A correct host answers fault (21) or traps; it must never touch memory outside the guest
// (a crash of the host process) or succeed.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
typedef int32_t i32;
typedef int64_t i64;

IMPORT(fd_write) i32 raw_fd_write(i32 fd, i32 iovs, i32 iovs_len, i32 result);
IMPORT(fd_read) i32 raw_fd_read(i32 fd, i32 iovs, i32 iovs_len, i32 result);
IMPORT(fd_pread) i32 raw_fd_pread(i32 fd, i32 iovs, i32 iovs_len, i64 offset, i32 result);
IMPORT(fd_pwrite) i32 raw_fd_pwrite(i32 fd, i32 iovs, i32 iovs_len, i64 offset, i32 result);
IMPORT(path_open) i32 raw_path_open(i32 fd, i32 dirflags, i32 path, i32 path_len, i32 oflags, i64 rights,
                                    i64 inheriting, i32 fdflags, i32 result);
IMPORT(args_get) i32 raw_args_get(i32 argv, i32 buf);
IMPORT(args_sizes_get) i32 raw_args_sizes_get(i32 count, i32 size);
IMPORT(environ_get) i32 raw_environ_get(i32 envp, i32 buf);
IMPORT(environ_sizes_get) i32 raw_environ_sizes_get(i32 count, i32 size);
IMPORT(random_get) i32 raw_random_get(i32 buf, i32 len);
IMPORT(clock_time_get) i32 raw_clock_time_get(i32 id, i64 precision, i32 result);
IMPORT(clock_res_get) i32 raw_clock_res_get(i32 id, i32 result);
IMPORT(fd_prestat_get) i32 raw_fd_prestat_get(i32 fd, i32 result);
IMPORT(fd_prestat_dir_name) i32 raw_fd_prestat_dir_name(i32 fd, i32 buf, i32 len);
IMPORT(fd_readdir) i32 raw_fd_readdir(i32 fd, i32 buf, i32 len, i64 cookie, i32 result);
IMPORT(fd_filestat_get) i32 raw_fd_filestat_get(i32 fd, i32 result);
IMPORT(fd_fdstat_get) i32 raw_fd_fdstat_get(i32 fd, i32 result);
IMPORT(fd_seek) i32 raw_fd_seek(i32 fd, i64 offset, i32 whence, i32 result);
IMPORT(fd_tell) i32 raw_fd_tell(i32 fd, i32 result);
IMPORT(path_filestat_get) i32 raw_path_filestat_get(i32 fd, i32 flags, i32 path, i32 path_len, i32 result);
IMPORT(path_create_directory) i32 raw_path_create_directory(i32 fd, i32 path, i32 path_len);
IMPORT(path_readlink) i32 raw_path_readlink(i32 fd, i32 path, i32 path_len, i32 buf, i32 buf_len, i32 result);
IMPORT(path_symlink) i32 raw_path_symlink(i32 old_path, i32 old_len, i32 fd, i32 new_path, i32 new_len);
IMPORT(path_rename) i32 raw_path_rename(i32 fd, i32 old_path, i32 old_len, i32 new_fd, i32 new_path, i32 new_len);
IMPORT(path_unlink_file) i32 raw_path_unlink_file(i32 fd, i32 path, i32 path_len);
IMPORT(poll_oneoff) i32 raw_poll_oneoff(i32 in, i32 out, i32 nsubscriptions, i32 result);

static char path[] = "data.txt";
static char linkname[] = "link";
static char scratch[4096];
static uint32_t iov[2];

#define P(x) ((i32)(uintptr_t)(x))

static uint32_t memory_end(void) { return (uint32_t)__builtin_wasm_memory_size(0) * 65536u; }

static i32 run(const char *name) {
    const uint32_t end = memory_end();
    const i32 ok = P(scratch);          // a valid, writable address
    const i32 tail = (i32)(end - 2);    // in bounds, but nothing wider than 2 bytes fits
    if (!strcmp(name, "fd_write_iovs_past_end")) return raw_fd_write(1, (i32)0xFFFFFFF0, 1, ok);
    if (!strcmp(name, "fd_write_iovs_at_end")) return raw_fd_write(1, tail, 1, ok);
    if (!strcmp(name, "fd_write_buffer_past_end")) { iov[0] = end - 4; iov[1] = 100; return raw_fd_write(1, P(iov), 1, ok); }
    if (!strcmp(name, "fd_write_buffer_wraps")) { iov[0] = 0xFFFFFFFF; iov[1] = 2; return raw_fd_write(1, P(iov), 1, ok); }
    if (!strcmp(name, "fd_write_huge_iovs_count")) return raw_fd_write(1, ok, 0x20000000, ok);
    if (!strcmp(name, "fd_write_result_past_end")) { iov[0] = P(scratch); iov[1] = 0; return raw_fd_write(1, P(iov), 1, (i32)0xFFFFFFFE); }
    if (!strcmp(name, "fd_read_buffer_past_end")) { iov[0] = end - 10; iov[1] = 1000; return raw_fd_read(0, P(iov), 1, ok); }
    if (!strcmp(name, "fd_pread_buffer_past_end")) { iov[0] = 0xFFFFFF00; iov[1] = 0x1000; return raw_fd_pread(4, P(iov), 1, 0, ok); }
    if (!strcmp(name, "fd_pwrite_buffer_past_end")) { iov[0] = end - 1; iov[1] = 0x7FFFFFFF; return raw_fd_pwrite(4, P(iov), 1, 0, ok); }
    if (!strcmp(name, "path_open_length_huge")) return raw_path_open(3, 0, P(path), (i32)0xFFFFFFFF, 0, 2, 0, 0, ok);
    if (!strcmp(name, "path_open_path_past_end")) return raw_path_open(3, 0, (i32)(end - 4), 32, 0, 2, 0, 0, ok);
    if (!strcmp(name, "path_open_result_past_end")) return raw_path_open(3, 0, P(path), 8, 0, 2, 0, 0, tail);
    if (!strcmp(name, "args_get_argv_past_end")) return raw_args_get(tail, ok);
    if (!strcmp(name, "args_get_buffer_past_end")) return raw_args_get(ok, tail);
    if (!strcmp(name, "args_sizes_get_past_end")) return raw_args_sizes_get(ok, tail);
    if (!strcmp(name, "environ_get_past_end")) return raw_environ_get(ok, tail);
    if (!strcmp(name, "environ_sizes_get_past_end")) return raw_environ_sizes_get(tail, ok);
    if (!strcmp(name, "random_get_past_end")) return raw_random_get((i32)(end - 16), 32);
    if (!strcmp(name, "random_get_length_huge")) return raw_random_get(0, (i32)0xFFFFFFFF);
    if (!strcmp(name, "clock_time_get_past_end")) return raw_clock_time_get(1, 0, (i32)(end - 4));
    if (!strcmp(name, "clock_res_get_past_end")) return raw_clock_res_get(1, (i32)0xFFFFFFFC);
    if (!strcmp(name, "fd_prestat_get_past_end")) return raw_fd_prestat_get(3, (i32)(end - 4));
    if (!strcmp(name, "fd_prestat_dir_name_past_end")) return raw_fd_prestat_dir_name(3, tail, 100);
    if (!strcmp(name, "fd_readdir_buffer_past_end")) return raw_fd_readdir(3, (i32)(end - 10), 1000, 0, ok);
    if (!strcmp(name, "fd_readdir_result_past_end")) return raw_fd_readdir(3, ok, 100, 0, (i32)0xFFFFFFFF);
    if (!strcmp(name, "fd_filestat_get_past_end")) return raw_fd_filestat_get(3, (i32)(end - 10));
    if (!strcmp(name, "fd_fdstat_get_past_end")) return raw_fd_fdstat_get(1, (i32)(end - 8));
    if (!strcmp(name, "fd_seek_result_past_end")) return raw_fd_seek(4, 0, 0, tail);
    if (!strcmp(name, "fd_tell_result_past_end")) return raw_fd_tell(4, (i32)0xFFFFFFF9);
    if (!strcmp(name, "path_filestat_get_path_huge")) return raw_path_filestat_get(3, 0, P(path), (i32)0xFFFFFFF0, ok);
    if (!strcmp(name, "path_filestat_get_result_past_end")) return raw_path_filestat_get(3, 0, P(path), 8, (i32)(end - 32));
    if (!strcmp(name, "path_create_directory_past_end")) return raw_path_create_directory(3, (i32)(end - 3), 10);
    if (!strcmp(name, "path_readlink_buffer_past_end")) return raw_path_readlink(3, P(linkname), 4, tail, 64, ok);
    if (!strcmp(name, "path_symlink_old_huge")) return raw_path_symlink(P(path), (i32)0x80000000, 3, P(linkname), 4);
    if (!strcmp(name, "path_rename_new_past_end")) return raw_path_rename(3, P(path), 8, 3, (i32)(end - 1), 8);
    if (!strcmp(name, "path_unlink_file_past_end")) return raw_path_unlink_file(3, (i32)0xFFFFFFF8, 16);
    if (!strcmp(name, "poll_oneoff_in_past_end")) return raw_poll_oneoff((i32)(end - 8), ok, 1, ok);
    if (!strcmp(name, "poll_oneoff_out_past_end")) {
        // one zero-timeout clock subscription, valid; the event would land past the end
        memset(scratch, 0, 48);
        scratch[8] = 0;  // eventtype clock
        return raw_poll_oneoff(ok, (i32)(end - 16), 1, ok + 1024);
    }
    if (!strcmp(name, "poll_oneoff_count_huge")) return raw_poll_oneoff(ok, ok, (i32)0xFFFFFFFF, ok);
    printf("unknown case %s\n", name);
    __builtin_trap();
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    // Open data.txt as fd 4 for the cases that need a file (fd 3 is the preopen).
    uint32_t fd = 0;
    if (raw_path_open(3, 0, P(path), 8, 0, 2 | 4 | 32 | 64 | (1 << 21), 0, 0, P(&fd)) != 0 || fd != 4) {
        printf("setup failed\n");
        return 3;
    }
    i32 e = run(argv[1]);
    printf("errno=%d\n", (int)e);
    return 0;
}
