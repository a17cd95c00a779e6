package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.VcpuRegisterVcpuInfo;
import dev.hcdiff.oracle.xen.abi.VcpuSetPeriodicTimer;
import dev.hcdiff.oracle.xen.abi.VcpuSetSingleshotTimer;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.trace.record.VcpuState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_down;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_get_physid;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_is_up;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_register_vcpu_info;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_send_nmi;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_set_periodic_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_set_singleshot_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_stop_periodic_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_stop_singleshot_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_up;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPU_SSHOTTMR_future;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENXIO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vcpu_op (24) and set_timer_op (15) against Xen 4.17.7's source: xen/arch/x86/domain.c
 * do_vcpu_op(), xen/common/domain.c common_vcpu_op() and map_vcpu_info(),
 * xen/arch/x86/x86_64/domain.c compat_vcpu_op(), xen/common/compat/domain.c compat_common_vcpu_op(),
 * xen/common/sched/core.c do_set_timer_op() and vcpu_periodic_timer_work_locked().
 */
class VcpuOpTest {

    private static final long MS = 1_000_000L;
    /** An address past the 1 MiB of test RAM: every copy from it faults. */
    private static final long BAD = 0x4000_0000L;
    /** The vector the tests' guests take upcalls on (HVM_PARAM_CALLBACK_IRQ type vector). */
    private static final int VECTOR = 0xf3;

    private TestGuest g = new TestGuest();

    private Observation vcpuOp(int vcpu, Abi abi, int cmd, int target, long arg) {
        return g.call(vcpu, abi, XenHypercall.VCPU_OP.number(), cmd, target, arg);
    }

    private Observation vcpuOp(int cmd, int target, byte[] struct) {
        g.put(TestGuest.ARG, struct);
        return vcpuOp(0, Abi.XEN64, cmd, target, TestGuest.ARG);
    }

    private Observation singleshot(long timeout, int flags) {
        return vcpuOp(VCPUOP_set_singleshot_timer, 0, new VcpuSetSingleshotTimer(timeout, flags).encode(Abi.XEN64));
    }

    private Observation periodic(int target, long period) {
        return vcpuOp(VCPUOP_set_periodic_timer, target, new VcpuSetPeriodicTimer(period).encode(Abi.XEN64));
    }

    /** A request that does nothing but let time pass (timers expire at every request). */
    private Observation tick(int vcpu, long now) {
        g.now = now;
        return g.serve(new CpuidQuery(vcpu, 0, 0));
    }

    /** VIRQ_TIMER bound on vCPU 0 and a vector callback, so an expiry is visible as port + upcall. */
    private long bindTimerWithUpcall() {
        g.xen.domain().setCallbackVia(new CallbackVia.Vector(VECTOR));
        return g.bindVirq(XenH.VIRQ_TIMER, 0);
    }

    @Test
    void argumentStructsHaveXensSizesInBothAbis() {
        // xen-abi.md appendix (gcc -m64/-m32 on xen/include/public/vcpu.h): vcpu_set_singleshot_timer
        // 16 | 12 (compat u64 is 4-aligned, no tail padding), vcpu_set_periodic_timer 8,
        // vcpu_register_vcpu_info 16 in both.
        assertEquals(16, new VcpuSetSingleshotTimer(1, 2).encode(Abi.XEN64).length);
        assertEquals(12, new VcpuSetSingleshotTimer(1, 2).encode(Abi.XEN32).length);
        assertEquals(8, new VcpuSetPeriodicTimer(1).encode(Abi.XEN32).length);
        assertEquals(16, new VcpuRegisterVcpuInfo(1, 2, 3).encode(Abi.XEN32).length);
        byte[] b = new VcpuSetSingleshotTimer(0x1122334455667788L, 0x01).encode(Abi.XEN32);
        assertEquals(0x88, b[0] & 0xff); // timeout_abs_ns @0, little-endian
        assertEquals(0x01, b[8]); // flags @8
        assertEquals(new VcpuRegisterVcpuInfo(0xabcL, 0x40, 7), VcpuRegisterVcpuInfo.decode(
                new VcpuRegisterVcpuInfo(0xabcL, 0x40, 7).encode(Abi.XEN64), Abi.XEN64));
    }

    @Test
    void vcpuOpLooksUpTheVcpuBeforeTheCmd() {
        // do_vcpu_op(): domain_vcpu() -ENOENT comes before the switch on cmd (whose default is -ENOSYS).
        assertEquals(-ENOENT, vcpuOp(0, Abi.XEN64, 99, 1, 0).result());
        assertEquals(-ENOSYS, vcpuOp(0, Abi.XEN64, 99, 0, 0).result());
        assertEquals(-ENOENT, vcpuOp(0, Abi.XEN64, VCPUOP_is_up, -1, 0).result());
    }

