/*
 * test_fuzz_regressions.c — replays every input kept in
 * tests/fuzz/regressions/TARGET/ (inputs a fuzzer once crashed on, and a few
 * that pin a limit) through BUILD/fuzz_replay_TARGET, each in its own
 * process: one check per input, passed when the replay exits 0. BUILD is the
 * directory this test binary lives in, so `make asan` replays them sanitized.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define REGRESSIONS "tests/fuzz/regressions"

extern char **environ;

/* Runs REPLAY on INPUT with its output in a temporary file (the replayed
 * server logs every request); 1 if it exits 0, else the output is shown. */
static int replay_one(const char *replay, const char *input)
{
    char out[] = "/tmp/conclave-replay-XXXXXX", line[512];
    posix_spawn_file_actions_t fa;
    char *args[3];
    pid_t pid;
    int status, fd, ok = 0;
    FILE *f;

    if ((fd = mkstemp(out)) < 0)
        return 0;
    close(fd);
    args[0] = (char *)(uintptr_t)replay;
    args[1] = (char *)(uintptr_t)input;
    args[2] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid, replay, &fa, NULL, args, environ) == 0 &&
        waitpid(pid, &status, 0) == pid)
        ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    posix_spawn_file_actions_destroy(&fa);
    if (!ok && (f = fopen(out, "r")) != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (strstr(line, " http ") == NULL)     /* the request log is noise */
                fputs(line, stderr);
        fclose(f);
    }
    unlink(out);
    return ok;
}

static int replay_target(const char *build, const char *target)
{
    char dir[512], replay[512], input[1024], what[2200];
    struct dirent *e;
    struct stat st;
    DIR *d;
    int n = 0;

    snprintf(dir, sizeof dir, "%s/%s", REGRESSIONS, target);
    snprintf(replay, sizeof replay, "%s/fuzz_replay_%s", build, target);
    if (stat(replay, &st) != 0) {
        snprintf(what, sizeof what, "%s: no replay binary %s (make check-tests)", target,
                 replay);
        CHECK(0, what);
        return 0;
    }
    if ((d = opendir(dir)) == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(input, sizeof input, "%s/%s", dir, e->d_name);
        snprintf(what, sizeof what, "fuzz_%s replays %s", target, input);
        CHECK(replay_one(replay, input), what);
        n++;
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    char self[512], *build;
    struct dirent *e;
    DIR *d;
    int total = 0;

    (void)argc;
    snprintf(self, sizeof self, "%s", argv[0]);
    build = dirname(self);
    if ((d = opendir(REGRESSIONS)) == NULL) {
        CHECK(0, "no " REGRESSIONS " (run from the project's root)");
        TEST_MAIN_END("test_fuzz_regressions");
    }
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            total += replay_target(build, e->d_name);
    closedir(d);
    CHECK(total > 0, "some regression inputs were replayed");
    TEST_MAIN_END("test_fuzz_regressions");
}
