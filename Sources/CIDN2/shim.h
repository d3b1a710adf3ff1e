// libidn2 (IDNA 2008 with UTS #46 processing), from Debian's libidn2-dev.
#ifndef MASTHEAD_CIDN2_SHIM_H
#define MASTHEAD_CIDN2_SHIM_H
#include <idn2.h>
#endif
