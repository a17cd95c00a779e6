package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.SchedPoll;
import dev.hcdiff.oracle.xen.abi.SchedRemoteShutdown;
import dev.hcdiff.oracle.xen.abi.SchedShutdown;
import dev.hcdiff.oracle.xen.abi.SchedWatchdog;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.trace.record.VcpuState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_block;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_pin_override;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_poll;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_remote_shutdown;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_shutdown;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_shutdown_code;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_watchdog;
import static dev.hcdiff.oracle.xen.abi.SchedH.SCHEDOP_yield;
import static dev.hcdiff.oracle.xen.abi.SchedH.SHUTDOWN_crash;
import static dev.hcdiff.oracle.xen.abi.SchedH.SHUTDOWN_poweroff;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSPC;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;
import static dev.hcdiff.oracle.xen.abi.XenH.DOMID_SELF;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** sched_op from xen-abi.md §5.4 and xen/common/sched/core.c do_sched_op(), do_poll(), domain_watchdog(). */
class SchedOpTest {

    private static final long PORTS = 0x3000;
    private static final VcpuState BLOCKED_FOREVER = new VcpuState(VcpuState.Run.BLOCKED, -1, List.of());

    private final TestGuest g = new TestGuest();

    private Observation sched(int cmd, byte[] arg) {
        g.put(TestGuest.ARG, arg);
        return g.call(XenHypercall.SCHED_OP, cmd, TestGuest.ARG);
    }

    private Observation poll(long timeout, int... ports) {
        for (int i = 0; i < ports.length; i++) {
            g.put(PORTS + 4L * i, new byte[] {(byte) ports[i], (byte) (ports[i] >> 8), 0, 0});
        }
        return sched(SCHEDOP_poll, new SchedPoll(PORTS, ports.length, timeout).encode(Abi.XEN64));
    }

    @Test
    void yieldReturnsZeroAndKeepsRunning() {
        Observation o = g.call(XenHypercall.SCHED_OP, SCHEDOP_yield, 0);
        assertEquals(0, o.result());
        assertEquals(VcpuState.RUNNING, o.vcpu());
    }

    @Test
    void blockClearsTheUpcallMaskAndBlocksWithoutDeadline() {
        g.guestWriteShinfo(SharedInfo.UPCALL_MASK, (byte) 1);
        Observation o = g.call(XenHypercall.SCHED_OP, SCHEDOP_block, 0);
        assertEquals(0, o.result());
        assertEquals(BLOCKED_FOREVER, o.vcpu());
        assertEquals(0, g.xen.domain().sharedInfo().upcallMask(0));
    }

    @Test
    void blockWithADeliverableEventKeepsRunning() {
        g.xen.domain().setCallbackVia(new CallbackVia.Vector(0xf3));
        g.send(g.bindIpi(0));
        Observation o = g.call(XenHypercall.SCHED_OP, SCHEDOP_block, 0);
        assertEquals(VcpuState.RUNNING, o.vcpu());
    }

    @Test
    void blockWithAPendingUpcallButNoCallbackStillBlocks() {
        g.send(g.bindIpi(0));
        assertEquals(BLOCKED_FOREVER, g.call(XenHypercall.SCHED_OP, SCHEDOP_block, 0).vcpu());
    }

    @Test
    void shutdownReportsTheReasonNeverReturnsAndStopsTheVcpu() {
        Observation o = sched(SCHEDOP_shutdown, new SchedShutdown(SHUTDOWN_poweroff).encode(Abi.XEN64));
        assertArrayEquals(new long[0], o.returns());
        assertEquals(SHUTDOWN_poweroff, o.shutdown());
        assertEquals(VcpuState.Run.DOWN, o.vcpu().run());
    }

    @Test
    void theFirstShutdownCodeWins() {
        assertEquals(0, sched(SCHEDOP_shutdown_code, new SchedShutdown(SHUTDOWN_crash).encode(Abi.XEN64)).result());
        sched(SCHEDOP_shutdown_code, new SchedShutdown(1).encode(Abi.XEN64));
        assertEquals(SHUTDOWN_crash, sched(SCHEDOP_shutdown, new SchedShutdown(SHUTDOWN_poweroff).encode(Abi.XEN64)).shutdown());
    }

    @Test
    void theShutdownReasonIsTruncatedToEightBitsNotRangeChecked() {
        assertEquals(7, sched(SCHEDOP_shutdown, new SchedShutdown(0x107).encode(Abi.XEN64)).shutdown());
    }

    @Test
    void shutdownWithABadPointerIsEfaultAndDoesNotShutDown() {
        Observation o = g.call(XenHypercall.SCHED_OP, SCHEDOP_shutdown, TestGuest.RAM);
        assertEquals(-EFAULT, o.result());
        assertEquals(Observation.NO_SHUTDOWN, o.shutdown());
    }

    @Test
    void pollOfMoreThan128PortsIsEinvalBeforeAnyPortIsRead() {
        Observation o = sched(SCHEDOP_poll, new SchedPoll(TestGuest.RAM + 0x1000L, 129, 0).encode(Abi.XEN64));
        assertEquals(-EINVAL, o.result());
    }

    @Test
    void pollOfAPortThatCannotBeReadIsEfault() {
        assertEquals(-EFAULT, sched(SCHEDOP_poll, new SchedPoll(TestGuest.RAM - 2, 1, 0).encode(Abi.XEN64)).result());
    }

