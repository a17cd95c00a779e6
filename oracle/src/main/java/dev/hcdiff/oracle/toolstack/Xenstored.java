package dev.hcdiff.oracle.toolstack;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static dev.hcdiff.oracle.toolstack.XsNode.XS_PERM_READ;
import static dev.hcdiff.oracle.toolstack.XsWire.*;

/**
 * dom0's xenstored as one guest meets it. Debian 12's xen-utils start <b>oxenstored</b>, the OCaml
 * daemon of tools/ocaml/xenstored (Xen 4.17.7), so this is oxenstored: a node store holding what
 * libxl wrote for the domain ({@link XlHvmStore}, {@link XsTree}) and the guest's connection over the
 * shared ring page at {@code STORE_PFN} ({@link XsRing}). Method names are process.ml's
 * ({@code do_read} → {@link #doRead}).
 *
 * <p>{@link #service} is what oxenstored's main loop does for the domain after its port fired,
 * repeated while {@code Connection.has_more_work}: {@code Process.do_input} (one read; a complete
 * packet goes through {@code process_packet}) then {@code Process.do_output} (one message
 * written). A real xenstored answers asynchronously, after the guest's EVTCHNOP_send returned; the
 * model answers inside that hypercall's observation, so a guest finds its reply already in the ring
 * (deterministic, and what a fast dom0 looks like to the guest).
 *
 * <p>Where the two daemons differ in what a guest sees, this follows oxenstored: the ring's
 * {@code server_features} advertises RECONNECTION ({@link #introduce}) and a non-zero
 * {@code connection} resets the ring; an unknown transaction id is EIO; XS_DIRECTORY_PART and type
 * 20 are ENOSYS; XS_CONTROL from a domU is acknowledged "OK"; directories list in ascending byte
 * order; a new node takes its parent's permissions, owner included; a missing node is ENOENT;
 * quotas answer EQUOTA; an over-long header length is clamped to 4096 instead of ending the
 * connection; bad request indexes stop the service without writing {@code error}.
 *
 * <p>Not modelled: other connections (dom0's tools never write while the guest runs), the
 * transaction coalescing and conflict history (a commit whose store moved is replayed, the
 * replay's answers compared), the per-transaction request quota (1024), io credits, live update.
 *
 * <p>Not thread-safe; deterministic.
 */
public final class Xenstored {

    /** oxenstored.conf quota-maxwatch: more than this many watches is EQUOTA. */
    static final int MAXWATCH = 100;
    /** oxenstored.conf quota-transaction: more than this many open transactions is EQUOTA. */
    static final int MAXTRANSACTION = 10;
    /** connection.ml valid_transaction_id: ids stay in [1, 0x3ffffffe]. */
    static final int MAX_TID = 0x3fffffff;
    /** Main-loop passes per service: far more than a 1 KiB ring can need; guards against a bug. */
    private static final int MAX_PASSES = 100_000;
    /** The type op.ml maps 20 and everything from 22 on to. */
    private static final int INVALID = -1;
    private static final Pattern NUL = Pattern.compile("\0");

    /** A watch ({@code Connection.watch}): the path as given, its absolute form, the token. */
    private record Watch(String path, String apath, String token, boolean relative) {
    }

    /** process.ml's responses ({@code Packet.response}). */
    private sealed interface Response {
    }

    private record Ack() implements Response {
    }

    private record Reply(byte[] data) implements Response {
    }

    private record Err(String errno) implements Response {
    }

    /** A modifying operation a transaction (or one request) made, for the watches it fires. */
    private record WatchOp(int type, String path) {
    }

    /** A request inside a transaction and its answer, for the replay at commit. */
    private record Operation(int type, byte[] data, Response response) {
    }

    /** {@code Transaction.t}: the store it works on, the root it started from, what it did. */
    private static final class Txn {
        final int id;
        final XsTree store;
        final XsTree oldroot;
        final long startVersion;
        final List<WatchOp> paths = new ArrayList<>();
        final List<Operation> operations = new ArrayList<>();

        Txn(int id, XsTree store, XsTree oldroot, long startVersion) {
            this.id = id;
            this.store = store;
            this.oldroot = oldroot;
            this.startVersion = startVersion;
        }
    }

