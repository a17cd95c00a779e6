package dev.hcdiff.trace.codec;

/**
 * The type-and-version word that starts every encoded record: high byte the record type (an ASCII
 * letter, so a hex dump shows it), low byte the layout version. A decoder picks the layout by the
 * cookie and rejects one it does not know by name (style.md §3.2, after HdrHistogram's
 * {@code V2EncodingCookieBase}).
 *
 * <p>Rules: a cookie is never reused for another layout; when a layout changes, add a new constant
 * with the next version and keep decoding the old one forever.
 */
enum Cookie {
    /** {@code 'H'} v1: the journal header, a sorted key/value map. */
    HEADER_V1(0x4801, "header"),
    /** {@code 'X'} v1: an {@code Exchange}. */
    EXCHANGE_V1(0x5801, "exchange"),
    /** {@code 'P'} v1: a {@code TransportPage}. */
    TRANSPORT_PAGE_V1(0x5001, "transport-page"),
    /** {@code 'D'} v1: a {@code Delivery}. */
    DELIVERY_V1(0x4401, "delivery"),
    /** {@code 'S'} v1: a {@code GuestStop}. */
    GUEST_STOP_V1(0x5301, "stop");

    final int value;
    final String recordType;

    Cookie(int value, String recordType) {
        this.value = value;
        this.recordType = recordType;
    }

    /** The cookie with this value, or null. */
    static Cookie of(int value) {
        for (Cookie c : values()) {
            if (c.value == value) {
                return c;
            }
        }
        return null;
    }

    /** {@code 0x5801 (exchange v1)}. */
    String describe() {
        return hex(value) + " (" + recordType + " v" + (value & 0xFF) + ")";
    }

    static String hex(int cookie) {
        return String.format("0x%04x", cookie);
    }
}
