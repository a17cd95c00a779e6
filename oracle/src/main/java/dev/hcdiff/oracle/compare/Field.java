package dev.hcdiff.oracle.compare;

/**
 * The guest-observable fields of an {@link dev.hcdiff.trace.record.Observation} that "agree"
 * compares (design.md, "What agree means"). {@code trail} is not one: it says how a personality
 * served a call, not what the guest saw.
 */
public enum Field {
    RESULT("result"),
    FAULT("fault"),
    WRITES("writes"),
    EVENTS("events"),
    INTERRUPTS("interrupts"),
    TIMERS("timers"),
    CONSOLE("console"),
    VCPU("vcpu"),
    SHUTDOWN("shutdown");

    private final String reportName;

    Field(String reportName) {
        this.reportName = reportName;
    }

    /** The name reports and the JSON use. */
    public String reportName() {
        return reportName;
    }
}
