package dev.hcdiff.trace.text;

import dev.hcdiff.trace.TraceArbitraries;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HctRoundTripProperties {

    @Provide
    Arbitrary<List<TraceRecord>> traces() {
        return TraceArbitraries.traces();
    }

    @Provide
    Arbitrary<JournalHeader> headers() {
        return TraceArbitraries.headers();
    }

    @Property(seed = "20261125")
    void readingWrittenTextGivesBackTheHeaderAndRecords(@ForAll("headers") JournalHeader header,
                                                        @ForAll("traces") List<TraceRecord> records) {
        String text = HctWriter.toText(header, records);
        try (HctReader r = HctReader.ofText(text, "generated.hct")) {
            assertEquals(header, r.header());
            assertEquals(records, r.readAll(), text);
        }
    }

    @Property(tries = 300, seed = "20261125")
    void writtenTextIsAFixedPoint(@ForAll("headers") JournalHeader header, @ForAll("traces") List<TraceRecord> records) {
        String text = HctWriter.toText(header, records);
        try (HctReader r = HctReader.ofText(text, "generated.hct")) {
            assertEquals(text, HctWriter.toText(r.header(), r.readAll()));
        }
    }
}
