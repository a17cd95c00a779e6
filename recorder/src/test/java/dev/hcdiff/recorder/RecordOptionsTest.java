package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.recorder.guest.BadGuestImage;
import dev.hcdiff.recorder.guest.Boot;
import dev.hcdiff.recorder.guest.GuestImages;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What the CLI builds a recording from: options from a file, the boot choice, the matching Xen domain. */
class RecordOptionsTest {

    @Test
    void theSevenArgumentFormKeepsTodaysKitBoot() {
        Recorder.RecordOptions o = Recorder.RecordOptions.of("hello", GuestImages.load("hello"), 0);
        assertEquals(Boot.KIT, o.boot());
        assertEquals("", o.cmdline());
    }

    @Test
    void fromFileNamesTheGuestAfterTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("firmware.elf");
        Files.write(f, GuestImages.load("tests/firmware"));
        Recorder.RecordOptions o = Recorder.RecordOptions.fromFile(f, Boot.AUTO);
        assertEquals("firmware.elf", o.guestName());
        assertArrayEquals(Files.readAllBytes(f), o.image());
        assertEquals(Boot.FIRMWARE, o.plan().boot());
        BadGuestImage e = assertThrows(BadGuestImage.class,
                () -> Recorder.RecordOptions.fromFile(dir.resolve("absent.elf"), Boot.AUTO));
        assertEquals(dir.resolve("absent.elf") + ": no such file", e.getMessage());
    }

    @Test
    void firmwareBootsMeetAnXlHvmDomainPvhBootsAnXlPvhOneKitBootsTheBareOne() {
        Recorder.RecordOptions fw = Recorder.RecordOptions.of("f", GuestImages.load("tests/firmware"), 0)
                .withBoot(Boot.AUTO).withMemory(32L << 20);
        assertEquals(Map.of("xen.domain", "xl-hvm", "xen.memory-bytes", Long.toString(32L << 20)),
                Recorder.xenDomainConfig(fw));
        Recorder.RecordOptions pvh = Recorder.RecordOptions.of("p", GuestImages.load("tests/pvh"), 0).withBoot(Boot.AUTO);
        // libxl builds PVH domains without a device model (RAM from 0): the xl-pvh kind.
        assertEquals("xl-pvh", Recorder.xenDomainConfig(pvh).get("xen.domain"));
        assertEquals(Map.of(), Recorder.xenDomainConfig(Recorder.RecordOptions.of("h", GuestImages.load("hello"), 0)));
    }

    @Test
    void aBackendSizedForAnotherMachineIsRefusedBeforeAnythingRuns() {
        Recorder.RecordOptions o = Recorder.RecordOptions.of("f", GuestImages.load("tests/firmware"), 0)
                .withBoot(Boot.FIRMWARE).withMemory(16L << 20);
        Backend sized = new Backend() {
            public String name() {
                return "sized";
            }

            public SortedMap<String, String> configuration() {
                return new TreeMap<>(Map.of("xen.memory-bytes", Long.toString(32L << 20)));
            }

            public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
                throw new AssertionError("never served");
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recorder.record(o, sized, new ListSink(), line -> { }));
        assertEquals("the backend is configured with xen.memory-bytes=33554432 but the guest gets 16777216 bytes of "
                + "memory: give both the same size", e.getMessage());
    }

    @Test
    void aMultiLineCommandLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recorder.RecordOptions.of("p", GuestImages.load("tests/pvh"), 0).withCmdline("a\nb"));
        assertEquals("the command line must be one line without NUL", e.getMessage());
    }
}