    private XsTree tree;
    private final XsTree.Conn conn;
    private final String home;
    private final XsRing ring;
    /** In registration order; lookups take the newest first, as the watch tables' lists do. */
    private final List<Watch> watches = new ArrayList<>();
    private final TreeMap<Integer, Txn> transactions = new TreeMap<>();
    private int nextTid = 1;
    private final List<byte[]> pendingEvents = new ArrayList<>();

    /**
     * xenstored with the nodes libxl wrote for the domain of {@code build}, and the domain
     * introduced with its ring at {@code build.storePfn()}.
     */
    public Xenstored(XlHvmBuild build) {
        this.tree = XlHvmStore.build(build);
        this.conn = new XsTree.Conn(build.domid(), false);
        this.home = "/local/domain/" + build.domid() + "/";
        this.ring = new XsRing(build.storePfn() << 12);
    }

    /** The value at an absolute path as dom0's tools see it, or null when absent (tests, reports). */
    public String valueAt(String path) {
        XsNode n = tree.read(path);
        return n == null ? null : new String(n.data, StandardCharsets.ISO_8859_1);
    }

    /** True once oxenstored stopped serving the domain ({@code Domain.mark_as_bad}). */
    public boolean ignored() {
        return ring.bad();
    }

    /**
     * What {@code XS_INTRODUCE} does to the ring page ({@code Domains.create} → {@code Xb.open_mmap}):
     * {@code server_features} = XENSTORE_SERVER_FEATURE_RECONNECTION. libxl introduces the domain
     * before it first runs; a personality calls this once, before it serves the guest's first
     * request.
     *
     * @throws GuestFault when the ring page is not guest RAM
     */
    public void introduce(GuestMemory memory) throws GuestFault {
        ring.openMmap(memory);
    }

    /**
     * Runs oxenstored's main loop for this connection while it has work.
     *
     * @return true when it notified the guest ({@code read_mmap} and {@code write_mmap} notify
     *         when they move bytes, {@code Xb.reconnect} always)
     * @throws GuestFault when the ring page is not guest RAM
     */
    public boolean service(GuestMemory memory) throws GuestFault {
        for (int pass = 0; pass < MAX_PASSES && !ring.bad(); pass++) {
            try {
                ring.input(memory, this::processPacket);
                if (ring.bad()) {
                    break;
                }
                flushEvents();
                if (ring.hasOldOutput() || ring.hasNewOutput()) {
                    ring.output(memory);
                }
            } catch (XsRing.Reconnect r) {
                ring.reconnect(memory);
                doReconnect();
            }
            boolean moreWork = (ring.hasMoreInput() && ring.canInput()) || (!ring.hasOldOutput() && ring.hasNewOutput());
            if (!moreWork) {
                break;
            }
        }
        return ring.takeNotified();
    }

    /** {@code Connection.do_reconnect}: transactions and watches go, ids start again at 1. */
    private void doReconnect() {
        transactions.clear();
        nextTid = 1;
        watches.clear();
        pendingEvents.clear();
    }

    private void flushEvents() {
        for (byte[] e : pendingEvents) {
            ring.queueEvent(e);
        }
        pendingEvents.clear();
    }

    // ---- process_packet ----

    /** {@code Op.of_cval}: 0..21 but 20; anything else is {@code Invalid}. */
    private static int ofCval(int type) {
        return Integer.compareUnsigned(type, OX_OPERATION_COUNT) < 0 && type != 20 ? type : INVALID;
    }

    /**
     * {@code process_packet}: WATCH and UNWATCH ignore the transaction id; another non-zero id
     * must name an open transaction ({@code Connection.get_transaction} raises Not_found, which the
     * catch-all answers EIO); then the operation; the reply carries the (possibly ignored) id.
     */
    private void processPacket(int type, int rid, int txIdIn, byte[] data) {
        int op = ofCval(type);
        int tid = op == XS_WATCH || op == XS_UNWATCH ? 0 : txIdIn;
        Txn t = null;
        if (tid != 0) {
            t = transactions.get(tid);
            if (t == null) {
                ring.queueReply(XS_ERROR, rid, tid, cstr("EIO"));
                return;
            }
        }
        List<Runnable> followUp = new ArrayList<>();
        Response response = functionOfType(op, t, data, followUp);
        if (t != null) {
            t.operations.add(new Operation(op, data, response));
        }
        switch (response) {
            case Ack a -> ring.queueReply(op, rid, tid, cstr("OK"));
            case Reply r -> ring.queueReply(op, rid, tid, r.data());
            case Err e -> ring.queueReply(XS_ERROR, rid, tid, cstr(e.errno()));
        }
        if (response instanceof Ack) {
            followUp.forEach(Runnable::run);
        }
    }

