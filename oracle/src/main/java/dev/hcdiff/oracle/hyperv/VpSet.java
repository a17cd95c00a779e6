package dev.hcdiff.oracle.hyperv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * HV_VP_SET (TLFS datatype hv_vp_set): {@code Format u64, ValidBanksMask u64, BankContents[]}.
 * Format 0 is a sparse set: bank b covers VP indices 64b…64b+63 and has one u64 in BankContents
 * for each set bit of ValidBanksMask, in ascending bank order (a listed bank may be all zero);
 * format 1 is every VP of the partition. The bank words are the call's variable header, so a
 * well-formed call's header size is the number of banks.
 *
 * @param format     0 sparse 4K, 1 all; anything else is kept as given (each personality judges it)
 * @param validBanks ValidBanksMask
 * @param banks      BankContents, one word per set bit of {@code validBanks}
 */
public record VpSet(long format, long validBanks, long[] banks) {

    /** HV_GENERIC_SET_SPARSE_4K (TLFS datatype hv_vp_set; Linux hvgdk_mini.h). */
    public static final long FORMAT_SPARSE_4K = 0;
    /** HV_GENERIC_SET_ALL. */
    public static final long FORMAT_ALL = 1;
    /** VPs per bank: one bit of a u64 each. */
    public static final int VPS_PER_BANK = 64;
    /** Bytes of Format and ValidBanksMask before the bank words. */
    public static final int HEADER_BYTES = 16;

    public VpSet {
        banks = banks.clone();
        if (banks.length != Long.bitCount(validBanks)) {
            throw new IllegalArgumentException("VP set lists " + banks.length + " bank words for "
                    + Long.bitCount(validBanks) + " valid banks");
        }
    }

    @Override
    public long[] banks() {
        return banks.clone();
    }

    /** The number of bank words: popcount(ValidBanksMask). */
    public int bankCount() {
        return banks.length;
    }

    /** The sparse set holding exactly {@code vps} (each 0 ≤ vp &lt; 4096), as a guest builds it. */
    public static VpSet sparse(Collection<Integer> vps) {
        long[] byBank = new long[VPS_PER_BANK];
        long mask = 0;
        for (int vp : new TreeSet<>(vps)) {
            if (vp < 0 || vp >= VPS_PER_BANK * VPS_PER_BANK) {
                throw new IllegalArgumentException("VP index " + vp + " outside 0..4095");
            }
            byBank[vp / VPS_PER_BANK] |= 1L << (vp % VPS_PER_BANK);
            mask |= 1L << (vp / VPS_PER_BANK);
        }
        long[] words = new long[Long.bitCount(mask)];
        int w = 0;
        for (int b = 0; b < VPS_PER_BANK; b++) {
            if ((mask >>> b & 1) != 0) {
                words[w++] = byBank[b];
            }
        }
        return new VpSet(FORMAT_SPARSE_4K, mask, words);
    }

    /**
     * The VP indices a sparse set names, ascending, whatever the partition's size; for
     * {@link #FORMAT_ALL}, 0…{@code vcpus}-1.
     */
    public List<Integer> members(int vcpus) {
        List<Integer> out = new ArrayList<>();
        if (format == FORMAT_ALL) {
            for (int vp = 0; vp < vcpus; vp++) {
                out.add(vp);
            }
            return out;
        }
        int w = 0;
        for (int b = 0; b < VPS_PER_BANK; b++) {
            if ((validBanks >>> b & 1) == 0) {
                continue;
            }
            long word = banks[w++];
            for (int bit = 0; bit < VPS_PER_BANK; bit++) {
                if ((word >>> bit & 1) != 0) {
                    out.add(b * VPS_PER_BANK + bit);
                }
            }
        }
        return out;
    }

    /** The set as guest memory holds it: Format, ValidBanksMask, then the bank words, little-endian. */
    public byte[] bytes() {
        byte[] b = new byte[HEADER_BYTES + 8 * banks.length];
        SimPage.Le.put(b, 0, format, 8);
        SimPage.Le.put(b, 8, validBanks, 8);
        for (int i = 0; i < banks.length; i++) {
            SimPage.Le.put(b, HEADER_BYTES + 8 * i, banks[i], 8);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VpSet v && v.format == format && v.validBanks == validBanks && Arrays.equals(v.banks, banks);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(format) * 31 + Long.hashCode(validBanks) * 17 + Arrays.hashCode(banks);
    }

    @Override
    public String toString() {
        return String.format("VpSet[format=%d, validBanks=0x%x, banks=%s]", format, validBanks,
                Arrays.stream(banks).mapToObj(w -> "0x" + Long.toHexString(w)).toList());
    }
}
