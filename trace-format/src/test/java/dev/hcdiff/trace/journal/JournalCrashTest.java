package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal whose writer was killed (SIGKILL, {@code destroyForcibly}) is readable up to its last
 * whole record: the reader returns exactly a prefix with consecutive seqs, does not hang at the
 * torn document, and reports the journal as not complete.
 */
class JournalCrashTest {

    @TempDir
    Path tmp;

    @Test
    void killedWhileAppendingLeavesAReadablePrefixOfWholeRecords() throws Exception {
        Path dir = tmp.resolve("stream");
        killAfter(dir, "stream", "appended " + CrashingWriter.STREAM_REPORT_AFTER, Duration.ofMillis(30));

        List<TraceRecord> records = readAll(dir);
        assertTrue(records.size() >= CrashingWriter.STREAM_REPORT_AFTER,
                "the " + CrashingWriter.STREAM_REPORT_AFTER + " records reported appended survive; read " + records.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(CrashingWriter.record(i), records.get(i), "record " + i);
        }
    }

    @Test
    void killedWithADocumentHalfWrittenStopsBeforeItWithoutHanging() throws Exception {
        Path dir = tmp.resolve("torn");
        killAfter(dir, "torn", "torn", Duration.ZERO);

        List<TraceRecord> records = readAll(dir);
        assertEquals(CrashingWriter.TORN_AFTER, records.size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(CrashingWriter.record(i), records.get(i), "record " + i);
        }
    }

    private static List<TraceRecord> readAll(Path dir) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (JournalReader r = JournalReader.open(dir)) {
                assertEquals(CrashingWriter.header(), r.header());
                assertFalse(r.complete(), "a crashed recording has no GuestStop");
                List<TraceRecord> out = new ArrayList<>();
                r.forEach(out::add);
                assertEquals(out.get(out.size() - 1), r.lastRecord().orElseThrow(), "lastRecord is the last whole record");
                // a second pass reads the same prefix: nothing was recovered or rewritten by reading
                List<TraceRecord> again = new ArrayList<>();
                r.forEach(again::add);
                assertEquals(out, again);
                return out;
            }
        });
    }

    /** Starts {@link CrashingWriter} in a child JVM with this JVM's flags, waits for {@code signal}, kills it. */
    private void killAfter(Path dir, String mode, String signal, Duration extra) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", classpath, CrashingWriter.class.getName(), mode, dir.toString()));
        Path stderr = tmp.resolve(mode + ".stderr");
        Process child = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        try {
            CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> waitFor(child, signal));
            boolean ok = seen.get(60, TimeUnit.SECONDS);
            assertTrue(ok, "child never printed '" + signal + "'; stderr: " + Files.readString(stderr));
            Thread.sleep(extra.toMillis());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        }
    }

    private static boolean waitFor(Process child, String signal) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.equals(signal)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
