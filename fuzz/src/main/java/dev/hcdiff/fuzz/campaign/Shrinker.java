package dev.hcdiff.fuzz.campaign;

import net.jqwik.api.Shrinkable;

import java.util.Iterator;
import java.util.function.Predicate;

/**
 * Greedy shrinking over jqwik's integrated shrink candidates, outside the jqwik engine (a
 * campaign runs on a time budget, which a {@code @Property} cannot): take the first candidate
 * that still fails, repeat until none does. jqwik orders candidates simplest first.
 */
final class Shrinker {

    /** Bounds the work on one finding; each step tries at most this many candidates. */
    private static final int MAX_CANDIDATES_PER_STEP = 2_000;
    private static final int MAX_STEPS = 10_000;

    private Shrinker() {
    }

    static <T> Shrinkable<T> shrink(Shrinkable<T> failing, Predicate<T> stillFails) {
        Shrinkable<T> current = failing;
        for (int step = 0; step < MAX_STEPS; step++) {
            Shrinkable<T> next = null;
            Iterator<Shrinkable<T>> candidates = current.shrink().limit(MAX_CANDIDATES_PER_STEP).iterator();
            while (candidates.hasNext()) {
                Shrinkable<T> c = candidates.next();
                if (c.distance().compareTo(current.distance()) < 0 && stillFails.test(c.value())) {
                    next = c;
                    break;
                }
            }
            if (next == null) {
                return current;
            }
            current = next;
        }
        return current;
    }
}
