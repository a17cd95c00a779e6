package dev.hcdiff.recorder.kvm;

/**
 * The environment cannot run the recorder: /dev/kvm missing or not accessible, a KVM API version
 * or capability missing. The message is one line saying what is wrong and what to do; the CLI
 * maps this exception to exit code 4 (style.md §5.3).
 */
public final class KvmUnavailable extends RuntimeException {

    public KvmUnavailable(String message) {
        super(message);
    }
}
