package dev.hcdiff.oracle.toolstack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.hcdiff.oracle.toolstack.XsNode.XS_PERM_READ;
import static dev.hcdiff.oracle.toolstack.XsNode.XS_PERM_WRITE;

/**
 * oxenstored's node store ({@code tools/ocaml/xenstored/store.ml}, Xen 4.17.7) with its permission
 * rules ({@code perms.ml}) and quotas ({@code quota.ml}, as Debian's oxenstored.conf sets them).
 * Nodes are kept by canonical absolute path in a sorted map (deterministic iteration).
 *
 * <p>What differs from the C xenstored, and a guest sees: a new node takes its parent's
 * permissions whole, owner included ({@code path_write}/{@code path_mkdir}:
 * {@code Node.create name node.Node.perms}); a missing node is ENOENT whatever the parent's
 * permissions; quotas answer EQUOTA and over-long values E2BIG.
 */
final class XsTree {

    /** A connection: a domain id and whether it is dom0 ({@code Perms.Connection.is_dom0}). */
    record Conn(int id, boolean privileged) {
    }

    /** oxenstored.conf quota-maxentity: nodes a domU may own. */
    static final int QUOTA_MAXENT = 1000;
    /** oxenstored.conf quota-maxsize: the longest value a domU may write. */
    static final int QUOTA_MAXSIZE = 2048;
    /** oxenstored.conf quota-path-max ({@code Define.path_max}): the longest path, domain-relative. */
    static final int QUOTA_PATH_MAX = 1024;

    final TreeMap<String, XsNode> nodes = new TreeMap<>();
    /** Bumped by every change: a transaction commits directly only if it did not move. */
    long version;

    /** An empty store: the root, owned by dom0 with no access for others ({@code Perms.Node.default0}). */
    XsTree() {
        nodes.put("/", new XsNode("", List.of(new XsNode.Perm(0, XsNode.XS_PERM_NONE))));
    }

    /** A deep copy (a transaction's store, or a replay's). */
    XsTree copy() {
        XsTree t = new XsTree();
        t.nodes.clear();
        for (Map.Entry<String, XsNode> e : nodes.entrySet()) {
            t.nodes.put(e.getKey(), e.getValue().copy());
        }
        t.version = version;
        return t;
    }

    XsNode read(String path) {
        return nodes.get(path);
    }

    /** The parent of a canonical path: "/a/b" → "/a", "/a" → "/". */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * {@code Store.Path.create}: {@code Utils.path_validate} (non-empty; a relative path is under
     * the connection's home; longer than quota-path-max after a {@code /local/domain/%d/} prefix is
     * EINVAL) then {@code Path.of_string} ("@…" is one name, not checked; otherwise every name
     * non-empty and of {@code [A-Za-z0-9_@-]}).
     *
     * @return the canonical absolute path ("@x" becomes "/@x", the root child {@code of_string} makes it)
     * @throws XsError EINVAL
     */
    static String create(String path, String home) throws XsError {
        if (path == null || path.isEmpty()) {
            throw new XsError("EINVAL");
        }
        String abs = path.charAt(0) == '/' || path.charAt(0) == '@' ? path : home + path;
        if (abs.length() - localOffset(abs) > QUOTA_PATH_MAX) {
            throw new XsError("EINVAL");
        }
        if (abs.charAt(0) == '@') {
            return "/" + abs;
        }
        if (abs.equals("/")) {
            return abs;
        }
        String[] names = abs.substring(1).split("/", -1);
        for (String n : names) {
            if (!nameIsValid(n)) {
                throw new XsError("EINVAL");
            }
        }
        return abs;
    }

