package dev.hcdiff.oracle.xen;

/**
 * How the domain asked to be told about events: {@code HVM_PARAM_CALLBACK_IRQ}
 * ({@code xen/arch/x86/hvm/irq.c hvm_set_callback_via()}, xen-abi.md §7, pitfall 10). The type is
 * bits 63:56 of the param; HVMOP_set_param(HVM_PARAM_CALLBACK_IRQ) sets it ({@link HvmOp}). A
 * domain starts with {@link None} and raises no upcall interrupt until the guest chooses one.
 */
public sealed interface CallbackVia {

    /** {@code HVMIRQ_callback_none}: no upcall is delivered. */
    record None() implements CallbackVia {
    }

    /** {@code HVMIRQ_callback_gsi}: a level on a GSI, vCPU 0 only; GSI 0 disables. */
    record Gsi(int gsi) implements CallbackVia {
    }

    /** {@code HVMIRQ_callback_pci_intx}: a PCI INTx line, vCPU 0 only. */
    record PciIntx(int device, int pin) implements CallbackVia {
    }

    /** {@code HVMIRQ_callback_vector}: a vector injected directly (no LAPIC, no EOI), any vCPU. */
    record Vector(int vector) implements CallbackVia {
    }

    CallbackVia NONE = new None();
}
