package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.Current;
import dev.hcdiff.oracle.xen.MemoryOp;

/**
 * {@code hvm_memory_op()} (xen/arch/x86/hvm/hypercall.c) for the reference: Xen's decoding and
 * checks ({@link MemoryOpDecoder}, which the adapter shares) over the domain's {@link MemoryOp}.
 */
public final class MemoryOpDispatcher {

    private final MemoryOpDecoder<Current> decoder;

    public MemoryOpDispatcher(MemoryOp memory) {
        this.decoder = new MemoryOpDecoder<>(memory);
    }

    /**
     * @param cmd the command: op | start_extent &lt;&lt; 6 (all of rdi, or of ebx for 32-bit callers)
     * @param arg guest linear address of the argument
     * @see xen/arch/x86/hvm/hypercall.c hvm_memory_op
     */
    public long hvmMemoryOp(Current current, long cmd, long arg, GuestMemory m) {
        return decoder.hvmMemoryOp(current, cmd, arg, m);
    }
}
