package dev.hcdiff.oracle.toolstack;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.hcdiff.oracle.toolstack.XsClient.errno;
import static dev.hcdiff.oracle.toolstack.XsClient.strings;
import static dev.hcdiff.oracle.toolstack.XsWire.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oxenstored over the ring, against tools/ocaml/xenstored and tools/ocaml/libs/xb (Xen 4.17.7):
 * each expectation cites the function it comes from; the nodes are libxl's for a fresh xl HVM
 * domain 1.
 */
class XenstoredTest {

    static final XlHvmBuild BUILD = new XlHvmBuild(1, 64L << 20, 1, "00000000-0000-0000-0000-000000000000");
    final SparseRam ram = SparseRam.hvm(64L << 20);
    final Xenstored xs = new Xenstored(BUILD);
    final XsClient c = new XsClient(ram, BUILD.storePfn() << 12);

    XsClient.Reply ask(int type, byte[] payload) {
        return ask(type, 0, payload);
    }

    XsClient.Reply ask(int type, int txId, byte[] payload) {
        assertTrue(c.send(xs, type, 7, txId, payload), "xenstored notifies after reading and writing");
        XsClient.Reply r = c.next();
        assertTrue(r != null, "a reply");
        return r;
    }

    @Test
    void readOfHvmloaderBiosIsSeabiosWithoutTerminatorAndEchoesTheRequestIds() {
        // process.ml do_read: the value as is; send_response echoes the rid and the transaction's id.
        c.request(XS_READ, 0x1234, 0, strings("hvmloader/bios"));
        XsClient.service(xs, ram);
        XsClient.Reply r = c.next();
        assertEquals(XS_READ, r.type());
        assertEquals(0x1234, r.reqId());
        assertEquals("seabios", r.text());
        assertEquals(ram.u32(c.ring + RING_REQ_PROD), ram.u32(c.ring + RING_REQ_CONS), "request consumed");
        assertEquals(0, c.available(), "nothing else queued");
    }

    @Test
    void anAbsentNodeIsEnoentWhateverItsParentAndAnUnreadableOneEacces() {
        // store.ml read: Path.apply → Node.find raises Not_found (ENOENT) for any missing name; only an
        // existing node is checked (Node.check_perm → Permission_denied, EACCES). No errno_from_parents.
        assertEquals("ENOENT", errno(ask(XS_READ, strings("bios-strings/bios-vendor"))));
        assertEquals("ENOENT", errno(ask(XS_READ, strings("platform/mmio_hole_size"))));
        assertEquals("ENOENT", errno(ask(XS_READ, strings("/nope"))), "\"/\" grants nothing, still ENOENT");
        assertEquals("ENOENT", errno(ask(XS_READ, strings("/local/domain/0/name"))));
        assertEquals("EACCES", errno(ask(XS_READ, strings("/local"))), "exists, n0");
    }

    @Test
    void errorRepliesCarryTheErrnoNameWithItsNul() {
        // connection.ml send_error: send_reply ... Xenbus.Xb.Op.Error (err ^ "\000")
        XsClient.Reply r = ask(XS_READ, strings("nope"));
        assertEquals(XS_ERROR, r.type());
        assertArrayEquals("ENOENT\0".getBytes(StandardCharsets.ISO_8859_1), r.payload());
    }

    @Test
    void libxlsKeysForAFreshHvmDomainAreThere() {
        assertEquals("1", ask(XS_READ, strings("platform/acpi")).text());
        assertEquals("0", ask(XS_READ, strings("hvmloader/allow-memory-relocate")).text());
        assertEquals("1", ask(XS_READ, strings("store/port")).text());
        assertEquals(Long.toString(0xFEFFCL), ask(XS_READ, strings("store/ring-ref")).text());
        assertEquals("65536", ask(XS_READ, strings("memory/target")).text());
        assertEquals("online", ask(XS_READ, strings("cpu/0/availability")).text());
        assertEquals("/vm/00000000-0000-0000-0000-000000000000", ask(XS_READ, strings("vm")).text());
        assertEquals("2", ask(XS_READ, strings("console/port")).text());
        // libxl_create.c libxl__domain_make(): written for every domain type.
        assertEquals("1", ask(XS_READ, strings("control/platform-feature-xs_reset_watches")).text());
        assertEquals("1", ask(XS_READ, strings("control/platform-feature-multiprocessor-suspend")).text());
    }

