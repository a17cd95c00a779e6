package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.Current;
import dev.hcdiff.oracle.xen.SchedOp;
import dev.hcdiff.oracle.xen.abi.SchedPoll;
import dev.hcdiff.oracle.xen.abi.SchedRemoteShutdown;
import dev.hcdiff.oracle.xen.abi.SchedShutdown;
import dev.hcdiff.oracle.xen.abi.SchedWatchdog;

import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_block;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_pin_override;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_poll;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_remote_shutdown;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_shutdown;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_shutdown_code;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_watchdog;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_yield;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;

/**
 * {@code do_sched_op(int cmd, arg)} (xen/common/sched/core.c; 32-bit callers go through
 * {@code compat_sched_op()} in xen/common/sched/compat.c, which differs only in the
 * {@code sched_poll} layout).
 */
public final class SchedOpDispatcher {

    /** The result of a call that never returns to the guest (SCHEDOP_shutdown). */
    public static final long NO_RETURN = Long.MIN_VALUE;

    /** sizeof(evtchn_port_t): one entry of the poll array. */
    private static final int PORT_SIZE = 4;

    private final SchedOp sched;

    public SchedOpDispatcher(SchedOp sched) {
        this.sched = sched;
    }

    /**
     * @return the hypercall's result, or {@link #NO_RETURN} after a shutdown
     * @see xen/common/sched/core.c do_sched_op
     */
    public long dispatch(Current current, int cmd, long arg, GuestMemory memory) {
        return switch (cmd) {
            case SCHEDOP_yield -> sched.yield(current);
            case SCHEDOP_block -> sched.block(current);
            case SCHEDOP_shutdown -> {
                long rc = GuestCopy.in(current, memory, arg, "SCHEDOP_shutdown", SchedShutdown::size,
                        SchedShutdown::decode, a -> {
                            sched.shutdown(current, a);
                            return NO_RETURN;
                        });
                yield rc;
            }
            case SCHEDOP_shutdown_code -> GuestCopy.in(current, memory, arg, "SCHEDOP_shutdown_code",
                    SchedShutdown::size, SchedShutdown::decode, a -> sched.shutdownCode(current, a));
            case SCHEDOP_poll -> GuestCopy.in(current, memory, arg, "SCHEDOP_poll", SchedPoll::size,
                    SchedPoll::decode, a -> sched.poll(current, a, i -> {
                        byte[] b = memory.readLinear(a.ports() + (long) i * PORT_SIZE, PORT_SIZE);
                        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
                    }));
            case SCHEDOP_remote_shutdown -> GuestCopy.in(current, memory, arg, "SCHEDOP_remote_shutdown",
                    SchedRemoteShutdown::size, SchedRemoteShutdown::decode, a -> sched.remoteShutdown(current, a));
            case SCHEDOP_watchdog -> GuestCopy.in(current, memory, arg, "SCHEDOP_watchdog",
                    SchedWatchdog::size, SchedWatchdog::decode, a -> sched.watchdog(current, a));
            case SCHEDOP_pin_override -> sched.pinOverride(current);
            default -> current.error(ENOSYS, "do_sched_op: unknown cmd " + cmd);
        };
    }
}
