// libFuzzer's library entry (https://llvm.org/docs/LibFuzzer.html, "Using libFuzzer as a
// library"). Swift's -sanitize=fuzzer links libFuzzer, whose own main() SwiftPM's executables
// cannot use (SwiftPM renames each executable's main), so our main calls the driver instead.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