    @Test
    void pollOfPortZeroAFreePortOrAnInvalidPortIsEinval() {
        assertEquals(-EINVAL, poll(0, 0).result());
        assertEquals(-EINVAL, poll(0, 9).result());
        assertEquals(-EINVAL, poll(0, 100).result());
    }

    @Test
    void pollOfAPendingPortReturnsAtOnce() {
        long p = g.bindIpi(0);
        g.send(p);
        Observation o = poll(0, (int) p);
        assertEquals(0, o.result());
        assertEquals(VcpuState.RUNNING, o.vcpu());
    }

    @Test
    void pollOfOnePortBlocksOnThatPortUntilTheAbsoluteTimeout() {
        long p = g.bindIpi(0);
        Observation o = poll(5_000_000_000L, (int) p);
        assertEquals(0, o.result());
        assertEquals(new VcpuState(VcpuState.Run.BLOCKED, 5_000_000_000L, List.of((int) p)), o.vcpu());
    }

    @Test
    void pollOfTwoPortsWakesOnAnyEventAndTimeoutZeroMeansNone() {
        long a = g.bindIpi(0);
        long b = g.allocUnbound(0);
        assertEquals(BLOCKED_FOREVER, poll(0, (int) a, (int) b).vcpu());
    }

    @Test
    void pollChecksPortsInOrderAndStopsAtTheFirstPendingOne() {
        long a = g.bindIpi(0);
        g.send(a);
        Observation o = poll(0, (int) a, 100);
        assertEquals(0, o.result());
        assertEquals(-EINVAL, poll(0, 100, (int) a).result());
    }

    @Test
    void pollUsesThe16ByteCompatStructFrom32BitCallers() {
        long p = g.bindIpi(0);
        g.put(PORTS, new byte[] {(byte) p, 0, 0, 0});
        g.put(TestGuest.ARG, new SchedPoll(PORTS, 1, 77).encode(Abi.XEN32));
        Observation o = g.call(0, Abi.XEN32, 29, SCHEDOP_poll, TestGuest.ARG);
        assertEquals(0, o.result());
        assertEquals(new VcpuState(VcpuState.Run.BLOCKED, 77, List.of((int) p)), o.vcpu());
    }

    @Test
    void remoteShutdownOfItselfIsEpermAndOfDomidSelfEsrch() {
        assertEquals(-EPERM, sched(SCHEDOP_remote_shutdown, new SchedRemoteShutdown(1, 0).encode(Abi.XEN64)).result());
        assertEquals(-ESRCH, sched(SCHEDOP_remote_shutdown, new SchedRemoteShutdown(DOMID_SELF, 0).encode(Abi.XEN64)).result());
        assertEquals(-EPERM, sched(SCHEDOP_remote_shutdown, new SchedRemoteShutdown(0, 0).encode(Abi.XEN64)).result());
        assertEquals(-ESRCH, sched(SCHEDOP_remote_shutdown, new SchedRemoteShutdown(5, 0).encode(Abi.XEN64)).result());
    }

    @Test
    void watchdogZeroAllocatesIdsOneAndTwoThenEnospc() {
        g.now = 1_000;
        Observation first = sched(SCHEDOP_watchdog, new SchedWatchdog(0, 30).encode(Abi.XEN64));
        assertEquals(1, first.result());
        assertEquals(List.of(new TimerArm(0, "watchdog0", 1_000 + 30_000_000_000L, 0)), first.timers());
        assertEquals(2, sched(SCHEDOP_watchdog, new SchedWatchdog(0, 30).encode(Abi.XEN64)).result());
        assertEquals(-ENOSPC, sched(SCHEDOP_watchdog, new SchedWatchdog(0, 30).encode(Abi.XEN64)).result());
    }

    @Test
    void watchdogIdAboveTwoIsEinvalAndAnUnusedIdIsEinval() {
        assertEquals(-EINVAL, sched(SCHEDOP_watchdog, new SchedWatchdog(3, 30).encode(Abi.XEN64)).result());
        assertEquals(-EINVAL, sched(SCHEDOP_watchdog, new SchedWatchdog(2, 30).encode(Abi.XEN64)).result());
    }

    @Test
    void watchdogTimeoutZeroStopsAndFreesTheTimer() {
        sched(SCHEDOP_watchdog, new SchedWatchdog(0, 30).encode(Abi.XEN64));
        Observation stop = sched(SCHEDOP_watchdog, new SchedWatchdog(1, 0).encode(Abi.XEN64));
        assertEquals(0, stop.result());
        assertEquals(List.of(new TimerArm(0, "watchdog0", -1, 0)), stop.timers());
        assertEquals(1, sched(SCHEDOP_watchdog, new SchedWatchdog(0, 5).encode(Abi.XEN64)).result());
        g.now = 10;
        Observation rearm = sched(SCHEDOP_watchdog, new SchedWatchdog(1, 5).encode(Abi.XEN64));
        assertEquals(List.of(new TimerArm(0, "watchdog0", 10 + 5_000_000_000L, 0)), rearm.timers());
    }

    @Test
    void pinOverrideIsEpermBeforeItsArgumentIsCopied() {
        assertEquals(-EPERM, g.call(XenHypercall.SCHED_OP, SCHEDOP_pin_override, TestGuest.RAM).result());
    }

    @Test
    void unknownSchedCmdIsEnosys() {
        assertEquals(-ENOSYS, g.call(XenHypercall.SCHED_OP, 8, 0).result());
    }
}
