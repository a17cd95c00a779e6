package dev.hcdiff.trace.record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything a guest can observe of one request served by a hypervisor personality: the
 * central value of hcdiff (design.md, "The central contract"). Two observations agree when every
 * field except {@link #trail()} is equal.
 *
 * <p>Immutable. Build one with {@link #builder()}.
 *
 * @param returns       the registers handed back to the guest, in the request's order:
 *                      a hypercall {rax}; a Hyper-V hypercall {rax = status | reps completed &lt;&lt; 32};
 *                      CPUID {eax, ebx, ecx, edx}; RDMSR {value}; port input {value};
 *                      empty when nothing is returned (WRMSR, port output, a call that never returns)
 * @param fault         an exception raised instead of completing, or {@link Fault#NONE}
 * @param writes        every guest byte the hypervisor wrote, in order (guest-physical)
 * @param eventsPending Xen event-channel ports the call made pending, in order
 * @param interrupts    upcalls or SINTs raised, in order
 * @param timers        timers armed or cancelled, in order
 * @param console       bytes the guest emitted on a console the hypervisor owns
 *                      (console_io, the 0xe9 debug port)
 * @param vcpu          the calling vCPU's state after the call
 * @param shutdown      the domain shutdown reason the call caused (Xen SHUTDOWN_* codes), or -1
 * @param trail         how the personality served the call, for reports only, never compared:
 *                      for the Xen-to-Hyper-V adapter the Hyper-V calls it issued, e.g.
 *                      {@code "HvCallSignalEvent(conn=0x10001, flag=0) -> 0x0"}
 */
public record Observation(
        long[] returns,
        Fault fault,
        List<MemChunk> writes,
        List<Integer> eventsPending,
        List<Interrupt> interrupts,
        List<TimerArm> timers,
        byte[] console,
        VcpuState vcpu,
        int shutdown,
        List<String> trail) {

    /** No shutdown. */
    public static final int NO_SHUTDOWN = -1;

    /**
     * The trail entry of a call a model answers without the hypervisor's semantics (-ENOSYS for a
     * Xen hypercall not modelled yet), so reports count such calls instead of trusting them.
     */
    public static final String UNMODELLED = "unmodelled";

    public Observation {
        returns = returns.clone();
        writes = List.copyOf(writes);
        eventsPending = List.copyOf(eventsPending);
        interrupts = List.copyOf(interrupts);
        timers = List.copyOf(timers);
        console = console.clone();
        trail = List.copyOf(trail);
    }

    @Override
    public long[] returns() {
        return returns.clone();
    }

    @Override
    public byte[] console() {
        return console.clone();
    }

    /** The first returned register (rax for a hypercall), or 0 when nothing is returned. */
    public long result() {
        return returns.length == 0 ? 0 : returns[0];
    }

    /** A copy with {@code writes} replaced: the dispatcher attaches the logged guest writes. */
    public Observation withWrites(List<MemChunk> newWrites) {
        return new Observation(returns, fault, newWrites, eventsPending, interrupts, timers, console,
                vcpu, shutdown, trail);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Observation other
                && Arrays.equals(returns, other.returns)
                && fault == other.fault
                && writes.equals(other.writes)
                && eventsPending.equals(other.eventsPending)
                && interrupts.equals(other.interrupts)
                && timers.equals(other.timers)
                && Arrays.equals(console, other.console)
                && vcpu.equals(other.vcpu)
                && shutdown == other.shutdown
                && trail.equals(other.trail);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(returns) * 31 + writes.hashCode();
    }

    @Override
    public String toString() {
        return "Observation[returns=" + Arrays.toString(returns) + ", fault=" + fault + ", writes=" + writes
                + ", eventsPending=" + eventsPending + ", interrupts=" + interrupts + ", timers=" + timers
                + ", console=" + Arrays.toString(console) + ", vcpu=" + vcpu + ", shutdown=" + shutdown
                + ", trail=" + trail + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects an observation while a personality serves a request. Not thread-safe. */
    public static final class Builder {
        private long[] returns = new long[0];
        private Fault fault = Fault.NONE;
        private final List<MemChunk> writes = new ArrayList<>();
        private final List<Integer> eventsPending = new ArrayList<>();
        private final List<Interrupt> interrupts = new ArrayList<>();
        private final List<TimerArm> timers = new ArrayList<>();
        private final java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        private VcpuState vcpu = VcpuState.RUNNING;
        private int shutdown = NO_SHUTDOWN;
        private final List<String> trail = new ArrayList<>();

        private Builder() {
        }

        public Builder returns(long... values) {
            this.returns = values.clone();
            return this;
        }

        public Builder fault(Fault f) {
            this.fault = f;
            return this;
        }

        public Builder write(MemChunk chunk) {
            writes.add(chunk);
            return this;
        }

        public Builder eventPending(int port) {
            eventsPending.add(port);
            return this;
        }

        public Builder interrupt(Interrupt i) {
            interrupts.add(i);
            return this;
        }

        public Builder timer(TimerArm t) {
            timers.add(t);
            return this;
        }

        public Builder console(byte[] bytes) {
            console.writeBytes(bytes);
            return this;
        }

        public Builder vcpu(VcpuState state) {
            this.vcpu = state;
            return this;
        }

        public Builder shutdown(int reason) {
            this.shutdown = reason;
            return this;
        }

        public Builder trail(String step) {
            trail.add(step);
            return this;
        }

        public Observation build() {
            return new Observation(returns, fault, writes, eventsPending, interrupts, timers,
                    console.toByteArray(), vcpu, shutdown, trail);
        }
    }
}
