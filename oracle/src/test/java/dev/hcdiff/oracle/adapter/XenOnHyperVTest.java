package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.compare.Comparator;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.VcpuState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static dev.hcdiff.oracle.adapter.XenGuest.ALLOC_UNBOUND;
import static dev.hcdiff.oracle.adapter.XenGuest.ARG;
import static dev.hcdiff.oracle.adapter.XenGuest.BIND_INTERDOMAIN;
import static dev.hcdiff.oracle.adapter.XenGuest.BIND_IPI;
import static dev.hcdiff.oracle.adapter.XenGuest.CLOSE;
import static dev.hcdiff.oracle.adapter.XenGuest.DOMID_SELF;
import static dev.hcdiff.oracle.adapter.XenGuest.SEND;
import static dev.hcdiff.oracle.adapter.XenGuest.STATUS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adapter against Xen's guest ABI (xen-abi.md §5; expected values from there) and against the
 * reference model: each mapped call gives the guest what Xen gives and names its Hyper-V call.
 */
class XenOnHyperVTest {

    /** Xen errnos (xen/include/public/errno.h), negated. */
    static final long EPERM = -1, EINVAL = -22, ENOSYS = -38;
    /** The default domain id (xen.domid = 1). */
    static final int DOMID = 1;

    final XenGuest adapter = new XenGuest(XenOnHyperV.of(XenConfig.defaults()));
    final XenGuest xen = new XenGuest(new XenBackend(XenConfig.defaults()));

    /** Runs one step on both and returns the adapter's observation after checking they agree. */
    Observation both(Function<XenGuest, Observation> step) {
        Observation ref = step.apply(xen);
        Observation got = step.apply(adapter);
        assertEquals(java.util.Set.of(), Comparator.differingFields(ref, got), () -> "reference " + ref + "\nadapter " + got);
        return got;
    }

    static boolean trailHas(Observation o, String text) {
        return o.trail().stream().anyMatch(s -> s.contains(text));
    }

    @Test
    void allocUnboundHandsOutPort1AndCopiesTheStructBack() {
        Observation o = both(g -> g.evtchn(ALLOC_UNBOUND, XenGuest.allocUnbound(DOMID_SELF, DOMID_SELF)));
        assertArrayEquals(new long[] {0}, o.returns());
        // Port 0 is reserved from creation, so the lowest free port is 1; OUT port @4.
        assertEquals(1, adapter.u32(ARG + 4));
        assertEquals(List.of(new MemChunk(ARG, new byte[] {(byte) 0xf0, 0x7f, (byte) 0xf0, 0x7f, 1, 0, 0, 0})), o.writes());
    }

    @Test
    void loopbackInterdomainBindAndSendTravelAsSignalEvent() {
        both(g -> g.evtchn(ALLOC_UNBOUND, XenGuest.allocUnbound(DOMID_SELF, DOMID_SELF)));
        // bind_interdomain: the new local port 2 is set pending at once (xen-abi.md §5.3).
        Observation bind = both(g -> g.evtchn(BIND_INTERDOMAIN, XenGuest.bindInterdomain(DOMID_SELF, 1)));
        assertEquals(2, adapter.u32(ARG + 8));
        assertEquals(List.of(2), bind.eventsPending());
        assertTrue(trailHas(bind, "HvCallSignalEvent(conn=0x10001, flag=2) -> 0x0"), bind.trail().toString());
        // send on 2 sets the remote end, port 1, pending.
        Observation send = both(g -> g.evtchnPort(SEND, 2));
        assertArrayEquals(new long[] {0}, send.returns());
        assertEquals(List.of(1), send.eventsPending());
        assertTrue(trailHas(send, "HvCallSignalEvent(conn=0x10001, flag=1) -> 0x0"), send.trail().toString());
        // send on 1 reaches port 2, already pending: nothing new (evtchn_2l_set_pending returns early).
        Observation again = both(g -> g.evtchnPort(SEND, 1));
        assertEquals(List.of(), again.eventsPending());
        assertTrue(trailHas(again, "HvCallSignalEvent(conn=0x10001, flag=2)"));
    }

    @Test
    void ipiPortSendsToItselfThroughTheSiefPath() {
        Observation bind = both(g -> g.evtchn(BIND_IPI, XenGuest.bindIpi(0)));
        assertEquals(1, adapter.u32(ARG + 4));
        Observation send = both(g -> g.evtchnPort(SEND, 1));
        assertEquals(List.of(1), send.eventsPending());
        assertTrue(trailHas(send, "HvCallSignalEvent(conn=0x10001, flag=1) -> 0x0"));
        assertTrue(bind.interrupts().isEmpty() && send.interrupts().isEmpty(),
                "no callback is configured (HVM_PARAM_CALLBACK_IRQ is 0), so no upcall interrupt");
    }

