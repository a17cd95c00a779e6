package dev.hcdiff.replayer.diff;

import dev.hcdiff.trace.record.GuestStop;

import java.util.List;
import java.util.Map;

/**
 * Everything a diff of two recordings found.
 *
 * @param a           the first recording
 * @param b           the second recording
 * @param reference   which side the known-divergence catalog reads as the reference personality
 *                    ({@code "A"}, {@code "B"}), or null when the two backends are no replay pair
 *                    (then nothing is known)
 * @param steps       aligned steps compared before any path change (CPUID leaves matched included)
 * @param agree       of which every comparison agreed
 * @param findings    the differing steps in A's order, at most {@link DiffEngine#MAX_FINDINGS_KEPT}
 * @param newCount    findings no catalog entry explains (all of them, kept or not)
 * @param knownCount  findings the catalog explains
 * @param groups      findings by root cause, in first-seen order
 * @param perCall     counts by call, in first-seen order
 * @param pathChange  where the guests' paths parted, or null when they never did
 * @param stopA       A's stop record, or null when A has none
 * @param stopB       B's stop record, or null when B has none
 * @param consoleA    the console line A's guest was printing at the first new difference in what
 *                    the guests printed, or null when their output never differed step by step
 * @param consoleB    B's line there
 */
public record DiffOutcome(DiffSide a, DiffSide b, String reference, long steps, long agree,
                          List<Finding> findings, long newCount, long knownCount,
                          List<DiffGroup> groups, Map<String, CallCounts> perCall,
                          PathChange pathChange, GuestStop stopA, GuestStop stopB,
                          String consoleA, String consoleB) {

    public DiffOutcome {
        findings = List.copyOf(findings);
        groups = List.copyOf(groups);
    }

    /** True when the runs differ in a way no catalog entry explains: a new finding or a path change. */
    public boolean hasNew() {
        return newCount > 0 || pathChange != null;
    }

    /** True when nothing differs at all. */
    public boolean same() {
        return findings.isEmpty() && pathChange == null;
    }

    /** The finding a report leads with: the first new one, else the first known one; null when none. */
    public Finding first() {
        return findings.stream().filter(Finding::isNew).findFirst().orElse(findings.isEmpty() ? null : findings.getFirst());
    }

    /** The catalog ids seen, sorted. */
    public List<String> knownIds() {
        // A group of a divergence explained field by field is labelled a+b: list each id once.
        return groups.stream().filter(g -> g.knownId() != null)
                .flatMap(g -> java.util.Arrays.stream(g.knownId().split("\\+"))).distinct().sorted().toList();
    }
}
