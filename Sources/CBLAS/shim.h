// OpenBLAS's CBLAS interface. pkg-config openblas supplies the include path
// (Debian: /usr/include/<triple>/openblas-pthread).
#include <cblas.h>
