package dev.hcdiff.cli;

/**
 * The exit codes of every hcdiff command: the CLI contract scripts and CI rely on (README,
 * "Exit codes"). They follow diff(1) for 0/1 and sysexits(3) for an internal error.
 */
public final class ExitCodes {

    /** Success; for replay, diff and fuzz: no new divergence. */
    public static final int OK = 0;
    /** A finding: a new divergence (replay, diff, fuzz), or a recorded guest the watchdog, a fault or its budget stopped. */
    public static final int FINDING = 1;
    /** Usage error: bad options or arguments. */
    public static final int USAGE = 2;
    /** Unreadable or corrupt input: a trace, a guest image, a corpus case. */
    public static final int BAD_INPUT = 3;
    /** Environment problem: no /dev/kvm, a missing KVM capability, a missing tool or JDK. */
    public static final int ENVIRONMENT = 4;
    /** Internal error: a bug in hcdiff (EX_SOFTWARE in sysexits.h). */
    public static final int INTERNAL = 70;


    private ExitCodes() {
    }
}
