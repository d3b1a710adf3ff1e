// Only the header matters (the function is in libFuzzer); SwiftPM wants a C file in a C target.
#include "CLibFuzzer.h"
