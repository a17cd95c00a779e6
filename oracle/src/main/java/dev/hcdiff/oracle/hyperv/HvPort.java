package dev.hcdiff.oracle.hyperv;

/**
 * A port and the connection that reaches it, as the root preconfigured them: an event or message
 * port in this partition, or an event port of the root itself ({@link Type#ROOT}, the way a guest
 * signals a service in the root, as VMBus channels do). Guests cannot create ports or connections
 * (they lack CreatePort/ConnectPort, REQ), so the model takes them from configuration
 * (hyperv-abi.md §6 "Ports and connections").
 *
 * @param connectionId   the 24-bit HV_CONNECTION_ID a sender names (TLFS datatype hv_connection_id)
 * @param type           event or message port (TLFS v6.0b "Ports": 1 Message, 2 Event)
 * @param vp             target VP index (0 for a root port: the root's VPs are not this partition's)
 * @param sint           target SINT, 0..15 (0 for a root port)
 * @param baseFlagNumber event ports: first SIEF flag of the port; 0 for message ports
 * @param flagCount      event ports: number of flags (a signalled flag must be below it); 0 for message ports
 */
public record HvPort(int connectionId, Type type, int vp, int sint, int baseFlagNumber, int flagCount) {

    /** Connection IDs are 24 bits; bits 31:24 are reserved (TLFS datatype hv_connection_id). */
    public static final int CONNECTION_ID_MASK = 0x00ffffff;
    /** SINTs per VP (TLFS "Inter-Partition Communication": SINT0–SINT15). */
    public static final int SINT_COUNT = 16;
    /**
     * Event flags per SINT: 256 bytes × 8 (TLFS datatype hv_synic_event_flags; QEMU
     * {@code HV_EVENT_FLAGS_COUNT}).
     */
    public static final int FLAGS_PER_SINT = 2048;

    /** HV_PORT_TYPE values this model knows (TLFS v6.0b "Ports"; datatype hv_port_type). */
    public enum Type {
        MESSAGE("message"),
        EVENT("event"),
        /**
         * An event port in the root partition: a SignalEvent to it sets no flag here; the
         * partition hands it to the root ({@link HvPartition#takeRootSignals()}).
         */
        ROOT("root");

        private final String textName;

        Type(String textName) {
            this.textName = textName;
        }

        public String textName() {
            return textName;
        }
    }

    public HvPort {
        if ((connectionId & ~CONNECTION_ID_MASK) != 0) {
            throw new IllegalArgumentException(String.format(
                    "connection id 0x%x has reserved bits 31:24 set (ids are 24 bits)", connectionId));
        }
        if (vp < 0) {
            throw new IllegalArgumentException("port 0x" + Integer.toHexString(connectionId) + ": vp must be >= 0");
        }
        if (sint < 0 || sint >= SINT_COUNT) {
            throw new IllegalArgumentException("port 0x" + Integer.toHexString(connectionId)
                    + ": sint " + sint + " out of range 0..15");
        }
        if (type == Type.ROOT && (vp != 0 || sint != 0 || baseFlagNumber != 0)) {
            throw new IllegalArgumentException("port 0x" + Integer.toHexString(connectionId)
                    + ": a root port names no vp, sint or base flag");
        }
        if (type == Type.EVENT || type == Type.ROOT) {
            if (flagCount < 1 || baseFlagNumber < 0 || baseFlagNumber + flagCount > FLAGS_PER_SINT) {
                throw new IllegalArgumentException("port 0x" + Integer.toHexString(connectionId) + ": flags "
                        + baseFlagNumber + "+" + flagCount + " must lie in 0..2047 with count >= 1");
            }
        } else if (baseFlagNumber != 0 || flagCount != 0) {
            throw new IllegalArgumentException("port 0x" + Integer.toHexString(connectionId)
                    + ": a message port takes no flag or count");
        }
    }

    /** An event port. */
    public static HvPort event(int connectionId, int vp, int sint, int baseFlagNumber, int flagCount) {
        return new HvPort(connectionId, Type.EVENT, vp, sint, baseFlagNumber, flagCount);
    }

    /** An event port of the root with {@code flagCount} flags. */
    public static HvPort root(int connectionId, int flagCount) {
        return new HvPort(connectionId, Type.ROOT, 0, 0, 0, flagCount);
    }

    /** A message port. */
    public static HvPort message(int connectionId, int vp, int sint) {
        return new HvPort(connectionId, Type.MESSAGE, vp, sint, 0, 0);
    }

    /** The canonical text form of the value part, e.g. {@code event:vp0:sint2:flag0:count16}. */
    String valueText() {
        return switch (type) {
            case EVENT -> "event:vp" + vp + ":sint" + sint + ":flag" + baseFlagNumber + ":count" + flagCount;
            case MESSAGE -> "message:vp" + vp + ":sint" + sint;
            case ROOT -> "root:count" + flagCount;
        };
    }
}
