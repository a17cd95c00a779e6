package dev.hcdiff.replayer.report;

import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** One-line renderings of observations for the console report. */
public final class ObservationText {

    private static final int MAX_HEX_BYTES = 16;

    private ObservationText() {
    }

    /** The given fields of an observation, e.g. {@code result=-1 (-EPERM) console="hi\n"}. */
    public static String brief(Observation o, Set<Field> fields) {
        if (o == null) {
            return "(failed)";
        }
        List<String> parts = new ArrayList<>();
        for (Field f : fields.isEmpty() ? Set.of(Field.RESULT) : fields) {
            parts.add(switch (f) {
                case RESULT -> "result=" + returns(o.returns());
                case FAULT -> "fault=" + (o.fault() == Fault.NONE ? "none" : o.fault().name().toLowerCase());
                case WRITES -> "writes=" + writes(o.writes());
                case EVENTS -> "events=" + o.eventsPending();
                case INTERRUPTS -> "interrupts=" + o.interrupts();
                case TIMERS -> "timers=" + o.timers();
                case CONSOLE -> "console=" + quote(o.console());
                case VCPU -> "vcpu=" + o.vcpu().run().name().toLowerCase();
                case SHUTDOWN -> "shutdown=" + (o.shutdown() < 0 ? "none" : Integer.toString(o.shutdown()));
            });
        }
        if (!o.trail().isEmpty()) {
            parts.add("via " + String.join(", ", o.trail()));
        }
        return String.join(" ", parts);
    }

    /** Registers returned: signed decimal for small negatives (errnos), hex otherwise. */
    static String returns(long[] values) {
        if (values.length == 0) {
            return "(none)";
        }
        List<String> s = new ArrayList<>();
        for (long v : values) {
            s.add(v < 0 && v > -4096 ? Long.toString(v) : "0x" + Long.toHexString(v));
        }
        return values.length == 1 ? s.getFirst() : s.toString();
    }

    static String writes(List<MemChunk> writes) {
        if (writes.isEmpty()) {
            return "(none)";
        }
        List<String> s = new ArrayList<>();
        for (MemChunk c : writes) {
            byte[] d = c.data();
            String hex = HexFormat.of().formatHex(d, 0, Math.min(d.length, MAX_HEX_BYTES));
            s.add("0x" + Long.toHexString(c.gpa()) + ":" + hex + (d.length > MAX_HEX_BYTES ? "…(" + d.length + " bytes)" : ""));
        }
        return String.join(",", s);
    }

    static String quote(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
