package dev.hcdiff.trace.record;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a journal is a recording of: the first record of every journal and the {@code header}
 * lines of every {@code .hct} file. A sorted key/value map, so it round-trips losslessly and new
 * keys need no format change; the well-known keys are constants here.
 *
 * <p>Keys are lower-case dotted names without spaces; values are single-line UTF-8 strings.
 */
public record JournalHeader(SortedMap<String, String> fields) {

    /** Format version of the journal or text form, currently {@value #FORMAT_VERSION}. */
    public static final String FORMAT = "format";
    public static final String FORMAT_VERSION = "1";
    /** The program and version that wrote it, e.g. {@code "hcdiff-recorder 0.1.0"}. */
    public static final String RECORDER = "recorder";
    /** Host facts: kernel, KVM capabilities used, transport. */
    public static final String HOST_KERNEL = "host.kernel";
    public static final String HOST_KVM = "host.kvm";
    public static final String TRANSPORT = "transport";
    /** The guest image: name, SHA-256 of the file, memory size in bytes, vCPU count. */
    public static final String GUEST = "guest";
    public static final String GUEST_SHA256 = "guest.sha256";
    public static final String MEMORY_BYTES = "memory.bytes";
    public static final String VCPUS = "vcpus";
    /** The backend that served the guest live, e.g. {@code "xen"}. */
    public static final String BACKEND = "backend";
    /** Prefix of every backend configuration key, e.g. {@code "config.xen.build"}. */
    public static final String CONFIG_PREFIX = "config.";
    /** Expected replay outcome of a corpus case: {@code "agree"} or {@code "known:<id>,<id>"}. */
    public static final String EXPECT = "expect";

    public JournalHeader {
        for (var e : fields.entrySet()) {
            checkKey(e.getKey());
            if (e.getValue() == null || e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\r') >= 0) {
                throw new IllegalArgumentException("header value for '" + e.getKey() + "' must be one line");
            }
        }
        fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
    }

    /** Checks a key: non-empty, lower-case letters, digits, '.', '-', '_'. */
    public static void checkKey(String key) {
        if (key == null || key.isEmpty() || !key.matches("[a-z0-9._-]+")) {
            throw new IllegalArgumentException("bad header key '" + key + "' (use [a-z0-9._-]+)");
        }
    }

    /** The value for {@code key}, or null. */
    public String get(String key) {
        return fields.get(key);
    }

    /** A copy with {@code key} set to {@code value}. */
    public JournalHeader with(String key, String value) {
        TreeMap<String, String> m = new TreeMap<>(fields);
        m.put(key, value);
        return new JournalHeader(m);
    }

    /**
     * A copy with a personality's configuration added under {@code config.}; entries already
     * present win, so the backend that served a recording keeps its own values when a second
     * personality's configuration is added for replay.
     */
    public JournalHeader withConfiguration(java.util.Map<String, String> configuration) {
        TreeMap<String, String> m = new TreeMap<>(fields);
        configuration.forEach((k, v) -> m.putIfAbsent(CONFIG_PREFIX + k, v));
        return new JournalHeader(m);
    }

    /** The {@code config.<backend>.*} entries with the {@code config.} prefix removed. */
    public SortedMap<String, String> config() {
        TreeMap<String, String> m = new TreeMap<>();
        fields.forEach((k, v) -> {
            if (k.startsWith(CONFIG_PREFIX)) {
                m.put(k.substring(CONFIG_PREFIX.length()), v);
            }
        });
        return Collections.unmodifiableSortedMap(m);
    }

    /** A header with only the format version set; add the rest with {@link #with}. */
    public static JournalHeader create() {
        TreeMap<String, String> m = new TreeMap<>();
        m.put(FORMAT, FORMAT_VERSION);
        return new JournalHeader(m);
    }
}