    @Test
    void sendOnAnUnboundPortIsDroppedWithoutAHyperVCall() {
        both(g -> g.evtchn(ALLOC_UNBOUND, XenGuest.allocUnbound(DOMID_SELF, DOMID_SELF)));
        Observation o = both(g -> g.evtchnPort(SEND, 1));
        // evtchn_send: ECS_UNBOUND → silently 0.
        assertArrayEquals(new long[] {0}, o.returns());
        assertTrue(o.trail().stream().noneMatch(s -> s.startsWith("HvCall")));
    }

    @Test
    void sendOnReservedOrInvalidPortIsEinval() {
        assertArrayEquals(new long[] {EINVAL}, both(g -> g.evtchnPort(SEND, 0)).returns());
        // Port 999 lies beyond the first 64-port bucket: not valid.
        assertArrayEquals(new long[] {EINVAL}, both(g -> g.evtchnPort(SEND, 999)).returns());
    }

    @Test
    void statusAndCloseComeFromTheAdapterPortTable() {
        both(g -> g.evtchn(ALLOC_UNBOUND, XenGuest.allocUnbound(DOMID_SELF, DOMID_SELF)));
        both(g -> g.evtchn(BIND_INTERDOMAIN, XenGuest.bindInterdomain(DOMID_SELF, 1)));
        both(g -> g.evtchn(STATUS, XenGuest.status(DOMID_SELF, 2)));
        // EVTCHNSTAT_interdomain = 2 @8, vcpu 0 @12, u.interdomain.dom = 1 @16, .port = 1 @20.
        assertEquals(2, adapter.u32(ARG + 8));
        assertEquals(DOMID, adapter.u32(ARG + 16) & 0xffff);
        assertEquals(1, adapter.u32(ARG + 20));
        Observation close = both(g -> g.evtchnPort(CLOSE, 2));
        assertArrayEquals(new long[] {0}, close.returns());
        both(g -> g.evtchn(STATUS, XenGuest.status(DOMID_SELF, 1)));
        // The other end is unbound again, for us: EVTCHNSTAT_unbound = 1, u.unbound.dom = 1.
        assertEquals(1, adapter.u32(ARG + 8));
        assertEquals(DOMID, adapter.u32(ARG + 16) & 0xffff);
        assertArrayEquals(new long[] {EINVAL}, both(g -> g.evtchnPort(CLOSE, 0)).returns());
    }

    @Test
    void yieldIsNotifyLongSpinWait() {
        Observation o = both(g -> g.hypercall(XenGuest.SCHED_OP, XenGuest.YIELD, 0));
        assertArrayEquals(new long[] {0}, o.returns());
        assertTrue(trailHas(o, "HvCallNotifyLongSpinWait(fast) -> 0x0"), o.trail().toString());
    }

    @Test
    void blockHaltsTheVcpuUntilAnEvent() {
        Observation o = both(g -> g.hypercall(XenGuest.SCHED_OP, XenGuest.BLOCK, 0));
        assertArrayEquals(new long[] {0}, o.returns());
        assertEquals(new VcpuState(VcpuState.Run.BLOCKED, -1, List.of()), o.vcpu());
    }

    @Test
    void shutdownPoweroffStopsTheDomainAndNeverReturns() {
        Observation o = both(g -> {
            g.put(ARG, XenGuest.le32(0));
            return g.hypercall(XenGuest.SCHED_OP, XenGuest.SHUTDOWN, ARG);
        });
        assertArrayEquals(new long[0], o.returns());
        assertEquals(0, o.shutdown());
        assertEquals(VcpuState.Run.DOWN, o.vcpu().run());
        // The first code wins: a later reboot still reports poweroff.
        Observation again = both(g -> {
            g.put(ARG, XenGuest.le32(1));
            return g.hypercall(XenGuest.SCHED_OP, XenGuest.SHUTDOWN, ARG);
        });
        assertEquals(0, again.shutdown());
    }

    @Test
    void xenVersionIs4Point17FromAdapterConstants() {
        Observation o = both(g -> g.hypercall(XenGuest.XEN_VERSION, 0, 0));
        assertArrayEquals(new long[] {0x40011}, o.returns());
        Observation extra = both(g -> g.hypercall(XenGuest.XEN_VERSION, 1, ARG));
        assertEquals(".7", new String(Arrays.copyOf(extra.writes().getFirst().data(), 2), StandardCharsets.US_ASCII));
    }

