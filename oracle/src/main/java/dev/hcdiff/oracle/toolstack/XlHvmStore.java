package dev.hcdiff.oracle.toolstack;

import java.util.List;

/**
 * The xenstore nodes of a freshly built xl HVM or PVH domain, as libxl writes them before unpausing
 * it (Xen 4.17.7 tools/libs/light): {@code libxl__domain_make()} (the directories and their
 * permissions; hvmloader/, control/feature-s3 and -s4 for HVM only), {@code libxl__build_post()}
 * (memory, domid, store, cpu), {@code libxl__domain_build()} (HVM only: platform/* and the /vm
 * rtc/timeoffset and image/ostype), {@code libxl__spawn_local_dm()} (HVM only: hvmloader/bios and
 * allow-memory-relocate, which an xl domain with the default device_model_version=qemu-xen gets;
 * PVH spawns no device model), and {@code libxl__device_console_add()} (the PV console, both types). Everything under {@code /local/domain/N} that
 * a guest can read; the values that depend on dom0's host (the console pty path, start_time) are
 * left as libxl first writes them or out.
 *
 * <p>Permissions: {@code roperm} = [n0, rN] (the domain may read), {@code rwperm} = [nN] (the domain
 * owns it). A key written later without explicit permissions inherits its parent's.
 */
final class XlHvmStore {

    private XlHvmStore() {
    }

    /** The name libxl__domain_rename() writes: the model's fixed guest name. */
    static final String NAME = "hcdiff";
    /** libxl_bios_type_to_string(LIBXL_BIOS_TYPE_SEABIOS): Debian's hvmloader has no ROMBIOS. */
    static final String BIOS = "seabios";
    /** libxl_device_model_version_to_string(LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN): xl's default. */
    static final String DEVICE_MODEL = "qemu-xen";
    /** libxl_internal.h LIBXL_XENCONSOLE_LIMIT. */
    static final int LIBXL_XENCONSOLE_LIMIT = 1048576;

    static XsTree build(XlHvmBuild b) {
        XsTree t = new XsTree();
        boolean hvm = b.type() == XlHvmBuild.Type.HVM;
        int n = b.domid();
        String dom = "/local/domain/" + n;
        String vm = "/vm/" + b.uuid();
        List<XsNode.Perm> none0 = List.of(new XsNode.Perm(0, XsNode.XS_PERM_NONE));
        List<XsNode.Perm> roperm = List.of(new XsNode.Perm(0, XsNode.XS_PERM_NONE),
                new XsNode.Perm(n, XsNode.XS_PERM_READ));
        List<XsNode.Perm> rwperm = List.of(new XsNode.Perm(n, XsNode.XS_PERM_NONE));
        List<XsNode.Perm> front = List.of(new XsNode.Perm(n, XsNode.XS_PERM_NONE),
                new XsNode.Perm(0, XsNode.XS_PERM_READ));

        // xenstored's and dom0's own nodes: owned by dom0, closed to others.
        t.toolsWrite("/local", "", none0);
        t.toolsWrite("/local/domain", "", none0);
        t.toolsWrite("/vm", "", none0);

        // libxl__domain_make()
        t.toolsWrite(dom, "", roperm);
        t.toolsWrite(vm, "", roperm);
        t.toolsWrite(dom + "/vm", vm, null);
        t.toolsWrite(dom + "/name", NAME, null);
        t.toolsWrite(dom + "/cpu", "", roperm);
        t.toolsWrite(dom + "/memory", "", roperm);
        t.toolsWrite(dom + "/device", "", roperm);
        t.toolsWrite(dom + "/device/suspend/event-channel", "", rwperm);
        t.toolsWrite(dom + "/control", "", roperm);
        if (hvm) {
            t.toolsWrite(dom + "/hvmloader", "", roperm);
        }
        List<String> control = hvm
                ? List.of("shutdown", "feature-poweroff", "feature-reboot", "feature-suspend", "feature-s3",
                        "feature-s4", "sysrq")
                : List.of("shutdown", "feature-poweroff", "feature-reboot", "feature-suspend", "sysrq");
        for (String c : control) {
            t.toolsWrite(dom + "/control/" + c, "", rwperm);
        }
        for (String d : List.of("data", "drivers", "feature", "attr", "error")) {
            t.toolsWrite(dom + "/" + d, "", rwperm);
        }
        t.toolsWrite(vm + "/uuid", b.uuid(), null);
        t.toolsWrite(vm + "/name", NAME, null);
        t.toolsWrite(dom + "/control/platform-feature-multiprocessor-suspend", "1", null);
        t.toolsWrite(dom + "/control/platform-feature-xs_reset_watches", "1", null);

        if (hvm) {
            // libxl__domain_build() HVM: vments and localents (platform/*). PVH writes only the
            // /vm start_time (the host's clock: left out).
            t.toolsWrite(vm + "/rtc/timeoffset", "", null);
            t.toolsWrite(vm + "/image/ostype", "hvm", null);
            t.toolsWrite(dom + "/platform/acpi", "1", null);
            t.toolsWrite(dom + "/platform/acpi_s3", "1", null);
            t.toolsWrite(dom + "/platform/acpi_s4", "1", null);
            t.toolsWrite(dom + "/platform/acpi_laptop_slate", "0", null);
            t.toolsWrite(dom + "/platform/device-model", DEVICE_MODEL, null);
        }

        // libxl__build_post(): target_memkb and max_memkb are the RAM in KiB (no video RAM, no fudge).
        long kib = b.memoryBytes() / 1024;
        t.toolsWrite(dom + "/memory/static-max", Long.toString(kib), null);
        t.toolsWrite(dom + "/memory/target", Long.toString(kib), null);
        t.toolsWrite(dom + "/memory/videoram", "0", null);
        t.toolsWrite(dom + "/domid", Integer.toString(n), null);
        t.toolsWrite(dom + "/store/port", Integer.toString(XlHvmBuild.STORE_PORT), null);
        t.toolsWrite(dom + "/store/ring-ref", Long.toString(b.storePfn()), null);
        for (int i = 0; i < b.vcpus(); i++) {
            t.toolsWrite(dom + "/cpu/" + i + "/availability", "online", null);
        }

        if (hvm) {
            // libxl__spawn_local_dm() for an HVM guest (written with XBT_NULL: inherits hvmloader/'s roperm).
            t.toolsWrite(dom + "/hvmloader/bios", BIOS, null);
            t.toolsWrite(dom + "/hvmloader/allow-memory-relocate", "0", null);
        }

        // libxl__device_console_add(): the frontend directory belongs to the domain; the
        // ro_front keys are the toolstack's, readable by the domain.
        t.toolsWrite(dom + "/console", "", front);
        t.toolsWrite(dom + "/console/backend-id", "0", null);
        t.toolsWrite(dom + "/console/backend", "/local/domain/0/backend/console/" + n + "/0", null);
        for (String[] kv : new String[][] {{"limit", Integer.toString(LIBXL_XENCONSOLE_LIMIT)},
                {"type", "xenconsoled"}, {"output", "pty"}, {"tty", ""},
                {"port", Integer.toString(XlHvmBuild.CONSOLE_PORT)}, {"ring-ref", Long.toString(b.consolePfn())}}) {
            t.toolsWrite(dom + "/console/" + kv[0], kv[1], roperm);
        }
        return t;
    }
}
