package dev.hcdiff.trace.record;

import java.util.Arrays;

/**
 * A hypercall as the guest made it.
 *
 * @param vcpu calling vCPU
 * @param abi  calling convention
 * @param call Xen: the hypercall number (rax/eax); Hyper-V: the 64-bit hypercall input value (rcx)
 * @param args six argument registers in ABI order (Xen64: rdi rsi rdx r10 r8 r9; Xen32: ebx ecx edx
 *             esi edi ebp; HV64: rdx r8 and four zeros), zero-extended
 */
public record Hypercall(int vcpu, Abi abi, long call, long[] args) implements GuestRequest {

    /** Number of argument registers carried. */
    public static final int ARG_COUNT = 6;

    public Hypercall {
        if (args.length != ARG_COUNT) {
            throw new IllegalArgumentException("a hypercall carries " + ARG_COUNT + " argument registers, got " + args.length);
        }
        args = args.clone();
    }

    @Override
    public long[] args() {
        return args.clone();
    }

    /** Argument register {@code i} (0-based) without copying. */
    public long arg(int i) {
        return args[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hypercall h && h.vcpu == vcpu && h.abi == abi && h.call == call && Arrays.equals(h.args, args);
    }

    @Override
    public int hashCode() {
        return (int) call * 31 + Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        return "Hypercall[vcpu=" + vcpu + ", abi=" + abi + ", call=" + call + ", args=" + Arrays.toString(args) + "]";
    }
}
