#ifndef AFFORD_CV4L2_SHIM_H
#define AFFORD_CV4L2_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <libv4l2.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

// Swift cannot call C variadics (v4l2_open, v4l2_ioctl) or expand the
// function-like _IOWR macros behind VIDIOC_*; these wrappers and constants can.

static inline int afford_open(const char *path, int flags) { return open(path, flags); }

/// Plain ioctl, retried on EINTR: for VIDIOC_QUERYCAP before libv4l2 takes the fd,
/// so a non-V4L2 file fails with its own errno rather than inside v4l2_open.
static inline int afford_ioctl(int fd, unsigned long request, void *argument) {
    int result;
    do { result = ioctl(fd, request, argument); } while (result == -1 && errno == EINTR);
    return result;
}

/// v4l2_ioctl, retried on EINTR.
static inline int afford_v4l2_ioctl(int fd, unsigned long request, void *argument) {
    int result;
    do { result = v4l2_ioctl(fd, request, argument); } while (result == -1 && errno == EINTR);
    return result;
}

static const unsigned long AFFORD_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long AFFORD_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long AFFORD_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long AFFORD_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long AFFORD_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long AFFORD_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long AFFORD_VIDIOC_QUERYCTRL = VIDIOC_QUERYCTRL;
static const unsigned long AFFORD_VIDIOC_S_CTRL = VIDIOC_S_CTRL;
static const unsigned long AFFORD_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long AFFORD_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long AFFORD_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long AFFORD_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long AFFORD_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long AFFORD_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

#endif
