package dev.hcdiff.oracle.coverage;

/**
 * How a backend that translates one hypervisor's ABI onto another's realises one call, sub-op or
 * MSR of the guest's ABI ({@code hcdiff abi}, docs/abi-coverage.md).
 */
public enum Realisation {
    /** Served by issuing the other hypervisor's calls or MSR accesses (kept in the trail). */
    MAPPED,
    /** Answered from state the translating backend keeps itself (port table, shared_info mirror). */
    EMULATED,
    /** Not realisable faithfully: a known divergence with an id in the catalog says why. */
    GAP
}
