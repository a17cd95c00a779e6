package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.MsrResult;
import dev.hcdiff.oracle.xen.platform.Vlapic;
import dev.hcdiff.trace.record.Interrupt;

/**
 * Viridian's interrupt enlightenments, {@code xen/arch/x86/hvm/viridian/synic.c} (Xen 4.17.7):
 * the APIC-access MSRs on the vCPU's vLAPIC, the VP assist page, the SynIC registers (gated by
 * HVMPV_synic) and timer-message delivery into the SIM page. Xen keeps SIEFP without mapping it
 * and delivers no events and no guest messages, so EOM has nothing to rescan.
 */
final class ViridianSynic {

    /** {@code HV_MESSAGE_SIZE}: one SIM slot per SINT. */
    static final int HV_MESSAGE_SIZE = 256;
    /** {@code HVMSG_TIMER_EXPIRED} (hyperv-tlfs.h enum hv_message_type). */
    static final int HVMSG_TIMER_EXPIRED = 0x80000010;
    /** Timer message payload: TimerIndex u32, Reserved u32, ExpirationTime u64, DeliveryTime u64. */
    static final int TIMER_PAYLOAD_SIZE = 24;
    /** {@code struct hv_message_header}: message_type @0, payload_size @4, message_flags @5; payload @16. */
    static final int MSG_TYPE = 0, MSG_PAYLOAD_SIZE = 4, MSG_FLAGS = 5, MSG_PAYLOAD = 16;
    /** "Vectors must be in the range 0x10-0xff inclusive" ({@code viridian_synic_wrmsr()}, SINTx). */
    static final int FIRST_SINT_VECTOR = 0x10;
    /** {@code SVERSION} reads 1 ("Assume everything but the bottom bit should be zero"). */
    static final long SYNIC_VERSION = 1;

    private final ViridianDomain d;

    ViridianSynic(ViridianDomain d) {
        this.d = d;
    }

