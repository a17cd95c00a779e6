package dev.hcdiff.oracle.compare;

import dev.hcdiff.trace.record.Observation;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** Compares two observations field by field. Stateless. */
public final class Comparator {

    private Comparator() {
    }

    /** The guest-observable fields in which {@code a} and {@code b} differ; empty when they agree. */
    public static Set<Field> differingFields(Observation a, Observation b) {
        EnumSet<Field> d = EnumSet.noneOf(Field.class);
        if (!Arrays.equals(a.returns(), b.returns())) {
            d.add(Field.RESULT);
        }
        if (a.fault() != b.fault()) {
            d.add(Field.FAULT);
        }
        if (!a.writes().equals(b.writes())) {
            d.add(Field.WRITES);
        }
        if (!a.eventsPending().equals(b.eventsPending())) {
            d.add(Field.EVENTS);
        }
        if (!a.interrupts().equals(b.interrupts())) {
            d.add(Field.INTERRUPTS);
        }
        if (!a.timers().equals(b.timers())) {
            d.add(Field.TIMERS);
        }
        if (!Arrays.equals(a.console(), b.console())) {
            d.add(Field.CONSOLE);
        }
        if (!a.vcpu().equals(b.vcpu())) {
            d.add(Field.VCPU);
        }
        if (a.shutdown() != b.shutdown()) {
            d.add(Field.SHUTDOWN);
        }
        return d;
    }
}
