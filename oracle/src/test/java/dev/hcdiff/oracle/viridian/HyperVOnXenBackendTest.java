package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.hyperv.HyperVBackend;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.PortWrite;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backend as a whole: registration, configuration round trip, routing of platform requests. */
class HyperVOnXenBackendTest {

    /**
     * The recorder wakes a halted vCPU at the backend's next deadline: a started synthetic timer
     * runs on a Xen timer ({@code start_stimer()} in xen/arch/x86/hvm/viridian/time.c), so its
     * deadline is the one the backend reports, and none once it fired.
     */
    @Test
    void nextDeadlineIsTheStartedSyntheticTimersUntilItFires() {
        Backend b = Backends.create("hyperv-on-xen", new TreeMap<>());
        dev.hcdiff.oracle.backend.FlatRam ram = new dev.hcdiff.oracle.backend.FlatRam(0x10000);
        assertTrue(b.nextDeadlineNs().isEmpty());
        // HV_X64_MSR_STIMER0_COUNT (0x400000B1) = 10 000 ticks of 100 ns, then CONFIG (0x400000B0):
        // enable (bit 0), SINTx 3 (bits 19:16) (TLFS "Synthetic Timer Configuration Register").
        dev.hcdiff.oracle.backend.Serving.serve(b, new dev.hcdiff.trace.record.MsrWrite(0, 0x400000B1, 10_000,
                dev.hcdiff.trace.record.CpuMode.LONG64), ram, 1_000);
        var armed = dev.hcdiff.oracle.backend.Serving.serve(b, new dev.hcdiff.trace.record.MsrWrite(0, 0x400000B0,
                1 | (3L << 16), dev.hcdiff.trace.record.CpuMode.LONG64), ram, 2_000).observation();
        assertEquals(1, armed.timers().size(), armed.toString());
        long deadline = armed.timers().getFirst().deadlineNs();
        assertEquals(java.util.OptionalLong.of(deadline), b.nextDeadlineNs());
        dev.hcdiff.oracle.backend.Serving.serve(b, new dev.hcdiff.trace.record.MsrRead(0, 0x40000020), ram, deadline);
        assertTrue(b.nextDeadlineNs().isEmpty(), "a one-shot timer that fired is not started any more");
    }

    @Test
    void registeredUnderItsName() {
        assertTrue(Backends.names().contains("hyperv-on-xen"));
        Backend b = Backends.create("hyperv-on-xen", new TreeMap<>());
        assertInstanceOf(HyperVOnXen.class, b);
        assertEquals("hyperv-on-xen", b.name());
    }

    @Test
    void configurationRebuildsAnIdenticalBackend() {
        ViridianConfig c = ViridianConfig.defaults().withVcpus(3).withTscKhz(3_000_000)
                .withFeatures(ViridianFeatures.BASE_FREQ | ViridianFeatures.SYNIC);
        Backend b = new HyperVOnXen(c);
        assertEquals(Map.of("hyperv.vcpus", "3", "hyperv.tsc-khz", "3000000", "hyperv.vendor", "intel",
                "xen.version", "4.17.7", "viridian.features", "0x81"), b.configuration());
        assertEquals(c, ViridianConfig.fromMap(b.configuration()));
    }

    @Test
    void keysOfTheTlfsModelAreIgnoredAndUnknownKeysRejected() {
        TreeMap<String, String> m = new TreeMap<>(Map.of("hyperv.personality", "tlfs", "hyperv.privileges", "0x7f",
                "xen.domid", "1"));
        assertEquals(ViridianConfig.defaults(), ViridianConfig.fromMap(m));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ViridianConfig.fromMap(Map.of("hyperv.colour", "blue")));
        assertTrue(e.getMessage().contains("hyperv.colour"), e.getMessage());
    }

    @Test
    void badFeatureMaskIsRejectedAsXenRejectsIt() {
        // hvm_allow_set_param(): (value & ~HVMPV_feature_mask) || !(value & HVMPV_base_freq) -> -EINVAL.
        assertThrows(IllegalArgumentException.class, () -> ViridianConfig.defaults().withFeatures(0x2));
        assertThrows(IllegalArgumentException.class, () -> ViridianConfig.defaults().withFeatures(0x2001));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ViridianConfig.fromMap(Map.of("viridian.features", "lots")));
        assertTrue(e.getMessage().contains("viridian.features"), e.getMessage());
    }

    @Test
    void tooManyVcpusIsAOneLineError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ViridianConfig.fromMap(Map.of("hyperv.vcpus", "33")));
        assertTrue(e.getMessage().startsWith("hyperv.vcpus = 33"), e.getMessage());
    }

    @Test
    void hypervTracesPairTheModelWithTheViridianPort() {
        for (String served : new String[] {"hyperv", "hyperv-on-xen"}) {
            Backends.Pair p = Backends.pairFor(JournalHeader.create().with(JournalHeader.BACKEND, served));
            assertInstanceOf(HyperVBackend.class, p.reference());
            assertInstanceOf(HyperVOnXen.class, p.translated());
        }
    }

    @Test
    void debugPortAndXenHypercallsAndMmioAreServed() {
        Guest g = Guest.viridian(ViridianConfig.defaults());
        assertArrayEquals(new byte[] {'A'}, g.serve(new PortWrite(0, 0xe9, 1, 'A')).console());
        // A Xen hypercall (xen_version, XENVER_version = 0) reaches the Xen underneath: 4.17.
        long[] args = {0, 0, 0, 0, 0, 0};
        assertEquals(4L << 16 | 17, g.serve(new Hypercall(0, Abi.XEN64, 17, args)).result());
        // The LAPIC version register (0xFEE00030) is Xen's vLAPIC: VLAPIC_VERSION 0x00050014.
        assertEquals(0x00050014L, g.serve(new MmioRead(0, 0xFEE00030L, 4)).result());
    }

    @Test
    void requestFromAMissingVcpuIsRejected() {
        Guest g = Guest.viridian(ViridianConfig.defaults());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.rdmsr(1, 0x40000002));
        assertTrue(e.getMessage().contains("hyperv.vcpus=1"), e.getMessage());
    }
}
