// The example report plugin: reads /config/settings.toml and writes /output/report.txt.
// Rebuild with build.sh beside this file.
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *tenant = argc > 1 ? argv[1] : "tenant";
    char settings[512];
    FILE *input = fopen("/config/settings.toml", "r");
    if (!input) {
        perror("/config/settings.toml");
        return 1;
    }
    size_t length = fread(settings, 1, sizeof settings - 1, input);
    settings[length] = 0;
    fclose(input);

    FILE *output = fopen("/output/report.txt", "w");
    if (!output) {
        perror("/output/report.txt");
        return 1;
    }
    fprintf(output, "report for %s\nsettings: %zu bytes\n%s", tenant, length, settings);
    if (fclose(output) != 0) {
        perror("/output/report.txt");
        return 1;
    }
    printf("%s: report written (%zu bytes of settings)\n", tenant, length);
    return 0;
}
