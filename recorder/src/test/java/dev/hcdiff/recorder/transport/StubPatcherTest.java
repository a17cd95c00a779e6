package dev.hcdiff.recorder.transport;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transport patch turns Xen's stubs into `out %al,$0xe5; nop` and touches nothing else. */
class StubPatcherTest {

    /**
     * Xen 4.17's hypercall page for HVM (xen-abi.md §1.2, init_hypercall_page and
     * vmx/svm_init_hypercall_page): 0xCC everywhere; stub i at i*32 is B8 i32, the trap, C3;
     * stub 23 (iret) is 0F 0B (ud2).
     */
    private static byte[] xenPage(boolean amd) {
        byte[] p = new byte[4096];
        Arrays.fill(p, (byte) 0xCC);
        for (int i = 0; i < 128; i++) {
            int o = i * 32;
            if (i == 23) {
                p[o] = 0x0F;
                p[o + 1] = 0x0B;
                continue;
            }
            p[o] = (byte) 0xB8;
            p[o + 1] = (byte) i;
            p[o + 2] = 0;
            p[o + 3] = 0;
            p[o + 4] = 0;
            p[o + 5] = 0x0F;
            p[o + 6] = 0x01;
            p[o + 7] = amd ? (byte) 0xD9 : (byte) 0xC1;
            p[o + 8] = (byte) 0xC3;
        }
        return p;
    }

    @Test
    void everyXenStubBecomesAnOutToTheTransportPort() {
        for (boolean amd : new boolean[] {false, true}) {
            byte[] page = xenPage(amd);
            byte[] original = page.clone();
            assertEquals(127, StubPatcher.patch(page));
            for (int i = 0; i < 128; i++) {
                int o = i * 32;
                if (i == 23) {
                    assertEquals(0x0F, page[o]);
                    assertEquals(0x0B, page[o + 1]);
                    continue;
                }
                // mov $i,%eax unchanged; E6 E5 90 (out %al,$0xe5; nop) in place of the trap; ret unchanged.
                assertEquals((byte) 0xB8, page[o]);
                assertEquals((byte) i, page[o + 1]);
                assertEquals((byte) 0xE6, page[o + 5]);
                assertEquals((byte) 0xE5, page[o + 6]);
                assertEquals((byte) 0x90, page[o + 7]);
                assertEquals((byte) 0xC3, page[o + 8]);
            }
            int changed = 0;
            for (int i = 0; i < page.length; i++) {
                if (page[i] != original[i]) {
                    changed++;
                }
            }
            assertEquals(127 * 3, changed);
            assertFalse(containsTrap(page));
        }
    }

    @Property(tries = 500, seed = "20261125")
    void patchedCodeHoldsNoTrapAndOnlyTrapsChanged(@ForAll @Size(max = 300) byte[] code) {
        // Seed some traps so the property sees them often.
        for (int i = 0; i + 2 < code.length; i += 37) {
            code[i] = 0x0F;
            code[i + 1] = 0x01;
            code[i + 2] = (i & 1) == 0 ? (byte) 0xC1 : (byte) 0xD9;
        }
        byte[] before = code.clone();
        int n = StubPatcher.patch(code);
        assertFalse(containsTrap(code));
        int changedTriples = 0;
        for (int i = 0; i < code.length; i++) {
            if (code[i] != before[i]) {
                int start = i;
                while (start > 0 && !(before[start] == 0x0F && code[start] == (byte) 0xE6)) {
                    start--;
                }
                assertTrue(StubPatcher.isTrap(before, start), "changed byte " + i + " is not inside a trap");
            }
            if (code[i] == (byte) 0xE6 && before[i] == 0x0F) {
                changedTriples++;
            }
        }
        assertEquals(n, changedTriples);
        assertEquals(before.length, code.length);
    }

    private static boolean containsTrap(byte[] code) {
        for (int i = 0; i + 2 < code.length; i++) {
            if (StubPatcher.isTrap(code, i)) {
                return true;
            }
        }
        return false;
    }
}