    @Test
    void singleshotTimerIsArmedAndReportedAtItsDeadline() {
        g.now = 1000;
        Observation o = singleshot(5 * MS, 0);
        assertEquals(0, o.result());
        assertEquals(List.of(new TimerArm(0, "singleshot", 5 * MS, 0)), o.timers());
        assertEquals(5 * MS, g.xen.timers().singleshotDeadline(0));
    }

    @Test
    void singleshotExpiryRaisesVirqTimerWithTheUpcall() {
        long port = bindTimerWithUpcall();
        singleshot(2 * MS, 0);
        Observation before = tick(0, 2 * MS - 1);
        assertEquals(List.of(), before.eventsPending());
        Observation at = tick(0, 2 * MS);
        assertEquals(List.of((int) port), at.eventsPending());
        assertEquals(List.of(new Interrupt(0, VECTOR, "upcall")), at.interrupts());
        assertEquals(-1, g.xen.timers().singleshotDeadline(0));
        // A single-shot timer fires once.
        assertEquals(List.of(), tick(0, 10 * MS).eventsPending());
    }

    @Test
    void pastSingleshotDeadlineFiresAtOnceEvenWithTheFutureFlag() {
        // 4.17.3+ (commit 7b5155a79e): timeout_abs_ns < NOW() stops the timer and sends VIRQ_TIMER,
        // rc 0; VCPU_SSHOTTMR_future's -ETIME is gone.
        long port = bindTimerWithUpcall();
        g.now = 10 * MS;
        Observation o = singleshot(MS, VCPU_SSHOTTMR_future);
        assertEquals(0, o.result());
        assertEquals(List.of((int) port), o.eventsPending());
        assertEquals(List.of(new TimerArm(0, "singleshot", -1, 0)), o.timers());
    }

    @Test
    void expiryWithoutVirqTimerBoundSetsNothingPending() {
        g.xen.domain().setCallbackVia(new CallbackVia.Vector(VECTOR));
        singleshot(MS, 0);
        Observation o = tick(0, 2 * MS);
        assertEquals(List.of(), o.eventsPending());
        assertEquals(List.of(), o.interrupts());
    }

    @Test
    void singleshotOnAnotherVcpuIsEinvalBeforeTheCopyNatively() {
        g = TestGuest.withVcpus(2);
        // Native common_vcpu_op(): v != current (-EINVAL) before copy_from_guest (-EFAULT).
        assertEquals(-EINVAL, vcpuOp(0, Abi.XEN64, VCPUOP_set_singleshot_timer, 1, BAD).result());
        assertEquals(-EFAULT, vcpuOp(0, Abi.XEN64, VCPUOP_set_singleshot_timer, 0, BAD).result());
    }

    @Test
    void compatSingleshotCopiesBeforeCheckingTheVcpu() {
        g = TestGuest.withVcpus(2);
        // compat_common_vcpu_op() copies the compat struct first, then do_vcpu_op() checks the target.
        assertEquals(-EFAULT & 0xffffffffL, vcpuOp(0, Abi.XEN32, VCPUOP_set_singleshot_timer, 1, BAD).returns()[0]);
        g.put(TestGuest.ARG, new VcpuSetSingleshotTimer(5 * MS, 0).encode(Abi.XEN32));
        assertEquals(-EINVAL & 0xffffffffL, vcpuOp(0, Abi.XEN32, VCPUOP_set_singleshot_timer, 1, TestGuest.ARG).returns()[0]);
        Observation own = vcpuOp(0, Abi.XEN32, VCPUOP_set_singleshot_timer, 0, TestGuest.ARG);
        assertEquals(0, own.returns()[0]);
        assertEquals(List.of(new TimerArm(0, "singleshot", 5 * MS, 0)), own.timers());
    }

    @Test
    void stopSingleshotCancelsAndRefusesAnotherVcpu() {
        g = TestGuest.withVcpus(2);
        singleshot(5 * MS, 0);
        assertEquals(-EINVAL, vcpuOp(0, Abi.XEN64, VCPUOP_stop_singleshot_timer, 1, 0).result());
        Observation o = vcpuOp(0, Abi.XEN64, VCPUOP_stop_singleshot_timer, 0, 0);
        assertEquals(0, o.result());
        assertEquals(List.of(new TimerArm(0, "singleshot", -1, 0)), o.timers());
        assertEquals(-1, g.xen.timers().singleshotDeadline(0));
    }

