package dev.hcdiff.oracle.coverage;

/** Declarations with every mistake {@link AbiCoverage#problems()} must name (a test fixture). */
final class BadDeclarations {

    @Covers(call = "EVTCHNOP_send", as = Realisation.MAPPED, via = "HvCallSignalEvent")
    void send() {
    }

    @Covers(call = "EVTCHNOP_send", as = Realisation.EMULATED, via = "again")
    void sendAgain() {
    }

    @Covers(call = "EVTCHNOP_close", as = Realisation.GAP, via = "nothing")
    void closeWithoutGapId() {
    }

    @Covers(call = "EVTCHNOP_status", as = Realisation.GAP, via = "x", gap = "no-such-divergence")
    void statusWithUnknownGap() {
    }

    @Covers(call = "EVTCHNOP_sned", as = Realisation.EMULATED, via = "typo")
    void misspelt() {
    }

    @Covers(call = "EVTCHNOP_unmask", as = Realisation.EMULATED)
    void withoutVia() {
    }
}

/** Hyper-V-side declarations, one right and two wrong (a test fixture). */
final class BadHyperVDeclarations {

    @Covers(call = "HvCallSignalEvent", as = Realisation.MAPPED, via = "evtchn_send")
    @Covers(call = "HV_X64_MSR_SINT0", as = Realisation.GAP, gap = "xen-cpuid-relocated,hyperv-clock-100ns")
    @Covers(call = "HV_X64_MSR_BOGUS", as = Realisation.EMULATED, via = "x")
    void hyperV() {
    }
}
