package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.CpuVendor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hyperv.*} configuration: round trips and one-line errors. */
class HvConfigTest {

    static final String EXAMPLE = "0x10001=event:vp0:sint2:flag0:count16;0x20001=message:vp0:sint3";

    @Test
    void theBriefsPortStringParsesAndPrintsUnchanged() {
        HvPorts p = HvPorts.parse(EXAMPLE);
        assertEquals(EXAMPLE, p.print());
        assertEquals(HvPort.event(0x10001, 0, 2, 0, 16), p.lookup(0x10001).orElseThrow());
        assertEquals(HvPort.message(0x20001, 0, 3), p.lookup(0x20001).orElseThrow());
    }

    @Test
    void defaultsRoundTripThroughTheMap() {
        HvConfig d = HvConfig.defaults();
        assertEquals(d, HvConfig.fromMap(d.toMap()));
        assertEquals("tlfs", d.toMap().get("hyperv.personality"));
        // EAX 0xA7E = bits 1,2,3,4,5,6,9,11; EBX 0x30 = PostMessages, SignalEvents.
        assertEquals("0x3000000a7e", d.toMap().get("hyperv.privileges"));
        assertEquals("2000000", d.toMap().get("hyperv.tsc-khz"));
    }

    @Test
    void everyKeyIsApplied() {
        Map<String, String> m = new TreeMap<>();
        m.put("hyperv.personality", "kvm");
        m.put("hyperv.privileges", "0x20");
        m.put("hyperv.ports", "0x5=event:vp1:sint15:flag2040:count8");
        m.put("hyperv.vcpus", "2");
        m.put("hyperv.vendor", "amd");
        m.put("hyperv.spin-retries", "0xffffffff");
        m.put("hyperv.tsc-khz", "2596138");
        HvConfig c = HvConfig.fromMap(m);
        assertEquals(new HvConfig(HvPersonality.KVM, 0x20, HvPorts.parse("0x5=event:vp1:sint15:flag2040:count8"), 2,
                CpuVendor.AMD, -1, 2596138), c);
        assertEquals(m, c.toMap());
    }

    @Test
    void unknownKeyIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HvConfig.fromMap(Map.of("hyperv.personalty", "tlfs")));
        assertTrue(e.getMessage().contains("'hyperv.personalty'"), e.getMessage());
    }

    @Test
    void badValuesAreNamed() {
        assertMessage("unknown Hyper-V personality 'hyper-v'", Map.of("hyperv.personality", "hyper-v"));
        assertMessage("hyperv.privileges = '300000087e'", Map.of("hyperv.privileges", "300000087e"));
        assertMessage("hyperv.vcpus = 0 out of range", Map.of("hyperv.vcpus", "0"));
        assertMessage("targets vp1 but the partition has 1 vcpus", Map.of("hyperv.ports", "0x1=message:vp1:sint0"));
        assertMessage("bad hyperv.ports entry '0x1=event:vp0:sint2'", Map.of("hyperv.ports", "0x1=event:vp0:sint2"));
        assertMessage("connection 0x1 configured twice", Map.of("hyperv.ports", "0x1=message:vp0:sint0;0x1=message:vp0:sint1"));
        assertMessage("sint 16 out of range", Map.of("hyperv.ports", "0x1=message:vp0:sint16"));
        assertMessage("must lie in 0..2047", Map.of("hyperv.ports", "0x1=event:vp0:sint0:flag2040:count9"));
        assertMessage("bad hyperv.ports entry '0x01=message:vp0:sint0'", Map.of("hyperv.ports", "0x01=message:vp0:sint0"));
        assertMessage("bad hyperv.ports entry '0x1000000=message:vp0:sint0'", Map.of("hyperv.ports", "0x1000000=message:vp0:sint0"));
        assertMessage("unknown CPU vendor 'arm'", Map.of("hyperv.vendor", "arm"));
        assertMessage("hyperv.tsc-khz = 0 must be positive", Map.of("hyperv.tsc-khz", "0"));
        assertMessage("hyperv.tsc-khz = '2e6' is not a decimal number", Map.of("hyperv.tsc-khz", "2e6"));
        assertMessage("port 0x2: flags 0+0 must lie in 0..2047", Map.of("hyperv.ports", "0x1=event:vp0:sint0:flag0:count1;0x2=root:count0"));
        IllegalArgumentException root = assertThrows(IllegalArgumentException.class,
                () -> new HvPort(2, HvPort.Type.ROOT, 1, 0, 0, 1));
        assertEquals("port 0x2: a root port names no vp, sint or base flag", root.getMessage());
    }

    @Test
    void aRootPortParsesAndPrintsWithItsFlagCount() {
        HvPorts p = HvPorts.parse("0xd0010=root:count1");
        assertEquals(HvPort.root(0xd0010, 1), p.lookup(0xd0010).orElseThrow());
        assertEquals(HvPort.Type.ROOT, p.lookup(0xd0010).orElseThrow().type());
        assertEquals("0xd0010=root:count1", p.print());
    }

    private static void assertMessage(String fragment, Map<String, String> m) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HvConfig.fromMap(m));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Provide
    Arbitrary<HvPort> ports() {
        Arbitrary<Integer> conn = Arbitraries.integers().between(0, 0xffffff);
        Arbitrary<Integer> vp = Arbitraries.integers().between(0, 3);
        Arbitrary<Integer> sint = Arbitraries.integers().between(0, 15);
        Arbitrary<HvPort> event = Combinators.combine(conn, vp, sint, Arbitraries.integers().between(0, 2047))
                .flatAs((c, v, s, base) -> Arbitraries.integers().between(1, 2048 - base)
                        .map(count -> HvPort.event(c, v, s, base, count)));
        Arbitrary<HvPort> message = Combinators.combine(conn, vp, sint).as(HvPort::message);
        Arbitrary<HvPort> root = Combinators.combine(conn, Arbitraries.integers().between(1, 2048)).as(HvPort::root);
        return Arbitraries.oneOf(event, message, root);
    }

    @Property(seed = "20261125")
    void anyPortTablePrintsToAStringThatParsesBackToIt(@ForAll("tables") HvPorts table) {
        String text = table.print();
        assertEquals(table, HvPorts.parse(text));
        assertEquals(text, HvPorts.parse(text).print());
    }

    @Provide
    Arbitrary<HvPorts> tables() {
        return ports().list().ofMaxSize(6).uniqueElements(HvPort::connectionId).map(list -> {
            HvPorts t = HvPorts.NONE;
            for (HvPort p : list) {
                t = t.with(p);
            }
            return t;
        });
    }

    @Property(seed = "20261125")
    void anyConfigRoundTripsThroughItsMap(@ForAll("tables") HvPorts table, @ForAll long privileges,
                                          @ForAll int spin, @ForAll boolean amd,
                                          @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 999_999_999) int khz) {
        HvConfig c = new HvConfig(HvPersonality.XEN_VIRIDIAN, privileges, table, 4,
                amd ? CpuVendor.AMD : CpuVendor.INTEL, spin, khz);
        assertEquals(c, HvConfig.fromMap(c.toMap()));
    }
}