    @Test
    void periodicPeriodOutsideOneMillisecondToStimeDeltaMaxIsEinval() {
        assertEquals(-EINVAL, periodic(0, MS - 1).result());
        // STIME_DELTA_MAX = ~0ull >> 2; the u64 comparison makes a "negative" period huge, not small.
        assertEquals(-EINVAL, periodic(0, (-1L >>> 2) + 1).result());
        assertEquals(-EINVAL, periodic(0, -1L).result());
        assertEquals(0, periodic(0, MS).result());
    }

    @Test
    void periodicFirstTickCountsFromLastEventZero() {
        // vcpu_periodic_timer_work_locked(): next = periodic_last_event (0) + period; no tick yet.
        long port = bindTimerWithUpcall();
        g.now = 5 * MS;
        Observation o = periodic(0, 10 * MS);
        assertEquals(List.of(new TimerArm(0, "periodic", 10 * MS, 10 * MS)), o.timers());
        assertEquals(List.of(), o.eventsPending());
        // A period has passed since 0 at 25 ms: a tick now, the next one a period from now.
        g = new TestGuest();
        port = bindTimerWithUpcall();
        g.now = 25 * MS;
        o = periodic(0, 10 * MS);
        assertEquals(List.of((int) port), o.eventsPending());
        assertEquals(List.of(new TimerArm(0, "periodic", 35 * MS, 10 * MS)), o.timers());
    }

    @Test
    void runningVcpuPeriodicTicksKeepTheirPhase() {
        long port = bindTimerWithUpcall();
        g.now = 5 * MS;
        periodic(0, 10 * MS);
        Observation o = tick(0, 33 * MS);
        // Ticks at 10, 20, 30 ms while running; the last at 30, the next at 40.
        assertEquals(List.of((int) port), o.eventsPending());
        assertEquals(List.of(new TimerArm(0, "periodic", 40 * MS, 10 * MS)), o.timers());
        Observation stop = vcpuOp(0, Abi.XEN64, VCPUOP_stop_periodic_timer, 0, 0);
        assertEquals(List.of(new TimerArm(0, "periodic", -1, 0)), stop.timers());
        assertEquals(List.of(), tick(0, 100 * MS).timers());
    }

    @Test
    void periodicLastEventSurvivesAStopAndPhasesTheNextStart() {
        // vcpu_set_periodic_timer(v, 0) leaves periodic_last_event; the next start counts from it.
        bindTimerWithUpcall();
        g.now = 5 * MS;
        periodic(0, 10 * MS);
        tick(0, 12 * MS); // the tick at 10 ms: periodic_last_event = 10 ms
        vcpuOp(0, Abi.XEN64, VCPUOP_stop_periodic_timer, 0, 0);
        g.now = 15 * MS;
        Observation o = periodic(0, 10 * MS);
        assertEquals(List.of(), o.eventsPending(), "10 + 10 ms is still ahead");
        assertEquals(List.of(new TimerArm(0, "periodic", 20 * MS, 10 * MS)), o.timers());
    }

    @Test
    void setTimerOpZeroCancelsAndAHugeTimeoutBecomesOneHundredMilliseconds() {
        g.now = MS;
        Observation huge = g.call(XenHypercall.SET_TIMER_OP, MS + (1L << 50) + 1);
        assertEquals(0, huge.result());
        assertEquals(List.of(new TimerArm(0, "singleshot", 101 * MS, 0)), huge.timers());
        Observation negative = g.call(XenHypercall.SET_TIMER_OP, -5);
        assertEquals(List.of(new TimerArm(0, "singleshot", 101 * MS, 0)), negative.timers());
        // 2^50 - 1 ns ahead is not "huge": (uint32_t)(offset >> 50) is 0; at 2^50 it would be 1.
        Observation edge = g.call(XenHypercall.SET_TIMER_OP, MS + (1L << 50) - 1);
        assertEquals(List.of(new TimerArm(0, "singleshot", MS + (1L << 50) - 1, 0)), edge.timers());
        Observation cancel = g.call(XenHypercall.SET_TIMER_OP, 0);
        assertEquals(List.of(new TimerArm(0, "singleshot", -1, 0)), cancel.timers());
    }

    @Test
    void compatSetTimerOpJoinsLowAndHighHalves() {
        // compat_set_timer_op(lo, hi): do_set_timer_op(((s_time_t)hi << 32) | lo).
        long timeout = 0x1_0000_0010L;
        Observation o = g.call(0, Abi.XEN32, XenHypercall.SET_TIMER_OP.number(), timeout & 0xffffffffL, timeout >>> 32);
        assertEquals(List.of(new TimerArm(0, "singleshot", timeout, 0)), o.timers());
    }