    @Test
    void callsTheReferenceLeavesUnmodelledGetTheSameAnswer() {
        // memory_op (12) and hvm_op (34) are modelled now; the rest of the HVM table is not.
        for (long nr : new long[] {13, 20, 33, 41, 49}) {
            Observation o = both(g -> g.hypercall(nr, 0, 0));
            assertArrayEquals(new long[] {ENOSYS}, o.returns());
            assertEquals(List.of("unmodelled"), o.trail());
        }
        assertArrayEquals(new long[] {ENOSYS}, both(g -> g.hypercall(99, 0, 0)).returns());
    }

    @Test
    void consoleWriteIsRefusedAsTheReleaseXenItPresentsRefusesIt() {
        adapter.put(0x2000, "hi\n".getBytes(StandardCharsets.US_ASCII));
        // xsm_console_io refuses a domU in a release build before looking at cmd or buffer
        // (xen/drivers/char/console.c do_console_io): the adapter presents that build's policy.
        Observation o = adapter.hypercall(XenGuest.CONSOLE_IO, 0, 3, 0x2000);
        assertArrayEquals(new long[] {EPERM}, o.returns());
        assertEquals(0, o.console().length);
        assertArrayEquals(new long[] {EPERM}, xen.hypercall(XenGuest.CONSOLE_IO, 0, 3, 0x2000).returns());
    }

    @Test
    void consoleWriteOfADebugXenGoesToTheAdapterLogUnfiltered() {
        XenConfig debug = XenConfig.fromMap(new java.util.TreeMap<>(java.util.Map.of("xen.build", "debug")));
        XenGuest g = new XenGuest(XenOnHyperV.of(debug));
        g.put(0x2000, "hi\u0007\n".getBytes(StandardCharsets.US_ASCII));
        Observation o = g.hypercall(XenGuest.CONSOLE_IO, 0, 4, 0x2000);
        assertArrayEquals(new long[] {0}, o.returns());
        assertArrayEquals("hi\u0007\n".getBytes(StandardCharsets.US_ASCII), o.console());
    }

    @Test
    void xenCpuidLeavesLiveAt0x40000100AndHyperVsAt0x40000000() {
        Observation xenBase = adapter.serve(new CpuidQuery(0, 0x40000100, 0));
        // XEN_CPUID_SIGNATURE "XenVMMXenVMM"; max leaf base+5 (xen-abi.md §2).
        assertArrayEquals(new long[] {0x40000105L, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL}, xenBase.returns());
        // base+2: one hypercall page, MSR 0x40000200 (Viridian on).
        assertArrayEquals(new long[] {1, 0x40000200L, 0, 0}, adapter.serve(new CpuidQuery(0, 0x40000102, 0)).returns());
        // TLFS: "Micr" "osof" "t Hv".
        Observation hv = adapter.serve(new CpuidQuery(0, 0x40000000, 0));
        assertEquals(0x7263694DL, hv.returns()[1]);
        assertEquals(0x31237648L, adapter.serve(new CpuidQuery(0, 0x40000001, 0)).returns()[0]);
    }

    @Test
    void xenHypercallPageMsrIs0x40000200AndWritesXensStubs() {
        Observation o = adapter.serve(new MsrWrite(0, 0x40000200, 0x5000, CpuMode.LONG64));
        assertEquals(Fault.NONE, o.fault());
        byte[] page = o.writes().getFirst().data();
        assertEquals(0x5000, o.writes().getFirst().gpa());
        // Stub 0: mov $0,%eax; vmcall; ret (B8 00 00 00 00 0F 01 C1 C3); stub 23 is ud2 (xen-abi.md §1.2).
        assertArrayEquals(new byte[] {(byte) 0xb8, 0, 0, 0, 0, 0x0f, 0x01, (byte) 0xc1, (byte) 0xc3}, Arrays.copyOf(page, 9));
        assertArrayEquals(new byte[] {0x0f, 0x0b}, Arrays.copyOfRange(page, 23 * 32, 23 * 32 + 2));
        assertArrayEquals(new long[] {0}, adapter.serve(new MsrRead(0, 0x40000200)).returns());
    }

    @Test
    void msr0x40000000IsGuestOsIdUnderTheAdapter() {
        Observation w = adapter.serve(new MsrWrite(0, 0x40000000, 0x5000, CpuMode.LONG64));
        assertEquals(List.of(), w.writes());
        assertArrayEquals(new long[] {0x5000}, adapter.serve(new MsrRead(0, 0x40000000)).returns());
    }