    @Test
    void directoryListsChildrenInAscendingByteOrderEachNulTerminated() {
        // store.ml ls: SymbolMap.fold with symbol.ml's reversed compare "constructs a list in
        // ascending order"; libxl wrote acpi, acpi_s3, acpi_s4, acpi_laptop_slate, device-model.
        XsClient.Reply r = ask(XS_DIRECTORY, strings("platform"));
        assertEquals(XS_DIRECTORY, r.type());
        assertArrayEquals(strings("acpi", "acpi_laptop_slate", "acpi_s3", "acpi_s4", "device-model"), r.payload());
        ask(XS_WRITE, concat(strings("data/z"), new byte[0]));
        ask(XS_WRITE, concat(strings("data/a"), new byte[0]));
        ask(XS_WRITE, concat(strings("data/B"), new byte[0]));
        assertArrayEquals(strings("B", "a", "z"), ask(XS_DIRECTORY, strings("data")).payload());
        assertEquals(0, ask(XS_DIRECTORY, strings("data/a")).payload().length, "no children: an empty reply");
    }

    @Test
    void getPermsShowsLibxlsRopermAndRwperm() {
        assertArrayEquals(strings("n0", "r1"), ask(XS_GET_PERMS, strings("/local/domain/1")).payload());
        assertArrayEquals(strings("n1"), ask(XS_GET_PERMS, strings("data")).payload());
        assertArrayEquals(strings("n0", "r1"), ask(XS_GET_PERMS, strings("hvmloader/bios")).payload());
    }

