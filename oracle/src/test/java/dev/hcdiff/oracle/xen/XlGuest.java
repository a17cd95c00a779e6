package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.toolstack.SparseRam;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;

/**
 * A guest of an {@code xl-hvm} domain for tests: issue 3's memory layout ({@link SparseRam#hvm}),
 * a {@link XenBackend}, argument structs at {@link #ARG}, every request through {@link Serving}.
 */
final class XlGuest {

    static final long ARG = 0x2000;
    static final long BUF = 0x3000;
    static final long MEMORY = 64L << 20;

    final SparseRam ram;
    final XenBackend xen;
    final Abi abi;
    long now;
    Observation last;
    Serving.Served lastServed;

    XlGuest(Abi abi) {
        this(abi, XenConfig.defaults().withXlHvm(MEMORY));
    }

    XlGuest(Abi abi, XenConfig config) {
        this.abi = abi;
        this.ram = SparseRam.hvm(config.memoryBytes());
        this.xen = new XenBackend(config);
    }

    static XlGuest bare(Abi abi) {
        return new XlGuest(abi, XenConfig.defaults());
    }

    Observation serve(GuestRequest r) {
        lastServed = Serving.serve(xen, r, ram, now);
        last = lastServed.observation();
        return last;
    }

    Observation call(long nr, long... args) {
        long[] six = new long[Hypercall.ARG_COUNT];
        System.arraycopy(args, 0, six, 0, args.length);
        return serve(new Hypercall(0, abi, nr, six));
    }

    /** rax as a signed value (eax sign-extended for 32-bit callers). */
    long rc() {
        long r = last.result();
        return abi == Abi.XEN32 ? (int) r : r;
    }

    long memoryOp(long cmd, byte[] struct) {
        ram.put(ARG, struct);
        call(XenHypercall.MEMORY_OP.number(), cmd, ARG);
        return rc();
    }

    long hvmOp(long op, byte[] struct) {
        ram.put(ARG, struct);
        call(XenHypercall.HVM_OP.number(), op, ARG);
        return rc();
    }
}
