package dev.hcdiff.oracle.xen.abi;

/**
 * Constants of {@code xen/include/public/version.h} and {@code features.h} (Xen 4.17.7): XENVER_*
 * commands, the sizes of what they copy, and XENFEAT_* bits.
 */
public final class VersionH {

    private VersionH() {
    }

    /** version.h XENVER_version. */
    public static final int XENVER_version = 0;
    /** version.h XENVER_extraversion. */
    public static final int XENVER_extraversion = 1;
    /** version.h XENVER_compile_info. */
    public static final int XENVER_compile_info = 2;
    /** version.h XENVER_capabilities. */
    public static final int XENVER_capabilities = 3;
    /** version.h XENVER_changeset. */
    public static final int XENVER_changeset = 4;
    /** version.h XENVER_platform_parameters. */
    public static final int XENVER_platform_parameters = 5;
    /** version.h XENVER_get_features. */
    public static final int XENVER_get_features = 6;
    /** version.h XENVER_pagesize. */
    public static final int XENVER_pagesize = 7;
    /** version.h XENVER_guest_handle. */
    public static final int XENVER_guest_handle = 8;
    /** version.h XENVER_commandline. */
    public static final int XENVER_commandline = 9;
    /** version.h XENVER_build_id. */
    public static final int XENVER_build_id = 10;

    /** version.h xen_extraversion_t: char[16]. */
    public static final int XEN_EXTRAVERSION_LEN = 16;
    /** version.h xen_capabilities_info_t: char[1024]. */
    public static final int XEN_CAPABILITIES_INFO_LEN = 1024;
    /** version.h xen_changeset_info_t: char[64]. */
    public static final int XEN_CHANGESET_INFO_LEN = 64;
    /** xen.h xen_domain_handle_t: uint8_t[16]. */
    public static final int XEN_DOMAIN_HANDLE_LEN = 16;

    /** features.h XENFEAT_writable_page_tables. */
    public static final int XENFEAT_writable_page_tables = 0;
    /** features.h XENFEAT_auto_translated_physmap. */
    public static final int XENFEAT_auto_translated_physmap = 2;
    /** features.h XENFEAT_hvm_callback_vector. */
    public static final int XENFEAT_hvm_callback_vector = 8;
    /** features.h XENFEAT_hvm_safe_pvclock. */
    public static final int XENFEAT_hvm_safe_pvclock = 9;
    /** features.h XENFEAT_hvm_pirqs. */
    public static final int XENFEAT_hvm_pirqs = 10;
    /** features.h XENFEAT_dom0. */
    public static final int XENFEAT_dom0 = 11;
    /** features.h XENFEAT_memory_op_vnode_supported. */
    public static final int XENFEAT_memory_op_vnode_supported = 13;
    /** features.h XENFEAT_not_direct_mapped. */
    public static final int XENFEAT_not_direct_mapped = 16;
    /** features.h XENFEAT_direct_mapped. */
    public static final int XENFEAT_direct_mapped = 17;
}
