package dev.hcdiff.fuzz;

import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One generated hypercall: the registers, and the argument bytes the guest put in memory at
 * {@link #ARG_GPA} before making it (empty when the call takes no structure).
 *
 * @param abi    the calling convention
 * @param number the hypercall number
 * @param args   six argument registers
 * @param arg    bytes at {@link #ARG_GPA}; the call's pointer argument may or may not point there
 */
public record FuzzCall(Abi abi, long number, long[] args, byte[] arg) {

    /** Where argument structures live in the fuzzer's guest RAM (page 16, identity-mapped). */
    public static final long ARG_GPA = 0x10000;
    /** A pointer outside the fuzzer's RAM: the copy from the guest fails (Xen: -EFAULT). */
    public static final long BAD_GPA = 0x7ff0_0000L;
    /** RAM size of the fuzzer's guest: 1 MiB covers ARG_GPA and its largest buffer. */
    public static final int RAM_BYTES = 1 << 20;

    public FuzzCall {
        args = args.clone();
        arg = arg.clone();
    }

    @Override
    public long[] args() {
        return args.clone();
    }

    @Override
    public byte[] arg() {
        return arg.clone();
    }

    /** The request as the guest makes it from vCPU 0. */
    public Hypercall request() {
        return new Hypercall(0, abi, number, args);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FuzzCall c && c.abi == abi && c.number == number && Arrays.equals(c.args, args)
                && Arrays.equals(c.arg, arg);
    }

    @Override
    public int hashCode() {
        // ordinal, not the enum's identity hash: stable across JVMs, like the rest.
        return ((abi.ordinal() * 31 + Long.hashCode(number)) * 31 + Arrays.hashCode(args)) * 31 + Arrays.hashCode(arg);
    }

    /** Reads like {@code event_channel_op/EVTCHNOP_send(0x4, 0x10000) arg=04000000} in shrunk reports. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(CallNames.of(request())).append('(');
        for (int i = 0; i < 3; i++) {
            b.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(args[i]));
        }
        b.append(')');
        if (arg.length > 0) {
            b.append(" arg=").append(HexFormat.of().formatHex(arg, 0, Math.min(arg.length, 32)));
        }
        return b.toString();
    }
}
