package dev.hcdiff.oracle.toolstack;

/**
 * An errno a xenstored handler returns; the daemon answers it as an XS_ERROR reply carrying its
 * name and a NUL ({@code tools/ocaml/xenstored/connection.ml send_error}). Control flow inside
 * {@link Xenstored} only.
 */
final class XsError extends Exception {

    private final String errno;

    XsError(String errno) {
        super(errno, null, false, false);
        if (!XsWire.XSD_ERRORS.contains(errno) && !XsWire.EQUOTA.equals(errno)) {
            throw new IllegalArgumentException("not an xsd_errors entry or EQUOTA: " + errno);
        }
        this.errno = errno;
    }

    /** The errno's name as xs_wire.h spells it, e.g. {@code ENOENT}. */
    String errno() {
        return errno;
    }
}
