package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code hyperv} backend end to end through {@link Serving}. */
class HyperVBackendTest {

    final FlatRam mem = new FlatRam(0x10000);
    final HyperVBackend hv = new HyperVBackend(HvConfig.defaults()
            .withPorts(HvPorts.parse("0x10001=event:vp0:sint2:flag0:count16")));

    Observation serve(dev.hcdiff.trace.record.GuestRequest r) {
        return Serving.serve(hv, r, mem, 1000).observation();
    }

    static Hypercall hvcall(long input, long rdx, long r8) {
        return new Hypercall(0, Abi.HV64, input, new long[] {rdx, r8, 0, 0, 0, 0});
    }

    @Test
    void signalEventIsServedWithItsSiefWriteAndSint() {
        serve(new MsrWrite(0, 0x40000080, 1, CpuMode.LONG64));
        Observation enable = serve(new MsrWrite(0, 0x40000082, 0x3001, CpuMode.LONG64));
        assertEquals(List.of(new MemChunk(0x3000, new byte[4096])), enable.writes());
        serve(new MsrWrite(0, 0x40000092, 0x40, CpuMode.LONG64));
        Observation o = serve(hvcall(0x5D | (1L << 16), 0x10001, 0));
        assertArrayEquals(new long[] {0}, o.returns());
        // Flag 0 of SINT 2: byte 0x3000 + 2*256, bit 0.
        assertEquals(List.of(new MemChunk(0x3200, new byte[] {1})), o.writes());
        assertEquals(List.of(new Interrupt(0, 0x40, "sint2")), o.interrupts());
    }

    @Test
    void cpuidAnswersAreZeroExtendedRegisters() {
        Observation o = serve(new CpuidQuery(0, 0x40000001, 0));
        assertArrayEquals(new long[] {0x31237648L, 0, 0, 0}, o.returns());
        assertEquals("hyperv", hv.name());
    }

    @Test
    void msrFaultIsAnObservationNotAnException() {
        Observation o = serve(new MsrRead(0, 0x40000003));
        assertEquals(Fault.GP, o.fault());
        assertArrayEquals(new long[0], o.returns());
        assertEquals(Fault.GP, serve(new MsrWrite(0, 0x40000002, 1, CpuMode.LONG64)).fault());
        assertArrayEquals(new long[] {10}, serve(new MsrRead(0, 0x40000020)).returns());
    }

    @Test
    void port0xE9IsTheDebugConsoleAndOtherPortsAreUndriven() {
        assertArrayEquals(new byte[] {'A'}, serve(new PortWrite(0, 0xe9, 1, 0x41)).console());
        assertArrayEquals(new byte[0], serve(new PortWrite(0, 0x80, 1, 0x41)).console());
        assertArrayEquals(new byte[0], serve(new PortWrite(0, 0xe9, 2, 0x4141)).console());
        assertArrayEquals(new long[] {0xff}, serve(new PortRead(0, 0xe9, 1)).returns());
        assertArrayEquals(new long[] {0xffff}, serve(new PortRead(0, 0xe9, 2)).returns());
        assertArrayEquals(new long[] {0xff}, serve(new PortRead(0, 0x60, 1)).returns());
        assertArrayEquals(new long[] {0xffff_ffffL}, serve(new PortRead(0, 0x60, 4)).returns());
    }

    @Test
    void xenAbiHypercallIsRejectedWithOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> serve(new Hypercall(0, Abi.XEN64, 17, new long[6])));
        assertEquals("the hyperv backend serves hv64 hypercalls only, got xen64 call 17", e.getMessage());
    }

    @Test
    void tlfsCallsNotModelledYetAreMarkedInTheTrail() {
        // HvCallSwitchVirtualAddressSpace (0x0001, TLFS App. A) is a TLFS call the model does not implement.
        Observation o = serve(hvcall(0x0001, 0x1000, 0));
        assertArrayEquals(new long[] {2}, o.returns());
        assertEquals("unmodelled", o.trail().getFirst());
        assertEquals(List.of(), serve(hvcall(0x9999, 0, 0)).trail().stream().filter("unmodelled"::equals).toList());
    }

    @Test
    void issue4CallsAreModelledAndAnIpiReachesTheObservation() {
        // TLFS App. A codes of the calls issue 4 models: none may be marked unmodelled any more.
        for (int code : new int[] {0x0002, 0x0003, 0x000B, 0x0013, 0x0014, 0x0015, 0x005C, 0x006A, 0x006B, 0x009A}) {
            assertEquals(true, HvPartition.models(code), Integer.toHexString(code));
        }
        // Fast HvCallSendSyntheticClusterIpi: RDX = vector 0x44, R8 = ProcessorMask {VP 0}.
        Observation o = serve(hvcall(0x000B | (1L << 16), 0x44, 1));
        assertArrayEquals(new long[] {0}, o.returns());
        assertEquals(List.of(new Interrupt(0, 0x44, "ipi")), o.interrupts());
        assertEquals(List.of(), o.trail().stream().filter("unmodelled"::equals).toList());
    }

    @Test
    void requestFromAMissingVcpuIsRejectedWithOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> serve(new CpuidQuery(1, 0x40000000, 0)));
        assertEquals("request from vCPU 1, but hyperv.vcpus=1", e.getMessage());
    }

    @Test
    void configurationIsTheHypervKeys() {
        assertEquals("0x10001=event:vp0:sint2:flag0:count16", hv.configuration().get("hyperv.ports"));
        assertEquals(HvConfig.fromMap(hv.configuration()), hv.partition().config());
    }
}
