package dev.hcdiff.fuzz;

import dev.hcdiff.fuzz.arbitraries.XenCalls;
import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.compare.Divergence;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The differential property CI runs with a fixed seed: any sequence of Xen calls a guest could
 * make is observed the same way under the reference Xen model and under the Xen-to-Hyper-V
 * adapter, or differs only where the known-divergence catalog says the ABIs must. jqwik shrinks
 * a failure to a minimal sequence and prints it.
 */
class XenPairProperties {

    static final PairRun PAIR = new PairRun(
            () -> Backends.create("xen", new TreeMap<>()),
            () -> Backends.create("xen-on-hyperv", new TreeMap<>()));

    @Provide
    Arbitrary<List<FuzzCall>> sequences() {
        return XenCalls.sequences(30);
    }

    @Property(tries = 300, seed = "20261125", shrinking = ShrinkingMode.FULL)
    void xenAndXenOnHyperVShowNoNewDivergence(@ForAll("sequences") List<FuzzCall> calls) {
        Optional<Divergence> d = PAIR.run(calls).firstNew();
        d.ifPresent(x -> fail("new divergence at call " + x.seq() + " " + x.call() + " in "
                + x.fields() + ": xen " + x.reference() + " vs xen-on-hyperv " + x.other()));
    }
}
