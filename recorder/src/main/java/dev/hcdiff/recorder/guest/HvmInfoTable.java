package dev.hcdiff.recorder.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code struct hvm_info_table} an xl HVM domain finds at {@link HvmLayout#HVM_INFO_PADDR}
 * ({@code xen/include/public/hvm/hvm_info_table.h}), built as libxc's {@code build_hvm_info()}
 * ({@code tools/libs/guest/xg_dom_x86.c}) and then libxl's {@code hvm_build_set_params()}
 * ({@code tools/libs/light/libxl_dom.c}) leave it: apic_mode from libxl's default {@code apic=1},
 * {@code nr_vcpus = max_vcpus}, {@code vcpu_online} = the avail_vcpus bitmap, low_mem_pgend =
 * lowmem_end >> 12, high_mem_pgend 0 (no RAM above 4 GiB), reserved_mem_pgstart =
 * {@code ioreq_server_pfn(0)}, and a checksum that makes the byte sum over {@code length} zero
 * (hvmloader's {@code validate_hvm_info()} BUGs otherwise).
 *
 * <pre>
 * struct hvm_info_table {
 *     char     signature[8];          // @0  "HVM INFO"
 *     uint32_t length;                // @8  sizeof = 48
 *     uint8_t  checksum;              // @12
 *     uint8_t  apic_mode;             // @13
 *     uint32_t nr_vcpus;              // @16
 *     uint32_t low_mem_pgend;         // @20
 *     uint32_t reserved_mem_pgstart;  // @24
 *     uint32_t high_mem_pgend;        // @28
 *     uint8_t  vcpu_online[16];       // @32 (HVM_MAX_VCPUS 128 bits)
 * };
 * </pre>
 */
public final class HvmInfoTable {

    private HvmInfoTable() {
    }

    /** {@code sizeof(struct hvm_info_table)}. */
    public static final int SIZE = 48;
    public static final byte[] SIGNATURE = "HVM INFO".getBytes(StandardCharsets.US_ASCII);
    static final int LENGTH = 8;
    static final int CHECKSUM = 12;
    static final int APIC_MODE = 13;
    static final int NR_VCPUS = 16;
    static final int LOW_MEM_PGEND = 20;
    static final int RESERVED_MEM_PGSTART = 24;
    static final int HIGH_MEM_PGEND = 28;
    static final int VCPU_ONLINE = 32;
    /** {@code hvm_info_table.h}: HVM_MAX_VCPUS 128. */
    static final int HVM_MAX_VCPUS = 128;
    /** libxl's default {@code apic=1} for HVM ({@code libxl_create.c}: libxl_defbool_setdefault(&b_info->apic, true)). */
    static final int APIC_MODE_DEFAULT = 1;

    /**
     * The table's bytes.
     *
     * @param lowMemBytes lowmem_end: RAM below the MMIO hole, a multiple of 4 KiB, at most
     *                    {@link HvmLayout#HVM_BELOW_4G_RAM_END}
     * @param vcpus       max_vcpus = online vCPUs, 1..128
     * @throws IllegalArgumentException for values a real domain builder could not produce
     */
    public static byte[] build(long lowMemBytes, int vcpus) {
        if (lowMemBytes <= 0 || lowMemBytes % 4096 != 0 || lowMemBytes > HvmLayout.HVM_BELOW_4G_RAM_END) {
            throw new IllegalArgumentException("low memory must be whole pages below 0xf0000000, got 0x"
                    + Long.toHexString(lowMemBytes));
        }
        if (vcpus < 1 || vcpus > HVM_MAX_VCPUS) {
            throw new IllegalArgumentException("an HVM domain has 1.." + HVM_MAX_VCPUS + " vCPUs, got " + vcpus);
        }
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, SIGNATURE);
        b.putInt(LENGTH, SIZE);
        b.put(APIC_MODE, (byte) APIC_MODE_DEFAULT);
        b.putInt(NR_VCPUS, vcpus);
        b.putInt(LOW_MEM_PGEND, (int) (lowMemBytes >>> 12));
        b.putInt(RESERVED_MEM_PGSTART, (int) HvmLayout.IOREQ_SERVER_PFN_0);
        b.putInt(HIGH_MEM_PGEND, 0);
        for (int v = 0; v < vcpus; v++) {
            b.put(VCPU_ONLINE + v / 8, (byte) (b.get(VCPU_ONLINE + v / 8) | 1 << (v % 8)));
        }
        byte[] out = b.array();
        out[CHECKSUM] = (byte) -byteSum(out, SIZE);
        return out;
    }

    /** The low 8 bits of the sum of the first {@code length} bytes (zero for a valid table). */
    public static int byteSum(byte[] table, int length) {
        int sum = 0;
        for (int i = 0; i < length; i++) {
            sum += table[i];
        }
        return sum & 0xFF;
    }
}
