package dev.hcdiff.recorder.guest.thirdparty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Downloads a package with {@code apt-get download NAME}, which needs no root: it writes the
 * candidate version's {@code .deb} into the working directory. Every way it can fail becomes one
 * {@link GuestUnavailable} line that says what to do instead.
 */
public final class AptGet implements PackageDownloader {

    /** The system property naming another apt-get executable (tests use a stand-in script). */
    public static final String COMMAND_PROPERTY = "hcdiff.apt-get";
    /** A download of a ~1.4 MB package that takes longer has stalled. */
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final String command;
    private final Duration timeout;

    public AptGet(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    /** {@code apt-get} from the PATH, or the executable the system property {@value #COMMAND_PROPERTY} names. */
    public static AptGet system() {
        return new AptGet(System.getProperty(COMMAND_PROPERTY, "apt-get"), TIMEOUT);
    }

    @Override
    public Path download(String packageName, Path dir) {
        String instead = "; or download " + packageName + " elsewhere and pass the .deb (or the bare file) with --from FILE";
        Path log = dir.resolve(".apt-get.log");
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command, "-q", "download", packageName)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("LC_ALL", "C"); // explain() reads apt's English messages
            p = pb.start();
        } catch (IOException e) {
            throw new GuestUnavailable(command + " not found (is this a Debian-based system?): cannot download "
                    + packageName + instead);
        }
        int rc;
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new GuestUnavailable("apt-get download " + packageName + " took more than " + timeout.toSeconds()
                        + " s (no network?)" + instead);
            }
            rc = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GuestUnavailable("apt-get download " + packageName + " was interrupted" + instead);
        }
        String output = read(log);
        if (rc != 0) {
            throw new GuestUnavailable(explain(packageName, rc, output) + instead);
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> debs = new ArrayList<>(s.filter(f -> f.getFileName().toString().endsWith(".deb")).toList());
            if (debs.size() != 1) {
                throw new GuestUnavailable("apt-get download " + packageName + " succeeded but left " + debs.size()
                        + " .deb files" + instead);
            }
            return debs.getFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One line for a failed {@code apt-get download}, from its messages (apt's own wording, C locale:
     * apt-pkg/cachefile.cc "Unable to locate package", apt-pkg/acquire-item.cc "Failed to fetch").
     */
    static String explain(String packageName, int rc, String output) {
        String lower = output.toLowerCase(Locale.ROOT);
        String first = firstError(output);
        if (lower.contains("unable to locate package") || lower.contains("has no installation candidate")
                || lower.contains("can't select candidate version") || lower.contains("is not available")) {
            return "apt-get cannot find package " + packageName
                    + " (the package lists may be missing: run apt-get update first)";
        }
        if (lower.contains("could not resolve") || lower.contains("temporary failure resolving")
                || lower.contains("failed to fetch") || lower.contains("unable to connect")
                || lower.contains("connection failed") || lower.contains("network is unreachable")) {
            return "apt-get could not download " + packageName + " (no network?): " + first;
        }
        return "apt-get download " + packageName + " failed (exit " + rc + "): " + first;
    }

    /** apt's first {@code E:} line, else its last non-blank line. */
    private static String firstError(String output) {
        String last = "no output";
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.startsWith("E:")) {
                return l;
            }
            if (!l.isEmpty()) {
                last = l;
            }
        }
        return last;
    }

    private static String read(Path log) {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
