// Everything lives in the header as static inline functions; SwiftPM needs one C file per C target.
#include "CCapStdShims.h"
