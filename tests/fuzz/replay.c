/*
 * replay.c — a main() for a libFuzzer target without libFuzzer: runs
 * LLVMFuzzerInitialize (when the target has one) and then
 * LLVMFuzzerTestOneInput once on each file named on the command line. Built
 * with the ordinary compiler by `make check-tests` (build/fuzz_replay_TARGET),
 * so the crashing inputs kept in tests/fuzz/regressions/ are replayed by
 * every `make test` and, sanitized, by `make asan` (tests/test_fuzz_regressions.c).
 * A target signals a finding by crashing; exit 0 means every input passed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *replay_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            *len = (size_t)n;
        }
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    size_t len = 0;
    unsigned char *data;
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s INPUT...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc; i++) {
        if ((data = replay_read(argv[i], &len)) == NULL) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
            return 1;
        }
        /* a copy of exactly LEN bytes, as libFuzzer hands it: an overread shows */
        LLVMFuzzerTestOneInput(data, len);
        free(data);
    }
    return 0;
}
