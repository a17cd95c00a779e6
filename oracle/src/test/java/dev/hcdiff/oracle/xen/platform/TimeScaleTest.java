package dev.hcdiff.oracle.xen.platform;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** xen/arch/x86/time.c set_time_scale(), checked against the arithmetic it performs and hvmloader's reader. */
class TimeScaleTest {

    @Test
    void twoGigahertzIsHalfAndThreeGigahertzATwoThirdsWithShiftMinusOne() {
        // 2e9: not above 2e9, above 1e9 → shift 0, mul = (1e9 << 32) / 2e9 = 2^31.
        assertEquals(new TimeScale(0x8000_0000, 0), TimeScale.of(2_000_000_000L));
        // 3e9 > 2e9 → 1.5e9, shift -1; mul = (1e9 << 32) / 1.5e9 = 0xAAAAAAAA.
        assertEquals(new TimeScale(0xAAAA_AAAA, -1), TimeScale.of(3_000_000_000L));
        // 1e9 is not above 1e9 → 2e9, shift 1; mul = 2^31.
        assertEquals(new TimeScale(0x8000_0000, 1), TimeScale.of(1_000_000_000L));
    }

    /** hvmloader's get_cpu_mhz() (tools/firmware/hvmloader/util.c). */
    static long hvmloaderMhz(TimeScale ts) {
        long khz = Long.divideUnsigned(1_000_000L << 32, ts.mulFrac() & 0xFFFF_FFFFL);
        khz = ts.shift() < 0 ? khz << -ts.shift() : khz >>> ts.shift();
        return ((khz & 0xFFFF_FFFFL) + 500) / 1000 & 0xFFFF;
    }

    @Property(tries = 500, seed = "20260305")
    void hvmloaderRecoversTheFrequencyWithinAMegahertz(@ForAll @LongRange(min = 100_000, max = 6_000_000) long khz) {
        TimeScale ts = TimeScale.of(khz * 1000);
        assertTrue(ts.mulFrac() != 0, "mul 0 would be a #DE in hvmloader");
        assertTrue(Math.abs(hvmloaderMhz(ts) - Math.round(khz / 1000.0)) <= 1,
                khz + " kHz → " + hvmloaderMhz(ts) + " MHz");
    }
}