    @Test
    void isUpSeesTheBspUpAndAnApDownUntilItRuns() {
        g = TestGuest.withVcpus(2);
        assertEquals(1, vcpuOp(0, Abi.XEN64, VCPUOP_is_up, 0, 0).result());
        assertEquals(0, vcpuOp(0, Abi.XEN64, VCPUOP_is_up, 1, 0).result());
        // VCPUOP_up on an AP that was never initialised: -EINVAL.
        assertEquals(-EINVAL, vcpuOp(0, Abi.XEN64, VCPUOP_up, 1, 0).result());
        tick(1, 0);
        assertEquals(1, vcpuOp(0, Abi.XEN64, VCPUOP_is_up, 1, 0).result());
    }

    @Test
    void downOfAnotherVcpuThenUpWakesIt() {
        g = TestGuest.withVcpus(2);
        tick(1, 0);
        assertEquals(0, vcpuOp(0, Abi.XEN64, VCPUOP_down, 1, 0).result());
        assertEquals(0, vcpuOp(0, Abi.XEN64, VCPUOP_is_up, 1, 0).result());
        assertEquals(0, vcpuOp(0, Abi.XEN64, VCPUOP_up, 1, 0).result());
        assertEquals(1, vcpuOp(0, Abi.XEN64, VCPUOP_is_up, 1, 0).result());
    }

    @Test
    void downOfTheLastVcpuUpPowersTheDomainOff() {
        Observation o = vcpuOp(0, Abi.XEN64, VCPUOP_down, 0, 0);
        assertEquals(0, o.shutdown()); // SHUTDOWN_poweroff
        assertEquals(VcpuState.Run.DOWN, o.vcpu().run());
        assertEquals(0, o.returns().length);
    }

    @Test
    void registerVcpuInfoChecksOffsetThenAlignmentThenGfn() {
        // map_vcpu_info(): offset > PAGE_SIZE - 64 -> -ENXIO; misaligned (8 natively) -> -ENXIO;
        // ... a gfn with no page -> -EINVAL. A bad gfn with a bad offset reports the offset.
        long noPage = 1L << 30;
        assertEquals(-ENXIO, vcpuOp(VCPUOP_register_vcpu_info, 0, new VcpuRegisterVcpuInfo(1, 4033, 0).encode(Abi.XEN64)).result());
        assertEquals(-ENXIO, vcpuOp(VCPUOP_register_vcpu_info, 0, new VcpuRegisterVcpuInfo(noPage, 4, 0).encode(Abi.XEN64)).result());
        assertEquals(-EINVAL, vcpuOp(VCPUOP_register_vcpu_info, 0, new VcpuRegisterVcpuInfo(noPage, 4032, 0).encode(Abi.XEN64)).result());
        assertEquals(-EFAULT, vcpuOp(0, Abi.XEN64, VCPUOP_register_vcpu_info, 0, BAD).result());
    }

    @Test
    void registerVcpuInfoForcesATimeUpdateEvenWhenItFails() {
        // common_vcpu_op(): force_update_vcpu_system_time(v) after map_vcpu_info() whatever its rc;
        // __update_vcpu_system_time(v, 1) rewrites the last calibration's values: the version moves by 2.
        g.now = 500 * MS;
        byte[] before = g.xen.domain().sharedInfo().vcpuTime(0);
        assertEquals(-ENXIO, vcpuOp(VCPUOP_register_vcpu_info, 0, new VcpuRegisterVcpuInfo(1, 4033, 0).encode(Abi.XEN64)).result());
        byte[] after = g.xen.domain().sharedInfo().vcpuTime(0);
        assertEquals(u32(before, 0) + 2, u32(after, 0));
        assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(before, 4, 32)),
                java.util.Arrays.toString(java.util.Arrays.copyOfRange(after, 4, 32)));
        // A copy that faults returns before the update.
        vcpuOp(0, Abi.XEN64, VCPUOP_register_vcpu_info, 0, BAD);
        assertEquals(u32(after, 0), u32(g.xen.domain().sharedInfo().vcpuTime(0), 0));
    }

    private static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    @Test
    void registerVcpuInfoForAnotherRunningVcpuIsEinval() {
        g = TestGuest.withVcpus(2);
        tick(1, 0);
        assertEquals(-EINVAL, vcpuOp(VCPUOP_register_vcpu_info, 1, new VcpuRegisterVcpuInfo(1, 0, 0).encode(Abi.XEN64)).result());
    }

    @Test
    void getPhysidAndSendNmiWithAnArgumentAreEinval() {
        assertEquals(-EINVAL, vcpuOp(0, Abi.XEN64, VCPUOP_get_physid, 0, TestGuest.ARG).result());
        assertEquals(-EINVAL, vcpuOp(0, Abi.XEN64, VCPUOP_send_nmi, 0, TestGuest.ARG).result());
        assertTrue(vcpuOp(0, Abi.XEN64, VCPUOP_send_nmi, 0, 0).trail().contains(Current.UNMODELLED));
    }
}
