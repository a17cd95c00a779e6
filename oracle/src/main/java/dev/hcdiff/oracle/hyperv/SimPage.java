package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

/**
 * The SynIC message page (SIM): 16 slots of one 256-byte HV_MESSAGE each, slot n for SINTn
 * (TLFS "Inter-Partition Communication", datatype hv_message; hyperv-abi.md §6). A slot is empty
 * when its MessageType is 0 (HvMessageTypeNone). The page is guest RAM: the model reads the slot
 * back every time instead of keeping a copy.
 */
final class SimPage {

    private SimPage() {
    }

    /** HV_MESSAGE_SIZE (TLFS datatype hv_message). */
    static final int MESSAGE_SIZE = 256;
    /** sizeof(HV_MESSAGE_HEADER): type u32, size u8, flags u8, reserved u16, origination u64. */
    static final int HEADER_SIZE = 16;
    /** HV_MESSAGE_MAX_PAYLOAD_BYTE_COUNT (TLFS datatype hv_message). */
    static final int MAX_PAYLOAD = 240;
    /** Offset of PayloadSize in the header. */
    static final int PAYLOAD_SIZE_OFFSET = 4;
    /** Offset of MessageFlags in the header; bit 0 is MessagePending. */
    static final int FLAGS_OFFSET = 5;
    /** HV_MESSAGE_FLAGS.MessagePending. */
    static final int MESSAGE_PENDING = 1;
    /** HvMessageTypeNone: an empty slot (TLFS datatype hv_message_type). */
    static final int HVMSG_NONE = 0;
    /** HvMessageTimerExpired 0x80000010 (TLFS datatype hv_message_type; Linux HVMSG_TIMER_EXPIRED). */
    static final int HVMSG_TIMER_EXPIRED = 0x80000010;

    /** The guest-physical address of SINT {@code sint}'s slot in the SIM page of {@code s}. */
    static long slot(SynIc s, int sint) {
        return (s.simp() & SynIc.PAGE_GPFN_MASK) + (long) sint * MESSAGE_SIZE;
    }

    /** True when the slot holds no message; @throws GuestFault when the SIM page is outside RAM */
    static boolean empty(GuestMemory memory, long slot) throws GuestFault {
        byte[] t = memory.readPhysical(slot, 4);
        return (t[0] | t[1] | t[2] | t[3]) == 0;
    }

    /** Sets MessagePending in an occupied slot (TLFS IPC "message pending"); @throws GuestFault outside RAM */
    static void setPending(GuestMemory memory, long slot) throws GuestFault {
        byte f = memory.readPhysical(slot + FLAGS_OFFSET, 1)[0];
        if ((f & MESSAGE_PENDING) == 0) {
            memory.writePhysical(slot + FLAGS_OFFSET, new byte[] {(byte) (f | MESSAGE_PENDING)});
        }
    }

    /**
     * The whole message as TLFS and KVM write it ({@code synic_deliver_msg()} copies header and
     * payload in one write): type, payload size, flags 0, reserved 0, origination id, payload.
     */
    static byte[] message(int type, long origination, byte[] payload) {
        byte[] m = new byte[HEADER_SIZE + payload.length];
        Le.put(m, 0, type, 4);
        m[PAYLOAD_SIZE_OFFSET] = (byte) payload.length;
        Le.put(m, 8, origination, 8);
        System.arraycopy(payload, 0, m, HEADER_SIZE, payload.length);
        return m;
    }

    /**
     * HV_TIMER_MESSAGE_PAYLOAD (TLFS datatype hv_timer_message_payload): TimerIndex u32,
     * Reserved u32, ExpirationTime u64, DeliveryTime u64, both in 100 ns reference time.
     */
    static byte[] timerPayload(int timer, long expiration, long delivery) {
        byte[] p = new byte[24];
        Le.put(p, 0, timer, 4);
        Le.put(p, 8, expiration, 8);
        Le.put(p, 16, delivery, 8);
        return p;
    }

    /** Little-endian helpers for the page layouts. */
    static final class Le {
        private Le() {
        }

        static void put(byte[] b, int off, long v, int n) {
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) (v >>> (8 * i));
            }
        }

        static long get(byte[] b, int off, int n) {
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (b[off + i] & 0xff);
            }
            return v;
        }
    }
}