    /** {@code function_of_type} run through {@code input_handle_error}. */
    private Response functionOfType(int op, Txn t, byte[] data, List<Runnable> followUp) {
        try {
            return switch (op) {
                // do_debug: a domU without allow-debug gets None, which reply_data_or_ack acks.
                case XS_CONTROL -> new Ack();
                case XS_WATCH -> doWatch(data, followUp);
                case XS_UNWATCH -> doUnwatch(data);
                case XS_TRANSACTION_START -> doTransactionStart(t);
                case XS_TRANSACTION_END -> doTransactionEnd(t, data, followUp);
                // do_introduce, do_release, do_isintroduced, do_resume, do_set_target: "if not
                // (Connection.is_dom0 con) then raise Define.Permission_denied".
                case XS_INTRODUCE, XS_RELEASE, XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET ->
                        new Err("EACCES");
                case XS_RESET_WATCHES -> doResetWatches();
                case INVALID -> new Err("ENOSYS");
                default -> {
                    Ctx ctx = t == null ? new Ctx(tree, null) : new Ctx(t.store, t);
                    XsTree before = t == null && !watches.isEmpty() && isWrite(op) ? tree.copy() : null;
                    Response r = simpleOp(op, data, ctx);
                    if (t == null && r instanceof Ack && ctx.fired != null) {
                        WatchOp w = ctx.fired;
                        followUp.add(() -> processWatch(List.of(w), before, tree));
                    }
                    yield r;
                }
            };
        } catch (XsError e) {
            return new Err(e.errno());
        }
    }

    private static boolean isWrite(int op) {
        return op == XS_WRITE || op == XS_MKDIR || op == XS_RM || op == XS_SET_PERMS;
    }

    /** The store an operation works on and, inside a transaction, the transaction. */
    private static final class Ctx {
        final XsTree store;
        final Txn txn;
        WatchOp fired;

        Ctx(XsTree store, Txn txn) {
            this.store = store;
            this.txn = txn;
        }

        void addWop(int type, String path) {
            fired = new WatchOp(type, path);
            if (txn != null) {
                txn.paths.add(fired);
            }
        }
    }

    /**
     * {@code function_of_type_simple_op}: the operations a transaction can replay. WATCH_EVENT and
     * ERROR sent by a guest reach {@code do_error}: ENOSYS.
     */
    private Response simpleOp(int op, byte[] data, Ctx ctx) {
        try {
            return switch (op) {
                case XS_DIRECTORY -> doDirectory(data, ctx);
                case XS_READ -> doRead(data, ctx);
                case XS_GET_PERMS -> doGetperms(data, ctx);
                case XS_GET_DOMAIN_PATH -> doGetdomainpath(data);
                case XS_WRITE -> doWrite(data, ctx);
                case XS_MKDIR -> doMkdir(data, ctx);
                case XS_RM -> doRm(data, ctx);
                case XS_SET_PERMS -> doSetperms(data, ctx);
                default -> new Err("ENOSYS");
            };
        } catch (XsError e) {
            return new Err(e.errno());
        }
    }

    private static boolean isSimple(int op) {
        return switch (op) {
            case XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS,
                 XS_WATCH_EVENT, XS_ERROR -> true;
            default -> false;
        };
    }

    // ---- the simple operations ----

    /** {@code split_one_path}: exactly {@code path\0}, made absolute and checked. */
    private String splitOnePath(byte[] data) throws XsError {
        String[] args = split(data, 2);
        if (args.length != 2 || !args[1].isEmpty()) {
            throw new XsError("EINVAL");
        }
        return XsTree.create(args[0], home);
    }

