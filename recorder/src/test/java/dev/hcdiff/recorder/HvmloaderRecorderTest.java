package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;

/**
 * hvmloader served by {@link MiniToolstack} (the bare reference model plus a throwaway stand-in
 * for the toolstack state): pins the recorder's side of the boot (layout, MMIO, MSRs, ports,
 * owned pages) independently of the Xen model's {@code xl-hvm} domain.
 */
class HvmloaderRecorderTest extends HvmloaderBoot {

    @Override
    Backend backend(Recorder.RecordOptions options) {
        XenBackend bare = new XenBackend(XenConfig.fromMap(HostFacts.xenHostConfig()));
        return new MiniToolstack(bare, options.memoryBytes(), Integer.parseInt(HostFacts.xenHostConfig()
                .get(XenConfig.TSC_KHZ)));
    }

    /** MiniToolstack's xenstore has no such key: pci.c keeps allow_memory_relocate = 1. */
    @Override
    String memoryRelocation() {
        return "enabled";
    }
}
