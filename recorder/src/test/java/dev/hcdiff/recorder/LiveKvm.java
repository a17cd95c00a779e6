package dev.hcdiff.recorder;

import dev.hcdiff.recorder.guest.GuestImages;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.TraceRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Helpers for tests that boot guests on the real /dev/kvm. */
public final class LiveKvm {

    private LiveKvm() {
    }

    /**
     * Skips (with the reason printed by JUnit) only when the host has no /dev/kvm at all; fails
     * instead when {@code HCDIFF_REQUIRE_KVM=1} (CI, whose machines have KVM: a silent skip there
     * would hide that the live tests did not run).
     */
    public static void assumeKvm() {
        boolean present = Files.exists(Path.of("/dev/kvm"));
        if (!present && "1".equals(System.getenv("HCDIFF_REQUIRE_KVM"))) {
            throw new AssertionError("/dev/kvm does not exist but HCDIFF_REQUIRE_KVM=1: the live KVM tests must run here");
        }
        assumeTrue(present, "/dev/kvm does not exist on this host: live KVM tests skipped");
    }

    /** A recording: the records, the console lines, and the recorder's result. */
    record Run(List<TraceRecord> records, List<String> console, Recorder.RecordResult result) {

        GuestStop stop() {
            return result.stop();
        }

        /** Every journal invariant: seq 0,1,2… and exactly one GuestStop, last. */
        void assertWellFormed() {
            for (int i = 0; i < records.size(); i++) {
                assertEquals(i, records.get(i).seq(), "seq of record " + i);
                if (i < records.size() - 1) {
                    org.junit.jupiter.api.Assertions.assertFalse(records.get(i) instanceof GuestStop,
                            "GuestStop before the end at " + i);
                }
            }
            assertInstanceOf(GuestStop.class, records.getLast());
            assertEquals(records.size(), result.records());
            assertEquals(records.getLast(), result.stop());
        }
    }

    static Run record(String guest, long arg, Backend backend) {
        return record(Recorder.RecordOptions.of(guest, GuestImages.load(guest), arg)
                .withMemory(16L << 20).withWatchdog(Duration.ofMillis(500)).withBudget(Duration.ofSeconds(30)), backend);
    }

    static Run record(Recorder.RecordOptions options, Backend backend) {
        ListSink sink = new ListSink();
        List<String> console = new ArrayList<>();
        Recorder.RecordResult result = Recorder.record(options, backend, sink, console::add);
        return new Run(sink.records, console, result);
    }

    /**
     * Serves each recorded exchange again, in order, on a fresh backend (guest memory rebuilt from
     * what each call read) and asserts it observes exactly what was recorded: a live recording is
     * replayable, timer ticks included. At least {@code minExchanges} exchanges must be replayed.
     */
    static void assertFreshBackendAgrees(Backend fresh, List<TraceRecord> records, int minExchanges)
            throws dev.hcdiff.oracle.backend.GuestFault {
        dev.hcdiff.oracle.backend.FlatRam ram = new dev.hcdiff.oracle.backend.FlatRam(16 << 20); // LiveKvm records with 16 MiB
        int exchanges = 0;
        for (TraceRecord r : records) {
            if (!(r instanceof dev.hcdiff.trace.record.Exchange e)) {
                continue; // TransportPage and Delivery: the recorder's acts, not backend requests
            }
            for (dev.hcdiff.trace.record.MemChunk c : e.reads()) {
                ram.writePhysical(c.gpa(), c.data());
            }
            var s = dev.hcdiff.oracle.backend.Serving.serve(fresh, e.request(), ram, e.timeNs());
            assertEquals(java.util.Set.of(), dev.hcdiff.oracle.compare.Comparator.differingFields(e.observation(), s.observation()),
                    fresh.name() + " exchange @" + e.seq() + " " + e.request());
            exchanges++;
        }
        org.junit.jupiter.api.Assertions.assertTrue(exchanges > minExchanges, "exchanges replayed: " + exchanges);
    }
}
