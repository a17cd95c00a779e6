package dev.hcdiff.recorder.vmm;

import dev.hcdiff.trace.record.Interrupt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PendingInterrupts against a scripted vCPU port: injection only when kvm_run says the vCPU can
 * take an interrupt, an interrupt window requested while any is pending (api.rst,
 * request_interrupt_window), and the local APIC's order: one IRR bit per vector, highest first
 * (Intel SDM vol. 3 §10.8.3.1), fixed vectors 16–255 only (§10.5.2).
 */
class PendingInterruptsTest {

    /** A vCPU whose readiness the test sets; records injections, window requests and Delivery records. */
    static final class FakePort implements PendingInterrupts.Port {
        boolean ready;
        boolean window;
        final List<Integer> injected = new ArrayList<>();
        final List<String> delivered = new ArrayList<>();

        @Override
        public boolean canTakeInterrupt() {
            return ready;
        }

        @Override
        public void inject(int vector) {
            injected.add(vector);
            ready = false; // KVM takes one KVM_INTERRUPT per entry: not ready again until the next exit
        }

        @Override
        public void requestWindow(boolean on) {
            window = on;
        }

        PendingInterrupts on(int vcpu) {
            return new PendingInterrupts(vcpu, this, (v, vector, source) -> delivered.add(v + ":" + vector + ":" + source));
        }
    }

    @Test
    void aVcpuThatCannotTakeAnInterruptGetsAWindowRequestAndNoInjection() {
        FakePort port = new FakePort();
        PendingInterrupts p = port.on(0);
        p.raised(List.of(new Interrupt(0, 0x41, "sint3")));
        p.beforeEntry();
        assertEquals(List.of(), port.injected);
        assertTrue(port.window, "request_interrupt_window while an interrupt waits");
        assertTrue(p.canWake());

        port.ready = true; // KVM_EXIT_IRQ_WINDOW_OPEN
        p.beforeEntry();
        assertEquals(List.of(0x41), port.injected);
        assertEquals(List.of("0:65:sint3"), port.delivered);
        assertFalse(port.window, "nothing left pending: no window");
        assertFalse(p.canWake());
    }

    @Test
    void theHighestVectorGoesFirstAndTheNextWaitsForAWindow() {
        FakePort port = new FakePort();
        PendingInterrupts p = port.on(0);
        p.raised(List.of(new Interrupt(0, 0x40, "sint2"), new Interrupt(0, 0x41, "sint3")));
        port.ready = true;
        p.beforeEntry();
        assertEquals(List.of(0x41), port.injected);
        assertTrue(port.window, "0x40 still pending");
        port.ready = true;
        p.beforeEntry();
        assertEquals(List.of(0x41, 0x40), port.injected);
        assertEquals(List.of("0:65:sint3", "0:64:sint2"), port.delivered);
    }

    @Test
    void aVectorRaisedTwiceBeforeDeliveryIsDeliveredOnceWithItsFirstSource() {
        FakePort port = new FakePort();
        PendingInterrupts p = port.on(0);
        p.raised(List.of(new Interrupt(0, 0xF3, "upcall")));
        p.raised(List.of(new Interrupt(0, 0xF3, "ipi")));
        port.ready = true;
        p.beforeEntry();
        port.ready = true;
        p.beforeEntry();
        assertEquals(List.of("0:243:upcall"), port.delivered);
    }

    @Test
    void interruptsWithoutAVectorForAnotherVcpuOrOnAnExceptionVectorAreNotInjected() {
        FakePort port = new FakePort();
        PendingInterrupts p = port.on(0);
        p.raised(List.of(new Interrupt(0, -1, "upcall"), new Interrupt(1, 0x41, "sint3"),
                new Interrupt(0, 15, "sint0"), new Interrupt(0, 256, "sint0")));
        port.ready = true;
        p.beforeEntry();
        assertEquals(List.of(), port.injected);
        assertFalse(port.window);
        assertFalse(p.canWake());
        assertEquals(4, p.undeliverable());
    }

    @Property
    void everyValidVectorIsDeliveredExactlyOnceHighestFirst(@ForAll("raises") List<Interrupt> raised) {
        FakePort port = new FakePort();
        PendingInterrupts p = port.on(0);
        p.raised(raised);
        TreeSet<Integer> expected = new TreeSet<>();
        for (Interrupt i : raised) {
            if (i.vcpu() == 0 && i.vector() >= 16 && i.vector() <= 255) {
                expected.add(i.vector());
            }
        }
        for (int entry = 0; entry <= raised.size(); entry++) {
            port.ready = true;
            p.beforeEntry();
        }
        assertEquals(new ArrayList<>(expected.descendingSet()), port.injected);
        assertFalse(port.window);
    }

    @Provide
    Arbitrary<List<Interrupt>> raises() {
        Arbitrary<Interrupt> one = net.jqwik.api.Combinators.combine(
                Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(-1, 300),
                Arbitraries.of("upcall", "sint2", "sint3", "ipi")).as(Interrupt::new);
        return one.list().ofMaxSize(20);
    }
}
