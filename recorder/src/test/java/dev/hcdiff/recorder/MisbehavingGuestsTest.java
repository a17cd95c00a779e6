package dev.hcdiff.recorder;

import dev.hcdiff.recorder.guest.BadGuestImage;
import dev.hcdiff.recorder.guest.GuestImages;
import dev.hcdiff.trace.record.GuestStop.StopReason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guests that misbehave are stopped and reported as their one GuestStop, on the real /dev/kvm.
 * The test guests are recorder/guests/tests/*.
 */
class MisbehavingGuestsTest {

    /** The kit's linker script loads every test guest at 1 MiB with the entry there. */
    private static final long ENTRY = 0x100000;

    @BeforeEach
    void needsKvm() {
        LiveKvm.assumeKvm();
    }

    @Test
    void guestExecutingVmcallDirectlyIsStoppedAsVmcallAtItsRip() {
        LiveKvm.Run run = LiveKvm.record("tests/vmcall", 0, new MiniXen(false));
        run.assertWellFormed();
        assertEquals(StopReason.VMCALL, run.stop().reason());
        // tests/vmcall.S: `mov $17,%eax` is 5 bytes (B8 imm32), then vmcall.
        assertEquals(ENTRY + 5, run.stop().rip());
        assertTrue(run.stop().detail().startsWith("vmcall executed directly at 0x100005"), run.stop().detail());
    }

    @Test
    void guestLoopingWithoutExitsIsStoppedByTheWatchdog() {
        long t0 = System.nanoTime();
        LiveKvm.Run run = LiveKvm.record("tests/loop", 0, new MiniXen(false));
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        run.assertWellFormed();
        assertEquals(StopReason.WATCHDOG, run.stop().reason());
        assertEquals(ENTRY, run.stop().rip(), "tests/loop.S spins on `jmp .` at its entry");
        assertEquals("no exit for 500 ms", run.stop().detail());
        assertTrue(tookMs < 10_000, "the kick came " + tookMs + " ms after the start, budget is 30 s");
    }

    @Test
    void timeBudgetStopsALoopingGuestBeforeTheWatchdog() {
        LiveKvm.Run run = LiveKvm.record(Recorder.RecordOptions.of("tests/loop", GuestImages.load("tests/loop"), 0)
                .withWatchdog(Duration.ofSeconds(30)).withBudget(Duration.ofMillis(400)), new MiniXen(false));
        run.assertWellFormed();
        assertEquals(StopReason.BUDGET, run.stop().reason());
        assertEquals("time budget of 400 ms exceeded", run.stop().detail());
    }

    @Test
    void tripleFaultIsReported() {
        LiveKvm.Run run = LiveKvm.record("tests/triple", 0, new MiniXen(false));
        run.assertWellFormed();
        assertEquals(StopReason.TRIPLE_FAULT, run.stop().reason());
    }

    @Test
    void accessOutsideRamIsABadAccessNamingTheAddress() {
        LiveKvm.Run run = LiveKvm.record("tests/badaccess", 0, new MiniXen(false));
        run.assertWellFormed();
        assertEquals(StopReason.BAD_ACCESS, run.stop().reason());
        // tests/badaccess.c writes a 32-bit value at guest-physical 4 GiB, above the MMIO hole.
        assertEquals("write of 4 bytes at guest-physical 0x100000000, outside RAM and devices", run.stop().detail());
        assertEquals(java.util.List.of("writing outside RAM"), run.console());
    }

    @Test
    void exitBudgetStopsTheGuestAfterThatManyExits() {
        LiveKvm.Run run = LiveKvm.record(Recorder.RecordOptions.of("spin", GuestImages.load("spin"), 1_000_000)
                .withMaxExits(40), new MiniXen(false));
        run.assertWellFormed();
        assertEquals(StopReason.BUDGET, run.stop().reason());
        assertEquals("exit budget of 40 exits reached", run.stop().detail());
        // One exchange per exit (the MSR write adds a TransportPage), plus the CPUID answers before the run.
        long exits = run.records().stream().filter(r -> r instanceof dev.hcdiff.trace.record.Exchange e
                && !(e.request() instanceof dev.hcdiff.trace.record.CpuidQuery)).count();
        assertEquals(40, exits);
    }

    @Test
    void blockingWithNothingToWakeTheVcpuHalts() {
        LiveKvm.Run run = LiveKvm.record("spin", 3, new MiniXen(false, MiniXen.Mode.BLOCK_FOREVER));
        run.assertWellFormed();
        assertEquals(StopReason.HALTED, run.stop().reason());
        assertEquals("xen_version/XENVER_version: blocked with nothing to wake it", run.stop().detail());
    }

    @Test
    void blockingUntilADeadlineMovesVirtualTimeThereAndResumes() {
        long t0 = System.nanoTime();
        LiveKvm.Run run = LiveKvm.record("spin", 3, new MiniXen(false, MiniXen.Mode.BLOCK_ONE_SECOND));
        long tookNs = System.nanoTime() - t0;
        run.assertWellFormed();
        assertEquals(StopReason.SHUTDOWN, run.stop().reason());
        // Three calls each block for 1 s of virtual time; the host does not wait for them.
        assertTrue(run.stop().timeNs() >= 3 * MiniXen.BLOCK_NS, "virtual time " + run.stop().timeNs());
        assertTrue(tookNs < 3 * MiniXen.BLOCK_NS, "the recorder slept " + tookNs + " ns");
    }

    @Test
    void badImageFailsBeforeAnythingIsRecorded() {
        byte[] cut = Arrays.copyOf(GuestImages.load("hello"), 100);
        ListSink sink = new ListSink();
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> Recorder.record(
                Recorder.RecordOptions.of("hello.elf", cut, 0), new MiniXen(false), sink, line -> { }));
        assertTrue(e.getMessage().startsWith("hello.elf: truncated"), e.getMessage());
        assertTrue(sink.records.isEmpty());
    }

    @Test
    void segmentBeyondTheGuestsMemoryFailsBeforeAnythingIsRecorded() {
        byte[] image = GuestImages.load("hello");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        // Elf64_Ehdr e_phoff @32; Elf64_Phdr p_paddr @24: move the first segment to 256 MiB.
        int phoff = (int) b.getLong(32);
        b.putLong(phoff + 24, 256L << 20);
        ListSink sink = new ListSink();
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> Recorder.record(
                Recorder.RecordOptions.of("high.elf", image, 0).withMemory(16L << 20), new MiniXen(false), sink,
                line -> { }));
        assertTrue(e.getMessage().startsWith("high.elf: segment [0x10000000, +0x"), e.getMessage());
        assertTrue(sink.records.isEmpty());
    }
}
