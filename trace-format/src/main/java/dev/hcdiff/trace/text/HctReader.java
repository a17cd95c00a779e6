package dev.hcdiff.trace.text;

import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads the {@code .hct} text form of a trace: a thin {@link Trace} over {@link HctScanner}.
 * This javadoc is the one specification of the format; {@code docs/hct.md} explains it with an
 * example.
 *
 * <h2>Lines</h2>
 * A {@code .hct} file is UTF-8 text (no byte-order mark), read line by line. Tokens on a line are
 * separated by spaces or tabs.
 * <pre>
 * file          = version-line *top-line *( record-line *( detail-line / comment / blank ) )
 * version-line  = "hct 1"                                   ; line 1, always
 * top-line      = header-line / expect-line / comment / blank
 * header-line   = "header" WS key "=" value                 ; key [a-z0-9._-]+; value: every character
 *                                                           ;   after the first "=" to the end of the line,
 *                                                           ;   verbatim (spaces kept, may be empty)
 * expect-line   = "expect" WS ( "agree" / "known:" id *( "," id ) )
 *                                                           ; the header key "expect"; id [A-Za-z0-9._-]+
 * comment       = *WS "#" *any                              ; anywhere after line 1; not part of any record
 * blank         = *WS
 * record-line   = "@" seq WS "t=" num [ WS "d=" num ] WS record      ; column 1
 * detail-line   = 1*WS detail                               ; indented; belongs to the record above
 * </pre>
 * Header and expect lines come before the first record; each key once. {@code header format=}
 * names the trace format: any value but {@code 1} is refused at its line
 * ({@code unsupported trace format 9 (this hcdiff reads format 1)}), and a file without it (a
 * hand-written case) is format 1. Records carry seq 0, 1,
 * 2, … in order. {@code t=} is the virtual time in ns; {@code d=} (exchanges only, default 0) the
 * host time from exit to resume in ns.
 *
 * <h2>Records</h2>
 * <pre>
 * record    = "vcpu=" num WS request                        ; an exchange
 *           / "transport-page"                              ; needs one page block
 *           / "delivery" WS "vcpu=" num WS "vector=" num WS word
 *           / "stop" WS reason WS "vcpu=" num WS "rip=" num [ WS text ]
 * request   = ( "xen64" / "xen32" ) WS xen-call [ WS "args=" args ]
 *           / "hv64" WS hv-call [ WS "control=" num ] [ WS "args=" args ]
 *           / "cpuid" WS "leaf=" num [ WS "subleaf=" num ]  ; subleaf default 0
 *           / "msr-read" WS "index=" num
 *           / "msr-write" WS "index=" num WS "value=" num [ WS "mode=" mode ]  ; mode default long64
 *           / "port-in" WS "port=" num WS "size=" num
 *           / "port-out" WS "port=" num WS "size=" num WS "value=" num
 *           / "mmio-read" WS "gpa=" num WS "size=" num
 *           / "mmio-write" WS "gpa=" num WS "size=" num WS "value=" num
 *           / "guest-write"                                 ; needs one data block
 * xen-call  = ( xen-name / num / "hypercall/" num ) [ "/" ( subop-name / num ) ]
 * mode      = "real" / "vm86" / "pm16" / "pm32" / "long64"       ; the vCPU's mode (CpuMode)
 * hv-call   = tlfs-name / num                               ; the call code, input value bits 15:0
 * args      = num *5( "," num )                             ; missing trailing arguments are 0
 * reason    = "shutdown" / "triple-fault" / "vmcall" / "halted" / "watchdog" / "budget"
 *           / "bad-access" / "kvm-error" / "unhandled-exit"
 * </pre>
 * {@code xen-name} is a name of {@code xen/include/public/xen.h} without {@code __HYPERVISOR_}
 * ({@code event_channel_op}); {@code subop-name} one of that call's sub-ops
 * ({@code EVTCHNOP_send}), which must agree with {@code args[0]} ({@code & 0x3f} for
 * {@code memory_op}); without {@code args=}, {@code args[0]} is the sub-op. {@code tlfs-name} is
 * a TLFS name ({@code HvCallSignalEvent}); the Hyper-V input value is {@code control | code}, and
 * {@code control} must leave bits 15:0 clear. So {@code event_channel_op/EVTCHNOP_send},
 * {@code event_channel_op/4} and {@code 32/4} are the same call. The writer uses names where the
 * tables in {@code dev.hcdiff.trace.abi} have them and numbers where they do not.
 *
 * <h2>Details (indented, any order; lines of one kind keep their order)</h2>
 * <pre>
 * "read" WS num WS hex          ; one guest-physical chunk the call read (exchanges)
 * "write" WS num WS hex         ; one chunk the hypervisor wrote (exchanges)
 * "data" WS num WS hex          ; the chunk of a guest-write, exactly once
 * "page" WS num WS hex          ; the page of a transport-page, exactly once
 * "+" WS num WS hex             ; continues the block above; num must be where it ended
 * "returns" WS num *( "," num ) ; returned registers; absent = none. At most once
 * "fault" WS ( "gp" / "ud" )    ; absent = none. At most once
 * "event" WS num                ; a port made pending, one line each
 * "interrupt" WS "vcpu=" num WS "vector=" num WS word          ; word: source, e.g. upcall
 * "timer" WS "vcpu=" num WS word WS "deadline=" num WS "period=" num  ; deadline -1 = cancelled
 * "console" WS console-string   ; console bytes; several lines concatenate
 * "vcpu" WS ( "running" / "blocked" / "down" ) [ WS "deadline=" num ] [ WS "ports=" num *( "," num ) ]
 *                               ; absent = running, deadline -1, no ports. At most once
 * "shutdown" WS ( shutdown-name / num )  ; poweroff reboot suspend crash watchdog soft_reset
 *                               ; (xen/include/public/sched.h SHUTDOWN_*); absent = -1. At most once
 * "trail" WS text               ; one step of the trail, in order
 * </pre>
 *
 * <h2>Values</h2>
 * <pre>
 * num    = [ "-" ] 1*DIGIT / "0x" 1*16HEXDIG   ; hex is unsigned 64-bit: 0xffffffffffffffff = -1;
 *                                              ; 32-bit fields take -2^31 .. 0xffffffff
 * hex    = "-" / 1*( 2HEXDIG ) *( WS 1*( 2HEXDIG ) )   ; bytes; "-" = none; groups are joined
 * word   = 1*( %x21-7E ) / quoted              ; a bare word does not start with a quote
 * text   = quoted / raw                        ; raw: the rest of the line, trailing blanks dropped;
 *                                              ; absent = ""
 * quoted = DQUOTE *( char / "\\" / "\"" / "\n" / "\r" / "\t" / "&#92;u" 4HEXDIG ) DQUOTE
 * console-string = DQUOTE *( char / "\\" / "\"" / "\n" / "\r" / "\t" / "\x" 2HEXDIG ) DQUOTE
 *                                              ; a raw non-ASCII char stands for its UTF-8 bytes
 * </pre>
 * The writer quotes a word or text only when the bare form would not read back the same, writes
 * addresses and registers in hex, times and vCPUs in decimal, {@code -errno} return values in
 * decimal, and memory 32 bytes to a line.
 *
 * <h2>Example</h2>
 * <pre>
 * hct 1
 * header guest=hello.elf
 * expect agree
 * &#64;0 t=1200345 d=8731 vcpu=0 xen64 event_channel_op/EVTCHNOP_send args=0x4,0x7ffe00,0,0,0,0
 *   read 0x7ffe00 03000000
 *   returns 0
 *   event 3
 *   interrupt vcpu=0 vector=0xf3 upcall
 * &#64;1 t=1200400 delivery vcpu=0 vector=0xf3 upcall
 * &#64;2 t=1300000 stop shutdown vcpu=0 rip=0x100234 SCHEDOP_shutdown(poweroff)
 * </pre>
 *
 * <h2>Errors</h2>
 * Every violation throws {@link TraceFormatException} with {@code position()} the line number
 * and a message {@code SOURCE:LINE: what is wrong}.
 *
 * <p>Threading: one thread per iterator; each {@link #iterator()} reads the text again.
 */
public final class HctReader implements Trace {

    /** Opens a fresh scanner over the text for one pass; the Closeable releases it. */
    private interface Source {
        Pass open(String name) throws IOException;
    }

    private record Pass(HctScanner scanner, Closeable resource) {
    }

    private final Path path;
    private final String name;
    private final Source source;
    private final JournalHeader header;
    private final List<Closeable> openResources = new ArrayList<>();
    private Boolean complete;

    private HctReader(Path path, String name, Source source) {
        this.path = path;
        this.name = name;
        this.source = source;
        this.header = readHeader();
    }

    /**
     * Opens a {@code .hct} file and reads its header; records are read by each iteration.
     *
     * @throws TraceFormatException when the file is missing, unreadable, or its header part
     *                              breaks the grammar
     */
    public static HctReader open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new TraceFormatException((Files.exists(file) ? "not a file: " : "no such file: ") + file,
                    TraceFormatException.NO_POSITION);
        }
        return new HctReader(file, file.toString(), name -> {
            InputStream in = new BufferedInputStream(Files.newInputStream(file));
            return new Pass(new HctScanner(in, name), in);
        });
    }

    /** Reads text held in memory; {@code name} starts error messages. */
    public static HctReader ofText(String text, String name) {
        return new HctReader(Path.of(name), name, n -> {
            StringReader in = new StringReader(text);
            return new Pass(new HctScanner(in, n), in);
        });
    }

    /** The whole trace, checked line by line: for corpus cases and tests. */
    public static List<TraceRecord> readAll(Path file) {
        try (HctReader r = open(file)) {
            return r.readAll();
        }
    }

    private Pass openPass() {
        try {
            Pass p = source.open(name);
            synchronized (openResources) {
                openResources.add(p.resource());
            }
            return p;
        } catch (NoSuchFileException e) {
            throw new TraceFormatException("no such file: " + name, TraceFormatException.NO_POSITION, e);
        } catch (IOException e) {
            throw new TraceFormatException(name + ": cannot read: " + e.getMessage(), TraceFormatException.NO_POSITION, e);
        }
    }

    private void release(Closeable resource) {
        synchronized (openResources) {
            openResources.remove(resource);
        }
        try {
            resource.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scans up to the first record (or the end) for the header. */
    private JournalHeader readHeader() {
        Pass pass = openPass();
        try {
            JournalHeader[] found = new JournalHeader[1];
            pass.scanner().step(new HctScanner.Handler() {
                @Override
                public void onHeader(JournalHeader h) {
                    found[0] = h;
                }

                @Override
                public void onRecord(TraceRecord record, int line) {
                }
            });
            return found[0];
        } finally {
            release(pass.resource());
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public JournalHeader header() {
        return header;
    }

    /** Reads the whole text once (checking every line) and remembers the answer. */
    @Override
    public synchronized boolean complete() {
        if (complete == null) {
            TraceRecord last = null;
            for (TraceRecord r : this) {
                last = r;
            }
            complete = last instanceof GuestStop;
        }
        return complete;
    }

    /**
     * A pass over the records. {@code hasNext()} and {@code next()} throw
     * {@link TraceFormatException} at the first bad line.
     */
    @Override
    public Iterator<TraceRecord> iterator() {
        return new RecordIterator(openPass());
    }

    private final class RecordIterator implements Iterator<TraceRecord>, HctScanner.Handler {
        private final Closeable resource;
        private final HctScanner scanner;
        private final ArrayDeque<TraceRecord> ready = new ArrayDeque<>(1);
        private boolean done;

        RecordIterator(Pass pass) {
            this.resource = pass.resource();
            this.scanner = pass.scanner();
        }

        @Override
        public void onHeader(JournalHeader h) {
        }

        @Override
        public void onRecord(TraceRecord record, int line) {
            ready.add(record);
        }

        @Override
        public boolean hasNext() {
            if (ready.isEmpty() && !done) {
                try {
                    if (!scanner.step(this)) {
                        done = true;
                        release(resource);
                    }
                } catch (RuntimeException e) {
                    done = true;
                    release(resource);
                    throw e;
                }
            }
            return !ready.isEmpty();
        }

        @Override
        public TraceRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException(name + ": no more records");
            }
            return ready.poll();
        }
    }

    /** Closes any reader an abandoned iteration left open. Idempotent. */
    @Override
    public void close() {
        List<Closeable> left;
        synchronized (openResources) {
            left = new ArrayList<>(openResources);
        }
        for (Closeable c : left) {
            release(c);
        }
    }
}