    /** XS_DIRECTORY: the children in ascending order, each NUL-terminated, or nothing. @see process.ml do_directory */
    private Response doDirectory(byte[] data, Ctx ctx) throws XsError {
        return new Reply(ctx.store.get(conn, splitOnePath(data), XS_PERM_READ).childList());
    }

    /** XS_READ: the value, without a terminator. @see process.ml do_read */
    private Response doRead(byte[] data, Ctx ctx) throws XsError {
        return new Reply(ctx.store.get(conn, splitOnePath(data), XS_PERM_READ).data.clone());
    }

    /** XS_GET_PERMS: owner and default, then the ACL, each "&lt;n|r|w|b&gt;&lt;domid&gt;\0". @see process.ml do_getperms */
    private Response doGetperms(byte[] data, Ctx ctx) throws XsError {
        XsNode node = ctx.store.get(conn, splitOnePath(data), XS_PERM_READ);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (XsNode.Perm p : node.perms) {
            out.writeBytes(cstr(p.text()));
        }
        return new Reply(out.toByteArray());
    }

    /** XS_GET_DOMAIN_PATH: exactly {@code domid\0}; "/local/domain/%u". @see process.ml do_getdomainpath */
    private Response doGetdomainpath(byte[] data) throws XsError {
        String[] args = split(data, 8);
        if (args.length != 2 || !args[1].isEmpty()) {
            throw new XsError("EINVAL");
        }
        return new Reply(cstr("/local/domain/" + Long.toUnsignedString(cIntOfString(args[0]))));
    }

    /**
     * XS_WRITE {path, value}: the missing ancestors are made first ({@code create_implicit_path},
     * without watches, each needing WRITE on its parent), then the node written; "OK".
     *
     * @see process.ml do_write
     */
    private Response doWrite(byte[] data, Ctx ctx) throws XsError {
        String[] args = split(data, 2);
        if (args.length != 2) {
            throw new XsError("EINVAL");
        }
        String path = XsTree.create(args[0], home);
        byte[] value = Arrays.copyOfRange(data, args[0].length() + 1, data.length);
        createImplicitPath(ctx.store, path);
        ctx.store.write(conn, path, value);
        ctx.addWop(XS_WRITE, path);
        return new Ack();
    }

    /** XS_MKDIR: the missing ancestors, then the node; an existing one is fine. @see process.ml do_mkdir */
    private Response doMkdir(byte[] data, Ctx ctx) throws XsError {
        String path = splitOnePath(data);
        createImplicitPath(ctx.store, path);
        try {
            ctx.store.mkdir(conn, path);
        } catch (XsError e) {
            if (e.errno().equals("EEXIST")) {
                return new Ack(); // Define.Already_exist -> ()
            }
            throw e;
        }
        ctx.addWop(XS_MKDIR, path);
        return new Ack();
    }

    /** XS_RM: the subtree; a missing node under an existing parent is fine. @see process.ml do_rm */
    private Response doRm(byte[] data, Ctx ctx) throws XsError {
        String path = splitOnePath(data);
        if (ctx.store.rm(conn, path) == null) {
            return new Ack(); // Define.Doesnt_exist -> ()
        }
        ctx.addWop(XS_RM, path);
        return new Ack();
    }

    /**
     * XS_SET_PERMS {path, perms…}: {@code Perms.Node.of_string} drops what follows the last NUL
     * and needs one entry at least ("permvec empty"); a bad letter or number is EINVAL.
     *
     * @see process.ml do_setperms
     */
    private Response doSetperms(byte[] data, Ctx ctx) throws XsError {
        String[] args = split(data, 2);
        if (args.length < 2) {
            throw new XsError("EINVAL");
        }
        String[] ls = NUL.split(args[1], -1);
        if (ls.length < 2) {
            throw new XsError("EINVAL"); // nothing left once the last piece is dropped
        }
        List<XsNode.Perm> perms = new ArrayList<>();
        for (int i = 0; i < ls.length - 1; i++) {
            perms.add(permOfString(ls[i]));
        }
        String path = XsTree.create(args[0], home);
        ctx.store.setperms(conn, path, perms);
        ctx.addWop(XS_SET_PERMS, path);
        return new Ack();
    }

