package dev.hcdiff.recorder.kvm;

/**
 * A KVM or libc call failed, e.g. {@code KVM_SET_SREGS failed: EINVAL (22)} (style.md §1.2). A
 * guest that misbehaves is not an exception (it is a {@code VcpuStop}); this is the VMM's own
 * request being refused.
 */
public final class KvmException extends RuntimeException {

    private final KvmOp op;
    private final int errno;

    public KvmException(KvmOp op, int errno) {
        super(op.displayName() + " failed: " + Errno.describe(errno));
        this.op = op;
        this.errno = errno;
    }

    public KvmOp op() {
        return op;
    }

    public int errno() {
        return errno;
    }
}
