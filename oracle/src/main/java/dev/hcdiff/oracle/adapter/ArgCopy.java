package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.Result;
import dev.hcdiff.oracle.xen.dispatch.GuestCopy;
import dev.hcdiff.trace.record.Abi;

import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Xen's copy discipline, which a Xen guest observes whatever serves it: copy the argument struct
 * in (-EFAULT if that faults), run the operation, copy it back only when it returned 0 (-EFAULT if
 * that faults, without undoing the operation) ({@code xen/common/event_channel.c
 * do_event_channel_op()}; style.md §2.2). Structs are decoded with the Xen ABI records; the copies
 * are the reference's own ({@link GuestCopy}).
 */
final class ArgCopy {

    private ArgCopy() {
    }

    /** A struct's result and its (possibly updated) value. */
    record Outcome<T>(long rc, T arg) {
        static <T> Outcome<T> ok(T arg) {
            return new Outcome<>(0, arg);
        }

        static <T> Outcome<T> fail(long rc, T arg) {
            return new Outcome<>(rc, arg);
        }
    }

    /** A struct codec from the Xen ABI records. */
    record Codec<T>(ToIntFunction<Abi> size, BiFunction<byte[], Abi, T> decode, BiFunction<T, Abi, byte[]> encode) {
    }

    static <T> long inOut(Call call, GuestMemory memory, long arg, String op, Codec<T> codec, Function<T, Outcome<T>> run) {
        return GuestCopy.inOut(call, memory, arg, op, new GuestCopy.Codec<>(codec.size(), codec.decode(), codec.encode()),
                in -> {
                    Outcome<T> r = run.apply(in);
                    return new Result<>(r.rc(), r.arg());
                });
    }

    static <T> long in(Call call, GuestMemory memory, long arg, String op, ToIntFunction<Abi> size,
                       BiFunction<byte[], Abi, T> decode, Function<T, Long> run) {
        return GuestCopy.in(call, memory, arg, op, size, decode, run);
    }
}
