package dev.hcdiff.oracle.coverage;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares, on the method of a translating backend that serves it, how one guest-ABI call, sub-op
 * or MSR is realised: the coverage table ({@code hcdiff abi}) is read from these, so it cannot
 * drift from the code that serves the call.
 *
 * <pre>{@code
 * @Covers(call = "EVTCHNOP_send", as = Realisation.MAPPED, via = "HvCallSignalEvent")
 * long send(Call c, ...)
 * }</pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Repeatable(Covers.All.class)
public @interface Covers {

    /**
     * The guest-ABI name: a Xen sub-op or hypercall as {@code CallNames} spells it
     * ({@code EVTCHNOP_send}, {@code set_timer_op}), a TLFS call ({@code HvCallSignalEvent}) or a
     * synthetic MSR ({@code HV_X64_MSR_STIMER0_CONFIG}).
     */
    String call();

    /** How it is realised. */
    Realisation as();

    /** What realises it: the other hypervisor's calls or MSRs, or the state it is answered from. */
    String via() default "";

    /**
     * The known-divergence id that explains what differs; required when {@code as = GAP}, and given
     * for a mapped or emulated call that still differs somewhere. Several ids are separated by
     * {@code ","} ({@code "physmap-move-root-only,grant-table-no-hyperv-mapping"}).
     */
    String gap() default "";

    /** The container for repeated {@link Covers}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @interface All {
        Covers[] value();
    }
}
