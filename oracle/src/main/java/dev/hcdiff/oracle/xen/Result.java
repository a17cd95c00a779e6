package dev.hcdiff.oracle.xen;

/**
 * What a sub-op with OUT fields returns: Xen's {@code rc} and the argument struct as the sub-op
 * left it. The dispatcher copies {@code arg} back to the guest only when {@code rc == 0}.
 *
 * @param rc  0 or a negated errno (or a positive value where Xen returns one)
 * @param arg the struct with its OUT fields filled in (unchanged on error)
 */
public record Result<T>(long rc, T arg) {

    public static <T> Result<T> ok(T arg) {
        return new Result<>(0, arg);
    }

    public static <T> Result<T> error(long rc, T arg) {
        return new Result<>(rc, arg);
    }
}
