// The plain `run` export of the example plugins' component builds: the design document's plugin
// shape, a function the host calls, rather than a command's `_start`.
#include <stdio.h>
#include <stdlib.h>

int __main_void(void);

__attribute__((export_name("run"))) void run(void) {
    int status = __main_void();
    // With the reactor adapter nothing flushes stdio after run returns.
    fflush(NULL);
    if (status != 0) exit(status);
}