    /** {@code Path.name_is_valid}. */
    static boolean nameIsValid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '@';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code Scanf.ksscanf abs "/local/domain/%d/%n"}: the prefix's length, or 0. */
    private static int localOffset(String abs) {
        String prefix = "/local/domain/";
        if (!abs.startsWith(prefix)) {
            return 0;
        }
        int i = prefix.length();
        if (i < abs.length() && (abs.charAt(i) == '-' || abs.charAt(i) == '+')) {
            i++;
        }
        int digits = 0;
        while (i < abs.length() && Character.isDigit(abs.charAt(i))) {
            i++;
            digits++;
        }
        if (digits == 0 || i >= abs.length() || abs.charAt(i) != '/') {
            return 0;
        }
        return i + 1;
    }

    /**
     * {@code Perms.has}: dom0 and the owner may do anything; else the first ACL entry naming the
     * connection, or the default ({@code other}), must grant {@code perm}.
     */
    static boolean has(Conn conn, List<XsNode.Perm> perms, int perm) {
        if (conn.privileged() || perms.getFirst().id() == conn.id()) {
            return true;
        }
        int p = perms.getFirst().perms();
        for (int i = 1; i < perms.size(); i++) {
            if (perms.get(i).id() == conn.id()) {
                p = perms.get(i).perms();
                break;
            }
        }
        return (p & perm) == perm;
    }

    /** {@code Node.check_perm}: EACCES unless {@link #has}. */
    static void checkPerm(Conn conn, XsNode node, int perm) throws XsError {
        if (!has(conn, node.perms, perm)) {
            throw new XsError("EACCES");
        }
    }

    /**
     * {@code Path.apply}/{@code lookup} for read, ls and getperms: the node must exist (any missing
     * name is ENOENT: {@code Not_found}) and grant {@code perm} (EACCES).
     */
    XsNode get(Conn conn, String path, int perm) throws XsError {
        XsNode n = read(path);
        if (n == null) {
            throw new XsError("ENOENT");
        }
        checkPerm(conn, n, perm);
        return n;
    }

    /** Nodes owned by {@code domid}: {@code Quota.t.cur} for it. */
    int entries(int domid) {
        int n = 0;
        for (XsNode node : nodes.values()) {
            if (node.owner() == domid) {
                n++;
            }
        }
        return n;
    }

    /** {@code Quota.check quota id size}: a value over quota-maxsize is E2BIG; an owner (id > 0) at quota-maxentity EQUOTA. */
    void quotaCheck(int id, int size) throws XsError {
        if (size > QUOTA_MAXSIZE) {
            throw new XsError("E2BIG");
        }
        if (id > 0 && entries(id) >= QUOTA_MAXENT) {
            throw new XsError(XsWire.EQUOTA);
        }
    }

    /** {@code get_deepest_existing_node}: the path itself or its nearest existing ancestor. */
    String deepestExisting(String path) {
        String p = path;
        while (read(p) == null) {
            p = parent(p);
        }
        return p;
    }

    /** {@code Store.path_exists}. */
    boolean exists(String path) {
        return read(path) != null;
    }

    /**
     * {@code Store.mkdir}: the quota of the deepest existing node's owner (not for dom0 or an
     * existing node), then {@code path_mkdir}: "/" is left alone; an existing node needs WRITE
     * (EACCES) and is {@code Already_exist} (EEXIST, which do_mkdir swallows); a new one needs
     * WRITE on its parent, which must exist (ENOENT), and takes the parent's permissions.
     */
    void mkdir(Conn conn, String path) throws XsError {
        if (path.equals("/")) {
            return;
        }
        boolean existing = exists(path);
        if (!existing && !conn.privileged()) {
            quotaCheck(read(deepestExisting(path)).owner(), 0);
        }
        XsNode ent = read(path);
        if (ent != null) {
            checkPerm(conn, ent, XS_PERM_WRITE);
            throw new XsError("EEXIST");
        }
        XsNode parent = parentOf(path);
        checkPerm(conn, parent, XS_PERM_WRITE);
        addChild(parent, path, new byte[0]);
    }

    /**
     * {@code Store.write}: the size (and, for a new node and an unprivileged writer, the deepest
     * existing node's owner's entries) first, then {@code path_write}: an existing node needs WRITE;
     * a new one WRITE on its parent and takes the parent's permissions.
     */
    void write(Conn conn, String path, byte[] value) throws XsError {
        boolean existing = exists(path);
        if (existing || conn.privileged()) {
            quotaCheck(-1, value.length);
        } else {
            quotaCheck(read(deepestExisting(path)).owner(), value.length);
        }
        XsNode ent = read(path);
        if (path.equals("/")) {
            checkPerm(conn, ent, XS_PERM_WRITE);
            ent.data = value.clone();
            version++;
            return;
        }
        if (ent != null) {
            checkPerm(conn, ent, XS_PERM_WRITE);
            ent.data = value.clone();
            version++;
            return;
        }
        XsNode parent = parentOf(path);
        checkPerm(conn, parent, XS_PERM_WRITE);
        addChild(parent, path, value);
    }

    /**
     * {@code Store.rm}: a missing node is {@code Doesnt_exist} (do_rm answers OK) when its parent
     * exists, else ENOENT; the node needs WRITE; "/" loses its children.
     *
     * @return the paths removed, the node first (for watches: rm fires recursively), or null for
     *         {@code Doesnt_exist}
     * @throws XsError ENOENT, EACCES
     */
    List<String> rm(Conn conn, String path) throws XsError {
        XsNode node = read(path);
        if (node == null) {
            if (read(parent(path)) != null) {
                return null;
            }
            throw new XsError("ENOENT");
        }
        checkPerm(conn, node, XS_PERM_WRITE);
        List<String> removed = new ArrayList<>();
        if (path.equals("/")) {
            for (String c : List.copyOf(node.children)) {
                collect("/" + c, removed);
            }
            node.children.clear();
        } else {
            collect(path, removed);
            read(parent(path)).children.remove(basename(path));
        }
        for (String r : removed) {
            nodes.remove(r);
        }
        version++;
        return removed;
    }

    /**
     * {@code Store.setperms}: the node must exist (ENOENT); a domU may not change the owner
     * (EACCES); then {@code path_setperms}: the root needs WRITE; another node its owner (EACCES)
     * and WRITE.
     */
    void setperms(Conn conn, String path, List<XsNode.Perm> perms) throws XsError {
        XsNode node = read(path);
        if (node == null) {
            throw new XsError("ENOENT");
        }
        if (node.owner() != perms.getFirst().id() && !conn.privileged()) {
            throw new XsError("EACCES");
        }
        if (!path.equals("/") && !conn.privileged() && node.owner() != conn.id()) {
            throw new XsError("EACCES"); // Node.check_owner
        }
        checkPerm(conn, node, XS_PERM_WRITE);
        node.perms = List.copyOf(perms);
        version++;
    }

    private XsNode parentOf(String path) throws XsError {
        XsNode parent = read(parent(path));
        if (parent == null) {
            throw new XsError("ENOENT"); // Lookup_Doesnt_exist
        }
        return parent;
    }

    private void addChild(XsNode parent, String path, byte[] value) {
        XsNode n = new XsNode(basename(path), parent.perms);
        n.data = value.clone();
        parent.children.add(n.name);
        nodes.put(path, n);
        version++;
    }

    /** The subtree at {@code path}, the node first, then its children's subtrees in order. */
    private void collect(String path, List<String> out) {
        XsNode node = read(path);
        if (node == null) {
            return;
        }
        out.add(path);
        for (String c : node.children) {
            collect(path + "/" + c, out);
        }
    }

    /**
     * Writes a node as dom0's tools would (set-up only): {@code xs_write} (missing ancestors made
     * with their parent's permissions) then, if given, {@code xs_set_permissions}.
     */
    void toolsWrite(String path, String value, List<XsNode.Perm> perms) {
        Conn tools = new Conn(0, true);
        try {
            String p = path;
            List<String> missing = new ArrayList<>();
            while (read(parent(p)) == null) {
                p = parent(p);
                missing.addFirst(p);
            }
            for (String m : missing) {
                mkdir(tools, m);
            }
            write(tools, path, value.getBytes(StandardCharsets.ISO_8859_1));
            if (perms != null) {
                setperms(tools, path, perms);
            }
        } catch (XsError e) {
            throw new IllegalStateException("cannot build the initial xenstore at " + path + ": " + e.errno(), e);
        }
    }
}
