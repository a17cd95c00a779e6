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
                "xen.version", "4.17.7"), XenConfig.defaults().toMap());
        assertEquals("xen", new XenBackend(XenConfig.defaults()).name());
    }

    @Test
    void fromMapRoundTripsAndIgnoresOtherBackendsKeys() {
        SortedMap<String, String> m = map("xen.build", "debug", "xen.cpuid-base", "0x40000100", "xen.domid", "7",
                "xen.max-evtchn-port", "4095", "xen.tsc-khz", "3000000",
                "xen.uuid", "01234567-89ab-cdef-0011-223344556677", "xen.vcpus", "4", "xen.vendor", "amd",
                "xen.version", "4.17.7");
        assertEquals(m, XenConfig.fromMap(m).toMap());
        SortedMap<String, String> withOthers = new TreeMap<>(m);
        withOthers.put("hyperv.vendor-id", "Microsoft Hv");
        assertEquals(m, XenConfig.fromMap(withOthers).toMap());
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
                {"xen.max-evtchn-port", "-1"}, {"xen.tsc-khz", "0"}, {"xen.uuid", "nope"}};
        for (String[] kv : bad) {
            var e = assertThrows(IllegalArgumentException.class, () -> XenConfig.fromMap(map(kv[0], kv[1])), kv[0]);
            assertTrue(e.getMessage().contains(kv[0]), e.getMessage());
        }
    }
}
