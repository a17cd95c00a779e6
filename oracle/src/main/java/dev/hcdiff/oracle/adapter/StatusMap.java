package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.xen.abi.XenErrno;

/**
 * Hyper-V status → Xen errno: the reverse map the adapter applies to every Hyper-V call it issues
 * on a guest's behalf. This is adapter <em>policy</em>, not taken from any source (hyperv-abi.md
 * §8a "Reverse status mapping"); the known-divergence catalog records it. Statuses the table does
 * not list map to -EINVAL, the errno Xen uses for "that argument cannot work".
 */
final class StatusMap {

    private StatusMap() {
    }

    /** The Xen return value (0 or a negated errno) for a Hyper-V status. */
    static long toXen(int status) {
        return switch (status) {
            case HvStatus.SUCCESS -> 0;
            case HvStatus.INVALID_PARAMETER, HvStatus.INVALID_HYPERCALL_INPUT, HvStatus.INVALID_ALIGNMENT -> -XenErrno.EINVAL;
            case HvStatus.ACCESS_DENIED -> -XenErrno.EPERM;
            case HvStatus.INVALID_HYPERCALL_CODE -> -XenErrno.ENOSYS;
            case HvStatus.INVALID_PORT_ID, HvStatus.INVALID_CONNECTION_ID -> -XenErrno.EINVAL;
            case HvStatus.INSUFFICIENT_BUFFERS -> -XenErrno.EAGAIN;
            case HvStatus.INVALID_SYNIC_STATE -> -XenErrno.EINVAL;
            default -> -XenErrno.EINVAL;
        };
    }
}
