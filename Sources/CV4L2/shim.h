#ifndef AFFORD_CV4L2_SHIM_H
#define AFFORD_CV4L2_SHIM_H
#include <linux/videodev2.h>
#include <libv4l2.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#endif
