package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.CallContext;
import dev.hcdiff.oracle.xen.Result;
import dev.hcdiff.trace.record.Abi;

import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;

/**
 * The copy discipline of Xen's dispatchers (style.md §2.2): {@code copy_from_guest} the argument
 * struct or return -EFAULT, run the sub-op, and {@code __copy_to_guest} the struct back only when it
 * returned 0; a failed copy-back is -EFAULT and the operation is not undone ("Cleaning up here would
 * be a mess!"). The adapter copies the same way ({@code adapter/ArgCopy}): a Xen guest observes
 * it whatever serves it.
 */
public final class GuestCopy {

    private GuestCopy() {
    }

    /** A struct codec: its size for an ABI, decode and encode. */
    public record Codec<T>(ToIntFunction<Abi> size, BiFunction<byte[], Abi, T> decode, BiFunction<T, Abi, byte[]> encode) {
    }

    /** Copy in, run, copy back on success. */
    public static <T> long inOut(CallContext current, GuestMemory memory, long arg, String op, Codec<T> codec,
                          Function<T, Result<T>> subOp) {
        Abi abi = current.abi();
        T in;
        try {
            in = codec.decode().apply(memory.readLinear(arg, codec.size().applyAsInt(abi)), abi);
        } catch (GuestFault f) {
            return current.error(EFAULT, op + ": copy_from_guest");
        }
        Result<T> r = subOp.apply(in);
        if (r.rc() == 0) {
            try {
                memory.writeLinear(arg, codec.encode().apply(r.arg(), abi));
            } catch (GuestFault f) {
                return current.error(EFAULT, op + ": __copy_to_guest");
            }
        }
        return r.rc();
    }

    /** Copy in and run; nothing is copied back. */
    public static <T> long in(CallContext current, GuestMemory memory, long arg, String op, ToIntFunction<Abi> size,
                       BiFunction<byte[], Abi, T> decode, Function<T, Long> subOp) {
        Abi abi = current.abi();
        T in;
        try {
            in = decode.apply(memory.readLinear(arg, size.applyAsInt(abi)), abi);
        } catch (GuestFault f) {
            return current.error(EFAULT, op + ": copy_from_guest");
        }
        return subOp.apply(in);
    }
}
