package dev.hcdiff.trace;

import dev.hcdiff.trace.journal.JournalReader;
import dev.hcdiff.trace.journal.JournalWriter;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TraceSink;
import dev.hcdiff.trace.text.HctReader;
import dev.hcdiff.trace.text.HctWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one door to traces for the CLI, the replayer and the corpora: open a journal directory or a
 * {@code .hct} file alike, create either, convert between them.
 *
 * <p>What a path is: a directory is a journal (it must hold {@code .cq4} files); a regular file is
 * {@code .hct} text (its first line must be {@code hct 1}). When creating, a path ending in
 * {@code .hct} is text and anything else a journal directory.
 */
public final class Traces {

    /** File name suffix of the text form. */
    public static final String HCT_SUFFIX = ".hct";

    private Traces() {
    }

    /**
     * Opens a trace for reading. Journals stream from disk; {@code .hct} files are read again on
     * each pass, one line group at a time.
     *
     * @throws TraceFormatException with a one-line message when the path is missing, is neither a
     *                              journal nor {@code .hct} text, or its header cannot be read
     */
    public static Trace open(Path path) {
        if (!Files.exists(path)) {
            throw new TraceFormatException("no such trace: " + path, TraceFormatException.NO_POSITION);
        }
        if (Files.isDirectory(path)) {
            return JournalReader.open(path);
        }
        if (Files.isRegularFile(path)) {
            String name = path.getFileName().toString();
            if (name.endsWith(".cq4") || name.endsWith(".cq4t")) {
                throw new TraceFormatException("not a trace: " + path + " is one file of a journal; open its directory "
                        + path.toAbsolutePath().getParent(), TraceFormatException.NO_POSITION);
            }
            return HctReader.open(path);
        }
        throw new TraceFormatException("not a trace: " + path + " is neither a journal directory nor a .hct file",
                TraceFormatException.NO_POSITION);
    }

    /** True when {@code path} names the text form (ends in {@code .hct}). */
    public static boolean isText(Path path) {
        return path.getFileName() != null && path.getFileName().toString().endsWith(HCT_SUFFIX);
    }

    /**
     * Creates a trace to write: a {@code .hct} file when the path ends in {@code .hct}, else a
     * journal directory. The header is written at once.
     *
     * @param force overwrite an existing trace; without it an existing one is refused
     * @throws IOException when the target exists (and not {@code force}) or cannot be created
     */
    public static TraceSink create(Path path, JournalHeader header, boolean force) throws IOException {
        return isText(path) ? HctWriter.create(path, header, force) : JournalWriter.create(path, header, force);
    }

    /**
     * Copies every record of {@code from} into a new trace {@code to}, header first: journal to
     * text, text to journal (or the same kind). Nothing is lost either way.
     *
     * @return the number of records copied
     * @throws TraceFormatException when {@code from} cannot be read (the partly written target is left)
     * @throws IOException          when {@code to} exists (and not {@code force}) or cannot be written
     */
    public static long convert(Path from, Path to, boolean force) throws IOException {
        if (from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())) {
            throw new IOException("convert: source and target are the same path: " + from);
        }
        long n = 0;
        try (Trace in = open(from); TraceSink out = create(to, in.header(), force)) {
            for (TraceRecord r : in) {
                out.append(r);
                n++;
            }
        }
        return n;
    }
}
