/* The fuzz build's own copy of the stb_image decoder, from the same header the system libstb is
   built from, compiled with coverage and sanitizers: it takes precedence over libstb.so's
   uninstrumented symbols, so libFuzzer sees (and ASan checks) inside the decoder. */
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
