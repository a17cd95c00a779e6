package dev.hcdiff.recorder.guest;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The hvm_info_table an xl HVM domain starts with (xen/include/public/hvm/hvm_info_table.h;
 * tools/libs/guest/xg_dom_x86.c build_hvm_info(); tools/libs/light/libxl_dom.c
 * hvm_build_set_params()). hvmloader's validate_hvm_info() needs the byte sum to be 0.
 */
class HvmInfoTableTest {

    @Test
    void sixtyFourMegabytesOneVcpuIsExactlyTheseBytes() {
        // Written out by hand from the header: "HVM INFO", length 48, checksum, apic_mode 1, pad,
        // nr_vcpus 1, low_mem_pgend 0x4000, reserved_mem_pgstart 0xFEFF0 (ioreq_server_pfn(0)),
        // high_mem_pgend 0, vcpu_online {0x01, 0 ...}. Checksum: the other bytes sum to
        // 567 + 48 + 1 + 1 + 0x40 + 0xf0 + 0xef + 0x0f + 1 = 1176 = 0x498, so 0x100 - 0x98 = 0x68.
        String expected = "48564d20494e464f" + "30000000" + "68" + "01" + "0000" + "01000000" + "00400000"
                + "f0ef0f00" + "00000000" + "01" + "00".repeat(15);
        assertEquals(expected, HexFormat.of().formatHex(HvmInfoTable.build(64L << 20, 1)));
    }

    @Property(tries = 200, seed = "20261125")
    void bytesSumToZeroAndFieldsFollowTheDomain(@ForAll @IntRange(min = 1, max = 0xF0000) int pages,
                                                 @ForAll @IntRange(min = 1, max = 128) int vcpus) {
        byte[] t = HvmInfoTable.build((long) pages << 12, vcpus);
        assertEquals(48, t.length);
        assertEquals(0, HvmInfoTable.byteSum(t, 48));
        ByteBuffer b = ByteBuffer.wrap(t).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(48, b.getInt(8));
        assertEquals(vcpus, b.getInt(16));
        assertEquals(pages, b.getInt(20));
        assertEquals(0xFEFF0, b.getInt(24));
        assertEquals(0, b.getInt(28));
        int online = 0;
        for (int i = 32; i < 48; i++) {
            online += Integer.bitCount(t[i] & 0xFF);
        }
        assertEquals(vcpus, online, "vcpu_online has one bit per vCPU");
        assertEquals(1, t[32] & 1, "vCPU 0 is online");
    }

    @Test
    void memoryAboveTheMmioHoleOrUnalignedIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HvmInfoTable.build(0xF0001000L, 1));
        assertThrows(IllegalArgumentException.class, () -> HvmInfoTable.build(4097, 1));
        assertThrows(IllegalArgumentException.class, () -> HvmInfoTable.build(1L << 20, 129));
    }
}
