package dev.hcdiff.oracle.xen;

import org.junit.jupiter.api.Test;

import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XenConfigTest {

    private static SortedMap<String, String> map(String... kv) {
        SortedMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void defaultsAreDebiansReleaseBuildForTheFirstDomU() {
        assertEquals(map("xen.build", "release", "xen.cpuid-base", "0x40000000", "xen.domid", "1",
                "xen.max-evtchn-port", "1023", "xen.tsc-khz", "2000000",
                "xen.uuid", "00000000-0000-0000-0000-000000000000", "xen.vcpus", "1", "xen.vendor", "intel",
                "xen.version", "4.17.7", "xen.domain", "bare"), XenConfig.defaults().toMap());
        assertEquals("xen", new XenBackend(XenConfig.defaults()).name());
    }

    @Test
    void fromMapRoundTripsAndIgnoresOtherBackendsKeys() {
        SortedMap<String, String> m = map("xen.build", "debug", "xen.cpuid-base", "0x40000100", "xen.domid", "7",
                "xen.max-evtchn-port", "4095", "xen.tsc-khz", "3000000",
                "xen.uuid", "01234567-89ab-cdef-0011-223344556677", "xen.vcpus", "4", "xen.vendor", "amd",
                "xen.version", "4.17.7", "xen.domain", "xl-hvm", "xen.memory-bytes", "134217728");
        assertEquals(m, XenConfig.fromMap(m).toMap());
        SortedMap<String, String> withOthers = new TreeMap<>(m);
        withOthers.put("hyperv.vendor-id", "Microsoft Hv");
        assertEquals(m, XenConfig.fromMap(withOthers).toMap());
    }

    @Test
    void aBareDomainOfTheDefaultSizeReportsNoSizeButAnyOtherDomainDoes() {
        // The recorder compares a configured xen.memory-bytes with the guest's RAM: a bare domain
        // of the default size must not claim one.
        assertTrue(!XenConfig.defaults().toMap().containsKey(XenConfig.MEMORY_BYTES));
        assertEquals("1048576", XenConfig.fromMap(map("xen.memory-bytes", "0x100000")).toMap().get(XenConfig.MEMORY_BYTES));
        assertEquals("67108864", XenConfig.fromMap(map("xen.domain", "xl-hvm")).toMap().get(XenConfig.MEMORY_BYTES));
    }

    @Test
    void xlPvhIsAKindOfItsOwnAndABadKindNamesTheThree() {
        XenConfig c = XenConfig.fromMap(map("xen.domain", "xl-pvh", "xen.memory-bytes", "0x8000000"));
        assertEquals(XenConfig.DomainKind.XL_PVH, c.domain());
        assertEquals(map("xen.build", "release", "xen.cpuid-base", "0x40000000", "xen.domid", "1",
                "xen.max-evtchn-port", "1023", "xen.tsc-khz", "2000000",
                "xen.uuid", "00000000-0000-0000-0000-000000000000", "xen.vcpus", "1", "xen.vendor", "intel",
                "xen.version", "4.17.7", "xen.domain", "xl-pvh", "xen.memory-bytes", "134217728"), c.toMap());
        assertEquals(c, XenConfig.defaults().withXlPvh(128L << 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> XenConfig.fromMap(map("xen.domain", "pvh")));
        assertEquals("bad value 'pvh' for xen.domain (expected bare, xl-hvm or xl-pvh)", e.getMessage());
    }

    @Test
    void issue2sNineValueConstructorBuildsABareDomainOfTheDefaultSize() {
        XenConfig d = XenConfig.defaults();
        XenConfig c = new XenConfig(d.version(), d.build(), d.domid(), d.vcpus(), d.vendor(), d.cpuidBase(),
                d.maxEvtchnPort(), d.tscKhz(), d.uuid());
        assertEquals(XenConfig.DomainKind.BARE, c.domain());
        assertEquals(64L << 20, c.memoryBytes());
    }

    @Test
    void anUnknownXenKeyIsRejectedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> XenConfig.fromMap(map("xen.colour", "blue")));
        assertTrue(e.getMessage().contains("'xen.colour'"), e.getMessage());
    }

    @Test
    void badValuesAreRejectedNamingTheKey() {
        String[][] bad = {{"xen.version", "4.18.0"}, {"xen.build", "fast"}, {"xen.domid", "0"}, {"xen.domid", "x"},
                {"xen.vcpus", "33"}, {"xen.vendor", "via"}, {"xen.cpuid-base", "0x40000200"},
                {"xen.max-evtchn-port", "-1"}, {"xen.tsc-khz", "0"}, {"xen.uuid", "nope"}, {"xen.domain", "pv"},
                {"xen.memory-bytes", "4097"}, {"xen.memory-bytes", "0xf0001000"}, {"xen.memory-bytes", "4096"},
                {"xen.memory-bytes", "lots"}};
        for (String[] kv : bad) {
            var e = assertThrows(IllegalArgumentException.class, () -> XenConfig.fromMap(map(kv[0], kv[1])), kv[0]);
            assertTrue(e.getMessage().contains(kv[0]), e.getMessage());
        }
    }
}
