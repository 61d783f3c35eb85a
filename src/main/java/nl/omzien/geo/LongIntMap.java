package nl.omzien.geo;

/**
 * A fixed-capacity open-addressing hash map from {@code long} to non-negative {@code int}, written once
 * while an immutable snapshot is built and only read afterwards (safe to share between threads once
 * published through a volatile field). Avoids a million boxed {@code Long}s.
 */
final class LongIntMap {

    private static final int ABSENT = -1;

    private final long[] keys;
    private final int[] values;
    private final int mask;

    LongIntMap(int expectedSize) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedSize) * 2 - 1) << 1; // load factor <= 0.5
        keys = new long[capacity];
        values = new int[capacity];
        java.util.Arrays.fill(values, ABSENT);
        mask = capacity - 1;
    }

    /** The value for {@code key}, or -1 if absent. */
    int get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            int v = values[i];
            if (v == ABSENT) {
                return ABSENT;
            }
            if (keys[i] == key) {
                return v;
            }
        }
    }

    /** Stores {@code key -> value} unless the key is present; returns false if it was. */
    boolean putIfAbsent(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values must be non-negative");
        }
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == ABSENT) {
                keys[i] = key;
                values[i] = value;
                return true;
            }
            if (keys[i] == key) {
                return false;
            }
        }
    }

    private int slot(long key) {
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h & mask;
    }
}
