package dev.hcdiff.trace;

import dev.hcdiff.trace.journal.JournalReader;
import dev.hcdiff.trace.journal.JournalWriter;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TraceSink;
import dev.hcdiff.trace.text.HctReader;
import dev.hcdiff.trace.text.HctWriter;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

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
     * <p>All or nothing: the copy is written to a hidden sibling of {@code to} (same directory,
     * named {@code .<name>.partial-…}) and moved into place only when every record is in, with an
     * atomic rename where the file system has one; on any failure the sibling is deleted and an
     * existing {@code to} is left as it was. A journal replacing a journal ({@code force}) sets the
     * old directory aside under a hidden name, renames the new one in, then deletes the old one.
     *
     * @return the number of records copied
     * @throws IllegalArgumentException when {@code to} is {@code from} (the same path, or the same
     *                                  file or directory reached another way), checked first
     * @throws TraceFormatException     when {@code from} cannot be read; {@code to} is untouched
     * @throws java.nio.file.FileAlreadyExistsException when {@code to} exists and {@code force} is
     *                                  false, checked before {@code from} is read
     * @throws IOException              when {@code to} cannot be replaced (a directory where a
     *                                  {@code .hct} goes, a file or foreign files where a journal goes)
     *                                  or written
     */
    public static long convert(Path from, Path to, boolean force) throws IOException {
        refuseOntoItself(from, to);
        boolean text = isText(to);
        if (text) {
            HctWriter.checkTarget(to, force);
        } else {
            JournalWriter.checkTarget(to, force);
        }
        Path parent = to.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = hiddenSibling(parent, to, "partial");
        long n = 0;
        try {
            try (Trace in = open(from);
                 TraceSink out = text ? HctWriter.create(partial, in.header(), false)
                         : JournalWriter.create(partial, in.header(), false)) {
                for (TraceRecord r : in) {
                    out.append(r);
                    n++;
                }
            }
            moveIntoPlace(partial, to, parent);
        } catch (IOException | RuntimeException | Error e) {
            deleteTree(partial, e);
            throw e;
        }
        return n;
    }

    private static void refuseOntoItself(Path from, Path to) throws IOException {
        boolean same = from.toAbsolutePath().normalize().equals(to.toAbsolutePath().normalize())
                || Files.exists(from) && Files.exists(to) && Files.isSameFile(from, to);
        if (same) {
            throw new IllegalArgumentException("convert: the target " + to + " is the source " + from
                    + "; choose another target");
        }
    }

    /** Serial number of hidden siblings made by this JVM, so two converts never share one. */
    private static final AtomicLong SIBLINGS = new AtomicLong();

    /** A name next to {@code to} that does not exist yet: {@code .<name>.<what>-<pid>-<n>}. */
    private static Path hiddenSibling(Path parent, Path to, String what) {
        Path p;
        do {
            p = parent.resolve("." + to.getFileName() + "." + what + "-" + ProcessHandle.current().pid()
                    + "-" + SIBLINGS.incrementAndGet());
        } while (Files.exists(p, LinkOption.NOFOLLOW_LINKS));
        return p;
    }

    /**
     * rename(2) replaces a file, or an empty directory, in one step. It cannot replace a non-empty
     * directory, so an existing journal (which the caller checked holds only queue files) is set
     * aside first and deleted once the new one is in place, and put back if that fails.
     */
    private static void moveIntoPlace(Path partial, Path to, Path parent) throws IOException {
        if (!Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            rename(partial, to);
            return;
        }
        Path old = hiddenSibling(parent, to, "old");
        rename(to, old);
        try {
            rename(partial, to);
        } catch (IOException | RuntimeException e) {
            try {
                rename(old, to);
            } catch (IOException | RuntimeException restore) {
                e.addSuppressed(restore);
            }
            throw e;
        }
        try {
            deleteTree(old);
        } catch (IOException e) {
            throw new IOException("converted into " + to + ", but the journal it replaced, set aside at " + old
                    + ", could not be deleted: " + e.getMessage(), e);
        }
    }

    private static void rename(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a partial target after {@code failure}, which keeps any error of its own. */
    private static void deleteTree(Path root, Throwable failure) {
        try {
            deleteTree(root);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