    /** {@code Perms.Node.perm_of_string}: a letter of n, r, w, b and an OCaml {@code int_of_string}. */
    private static XsNode.Perm permOfString(String s) throws XsError {
        if (s.isEmpty()) {
            throw new XsError("EINVAL");
        }
        int p = switch (s.charAt(0)) {
            case 'r' -> XsNode.XS_PERM_READ;
            case 'w' -> XsNode.XS_PERM_WRITE;
            case 'b' -> XsNode.XS_PERM_READ | XsNode.XS_PERM_WRITE;
            case 'n' -> XsNode.XS_PERM_NONE;
            default -> throw new XsError("EINVAL");
        };
        return new XsNode.Perm(ocamlIntOfString(s.substring(1)), p);
    }

    /**
     * {@code create_implicit_path}: when the parent is missing, each missing ancestor below the
     * root is made with {@code Transaction.mkdir ~with_watch:false}.
     */
    private void createImplicitPath(XsTree store, String path) throws XsError {
        String dirname = XsTree.parent(path);
        if (store.exists(dirname)) {
            return;
        }
        List<String> missing = new ArrayList<>();
        for (String p = dirname; !store.exists(p); p = XsTree.parent(p)) {
            missing.addFirst(p);
        }
        for (String m : missing) {
            store.mkdir(conn, m);
        }
    }

    // ---- watches ----

    /** {@code Connection.get_watch_path}: relative paths are under the home. */
    private String getWatchPath(String path) throws XsError {
        if (path.isEmpty()) {
            throw new XsError("EINVAL"); // path.[0]: Invalid_argument
        }
        return path.charAt(0) == '@' || path.charAt(0) == '/' ? path : home + path;
    }

    /**
     * XS_WATCH {path, token}: the path must parse ({@code key_of_str}), at most quota-maxwatch
     * watches (EQUOTA), not the same token on the same path (EEXIST); "OK", then the watch fires
     * once, unchecked, with the path as given.
     *
     * @see process.ml do_watch
     * @see connection.ml add_watch, fire_single_watch_unchecked
     */
    private Response doWatch(byte[] data, List<Runnable> followUp) throws XsError {
        String[] args = split(data, 8);
        if (args.length != 3 || !args[2].isEmpty()) {
            throw new XsError("EINVAL");
        }
        String path = args[0];
        String token = args[1];
        String apath = getWatchPath(path);
        if (apath.charAt(0) != '@' && !apath.equals("/")) {
            String[] names = apath.substring(1).split("/", -1);
            if (apath.charAt(0) != '/' || Arrays.stream(names).anyMatch(n -> !XsTree.nameIsValid(n))) {
                throw new XsError("EINVAL");
            }
        }
        if (watches.size() > MAXWATCH) {
            throw new XsError(EQUOTA);
        }
        for (Watch w : watches) {
            if (w.apath().equals(apath) && w.token().equals(token)) {
                throw new XsError("EEXIST");
            }
        }
        Watch w = new Watch(path, apath, token, path.charAt(0) != '/' && path.charAt(0) != '@');
        watches.add(w);
        followUp.add(() -> pendingEvents.add(event(w.path(), w.token())));
        return new Ack();
    }

    /** XS_UNWATCH {path, token}: ENOENT when no such watch. @see connection.ml del_watch */
    private Response doUnwatch(byte[] data) throws XsError {
        String[] args = split(data, 8);
        if (args.length != 3 || !args[2].isEmpty()) {
            throw new XsError("EINVAL");
        }
        String apath = getWatchPath(args[0]);
        for (int i = watches.size() - 1; i >= 0; i--) {
            Watch w = watches.get(i);
            if (w.apath().equals(apath) && w.token().equals(args[1])) {
                watches.remove(i);
                return new Ack();
            }
        }
        throw new XsError("ENOENT");
    }

    /** XS_RESET_WATCHES: every watch and transaction goes. @see process.ml do_reset_watches */
    private Response doResetWatches() {
        watches.clear();
        transactions.clear();
        return new Ack();
    }

