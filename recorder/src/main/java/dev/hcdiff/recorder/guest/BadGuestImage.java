package dev.hcdiff.recorder.guest;

/**
 * A guest image the recorder cannot load: not ELF, not little-endian x86, truncated, or a segment
 * that does not fit. The message is one line naming the image and the problem; the CLI maps it to
 * exit code 3 (unreadable or corrupt input).
 */
public final class BadGuestImage extends RuntimeException {

    public BadGuestImage(String image, String problem) {
        super(image + ": " + problem);
    }
}
