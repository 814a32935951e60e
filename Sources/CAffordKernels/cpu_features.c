/* Placeholder: kernels land with the engine work (issue 2). */
#include "afford_kernels.h"
