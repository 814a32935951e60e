#include <zmq.h>
#include <errno.h>

// Error numbers zmq.h defines as macro arithmetic, which Swift does not import.
static inline int afford_zmq_eagain(void) { return EAGAIN; }
static inline int afford_zmq_eintr(void) { return EINTR; }
