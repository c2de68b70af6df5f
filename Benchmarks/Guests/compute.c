// Benchmark guest: computation with no host call while it runs, for what fuel metering costs and
// what a fuel unit counts. Each kernel prints "<kernel> <checksum>"; the host times the whole run.
// Rebuild with build.sh beside this file.
//
//   compute sieve N     the primes below N (sieve of Eratosthenes), counted 10 times
//   compute sort N      N pseudo-random integers sorted with libc's qsort, 10 times
//   compute hash N      FNV-1a over N bytes, one byte at a time
//   compute strings N   N strings formatted with snprintf, measured, searched and compared
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t state = 2463534242u;

/// xorshift32: the same sequence under every host.
static uint32_t next_random(void) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static unsigned long sieve(long limit) {
    unsigned char *composite = malloc((size_t)limit);
    if (!composite) return 0;
    unsigned long total = 0;
    for (int round = 0; round < 10; round++) {
        memset(composite, 0, (size_t)limit);
        unsigned long primes = 0;
        for (long candidate = 2; candidate < limit; candidate++) {
            if (composite[candidate]) continue;
            primes++;
            if (candidate > limit / candidate) continue;
            for (long multiple = candidate * candidate; multiple < limit; multiple += candidate) composite[multiple] = 1;
        }
        total += primes;
    }
    free(composite);
    return total;
}

static int compare(const void *left, const void *right) {
    uint32_t a = *(const uint32_t *)left, b = *(const uint32_t *)right;
    return (a > b) - (a < b);
}

static unsigned long sort(long count) {
    uint32_t *values = malloc((size_t)count * sizeof *values);
    if (!values) return 0;
    unsigned long checksum = 0;
    for (int round = 0; round < 10; round++) {
        for (long index = 0; index < count; index++) values[index] = next_random();
        qsort(values, (size_t)count, sizeof *values, compare);
        checksum += values[count / 2];
    }
    free(values);
    return checksum;
}

static unsigned long hash(long bytes) {
    enum { size = 4096 };
    static unsigned char buffer[size];
    for (int index = 0; index < size; index++) buffer[index] = (unsigned char)next_random();
    uint64_t value = 14695981039346656037u;
    for (long index = 0; index < bytes; index++) {
        value ^= buffer[index & (size - 1)];
        value *= 1099511628211u;
    }
    return (unsigned long)(value ^ (value >> 32));
}

static unsigned long strings(long count) {
    char line[128];
    char previous[128] = "";
    unsigned long checksum = 0;
    for (long index = 0; index < count; index++) {
        int length = snprintf(line, sizeof line, "tenant-%ld/config/settings-%08x.toml", index % 97, next_random());
        checksum += (unsigned long)strlen(line) + (unsigned long)length;
        const char *found = strstr(line, "settings-");
        if (found) checksum += (unsigned long)(found - line);
        if (strchr(line, 'f')) checksum++;
        checksum += strcmp(line, previous) < 0;
        memcpy(previous, line, sizeof line);
    }
    return checksum;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: compute sieve|sort|hash|strings N\n");
        return 2;
    }
    long amount = atol(argv[2]);
    unsigned long checksum;
    if (strcmp(argv[1], "sieve") == 0) checksum = sieve(amount);
    else if (strcmp(argv[1], "sort") == 0) checksum = sort(amount);
    else if (strcmp(argv[1], "hash") == 0) checksum = hash(amount);
    else if (strcmp(argv[1], "strings") == 0) checksum = strings(amount);
    else {
        fprintf(stderr, "compute: unknown kernel %s\n", argv[1]);
        return 2;
    }
    printf("%s %lu\n", argv[1], checksum);
    return 0;
}
