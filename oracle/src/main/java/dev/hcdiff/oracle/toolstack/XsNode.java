package dev.hcdiff.oracle.toolstack;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

/**
 * One xenstore node as oxenstored keeps it ({@code tools/ocaml/xenstored/store.ml Node.t}): its
 * value, its children's names, and its permissions ({@code perms.p[0]} is the owner and the
 * default for everyone else, then the ACL; {@code perms.ml Node.t}).
 *
 * <p>Children are a {@code SymbolMap} whose {@code Symbol.compare} is reversed
 * ({@code symbol.ml}: "so that Map.fold constructs a list in ascending order"), so listings come in
 * ascending byte order, whatever order the nodes were created in.
 */
final class XsNode {

    /** xenstore_lib.h XS_PERM_NONE ({@code perms.ml NONE}, 'n'). */
    static final int XS_PERM_NONE = 0x00;
    /** xenstore_lib.h XS_PERM_READ ('r'). */
    static final int XS_PERM_READ = 0x01;
    /** xenstore_lib.h XS_PERM_WRITE ('w'). */
    static final int XS_PERM_WRITE = 0x02;

    /** One {@code (domid, permty)}: a domain and what it may do. */
    record Perm(int id, int perms) {

        /** {@code perms.ml string_of_perm}: 'n', 'r', 'w' or 'b', then the domid ("%c%u"). */
        String text() {
            char c = switch (perms) {
                case XS_PERM_READ -> 'r';
                case XS_PERM_WRITE -> 'w';
                case XS_PERM_READ | XS_PERM_WRITE -> 'b';
                default -> 'n';
            };
            return c + Integer.toUnsignedString(id);
        }
    }

    final String name;
    byte[] data = new byte[0];
    final TreeSet<String> children = new TreeSet<>();
    List<Perm> perms;

    XsNode(String name, List<Perm> perms) {
        this.name = name;
        this.perms = List.copyOf(perms);
    }

    /** A deep copy, for a transaction's store. */
    XsNode copy() {
        XsNode n = new XsNode(name, perms);
        n.data = data.clone();
        n.children.addAll(children);
        return n;
    }

    /**
     * {@code process.ml do_directory}: the children in ascending byte order (names are ASCII), each
     * NUL-terminated; empty for none.
     */
    byte[] childList() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String c : children) {
            out.writeBytes(c.getBytes(StandardCharsets.ISO_8859_1));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** The owner ({@code perms.ml Node.get_owner}). */
    int owner() {
        return perms.getFirst().id();
    }
}
