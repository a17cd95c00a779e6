package dev.hcdiff.recorder;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guests live under every personality ({@code Backends.create} with the recorder's
 * {@link LiveConfig}): a Xen guest under the adapter runs to its shutdown, a guest under a
 * personality of the other kind finds no hypervisor it knows and halts, and a Hyper-V call the
 * recorder cannot decode stops the guest with the reason.
 */
class CrossPersonalityTest {

    @BeforeAll
    static void kvm() {
        LiveKvm.assumeKvm();
    }

    private static LiveKvm.Run record(String guest, String backend) {
        return LiveKvm.record(guest, 0, Backends.create(backend, LiveConfig.of(backend)));
    }

    private static List<Hypercall> hypercalls(LiveKvm.Run run) {
        return run.records().stream().filter(r -> r instanceof Exchange e && e.request() instanceof Hypercall)
                .map(r -> (Hypercall) ((Exchange) r).request()).toList();
    }

    @Test
    void helloUnderTheAdapterFindsXenAtTheViridianBaseAndRunsToItsShutdown() {
        LiveKvm.Run run = record("hello", Backends.XEN_ON_HYPERV);
        run.assertWellFormed();
        // Xen's leaves move to 0x40000100 when Hyper-V owns the base (hyperv-abi.md §8a, Xen cpuid.c).
        assertEquals("Xen CPUID leaves at 0x40000100", run.console().getFirst());
        assertEquals(GuestStop.StopReason.SHUTDOWN, run.stop().reason());
        assertEquals("sched_op/SCHEDOP_shutdown(poweroff)", run.stop().detail());
        List<Hypercall> calls = hypercalls(run);
        assertEquals(10, calls.size());
        assertTrue(calls.stream().allMatch(h -> h.abi() == Abi.XEN64), calls.toString());
        assertEquals("xen_version/XENVER_version", CallNames.of(calls.getFirst()));
        // The Xen page MSR is base+2's 0x40000200 under viridian (Xen msr.c), never the Hyper-V one.
        assertTrue(run.records().stream().anyMatch(r -> r instanceof Exchange e && e.request() instanceof MsrWrite w
                && w.index() == 0x40000200));
    }

    @Test
    void aHyperVGuestUnderXenFindsNoHyperVAndHalts() {
        LiveKvm.Run run = record("hv-hello", Backends.XEN);
        run.assertWellFormed();
        // Leaf 0x40000001 under Xen is its version, not "Hv#1" (TLFS "Hypervisor Discovery").
        assertTrue(run.console().stream().anyMatch(l -> l.startsWith("no Hyper-V interface")), run.console().toString());
        assertEquals(GuestStop.StopReason.HALTED, run.stop().reason());
        assertEquals(List.of(), hypercalls(run));
        assertTrue(run.records().stream().noneMatch(r -> r instanceof Exchange e && e.request() instanceof MsrWrite));
    }

    @Test
    void aXenGuestUnderHypervFindsNoXenAndHalts() {
        LiveKvm.Run run = record("hello", Backends.HYPERV);
        run.assertWellFormed();
        assertEquals(List.of("no Xen signature in CPUID 0x40000000-0x4000ff00"), run.console());
        assertEquals(GuestStop.StopReason.HALTED, run.stop().reason());
        assertEquals(List.of(), hypercalls(run));
    }

    @Test
    void hvHelloUnderXenViridianGetsInvalidCodeForTheCallsViridianLacks() {
        LiveKvm.Run run = record("hv-hello", Backends.HYPERV_ON_XEN);
        run.assertWellFormed();
        List<Exchange> calls = run.records().stream()
                .filter(r -> r instanceof Exchange e && e.request() instanceof Hypercall).map(r -> (Exchange) r).toList();
        assertTrue(calls.stream().allMatch(e -> ((Hypercall) e.request()).abi() == Abi.HV64));
        // Xen viridian_hypercall(): NotifyLongSpinWait → vcpu_yield(), SUCCESS; PostDebugData,
        // SignalEvent and unknown codes → HV_STATUS_INVALID_HYPERCALL_CODE (2), before any input
        // check, so the misaligned SignalEvent is 2 too (hyperv-abi.md §8b, §4).
        assertEquals(List.of(0x2L, 0x2L, 0x0L, 0x2L, 0x2L), calls.stream().map(e -> e.observation().result()).toList());
        // The guest holds Xen to the TLFS and says where it differs; it does not claim a clean end.
        assertTrue(run.console().contains("MISMATCH: HvCallSignalEvent(0x1, flag 0): got 0x2, expected 0x0"),
                run.console().toString());
        assertEquals(GuestStop.StopReason.HALTED, run.stop().reason());
        assertTrue(!CleanEnd.isClean(run.stop(), run.console().getLast()));
    }

    @Test
    void aHyperVCallFromThirtyTwoBitCodeStopsWithTheReasonInsteadOfBeingMisread() {
        LiveKvm.Run run = record("tests/hv32", Backends.HYPERV);
        run.assertWellFormed();
        // The page was installed from the HYPERCALL MSR and recorded…
        assertTrue(run.records().stream().anyMatch(r -> r instanceof TransportPage));
        // …but the call in the x86 register mapping is legal (TLFS "Legal Hypercall Environments")
        // and has no ABI in the trace: a stop naming why, no Hypercall exchange.
        assertEquals(List.of(), hypercalls(run));
        assertEquals(GuestStop.StopReason.UNHANDLED_EXIT, run.stop().reason());
        assertTrue(run.stop().detail().startsWith("Hyper-V hypercall from pm32 mode at CPL 0: legal"), run.stop().detail());
    }
}
