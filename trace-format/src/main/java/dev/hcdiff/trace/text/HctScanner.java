package dev.hcdiff.trace.text;

import dev.hcdiff.trace.FormatVersion;
import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads {@code .hct} text line by line and reports what it finds through a {@link Handler}, in the
 * manner of HdrHistogram's {@code HistogramLogScanner}. The grammar is in {@link HctReader}'s
 * javadoc; every violation throws {@link TraceFormatException} reading {@code SOURCE:LINE: what}.
 *
 * <p>Order of callbacks: comments before the first record as they come; {@link Handler#onHeader}
 * once, at the first record line (or at the end of a file without records); then each record when
 * its line group ends, followed by the comments that were inside or after that group.
 *
 * <p>Not thread-safe; one scanner per pass over the text. The scanner does not close its reader.
 */
public final class HctScanner {

    /** What the scanner reports. */
    public interface Handler {
        /** The header, once, before any record. */
        void onHeader(JournalHeader header);

        /** One record; {@code line} is its record line. */
        void onRecord(TraceRecord record, int line);

        /** A comment line: the text after {@code #}. */
        default void onComment(String text, int line) {
        }
    }

    private record Comment(String text, int line) {
    }

    /** Where lines come from: a {@code BufferedReader} or {@link Utf8Lines}. */
    private interface LineSource {
        String readLine() throws IOException;
    }

    private final LineSource in;
    private final String source;
    private int lineNo;
    private final TreeMap<String, String> header = new TreeMap<>();
    private boolean headerDelivered;
    private RecordGroup open;
    private final List<Comment> pendingComments = new ArrayList<>();
    private long nextSeq;
    private boolean finished;

    /**
     * @param in     the text (for a file, prefer the {@code InputStream} constructor)
     * @param source the name errors start with, e.g. the file's path
     */
    public HctScanner(Reader in, String source) {
        BufferedReader reader = in instanceof BufferedReader b ? b : new BufferedReader(in);
        this.in = reader::readLine;
        this.source = source;
    }

    /**
     * Reads UTF-8 bytes; malformed UTF-8 is reported on its own line. The scanner does not close
     * the stream.
     */
    public HctScanner(InputStream in, String source) {
        Utf8Lines lines = new Utf8Lines(in);
        this.in = lines::readLine;
        this.source = source;
    }

    /**
     * Scans the whole text.
     *
     * @throws TraceFormatException at the first line that breaks the grammar
     */
    public void scan(Handler handler) {
        while (step(handler)) {
            // one record per step
        }
    }

    /**
     * Reads until one record is complete and reported, or to the end of the text.
     *
     * @return false at the end of the text, after the last record
     */
    boolean step(Handler handler) {
        if (finished) {
            return false;
        }
        while (true) {
            String text = readLine();
            if (text == null) {
                return finish(handler);
            }
            lineNo++;
            if (lineNo == 1) {
                checkVersion(text);
                continue;
            }
            HctLine line = new HctLine(source, lineNo, text);
            int first = firstNonBlank(text);
            if (first < 0) {
                continue;
            }
            if (text.charAt(first) == '#') {
                Comment c = new Comment(text.substring(first + 1), lineNo);
                if (open == null) {
                    handler.onComment(c.text, c.line);
                } else {
                    pendingComments.add(c);
                }
                continue;
            }
            if (first > 0) {
                if (open == null) {
                    throw line.error("indented detail line outside a record (a record starts with '@<seq>' in column 1)");
                }
                open.detail(line);
                continue;
            }
            if (text.charAt(0) == '@') {
                deliverHeader(handler);
                RecordGroup previous = open;
                open = RecordGroup.start(line, nextSeq);
                nextSeq++;
                if (previous != null) {
                    deliver(previous, handler);
                    return true;
                }
                continue;
            }
            topLevel(line);
        }
    }

    private boolean finish(Handler handler) {
        if (lineNo == 0) {
            throw HctLine.error(source, 1, "empty file: the first line must be '" + HctSyntax.VERSION_LINE + "'");
        }
        deliverHeader(handler);
        finished = true;
        if (open != null) {
            RecordGroup last = open;
            open = null;
            deliver(last, handler);
            return true;
        }
        return false;
    }

    private void deliver(RecordGroup group, Handler handler) {
        handler.onRecord(group.build(), group.line());
        for (Comment c : pendingComments) {
            handler.onComment(c.text, c.line);
        }
        pendingComments.clear();
    }

    private void deliverHeader(Handler handler) {
        if (!headerDelivered) {
            headerDelivered = true;
            handler.onHeader(new JournalHeader(header));
        }
    }

    private void checkVersion(String text) {
        if (text.startsWith("\uFEFF")) {
            throw HctLine.error(source, 1, "the file starts with a byte-order mark; save it as UTF-8 without BOM");
        }
        if (!text.stripTrailing().equals(HctSyntax.VERSION_LINE)) {
            if (text.startsWith(HctSyntax.VERSION_KEYWORD + " ")) {
                throw HctLine.error(source, 1, "unsupported version '" + text.substring(4).strip()
                        + "': this reader reads '" + HctSyntax.VERSION_LINE + "'");
            }
            throw HctLine.error(source, 1, "not an hct file: the first line must be '" + HctSyntax.VERSION_LINE
                    + "', found '" + abbreviate(text) + "'");
        }
    }

    /** {@code header key=value} or {@code expect …}, before the first record. */
    private void topLevel(HctLine line) {
        String keyword = line.token("line");
        if (!keyword.equals("header") && !keyword.equals("expect")) {
            throw line.error("expected a record line '@<seq> …', a 'header' or 'expect' line, or a '#' comment; found '"
                    + abbreviate(keyword) + "'");
        }
        if (headerDelivered) {
            throw line.error("'" + keyword + "' lines must come before the first record");
        }
        String key;
        String value;
        if (keyword.equals("expect")) {
            key = JournalHeader.EXPECT;
            value = line.token("expected outcome (agree or known:<id>,<id>)");
            line.end();
            if (!HctSyntax.EXPECT.matcher(value).matches()) {
                throw line.error("bad expect '" + abbreviate(value) + "' (expected agree or known:<id>,<id>…)");
            }
        } else {
            line.atEnd(); // skip the blanks after the keyword
            String kv = line.rest();
            int eq = kv.indexOf('=');
            if (eq < 0) {
                throw line.error("header line needs key=value");
            }
            key = kv.substring(0, eq);
            value = kv.substring(eq + 1);
            try {
                JournalHeader.checkKey(key);
            } catch (IllegalArgumentException e) {
                throw line.error(e.getMessage());
            }
        }
        if (header.containsKey(key)) {
            throw line.error("header key '" + key + "' is set twice");
        }
        if (key.equals(JournalHeader.FORMAT)) {
            String problem = FormatVersion.problem(value);
            if (problem != null) {
                throw line.error(problem);
            }
        }
        header.put(key, value);
    }

    private String readLine() {
        try {
            return in.readLine();
        } catch (CharacterCodingException e) {
            throw HctLine.error(source, lineNo + 1, "not valid UTF-8");
        } catch (IOException e) {
            throw new TraceFormatException(source + ":" + (lineNo + 1) + ": cannot read: " + e.getMessage(), lineNo + 1, e);
        }
    }

    private static int firstNonBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                return i;
            }
        }
        return -1;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
