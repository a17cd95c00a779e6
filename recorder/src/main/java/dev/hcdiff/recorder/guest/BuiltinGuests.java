package dev.hcdiff.recorder.guest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The guests built from {@code recorder/guests/} (C, by make during the Maven build) and shipped
 * as class-path resources {@code /guests/<name>.elf}. The recorder's own misbehaving test guests
 * live under {@code /guests/tests/} and are not listed here.
 */
public final class BuiltinGuests {

    private BuiltinGuests() {
    }

    /** Resource directory of the built-in guests. */
    private static final String DIR = "/guests/";

    private static final List<String> NAMES = List.of("hello", "spin", "hv-hello");

    /** The built-in guests' names, e.g. {@code hello}. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The ELF bytes of built-in guest {@code name}.
     *
     * @throws IllegalArgumentException naming the known guests when {@code name} is not one
     */
    public static byte[] load(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no built-in guest '" + name + "' (built-in guests: "
                    + String.join(", ", NAMES) + ")");
        }
        return resource(DIR + name + ".elf");
    }

    /** A resource's bytes; the build puts every guest there, so a missing one is a broken build. */
    static byte[] resource(String path) {
        try (InputStream in = BuiltinGuests.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("guest resource " + path + " is missing from the class path: "
                        + "rebuild the recorder module (make -C recorder/guests)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read guest resource " + path, e);
        }
    }
}
