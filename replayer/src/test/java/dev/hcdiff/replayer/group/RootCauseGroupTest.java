package dev.hcdiff.replayer.group;

import dev.hcdiff.oracle.compare.Field;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RootCauseGroupTest {

    /** A minimal group, to reach the shared tally. */
    private static final class Tally extends RootCauseGroup<String> {
        Tally() {
            super(null, "first", "kind", "-");
        }

        void add(String call) {
            count(call);
        }
    }

    @Property
    void aSpanIsTheLeastAndGreatestSequenceNumberAndIgnoresMissingRecords(
            @ForAll @Size(max = 20) List<@LongRange(min = -1, max = 1_000_000) Long> seqs) {
        SeqSpan span = new SeqSpan();
        seqs.forEach(span::add);
        List<Long> present = seqs.stream().filter(s -> s >= 0).toList();
        // -1 means "no record in this trace" (Finding.seqA/seqB); a group with none reads -1 for both.
        assertEquals(present.stream().mapToLong(Long::longValue).min().orElse(-1), span.first());
        assertEquals(present.stream().mapToLong(Long::longValue).max().orElse(-1), span.last());
    }

    @Test
    void aKnownCauseIsOneGroupWhateverTheCall() {
        assertEquals(RootCauseGroup.keyOf("xen-cpuid-relocated", "cpuid/0x40000000", "MODELS", "result"),
                RootCauseGroup.keyOf("xen-cpuid-relocated", "cpuid/0x40000002", "MODELS", "result"));
    }

    @Test
    void aNewCauseIsOneGroupPerCallKindAndFields() {
        String key = RootCauseGroup.keyOf(null, "event_channel_op/EVTCHNOP_send", "MODELS", "result");
        assertNotEquals(key, RootCauseGroup.keyOf(null, "event_channel_op/EVTCHNOP_close", "MODELS", "result"));
        assertNotEquals(key, RootCauseGroup.keyOf(null, "event_channel_op/EVTCHNOP_send", "RECORDED", "result"));
        assertNotEquals(key, RootCauseGroup.keyOf(null, "event_channel_op/EVTCHNOP_send", "MODELS", "result,writes"));
        assertNotEquals(key, RootCauseGroup.keyOf("some-gap", "event_channel_op/EVTCHNOP_send", "MODELS", "result"));
    }

    @Test
    void fieldNamesFollowTheFieldOrderNotTheSetOrder() {
        // Field declares RESULT before WRITES, so the report reads "result,writes" however the set iterates.
        assertEquals("result,writes", RootCauseGroup.fieldNames(Set.of(Field.WRITES, Field.RESULT)));
        assertEquals("", RootCauseGroup.fieldNames(Set.of()));
    }

    @Test
    void callsAreCountedEachTimeAndListedOnceInFirstSeenOrder() {
        Tally g = new Tally();
        g.add("b");
        g.add("a");
        g.add("b");
        assertEquals(3, g.count());
        assertEquals(List.of("b", "a"), g.calls());
        assertEquals("first", g.call());
    }
}
