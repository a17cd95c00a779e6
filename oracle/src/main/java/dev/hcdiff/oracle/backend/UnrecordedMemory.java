package dev.hcdiff.oracle.backend;

/**
 * A backend read guest memory a recording did not capture. In replay this is an error of the
 * replay (the model reads something the recorded hypervisor did not), never an -EFAULT to the guest.
 */
public final class UnrecordedMemory extends RuntimeException {

    public UnrecordedMemory(long gpa, int len) {
        super(String.format("unrecorded memory: read of %d bytes at 0x%x was not captured by the recording", len, gpa));
    }
}
