package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;

import java.util.TreeMap;

/**
 * Issue 3's live test: hvmloader served by the reference Xen model as a fresh {@code xl} HVM
 * domain without a device model ({@code xen.domain=xl-hvm}, {@code xen.memory-bytes} = the
 * guest's RAM, from {@link Recorder#xenDomainConfig}).
 */
class HvmloaderLiveTest extends HvmloaderBoot {

    @Override
    Backend backend(Recorder.RecordOptions options) {
        TreeMap<String, String> config = new TreeMap<>(HostFacts.xenHostConfig());
        config.putAll(Recorder.xenDomainConfig(options));
        return new XenBackend(XenConfig.fromMap(config));
    }

    /**
     * libxl writes {@code hvmloader/allow-memory-relocate} = 0 unless the device model is
     * qemu-traditional ({@code tools/libs/light/libxl_dm.c}, RELEASE-4.17.7).
     */
    @Override
    String memoryRelocation() {
        return "disabled";
    }
}