    private static byte[] event(String path, String token) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(cstr(path));
        b.writeBytes(cstr(token));
        return b.toByteArray();
    }

    /**
     * {@code process_watch}: for each operation in order, {@code Connections.fire_watches}: rm
     * recursively and against the root before it, setperms with both roots.
     */
    private void processWatch(List<WatchOp> ops, XsTree oldroot, XsTree newroot) {
        for (WatchOp op : ops) {
            switch (op.type()) {
                case XS_RM -> fireWatches(null, oldroot, op.path(), true);
                case XS_SET_PERMS -> fireWatches(oldroot, newroot, op.path(), false);
                default -> fireWatches(null, newroot, op.path(), false);
            }
        }
    }

    /**
     * {@code Connections.fire_watches}: every watch on the path or one of its ancestors (root
     * first; the newest watch first on each), with the path modified; with {@code recurse} also
     * every watch below it, in the watch trie's order, with its own path.
     */
    private void fireWatches(XsTree oldroot, XsTree root, String path, boolean recurse) {
        if (root == null) {
            return;
        }
        for (String prefix : prefixes(path)) {
            for (Watch w : watches.reversed()) {
                if (w.apath().equals(prefix)) {
                    String newPath = w.relative() && path.startsWith("/") ? path.substring(home.length()) : path;
                    fireSingleWatch(oldroot, root, w, newPath);
                }
            }
        }
        if (recurse) {
            List<Watch> below = new ArrayList<>();
            for (Watch w : watches.reversed()) {
                if (w.apath().startsWith(path.equals("/") ? "/" : path + "/") && !w.apath().equals(path)) {
                    below.add(w);
                }
            }
            below.sort(Comparator.comparing(w -> List.of(w.apath().split("/", -1)), Xenstored::compareNames));
            for (Watch w : below) {
                fireSingleWatch(oldroot, root, w, w.path());
            }
        }
    }

    private static int compareNames(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** "/", then every ancestor of {@code path}, then {@code path} (a canonical absolute path). */
    private static List<String> prefixes(String path) {
        List<String> out = new ArrayList<>();
        out.add("/");
        for (int i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
            out.add(path.substring(0, i));
        }
        if (!path.equals("/")) {
            out.add(path);
        }
        return out;
    }

    /**
     * {@code fire_single_watch}: fires when the connection may read the node or its parent in one
     * of the roots ({@code lookup_watch_perms}, {@code Perms.can_fire_watch}).
     */
    private void fireSingleWatch(XsTree oldroot, XsTree root, Watch w, String eventPath) {
        String abspath = eventPath.startsWith("/") || eventPath.startsWith("@") ? eventPath : home + eventPath;
        if (abspath.startsWith("@")) {
            abspath = "/" + abspath;
        }
        List<List<XsNode.Perm>> perms = new ArrayList<>();
        lookupWatchPerm(oldroot, abspath, perms);
        lookupWatchPerm(root, abspath, perms);
        if (perms.stream().anyMatch(p -> XsTree.has(conn, p, XS_PERM_READ))) {
            pendingEvents.add(event(eventPath, w.token()));
        }
    }

    /** {@code lookup_watch_perm}: the parent's permissions and the node's, if they exist; none for "/". */
    private static void lookupWatchPerm(XsTree root, String path, List<List<XsNode.Perm>> out) {
        if (root == null || path.equals("/")) {
            return;
        }
        XsNode parent = root.read(XsTree.parent(path));
        if (parent == null) {
            return;
        }
        out.add(parent.perms);
        XsNode node = root.read(path);
        if (node != null) {
            out.add(node.perms);
        }
    }

    // ---- transactions ----

    /**
     * XS_TRANSACTION_START: not inside one (EBUSY), at most quota-transaction open (EQUOTA); the
     * reply is the new id. @see process.ml do_transaction_start, connection.ml start_transaction
     */
    private Response doTransactionStart(Txn t) throws XsError {
        if (t != null) {
            throw new XsError("EBUSY");
        }
        if (transactions.size() > MAXTRANSACTION) {
            throw new XsError(EQUOTA);
        }
        int id = nextTid <= 0 || nextTid >= MAX_TID ? 1 : nextTid;
        while (transactions.containsKey(id)) {
            id = id + 1 >= MAX_TID ? 1 : id + 1;
        }
        nextTid = id + 1;
        transactions.put(id, new Txn(id, tree.copy(), tree.copy(), tree.version));
        return new Reply(cstr(Integer.toString(id)));
    }

    /**
     * XS_TRANSACTION_END {"T"|"F"}: the argument first (EINVAL), then the transaction (none:
     * ENOENT); "T" with writes commits: at once if the store did not move, else by replaying every
     * request against the current store, EAGAIN if an answer differs; the watches fire on commit.
     *
     * @see process.ml do_transaction_end, transaction_replay
     */
    private Response doTransactionEnd(Txn t, byte[] data, List<Runnable> followUp) throws XsError {
        String first = split(data, 8)[0];
        boolean commit;
        if (first.equals("T")) {
            commit = true;
        } else if (first.equals("F")) {
            commit = false;
        } else {
            throw new XsError("EINVAL");
        }
        if (t == null) {
            throw new XsError("ENOENT");
        }
        commit = commit && !t.paths.isEmpty();
        transactions.remove(t.id);
        if (!commit) {
            return new Ack();
        }
        if (tree.version == t.startVersion) {
            tree = t.store;
            tree.version = t.startVersion + 1;
        } else {
            XsTree replay = tree.copy();
            for (Operation o : t.operations) {
                if (!isSimple(o.type()) || !sameResponse(simpleOp(o.type(), o.data(), new Ctx(replay, null)), o.response())) {
                    throw new XsError("EAGAIN");
                }
            }
            replay.version = tree.version + 1;
            tree = replay;
        }
        List<WatchOp> ops = List.copyOf(t.paths);
        processWatch(ops, t.oldroot, t.store);
        return new Ack();
    }

    private static boolean sameResponse(Response a, Response b) {
        return switch (a) {
            case Ack x -> b instanceof Ack;
            case Reply x -> b instanceof Reply y && Arrays.equals(x.data(), y.data());
            case Err x -> b instanceof Err y && x.errno().equals(y.errno());
        };
    }

    // ---- helpers ----

    /** Stdext {@code String.split ~limit c s} on NUL: at most {@code limit} pieces, the last one the rest. */
    static String[] split(byte[] data, int limit) {
        return NUL.split(new String(data, StandardCharsets.ISO_8859_1), limit);
    }

    /** process.ml {@code c_int_of_string}: skip non-digits, then read digits (OCaml's 63-bit int wraps). */
    static long cIntOfString(String s) {
        int i = 0;
        while (i < s.length() && !Character.isDigit(s.charAt(i))) {
            i++;
        }
        long v = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            v = ((v * 10 + (s.charAt(i) - '0')) << 1) >> 1;
            i++;
        }
        return v;
    }

    /**
     * OCaml {@code int_of_string} as far as a domid needs it: an optional sign, an optional
     * 0x/0o/0b/0u prefix, a digit, then digits and underscores. A value that does not fit a domid
     * ({@code int}) is refused too (EINVAL; OCaml would take up to 62 bits).
     */
    static int ocamlIntOfString(String s) throws XsError {
        int i = 0;
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        int base = 10;
        if (i + 1 < s.length() && s.charAt(i) == '0') {
            switch (Character.toLowerCase(s.charAt(i + 1))) {
                case 'x' -> base = 16;
                case 'o' -> base = 8;
                case 'b' -> base = 2;
                case 'u' -> base = 10;
                default -> base = 0;
            }
            if (base == 0) {
                base = 10;
            } else {
                i += 2;
            }
        }
        if (i >= s.length() || Character.digit(s.charAt(i), base) < 0) {
            throw new XsError("EINVAL");
        }
        long v = 0;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                continue;
            }
            int d = Character.digit(c, base);
            if (d < 0) {
                throw new XsError("EINVAL");
            }
            v = v * base + d;
            if (v > 0xFFFF_FFFFL) {
                throw new XsError("EINVAL");
            }
        }
        v = neg ? -v : v;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new XsError("EINVAL");
        }
        return (int) v;
    }

    static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Arrays.copyOf(b, b.length + 1);
    }

    static int le32(byte[] b, int off) {
        return XsRing.le32(b, off);
    }

    static void put32(byte[] b, int off, int v) {
        XsRing.put32(b, off, v);
    }
}
