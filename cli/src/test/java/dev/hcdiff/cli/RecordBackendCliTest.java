package dev.hcdiff.cli;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.recorder.CleanEnd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hcdiff record --backend NAME}: every personality serves a live guest; a bad name is a usage error. */
class RecordBackendCliTest {

    @Test
    void anUnknownBackendIsAOneLineUsageErrorListingTheNames(@TempDir Path dir) {
        CliTest.Run r = CliTest.run("record", "--guest", "hello", "--backend", "kvm", "--out", dir.resolve("j").toString());
        assertEquals(ExitCodes.USAGE, r.code());
        CliTest.assertOneLineError(r);
        assertTrue(r.err().contains("--backend kvm: unknown backend (known: " + String.join(", ", Backends.names()) + ")"),
                r.err());
        assertFalse(Files.exists(dir.resolve("j")), "nothing recorded");
    }

    @Test
    void helpExplainsEachBackendAndTheCleanEndRule() {
        CliTest.Run r = CliTest.run("record", "--help");
        assertEquals(0, r.code());
        for (String name : Backends.names()) {
            assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(name + " ")), "a line for " + name + ":\n" + r.out());
        }
        assertTrue(r.out().contains("'" + CleanEnd.DONE_LINE + "'"), r.out());
    }

    @Test
    void everyBackendServesALiveGuestAndTheHeaderNamesIt(@TempDir Path dir) throws Exception {
        CliTest.assumeKvm();
        for (String name : Backends.names()) {
            Path out = dir.resolve("hello-" + name + ".hct");
            CliTest.Run r = CliTest.run("record", "--guest", "hello", "--backend", name, "--out", out.toString(), "-q");
            // 0 for a guest that ended cleanly, 1 for one that found no Xen; never a usage or internal error.
            assertTrue(r.code() == ExitCodes.OK || r.code() == ExitCodes.FINDING, name + ": " + r.out() + r.err());
            assertTrue(Files.readString(out).contains("header backend=" + name), name);
        }
    }

    @Test
    void helloRunsToItsShutdownUnderTheAdapter(@TempDir Path dir) throws Exception {
        CliTest.assumeKvm();
        Path out = dir.resolve("h.hct");
        CliTest.Run r = CliTest.run("record", "--guest", "hello", "--backend", Backends.XEN_ON_HYPERV, "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("guest| Xen CPUID leaves at 0x40000100"), r.out());
        assertTrue(r.out().contains("guest stopped: shutdown (sched_op/SCHEDOP_shutdown(poweroff))"), r.out());
    }

    @Test
    void hvHelloUnderHypervEndsCleanAndExitsZero(@TempDir Path dir) throws Exception {
        CliTest.assumeKvm();
        Path out = dir.resolve("hv.hct");
        CliTest.Run r = CliTest.run("record", "--guest", "hv-hello", "--backend", Backends.HYPERV, "--out", out.toString());
        assertTrue(r.out().contains("guest| hv-hello: a short tour of the Hyper-V guest ABI"), r.out());
        String text = Files.readString(out);
        assertTrue(text.contains("header backend=hyperv"), "the header names the backend");
        assertTrue(text.contains("header config.hyperv.ports=0x1=event:vp0:sint2:flag0:count16"), "the preconfigured port");
        // The header carries the configuration of both personalities of the replay pair (Backends.pairFor).
        java.util.TreeMap<String, String> config = new java.util.TreeMap<>();
        text.lines().filter(l -> l.startsWith("header config.")).forEach(l -> {
            String kv = l.substring("header config.".length());
            config.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        });
        dev.hcdiff.trace.record.JournalHeader header = dev.hcdiff.trace.record.JournalHeader.create()
                .with(dev.hcdiff.trace.record.JournalHeader.BACKEND, Backends.HYPERV).withConfiguration(config);
        Backends.Pair pair = Backends.pairFor(header);
        for (var e : pair.translated().configuration().entrySet()) {
            assertTrue(config.containsKey(e.getKey()), "pair entry " + e.getKey() + " in the header");
        }
        // Clean exactly when the guest said it is done (CleanEnd), whatever the model still lacks.
        boolean done = r.out().contains("guest| " + CleanEnd.DONE_LINE);
        assertEquals(done ? ExitCodes.OK : ExitCodes.FINDING, r.code(), r.out());
        assertTrue(r.out().contains("guest stopped: halted (" + CleanEnd.HALT_WITH_INTERRUPTS_OFF + ")"), r.out());
    }

    @Test
    void aHyperVGuestUnderXenFindsNoHyperVAndStopsWithoutCrashingTheRecorder(@TempDir Path dir) throws Exception {
        CliTest.assumeKvm();
        Path out = dir.resolve("hv-on-xen.hct");
        CliTest.Run r = CliTest.run("record", "--guest", "hv-hello", "--backend", Backends.XEN, "--out", out.toString());
        assertEquals(ExitCodes.FINDING, r.code(), r.out() + r.err());
        // Xen's leaf 0x40000001 is its version (xen-abi.md), not "Hv#1" (TLFS "Hypervisor Discovery").
        assertTrue(r.out().contains("vendor \"XenVMMXenVMM\""), r.out());
        assertTrue(r.out().contains("no Hyper-V interface"), r.out());
        assertTrue(r.out().contains("guest stopped: halted"), r.out());
    }

    @Test
    void aXenGuestUnderHypervFindsNoXenAndHalts(@TempDir Path dir) throws Exception {
        CliTest.assumeKvm();
        CliTest.Run r = CliTest.run("record", "--guest", "hello", "--backend", Backends.HYPERV,
                "--out", dir.resolve("x.hct").toString());
        assertEquals(ExitCodes.FINDING, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("guest| no Xen signature in CPUID 0x40000000-0x4000ff00"), r.out());
    }
}