    /** {@code viridian_synic_wrmsr()}. */
    @Covers(call = "HV_X64_MSR_EOI", as = Realisation.MAPPED, via = "vlapic_EOI_set")
    @Covers(call = "HV_X64_MSR_ICR", as = Realisation.MAPPED, via = "vlapic_reg_write(APIC_ICR2, APIC_ICR)")
    @Covers(call = "HV_X64_MSR_TPR", as = Realisation.MAPPED, via = "vlapic_reg_write(APIC_TASKPRI)")
    @Covers(call = "HV_X64_MSR_VP_ASSIST_PAGE", as = Realisation.EMULATED, via = "viridian_map_guest_page (cleared page)")
    @Covers(call = "HV_X64_MSR_SCONTROL", as = Realisation.EMULATED, via = "vv->scontrol (stored, no effect)")
    @Covers(call = "HV_X64_MSR_SVERSION", as = Realisation.EMULATED, via = "constant 1")
    @Covers(call = "HV_X64_MSR_SIEFP", as = Realisation.GAP, gap = "viridian-sief-unmapped")
    @Covers(call = "HV_X64_MSR_SIMP", as = Realisation.EMULATED, via = "viridian_map_guest_page; timer messages only")
    @Covers(call = "HV_X64_MSR_EOM", as = Realisation.EMULATED, via = "no message queue: no effect")
    @Covers(call = "HV_X64_MSR_SINT0", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT1", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT2", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT3", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT4", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT5", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT6", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT7", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT8", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT9", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT10", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT11", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT12", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT13", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT14", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    @Covers(call = "HV_X64_MSR_SINT15", as = Realisation.MAPPED, via = "vlapic_set_irq (vector_to_sintx)")
    MsrResult wrmsr(Call c, int idx, long val) {
        ViridianVcpu vv = d.vcpus[c.vcpu()];
        Vlapic vlapic = d.vlapic(c.vcpu());
        boolean synic = d.has(ViridianFeatures.SYNIC);
        switch (idx) {
            case ViridianMsr.EOI -> {
                // vlapic_EOI_set(): the model's vLAPIC has no vector in service, so nothing changes.
                return MsrResult.done();
            }
            case ViridianMsr.ICR -> {
                vlapic.write(Vlapic.APIC_DEFAULT_PHYS_BASE + Vlapic.APIC_ICR2, 4, val >>> 32);
                vlapic.write(Vlapic.APIC_DEFAULT_PHYS_BASE + Vlapic.APIC_ICR, 4, val & 0xffffffffL);
                return MsrResult.done();
            }
            case ViridianMsr.TPR -> {
                vlapic.write(Vlapic.APIC_DEFAULT_PHYS_BASE + Vlapic.APIC_TASKPRI, 4, val & 0xffffffffL);
                return MsrResult.done();
            }
            case ViridianMsr.VP_ASSIST_PAGE -> {
                vv.vpAssist.unmap();
                vv.vpAssist.msr = val;
                if (vv.vpAssist.enabled()) {
                    vv.vpAssist.map(c.memory());
                }
                return MsrResult.done();
            }
            case ViridianMsr.SCONTROL -> {
                if (!synic) {
                    return MsrResult.gp();
                }
                vv.scontrol = val;
                return MsrResult.done();
            }
            case ViridianMsr.SVERSION -> {
                return MsrResult.gp();
            }
            case ViridianMsr.SIEFP -> {
                if (!synic) {
                    return MsrResult.gp();
                }
                vv.siefp = val;
                return MsrResult.done();
            }
            case ViridianMsr.SIMP -> {
                if (!synic) {
                    return MsrResult.gp();
                }
                vv.simp.unmap();
                vv.simp.msr = val;
                if (vv.simp.enabled()) {
                    vv.simp.map(c.memory());
                }
                return MsrResult.done();
            }
            case ViridianMsr.EOM -> {
                return synic ? MsrResult.done() : MsrResult.gp();
            }
            default -> {
                if (idx < ViridianMsr.SINT0 || idx > ViridianMsr.SINT15 || !synic) {
                    return MsrResult.gp();
                }
                // Checked even when the new value is masked, so the reset value 0x10000 faults.
                if ((val & ViridianVcpu.SINT_VECTOR_MASK) < FIRST_SINT_VECTOR) {
                    return MsrResult.gp();
                }
                vv.sint[idx - ViridianMsr.SINT0] = val;
                return MsrResult.done();
            }
        }
    }

    /** {@code viridian_synic_rdmsr()}. */
    MsrResult rdmsr(Call c, int idx) {
        ViridianVcpu vv = d.vcpus[c.vcpu()];
        Vlapic vlapic = d.vlapic(c.vcpu());
        boolean synic = d.has(ViridianFeatures.SYNIC);
        return switch (idx) {
            case ViridianMsr.EOI -> MsrResult.gp();
            case ViridianMsr.ICR -> MsrResult.read((Integer.toUnsignedLong(vlapic.reg(Vlapic.APIC_ICR2)) << 32)
                    | Integer.toUnsignedLong(vlapic.reg(Vlapic.APIC_ICR)));
            case ViridianMsr.TPR -> MsrResult.read(Integer.toUnsignedLong(vlapic.reg(Vlapic.APIC_TASKPRI)));
            case ViridianMsr.VP_ASSIST_PAGE -> MsrResult.read(vv.vpAssist.msr);
            case ViridianMsr.SCONTROL -> synic ? MsrResult.read(vv.scontrol) : MsrResult.gp();
            case ViridianMsr.SVERSION -> synic ? MsrResult.read(SYNIC_VERSION) : MsrResult.gp();
            case ViridianMsr.SIEFP -> synic ? MsrResult.read(vv.siefp) : MsrResult.gp();
            case ViridianMsr.SIMP -> synic ? MsrResult.read(vv.simp.msr) : MsrResult.gp();
            case ViridianMsr.EOM -> synic ? MsrResult.read(0) : MsrResult.gp();
            default -> idx >= ViridianMsr.SINT0 && idx <= ViridianMsr.SINT15 && synic
                    ? MsrResult.read(vv.sint[idx - ViridianMsr.SINT0])
                    : MsrResult.gp();
        };
    }

    /**
     * {@code viridian_synic_deliver_timer_msg()}: into the SIM slot of {@code sintx} if the SIM page
     * is mapped and the slot empty (message_type 0); no MessagePending protocol ("we do not require
     * an EOM"). The SINT's vector is raised if the SINT is unmasked and the vLAPIC enabled.
     *
     * @return false when the message could not be placed (it stays pending, retried at the next entry)
     */
    boolean deliverTimerMsg(Call c, ViridianVcpu vv, int sintx, int index, long expiration, long delivery) {
        if (vv.simp.mapped < 0) {
            return false;
        }
        long slot = vv.simp.mapped + (long) sintx * HV_MESSAGE_SIZE;
        try {
            byte[] type = c.memory().readPhysical(slot + MSG_TYPE, 4);
            if (type[0] != 0 || type[1] != 0 || type[2] != 0 || type[3] != 0) {
                return false;
            }
            // message_type, message_flags.msg_pending = 0 and payload_size: header bytes 0-5, together.
            // Xen's msg_pending store is a bit-field one that keeps the flags byte's reserved bits;
            // the model writes them 0, as it cannot read bytes a replay's recording did not capture.
            // Reserved and the sender id (bytes 6-15) are not written at all.
            byte[] header = new byte[MSG_FLAGS + 1];
            ViridianTime.putLe(header, MSG_TYPE, HVMSG_TIMER_EXPIRED, 4);
            header[MSG_PAYLOAD_SIZE] = TIMER_PAYLOAD_SIZE;
            header[MSG_FLAGS] = 0;
            c.memory().writePhysical(slot + MSG_TYPE, header);
            byte[] payload = new byte[TIMER_PAYLOAD_SIZE];
            ViridianTime.putLe(payload, 0, index, 4);
            ViridianTime.putLe(payload, 8, expiration, 8);
            ViridianTime.putLe(payload, 16, delivery, 8);
            c.memory().writePhysical(slot + MSG_PAYLOAD, payload);
        } catch (GuestFault f) {
            // The mapped SIM page is guest RAM; a fault here means the view lacks it: nothing delivered.
            return false;
        }
        if (!vv.sintMasked(sintx) && d.vlapic(vv.vcpuId).enabled()) {
            c.out().interrupt(new Interrupt(vv.vcpuId, vv.sintVector(sintx), "sint" + sintx));
        }
        return true;
    }
}