    @Test
    void theGuestWritesWhereItMayWriteTheParentAndTheNodeTakesTheParentsPermissions() {
        XsClient.Reply ok = ask(XS_WRITE, concat(strings("data/x"), "v1".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(XS_WRITE, ok.type());
        assertArrayEquals(strings("OK"), ok.payload());
        assertEquals("v1", ask(XS_READ, strings("data/x")).text());
        assertArrayEquals(strings("n1"), ask(XS_GET_PERMS, strings("data/x")).payload());
        assertEquals("v1", xs.valueAt("/local/domain/1/data/x"));
        // path_write: Node.check_perm parent WRITE; roperm parents grant read only.
        assertEquals("EACCES", errno(ask(XS_WRITE, concat(strings("hvmloader/x"), new byte[] {'1'}))));
        assertEquals("EACCES", errno(ask(XS_WRITE, concat(strings("name"), new byte[] {'1'}))));
    }

    @Test
    void aNodeADomainCreatesUnderADom0OwnedDirectoryIsStillDom0s() {
        // store.ml path_write: Node.create name node.Node.perms value: owner included (the C
        // xenstored would make the creator the owner).
        XsTree t = XlHvmStore.build(BUILD);
        List<XsNode.Perm> shared = List.of(new XsNode.Perm(0, XsNode.XS_PERM_NONE),
                new XsNode.Perm(1, XsNode.XS_PERM_READ | XsNode.XS_PERM_WRITE));
        t.toolsWrite("/local/domain/1/shared", "", shared);
        XsTree.Conn dom1 = new XsTree.Conn(1, false);
        assertDoesNotThrow(() -> t.write(dom1, "/local/domain/1/shared/x", new byte[] {'v'}));
        assertEquals(shared, t.read("/local/domain/1/shared/x").perms);
    }

    @Test
    void writeCreatesMissingAncestorsAndMkdirOfAnExistingNodeIsOk() {
        assertEquals(XS_WRITE, ask(XS_WRITE, concat(strings("data/a/b/c"), new byte[] {'z'})).type());
        assertArrayEquals(strings("b"), ask(XS_DIRECTORY, strings("data/a")).payload());
        assertEquals(XS_MKDIR, ask(XS_MKDIR, strings("data/a")).type());
        assertEquals(XS_MKDIR, ask(XS_MKDIR, strings("data/d")).type());
        assertEquals("", ask(XS_READ, strings("data/d")).text());
        assertEquals("EACCES", errno(ask(XS_MKDIR, strings("control"))), "exists, but no write permission");
    }

    @Test
    void rmRemovesASubtreeAndAMissingNodeWithAParentIsFine() {
        ask(XS_WRITE, concat(strings("data/a/b"), new byte[] {'z'}));
        assertEquals(XS_RM, ask(XS_RM, strings("data/a")).type());
        assertEquals("ENOENT", errno(ask(XS_READ, strings("data/a/b"))));
        assertEquals(XS_RM, ask(XS_RM, strings("data/a")).type(), "do_rm: Define.Doesnt_exist -> ()");
        assertEquals("ENOENT", errno(ask(XS_RM, strings("data/q/r"))), "no parent either: Not_found");
        assertEquals("EACCES", errno(ask(XS_RM, strings("hvmloader/bios"))));
    }

    @Test
    void badPathsAreEinvalAndAtPathsAreOneName() {
        assertEquals("EINVAL", errno(ask(XS_READ, strings("data//x"))), "Path.of_string: no empty name");
        assertEquals("EINVAL", errno(ask(XS_READ, strings("data/x/"))), "no trailing /");
        assertEquals("EINVAL", errno(ask(XS_READ, strings("data/x y"))), "char_is_valid");
        assertEquals("EINVAL", errno(ask(XS_READ, strings(""))), "path_validate: empty");
        // Path.of_string: "@…" is the one name [s], looked up under the root like any other.
        assertEquals("ENOENT", errno(ask(XS_READ, strings("@releaseDomain"))));
        assertEquals("EINVAL", errno(ask(XS_READ, strings("a", "b"))), "split_one_path: exactly path\\0");
        assertEquals("EINVAL", errno(ask(XS_WRITE, "no-nul".getBytes(StandardCharsets.ISO_8859_1))),
                "do_write: path :: value :: []");
        // utils.ml path_validate: quota-path-max 1024 after /local/domain/%d/.
        String longest = "data/" + "x".repeat(1019);
        assertEquals("ENOENT", errno(ask(XS_READ, strings(longest))), "1024 characters: a valid path");
        assertEquals("EINVAL", errno(ask(XS_READ, strings(longest + "x"))), "1025: too long");
    }

    @Test
    void getDomainPathReadsTheDigitsAfterAnyPrefix() {
        // process.ml do_getdomainpath: [domid; ""] exactly, c_int_of_string skips non-digits first.
        assertArrayEquals(strings("/local/domain/1"), ask(XS_GET_DOMAIN_PATH, strings("1")).payload());
        assertArrayEquals(strings("/local/domain/0"), ask(XS_GET_DOMAIN_PATH, strings("junk")).payload());
        assertArrayEquals(strings("/local/domain/1"), ask(XS_GET_DOMAIN_PATH, strings("-1")).payload(), "'-' skipped");
        assertArrayEquals(strings("/local/domain/7"), ask(XS_GET_DOMAIN_PATH, strings("x7y")).payload());
        assertEquals("EINVAL", errno(ask(XS_GET_DOMAIN_PATH, strings("1", "2"))));
        assertEquals("EINVAL", errno(ask(XS_GET_DOMAIN_PATH, "1".getBytes(StandardCharsets.ISO_8859_1))));
    }

    @Test
    void theTransactionIdComesFirstThenTheType() {
        // op.ml of_cval: 20 and everything from 22 on are Invalid → do_error → Unknown_operation (ENOSYS).
        assertEquals("ENOSYS", errno(ask(99, strings("x"))));
        assertEquals("ENOSYS", errno(ask(XS_ERROR, strings("x"))), "function_of_type_simple_op: do_error");
        assertEquals("ENOSYS", errno(ask(XS_WATCH_EVENT, strings("x"))));
        assertEquals("ENOSYS", errno(ask(20, strings("x"))), "XS_RESTRICT was removed");
        assertEquals("ENOSYS", errno(ask(XS_DIRECTORY_PART, strings("platform", "0"))), "oxenstored has none");
        assertEquals("EACCES", errno(ask(XS_INTRODUCE, strings("1", "2", "3"))));
        assertEquals("EACCES", errno(ask(XS_IS_DOMAIN_INTRODUCED, strings("1"))));
        assertEquals("EACCES", errno(ask(XS_SET_TARGET, strings("1", "2"))));
        // do_debug: a domU without allow-debug gets None; reply_data_or_ack acks it.
        XsClient.Reply debug = ask(XS_CONTROL, strings("print", "x"));
        assertEquals(XS_CONTROL, debug.type());
        assertArrayEquals(strings("OK"), debug.payload());
        // process_packet: Connection.get_transaction raises Not_found; the catch-all sends EIO with the tid.
        XsClient.Reply eio = ask(XS_READ, 42, strings("hvmloader/bios"));
        assertEquals("EIO", errno(eio));
        assertEquals(42, eio.txId());
        assertEquals("EIO", errno(ask(XS_INTRODUCE, 42, strings("1"))), "the transaction before the privilege");
        assertEquals("EIO", errno(ask(99, 42, strings("x"))), "and before the type");
    }

    @Test
    void watchAcksThenFiresOnceUpFrontAndAfterTheGuestsOwnWrites() {
        c.request(XS_WATCH, 1, 42, strings("data", "tok"));
        XsClient.service(xs, ram);
        XsClient.Reply ack = c.next();
        assertEquals(XS_WATCH, ack.type());
        assertEquals(0, ack.txId(), "maybe_ignore_transaction: a watch's tx_id is ignored");
        XsClient.Reply ev = c.next();
        assertEquals(XS_WATCH_EVENT, ev.type());
        assertEquals(0, ev.reqId(), "fire_single_watch_unchecked: rid 0, Transaction.none");
        assertArrayEquals(strings("data", "tok"), ev.payload(), "the path as given");
        assertEquals("EEXIST", errno(ask(XS_WATCH, strings("data", "tok"))));
        c.request(XS_WRITE, 2, 0, concat(strings("data/k"), new byte[] {'v'}));
        XsClient.service(xs, ram);
        assertEquals(XS_WRITE, c.next().type(), "send_ack, then the follow-up process_watch");
        XsClient.Reply fired = c.next();
        assertEquals(XS_WATCH_EVENT, fired.type());
        assertArrayEquals(strings("data/k", "tok"), fired.payload(), "relative to the home for a relative watch");
        assertEquals(XS_UNWATCH, ask(XS_UNWATCH, strings("data", "tok")).type());
        assertEquals("ENOENT", errno(ask(XS_UNWATCH, strings("data", "tok"))));
        assertEquals("EINVAL", errno(ask(XS_WATCH, strings("data", "tok", "x"))), "[node; token; \"\"] only");
    }

    @Test
    void removingASubtreeFiresTheWatchesBelowWithTheirOwnPaths() {
        ask(XS_WRITE, concat(strings("data/a/b"), new byte[] {'1'}));
        c.request(XS_WATCH, 1, 0, strings("/local/domain/1/data/a/b", "deep"));
        c.request(XS_WATCH, 2, 0, strings("data", "top"));
        XsClient.service(xs, ram);
        for (int i = 0; i < 4; i++) {
            c.next();
        }
        c.request(XS_RM, 3, 0, strings("data/a"));
        XsClient.service(xs, ram);
        assertEquals(XS_RM, c.next().type());
        // connections.ml fire_watches: the path's own and ancestors' watches with the path removed,
        // then (recurse) the watches below it with their own paths.
        assertArrayEquals(strings("data/a", "top"), c.next().payload());
        assertArrayEquals(strings("/local/domain/1/data/a/b", "deep"), c.next().payload());
        assertNull(c.next());
    }

    @Test
    void aTransactionSeesItsOwnWritesAndCommitsThemOnT() {
        XsClient.Reply start = ask(XS_TRANSACTION_START, strings(""));
        assertArrayEquals(strings("1"), start.payload(), "connection.ml initial_next_tid = 1");
        ask(XS_WRITE, 1, concat(strings("data/t"), new byte[] {'1'}));
        assertEquals("1", ask(XS_READ, 1, strings("data/t")).text());
        assertEquals("ENOENT", errno(ask(XS_READ, strings("data/t"))), "not visible outside yet");
        assertEquals("EINVAL", errno(ask(XS_TRANSACTION_END, 1, strings("maybe"))));
        assertEquals(XS_TRANSACTION_END, ask(XS_TRANSACTION_END, 1, strings("T")).type());
        assertEquals("1", ask(XS_READ, strings("data/t")).text());
        assertEquals("EIO", errno(ask(XS_TRANSACTION_END, 1, strings("T"))), "gone: an unknown tid");
        assertEquals("ENOENT", errno(ask(XS_TRANSACTION_END, 0, strings("T"))), "tid 0: end_transaction's Not_found");
        assertArrayEquals(strings("2"), ask(XS_TRANSACTION_START, strings("")).payload(), "next_tid goes on");
        assertEquals("EBUSY", errno(ask(XS_TRANSACTION_START, 2, strings(""))), "Transaction_nested");
    }

    @Test
    void aCommitReplaysAgainstAMovedStoreAndFailsOnlyIfAnAnswerChanged() {
        ask(XS_TRANSACTION_START, strings(""));
        assertEquals("ENOENT", errno(ask(XS_READ, 1, strings("data/t"))));
        ask(XS_WRITE, 0, concat(strings("data/t"), new byte[] {'x'}));
        ask(XS_WRITE, 1, concat(strings("data/t"), new byte[] {'y'}));
        // transaction_replay: the read now answers "x", not ENOENT: Transaction_again.
        assertEquals("EAGAIN", errno(ask(XS_TRANSACTION_END, 1, strings("T"))));
        assertEquals("x", ask(XS_READ, strings("data/t")).text());
        ask(XS_TRANSACTION_START, strings(""));
        ask(XS_WRITE, 2, concat(strings("data/u"), new byte[] {'u'}));
        ask(XS_WRITE, 0, concat(strings("data/v"), new byte[] {'v'}));
        assertEquals(XS_TRANSACTION_END, ask(XS_TRANSACTION_END, 2, strings("T")).type(), "the replay answers alike");
        assertEquals("u", ask(XS_READ, strings("data/u")).text());
        assertEquals("v", ask(XS_READ, strings("data/v")).text());
        ask(XS_TRANSACTION_START, strings(""));
        ask(XS_WRITE, 3, concat(strings("data/w"), new byte[] {'w'}));
        assertEquals(XS_TRANSACTION_END, ask(XS_TRANSACTION_END, 3, strings("F")).type());
        assertEquals("ENOENT", errno(ask(XS_READ, strings("data/w"))), "F discards");
    }

    @Test
    void setPermsNeedsTheOwnerKeepsItAndTakesAnyDomain() {
        ask(XS_WRITE, concat(strings("data/p"), new byte[] {'v'}));
        assertEquals(XS_SET_PERMS, ask(XS_SET_PERMS, strings("data/p", "n1", "r7")).type());
        assertArrayEquals(strings("n1", "r7"), ask(XS_GET_PERMS, strings("data/p")).payload(), "no IGNORE marks");
        // Store.setperms: a domU changing the owner is Permission_denied.
        assertEquals("EACCES", errno(ask(XS_SET_PERMS, strings("data/p", "n0"))));
        assertEquals("EACCES", errno(ask(XS_SET_PERMS, strings("data/p", "n7"))));
        assertEquals("EINVAL", errno(ask(XS_SET_PERMS, strings("data/p"))), "permvec empty");
        assertEquals("EINVAL", errno(ask(XS_SET_PERMS, strings("data/p", "x1"))), "permty_of_char");
        assertEquals("EINVAL", errno(ask(XS_SET_PERMS, strings("data/p", "r"))), "int_of_string \"\"");
        assertEquals("EACCES", errno(ask(XS_SET_PERMS, strings("hvmloader/bios", "n1"))), "not the owner");
        assertEquals("ENOENT", errno(ask(XS_SET_PERMS, strings("data/nope", "n1"))));
        // Perms.Node.of_string drops what follows the last NUL.
        assertEquals(XS_SET_PERMS, ask(XS_SET_PERMS, concat(strings("data/p", "b1"), "r0".getBytes(StandardCharsets.ISO_8859_1))).type());
        assertArrayEquals(strings("b1"), ask(XS_GET_PERMS, strings("data/p")).payload());
    }

    @Test
    void moreThanQuotaMaxwatchWatchesIsEquota() {
        // oxenstored.conf quota-maxwatch 100; connection.ml add_watch: "con.nb_watches > !Define.maxwatch".
        for (int i = 0; i <= Xenstored.MAXWATCH; i++) {
            assertEquals(XS_WATCH, ask(XS_WATCH, strings("data", "t" + i)).type(), "watch " + i);
            assertEquals(XS_WATCH_EVENT, c.next().type());
        }
        assertEquals("EQUOTA", errno(ask(XS_WATCH, strings("data", "one-more"))));
    }

    @Test
    void moreThanQuotaTransactionOpenTransactionsIsEquota() {
        // oxenstored.conf quota-transaction 10; connection.ml start_transaction: "length > maxtransaction".
        for (int i = 0; i <= Xenstored.MAXTRANSACTION; i++) {
            assertEquals(XS_TRANSACTION_START, ask(XS_TRANSACTION_START, strings("")).type(), "transaction " + i);
        }
        assertEquals("EQUOTA", errno(ask(XS_TRANSACTION_START, strings(""))));
    }

    @Test
    void aValueLongerThanQuotaMaxsizeIsE2big() {
        // oxenstored.conf quota-maxsize 2048; quota.ml _check: "size > quota.maxsize" → Data_too_big.
        assertEquals(XS_WRITE, ask(XS_WRITE, concat(strings("data/big"), new byte[XsTree.QUOTA_MAXSIZE])).type());
        assertEquals("E2BIG", errno(ask(XS_WRITE, concat(strings("data/big"), new byte[XsTree.QUOTA_MAXSIZE + 1]))));
        assertEquals(XsTree.QUOTA_MAXSIZE, xs.valueAt("/local/domain/1/data/big").length());
    }

    @Test
    void aRequestSplitAcrossTwoKicksIsAnsweredOnceComplete() {
        byte[] payload = strings("hvmloader/bios");
        byte[] h = new byte[16];
        Xenstored.put32(h, 0, XS_READ);
        Xenstored.put32(h, 12, payload.length);
        c.writeRaw(h);
        assertTrue(XsClient.service(xs, ram), "reading the header notifies too (read_mmap)");
        assertNull(c.next());
        c.writeRaw(payload);
        XsClient.service(xs, ram);
        assertEquals("seabios", c.next().text());
    }

    @Test
    void repliesWrapAroundTheEndOfTheRing() {
        int start = 1020;
        ram.putU32(c.ring + RING_REQ_CONS, start);
        ram.putU32(c.ring + RING_REQ_PROD, start);
        ram.putU32(c.ring + RING_RSP_CONS, start);
        ram.putU32(c.ring + RING_RSP_PROD, start);
        assertEquals("seabios", ask(XS_READ, strings("hvmloader/bios")).text());
        assertEquals(start + 16 + 7, ram.u32(c.ring + RING_RSP_PROD));
    }

    @Test
    void anOverlongLengthIsClampedToThePayloadMaximumAndTheConnectionLives() {
        // partial.ml of_string: "let dlen = max 0 (min xenstore_payload_max dlen)".
        byte[] h = new byte[16];
        Xenstored.put32(h, 0, XS_READ);
        Xenstored.put32(h, 4, 5);
        Xenstored.put32(h, 12, -1);
        c.writeRaw(h);
        XsClient.service(xs, ram);
        assertFalse(xs.ignored());
        assertEquals(0, ram.u32(c.ring + RING_ERROR), "oxenstored never writes error");
        for (int i = 0; i < XENSTORE_PAYLOAD_MAX / 1024; i++) {
            assertNull(c.next(), "still reading the 4096 bytes");
            c.writeRaw(new byte[1024]);
            XsClient.service(xs, ram);
        }
        XsClient.Reply r = c.next();
        assertEquals(5, r.reqId());
        assertEquals("EINVAL", errno(r), "4096 NULs are not one path");
    }

    @Test
    void corruptRequestIndexesMarkTheDomainBadWithoutAnError() {
        ram.putU32(c.ring + RING_REQ_PROD, 5000);
        XsClient.service(xs, ram);
        assertTrue(xs.ignored(), "process.ml do_input: Failure \"bad connection\" -> mark_as_bad");
        assertEquals(0, ram.u32(c.ring + RING_ERROR));
        ram.putU32(c.ring + RING_REQ_PROD, 0);
        c.request(XS_READ, 0, 0, strings("hvmloader/bios"));
        assertFalse(XsClient.service(xs, ram), "a bad domain is never served again");
    }

    @Test
    void anEmptyRingIsNotServedAndNotNotified() {
        assertFalse(XsClient.service(xs, ram));
    }

    @Test
    void theIntroductionAdvertisesReconnection() throws Exception {
        // xb.ml open_mmap: "Advertise XENSTORE_SERVER_FEATURE_RECONNECTION".
        assertEquals(0, ram.u32(c.ring + RING_SERVER_FEATURES));
        xs.introduce(ram);
        assertEquals(XENSTORE_SERVER_FEATURE_RECONNECTION, ram.u32(c.ring + RING_SERVER_FEATURES));
    }

    @Test
    void aNonZeroConnectionResetsTheRingAndTheConnectionsState() {
        c.request(XS_WATCH, 1, 0, strings("data", "tok"));
        c.request(XS_TRANSACTION_START, 2, 0, strings(""));
        XsClient.service(xs, ram);
        ram.putU32(c.ring + RING_REQ_PROD, ram.u32(c.ring + RING_REQ_PROD) + 3); // a half-written request
        ram.putU32(c.ring + RING_CONNECTION, XENSTORE_RECONNECT);
        // xs_ring_stubs.c ml_interface_read raises Xb.Reconnect; Xb.reconnect → ml_interface_close.
        assertTrue(XsClient.service(xs, ram), "Xb.reconnect notifies");
        assertEquals(XENSTORE_CONNECTED, ram.u32(c.ring + RING_CONNECTION));
        for (int off : new int[] {RING_REQ_CONS, RING_REQ_PROD, RING_RSP_CONS, RING_RSP_PROD}) {
            assertEquals(0, ram.u32(c.ring + off), "index at " + off);
        }
        assertArrayEquals(filled(), ram.get(c.ring + RING_REQ, 1024), "req[] full of 0xff");
        assertArrayEquals(filled(), ram.get(c.ring + RING_RSP, 1024), "rsp[] full of 0xff");
        // Connection.do_reconnect: transactions and watches gone, ids from 1 again.
        assertEquals("EIO", errno(ask(XS_READ, 1, strings("data"))));
        assertArrayEquals(strings("1"), ask(XS_TRANSACTION_START, strings("")).payload());
        ask(XS_WRITE, concat(strings("data/k"), new byte[] {'v'}));
        assertNull(c.next(), "the watch did not survive");
    }

    static byte[] filled() {
        byte[] b = new byte[1024];
        java.util.Arrays.fill(b, (byte) 0xff);
        return b;
    }

    @Property(tries = 200, seed = "20260301")
    void whatTheGuestWritesUnderDataItReadsBack(@ForAll("names") String name, @ForAll("values") String value) {
        Xenstored d = new Xenstored(BUILD);
        SparseRam r = SparseRam.hvm(64L << 20);
        XsClient k = new XsClient(r, BUILD.storePfn() << 12);
        k.request(XS_WRITE, 1, 0, concat(strings("data/" + name), value.getBytes(StandardCharsets.ISO_8859_1)));
        k.request(XS_READ, 2, 0, strings("data/" + name));
        XsClient.service(d, r);
        assertEquals(XS_WRITE, k.next().type());
        XsClient.Reply read = k.next();
        assertEquals(2, read.reqId());
        assertEquals(value, read.text());
    }

    @Property(tries = 300, seed = "20260302")
    void anyRequestGetsExactlyOneReplyOrStopsTheConnection(@ForAll @IntRange(min = 0, max = 40) int type,
                                                             @ForAll("payloads") byte[] payload) {
        Xenstored d = new Xenstored(BUILD);
        SparseRam r = SparseRam.hvm(64L << 20);
        XsClient k = new XsClient(r, BUILD.storePfn() << 12);
        k.request(type, 9, 0, payload);
        XsClient.service(d, r);
        XsClient.Reply first = k.next();
        assertTrue(first != null, "a reply");
        assertEquals(9, first.reqId(), "the reply echoes req_id");
        assertTrue(first.type() == type || first.type() == XS_ERROR, "the request's type or XS_ERROR: " + first);
        XsClient.Reply second = k.next();
        assertTrue(second == null || second.type() == XS_WATCH_EVENT, "at most a watch event follows");
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("abcXYZ019-_").ofMinLength(1).ofMaxLength(12);
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.strings().ascii().ofMaxLength(40);
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.of("hvmloader/bios", "data/x", "/", "@a", "").map(XsClient::strings));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] o = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
