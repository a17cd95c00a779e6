package dev.hcdiff.recorder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits console bytes (a backend's {@code Observation.console()}) into lines for the user. A
 * guest writes one byte per exit, so bytes are buffered until '\n'; {@link #flush} emits a last
 * unterminated line. Bytes are read as UTF-8, '\r' is dropped, and a line longer than
 * {@link #MAX_LINE} is cut so a guest cannot grow the buffer without bound.
 */
final class ConsoleLines {

    /** Longest line kept before it is emitted anyway. */
    static final int MAX_LINE = 4096;

    private final Consumer<String> out;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    ConsoleLines(Consumer<String> out) {
        this.out = out;
    }

    void accept(byte[] bytes) {
        for (byte b : bytes) {
            if (b == '\n') {
                emit();
            } else if (b != '\r') {
                line.write(b);
                if (line.size() >= MAX_LINE) {
                    emit();
                }
            }
        }
    }

    void flush() {
        if (line.size() > 0) {
            emit();
        }
    }

    private void emit() {
        out.accept(line.toString(StandardCharsets.UTF_8));
        line.reset();
    }
}
