package dev.hcdiff.recorder.guest.thirdparty;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SHA-256 of each third-party guest file per package version, as measured and pinned in the
 * repository ({@code pinned-hashes.txt} next to this class). A security update replaces a Debian
 * version and the old one leaves the archive, so a hash is pinned per version (build.md, "Guests").
 *
 * <p>Format: one entry a line, {@code guest package version sha256} separated by blanks; {@code #}
 * starts a comment.
 */
public final class PinnedHashes {

    /** The table shipped with hcdiff. */
    static final String RESOURCE = "pinned-hashes.txt";

    /**
     * One pinned file.
     *
     * @param sha256 lower-case hex
     */
    public record Entry(String guest, String packageName, String version, String sha256) {
    }

    private final List<Entry> entries;

    private PinnedHashes(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The table shipped in the recorder's resources. */
    public static PinnedHashes shipped() {
        try (InputStream in = PinnedHashes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path: rebuild the recorder module");
            }
            return parse(RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses a table.
     *
     * @param source named in errors
     * @throws IllegalArgumentException naming the line of a malformed entry
     */
    public static PinnedHashes parse(String source, String text) {
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String body = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (body.isEmpty()) {
                continue;
            }
            String[] f = body.split("\\s+");
            if (f.length != 4 || !f[3].matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(source + ":" + (i + 1)
                        + ": expected 'guest package version sha256' (64 hex digits), got '" + body + "'");
            }
            entries.add(new Entry(f[0], f[1], f[2], f[3].toLowerCase(Locale.ROOT)));
        }
        return new PinnedHashes(entries);
    }

    /** Every entry, in file order. */
    public List<Entry> entries() {
        return entries;
    }

    /** The hash pinned for this guest, package and version, if that version is pinned. */
    public Optional<String> sha256(String guest, String packageName, String version) {
        return entries.stream()
                .filter(e -> e.guest.equals(guest) && e.packageName.equals(packageName) && e.version.equals(version))
                .map(Entry::sha256)
                .findFirst();
    }

    /** The pinned entry whose file has this hash: names the version of a bare file. */
    public Optional<Entry> bySha256(String guest, String sha256) {
        String h = sha256.toLowerCase(Locale.ROOT);
        return entries.stream().filter(e -> e.guest.equals(guest) && e.sha256.equals(h)).findFirst();
    }
}
