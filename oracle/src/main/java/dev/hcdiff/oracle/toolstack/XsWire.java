package dev.hcdiff.oracle.toolstack;

import java.util.List;

/**
 * The xenstore wire protocol of {@code xen/include/public/io/xs_wire.h} (Xen 4.17.7): message
 * types, the error table, the {@code xsd_sockmsg} header and the shared ring page.
 */
public final class XsWire {

    private XsWire() {
    }

    /** xs_wire.h XS_CONTROL (XS_DEBUG). */
    public static final int XS_CONTROL = 0;
    /** xs_wire.h XS_DIRECTORY. */
    public static final int XS_DIRECTORY = 1;
    /** xs_wire.h XS_READ. */
    public static final int XS_READ = 2;
    /** xs_wire.h XS_GET_PERMS. */
    public static final int XS_GET_PERMS = 3;
    /** xs_wire.h XS_WATCH. */
    public static final int XS_WATCH = 4;
    /** xs_wire.h XS_UNWATCH. */
    public static final int XS_UNWATCH = 5;
    /** xs_wire.h XS_TRANSACTION_START. */
    public static final int XS_TRANSACTION_START = 6;
    /** xs_wire.h XS_TRANSACTION_END. */
    public static final int XS_TRANSACTION_END = 7;
    /** xs_wire.h XS_INTRODUCE. */
    public static final int XS_INTRODUCE = 8;
    /** xs_wire.h XS_RELEASE. */
    public static final int XS_RELEASE = 9;
    /** xs_wire.h XS_GET_DOMAIN_PATH. */
    public static final int XS_GET_DOMAIN_PATH = 10;
    /** xs_wire.h XS_WRITE. */
    public static final int XS_WRITE = 11;
    /** xs_wire.h XS_MKDIR. */
    public static final int XS_MKDIR = 12;
    /** xs_wire.h XS_RM. */
    public static final int XS_RM = 13;
    /** xs_wire.h XS_SET_PERMS. */
    public static final int XS_SET_PERMS = 14;
    /** xs_wire.h XS_WATCH_EVENT. */
    public static final int XS_WATCH_EVENT = 15;
    /** xs_wire.h XS_ERROR. */
    public static final int XS_ERROR = 16;
    /** xs_wire.h XS_IS_DOMAIN_INTRODUCED. */
    public static final int XS_IS_DOMAIN_INTRODUCED = 17;
    /** xs_wire.h XS_RESUME. */
    public static final int XS_RESUME = 18;
    /** xs_wire.h XS_SET_TARGET. */
    public static final int XS_SET_TARGET = 19;
    /** xs_wire.h XS_RESET_WATCHES = XS_SET_TARGET + 2 (XS_RESTRICT, 20, was removed). */
    public static final int XS_RESET_WATCHES = 21;
    /** xs_wire.h XS_DIRECTORY_PART. */
    public static final int XS_DIRECTORY_PART = 22;
    /** xs_wire.h XS_TYPE_COUNT. */
    public static final int XS_TYPE_COUNT = 23;

    /** The names of the types, by number ({@code xenstored_core.c wire_funcs[].str}); null for none. */
    private static final String[] NAMES = {"CONTROL", "DIRECTORY", "READ", "GET_PERMS", "WATCH", "UNWATCH",
            "TRANSACTION_START", "TRANSACTION_END", "INTRODUCE", "RELEASE", "GET_DOMAIN_PATH", "WRITE", "MKDIR",
            "RM", "SET_PERMS", "WATCH_EVENT", "ERROR", "IS_DOMAIN_INTRODUCED", "RESUME", "SET_TARGET", null,
            "RESET_WATCHES", "DIRECTORY_PART"};

    /** {@code XS_<NAME>} of a type, or {@code XS_<n>}. */
    public static String typeName(int type) {
        return type >= 0 && type < NAMES.length && NAMES[type] != null ? "XS_" + NAMES[type]
                : "XS_" + Integer.toUnsignedString(type);
    }

    /** xs_wire.h sizeof(struct xsd_sockmsg): type, req_id, tx_id, len, each u32. */
    public static final int HEADER_SIZE = 16;
    /** xs_wire.h XENSTORE_PAYLOAD_MAX. */
    public static final int XENSTORE_PAYLOAD_MAX = 4096;
    /** xs_wire.h XENSTORE_ABS_PATH_MAX. */
    public static final int XENSTORE_ABS_PATH_MAX = 3072;
    /** xs_wire.h XENSTORE_REL_PATH_MAX. */
    public static final int XENSTORE_REL_PATH_MAX = 2048;

    /** xs_wire.h XENSTORE_RING_SIZE. */
    public static final int XENSTORE_RING_SIZE = 1024;
    /** struct xenstore_domain_interface: req[1024]@0. */
    public static final int RING_REQ = 0;
    /** rsp[1024]@1024. */
    public static final int RING_RSP = 1024;
    /** req_cons@2048. */
    public static final int RING_REQ_CONS = 2048;
    /** req_prod@2052. */
    public static final int RING_REQ_PROD = 2052;
    /** rsp_cons@2056. */
    public static final int RING_RSP_CONS = 2056;
    /** rsp_prod@2060. */
    public static final int RING_RSP_PROD = 2060;
    /** server_features@2064. */
    public static final int RING_SERVER_FEATURES = 2064;
    /** connection@2068. */
    public static final int RING_CONNECTION = 2068;
    /** error@2072. */
    public static final int RING_ERROR = 2072;
    /** xs_wire.h XENSTORE_SERVER_FEATURE_RECONNECTION: the server honours {@code connection}. */
    public static final int XENSTORE_SERVER_FEATURE_RECONNECTION = 1;
    /** xs_wire.h XENSTORE_CONNECTED: the {@code connection} value of a working ring. */
    public static final int XENSTORE_CONNECTED = 0;
    /** xs_wire.h XENSTORE_RECONNECT: the guest asks the server to reset the ring. */
    public static final int XENSTORE_RECONNECT = 1;
    /** xs_wire.h XENSTORE_ERROR_RINGIDX: invalid ring index. */
    public static final int XENSTORE_ERROR_RINGIDX = 2;
    /** xs_wire.h XENSTORE_ERROR_PROTO: protocol violation (payload too long). */
    public static final int XENSTORE_ERROR_PROTO = 3;

    /**
     * The number of types oxenstored knows ({@code tools/ocaml/libs/xb/op.ml operation_c_mapping}:
     * 0..21, with 20 the {@code Invalid} placeholder for the removed XS_RESTRICT): XS_DIRECTORY_PART
     * (22) and everything above is {@code Invalid} to it.
     */
    public static final int OX_OPERATION_COUNT = 22;

    /**
     * oxenstored's errno for a quota it enforces (a watch, transaction or node count): not an
     * xsd_errors entry, sent as is ({@code tools/ocaml/xenstored/process.ml input_handle_error}).
     */
    public static final String EQUOTA = "EQUOTA";

    /**
     * The xsd_errors[] table in its order: the first entry (EINVAL) is what xenstored sends for an
     * error it cannot translate ({@code xenstored_core.c send_error()}).
     */
    public static final List<String> XSD_ERRORS = List.of("EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT",
            "ENOMEM", "ENOSPC", "EIO", "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG",
            "EPERM");
}