    @Test
    void underXenViridianSignalEventIsUnavailableAndSendFailsWithEnosys() {
        XenGuest g = new XenGuest(new XenOnHyperV(XenConfig.defaults(),
                HvConfig.defaults().withPersonality(HvPersonality.XEN_VIRIDIAN)));
        g.evtchn(BIND_IPI, XenGuest.bindIpi(0));
        Observation o = g.evtchnPort(SEND, 1);
        // HV_STATUS_INVALID_HYPERCALL_CODE (2) → -ENOSYS by the adapter's reverse map.
        assertArrayEquals(new long[] {ENOSYS}, o.returns());
        assertEquals(List.of(), o.eventsPending());
        assertTrue(trailHas(o, "HvCallSignalEvent(conn=0x10001, flag=1) -> 0x2"));
    }

    @Test
    void underKvmOnlyFlagZeroCanBeSignalled() {
        XenGuest g = new XenGuest(new XenOnHyperV(XenConfig.defaults(),
                HvConfig.defaults().withPersonality(HvPersonality.KVM)));
        g.evtchn(BIND_IPI, XenGuest.bindIpi(0));
        // KVM/QEMU answer INVALID_PORT_ID (0x11) for any non-zero flag → -EINVAL.
        assertArrayEquals(new long[] {EINVAL}, g.evtchnPort(SEND, 1).returns());
    }

    @Test
    void theAdaptersConnectionsAreAddedToTheRootConfiguration() {
        XenOnHyperV a = XenOnHyperV.of(XenConfig.defaults());
        // Default max-evtchn-port 1023: ports 0..1023 fit one SINT block on vCPU 0.
        assertEquals("0x10001=event:vp0:sint2:flag0:count1024", a.configuration().get("hyperv.ports"));
        XenOnHyperV rebuilt = XenOnHyperV.fromConfiguration(a.configuration());
        assertEquals(a.configuration(), rebuilt.configuration());
    }

    @Test
    void anXlDomainAddsRootConnectionsForItsStoreAndConsoleChannels() {
        XenOnHyperV a = XenOnHyperV.of(XenConfig.defaults().withXlHvm(64L << 20));
        // dom0's ports 0x10 (xenstored) and 0x11 (xenconsoled): root connections 0xD0000 + port, one flag.
        assertEquals("0x10001=event:vp0:sint2:flag0:count1024;0xd0010=root:count1;0xd0011=root:count1",
                a.configuration().get("hyperv.ports"));
        assertEquals(a.configuration(), XenOnHyperV.fromConfiguration(a.configuration()).configuration());
        assertEquals("2000000", a.configuration().get("hyperv.tsc-khz"), "the CPU of xen.tsc-khz");
    }

    /**
     * A Hyper-V recording's header names only the partition (hyperv.vendor=amd, its TSC): the
     * adapter built from it runs Xen on that same CPU, rather than refusing the default Intel Xen.
     */
    @Test
    void aConfigurationNamingOnlyThePartitionGivesXenTheSameCpu() {
        XenOnHyperV a = XenOnHyperV.fromConfiguration(java.util.Map.of("hyperv.vendor", "amd",
                "hyperv.tsc-khz", "2596000", "hyperv.vcpus", "2"));
        assertEquals("amd", a.configuration().get("xen.vendor"));
        assertEquals("2596000", a.configuration().get("xen.tsc-khz"));
        assertEquals("2", a.configuration().get("xen.vcpus"));
    }

    @Test
    void conflictingConfigurationIsRefusedWithOneLine() {
        IllegalArgumentException tsc = assertThrows(IllegalArgumentException.class,
                () -> new XenOnHyperV(XenConfig.defaults(), HvConfig.defaults().withTscKhz(3_000_000)));
        assertEquals("hyperv.tsc-khz=3000000 but xen.tsc-khz=2000000: one CPU runs both", tsc.getMessage());
        IllegalArgumentException vcpus = assertThrows(IllegalArgumentException.class,
                () -> new XenOnHyperV(XenConfig.defaults(), HvConfig.defaults().withVcpus(2)));
        assertEquals("hyperv.vcpus=2 but xen.vcpus=1: the adapter runs one Xen vCPU per Hyper-V VP", vcpus.getMessage());
        IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
                () -> XenOnHyperV.fromConfiguration(java.util.Map.of("hyperv.ports", "0x10001=message:vp0:sint2")));
        assertTrue(clash.getMessage().contains("connection 0x10001 is the adapter's"), clash.getMessage());
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                () -> XenOnHyperV.fromConfiguration(java.util.Map.of("kvm.x", "1")));
        assertTrue(key.getMessage().contains("'kvm.x'"));
    }
}
