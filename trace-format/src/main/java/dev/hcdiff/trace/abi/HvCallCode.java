package dev.hcdiff.trace.abi;

import java.util.Optional;

/**
 * Hyper-V hypercall codes (input value bits 15:0), from the TLFS "Hypercall Code Reference"
 * (v6.0b Appendix A) and the hypercall pages of the TLFS markdown.
 */
public enum HvCallCode {
    SWITCH_VIRTUAL_ADDRESS_SPACE(0x0001, "HvCallSwitchVirtualAddressSpace"),
    FLUSH_VIRTUAL_ADDRESS_SPACE(0x0002, "HvCallFlushVirtualAddressSpace"),
    FLUSH_VIRTUAL_ADDRESS_LIST(0x0003, "HvCallFlushVirtualAddressList"),
    NOTIFY_LONG_SPIN_WAIT(0x0008, "HvCallNotifyLongSpinWait"),
    SEND_SYNTHETIC_CLUSTER_IPI(0x000B, "HvCallSendSyntheticClusterIpi"),
    FLUSH_VIRTUAL_ADDRESS_SPACE_EX(0x0013, "HvCallFlushVirtualAddressSpaceEx"),
    FLUSH_VIRTUAL_ADDRESS_LIST_EX(0x0014, "HvCallFlushVirtualAddressListEx"),
    SEND_SYNTHETIC_CLUSTER_IPI_EX(0x0015, "HvCallSendSyntheticClusterIpiEx"),
    GET_VP_REGISTERS(0x0050, "HvCallGetVpRegisters"),
    SET_VP_REGISTERS(0x0051, "HvCallSetVpRegisters"),
    POST_MESSAGE(0x005C, "HvCallPostMessage"),
    SIGNAL_EVENT(0x005D, "HvCallSignalEvent"),
    POST_DEBUG_DATA(0x0069, "HvCallPostDebugData"),
    RETRIEVE_DEBUG_DATA(0x006A, "HvCallRetrieveDebugData"),
    RESET_DEBUG_SESSION(0x006B, "HvCallResetDebugSession"),
    START_VIRTUAL_PROCESSOR(0x0099, "HvCallStartVirtualProcessor"),
    GET_VP_INDEX_FROM_APIC_ID(0x009A, "HvCallGetVpIndexFromApicId"),
    FLUSH_GUEST_PHYSICAL_ADDRESS_SPACE(0x00AF, "HvCallFlushGuestPhysicalAddressSpace"),
    FLUSH_GUEST_PHYSICAL_ADDRESS_LIST(0x00B0, "HvCallFlushGuestPhysicalAddressList"),
    EXT_QUERY_CAPABILITIES(0x8001, "HvExtCallQueryCapabilities");

    private final int code;
    private final String tlfsName;

    HvCallCode(int code, String tlfsName) {
        this.code = code;
        this.tlfsName = tlfsName;
    }

    public int code() {
        return code;
    }

    /** The TLFS name, e.g. {@code HvCallSignalEvent}. */
    public String tlfsName() {
        return tlfsName;
    }

    /** The call with this code (input value bits 15:0), if the TLFS defines one we know. */
    public static Optional<HvCallCode> byCode(int code) {
        for (HvCallCode c : values()) {
            if (c.code == code) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public static Optional<HvCallCode> byName(String name) {
        for (HvCallCode c : values()) {
            if (c.tlfsName.equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
