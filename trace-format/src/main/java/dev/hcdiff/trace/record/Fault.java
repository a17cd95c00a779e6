package dev.hcdiff.trace.record;

/** An exception the hypervisor raised in the guest instead of completing the access or call. */
public enum Fault {
    /** The access or call completed. */
    NONE,
    /** General protection fault (#GP), e.g. an MSR the partition may not touch. */
    GP,
    /** Invalid opcode (#UD), e.g. a Hyper-V hypercall from CPL &gt; 0 (TLFS "Legal Hypercall Environments"). */
    UD
}
