package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.TraceArbitraries;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** journal → .hct → journal gives back every document, header included, byte for byte. */
class JournalTextRoundTripProperties {

    @Provide
    Arbitrary<List<TraceRecord>> traces() {
        return TraceArbitraries.traces();
    }

    @Provide
    Arbitrary<JournalHeader> headers() {
        return TraceArbitraries.headers();
    }

    @Property(tries = 40, seed = "20261125")
    void journalToTextToJournalKeepsEveryDocumentByteForByte(@ForAll("headers") JournalHeader header,
                                                             @ForAll("traces") List<TraceRecord> records) throws IOException {
        Path tmp = Files.createTempDirectory("hcdiff-rt");
        try {
            Path original = tmp.resolve("original");
            try (JournalWriter w = JournalWriter.create(original, header, false)) {
                records.forEach(w::append);
            }
            Path text = tmp.resolve("trace.hct");
            Path copy = tmp.resolve("copy");
            assertEquals(records.size(), Traces.convert(original, text, false));
            assertEquals(records.size(), Traces.convert(text, copy, false));
            List<String> before = documents(original);
            assertEquals(records.size() + 1, before.size());
            assertEquals(before, documents(copy));
        } finally {
            deleteTree(tmp);
        }
    }

    /** Every document of a queue as hex, read with Chronicle directly (not through JournalReader). */
    static List<String> documents(Path dir) {
        List<String> docs = new ArrayList<>();
        try (ChronicleQueue q = ChronicleQueue.singleBuilder(dir).rollCycle(QueueFiles.ROLL_CYCLE).readOnly(true).build();
             ExcerptTailer t = q.createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return docs;
                    }
                    Bytes<?> b = dc.wire().bytes();
                    byte[] bytes = new byte[(int) b.readRemaining()];
                    b.read(bytes);
                    docs.add(HexFormat.of().formatHex(bytes));
                }
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
