package nl.omzien.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdsTest {
  /** PostgreSQL orders uuids by their 16 bytes, unsigned, which is the unsigned order of the two halves. */
  private static int pgOrder(UUID a, UUID b) {
    int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }

  @Test
  @DisplayName("an id is a version-7, RFC 9562 variant UUID carrying the millisecond it was made")
  void versionVariantAndTime() {
    long now = 1_795_552_984_123L; // 2026-11-24
    UUID id = Ids.next(() -> now);
    assertEquals(7, id.version());
    assertEquals(2, id.variant());
    assertEquals(now, Ids.millis(id));
    assertTrue(id.toString().startsWith("01a20f4c-3c3b-7"), id.toString()); // the 48-bit time, big-endian, then 7
    assertThrows(IllegalArgumentException.class, () -> Ids.millis(UUID.randomUUID()));
  }

  @Test
  @DisplayName("ids of later milliseconds sort after earlier ones in PostgreSQL's order (the index appends)")
  void laterSortsAfter() {
    UUID earlier = Ids.next(() -> 1_795_552_984_123L);
    UUID later = Ids.next(() -> 1_795_552_984_124L);
    assertTrue(pgOrder(earlier, later) < 0);
  }

  @Test
  @DisplayName("ids of the same millisecond differ in their 74 random bits")
  void sameMillisecondDiffers() {
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      seen.add(Ids.next(() -> 1_795_552_984_123L));
    }
    assertEquals(10_000, seen.size());
    assertNotEquals(Ids.next(), Ids.next());
  }
}
