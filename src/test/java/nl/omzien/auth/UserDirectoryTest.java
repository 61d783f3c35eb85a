package nl.omzien.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import nl.omzien.testing.TestApp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The user directory's check of locally signed users")
class UserDirectoryTest {

  @Test
  @DisplayName("creates each user's row once, and spreads the next checks of users seen together over 15-30 s")
  void spreadsRechecks() throws Exception {
    try (TestApp app = TestApp.start("userdirectory")) {
      UserDirectory directory = new UserDirectory(app.app().database().pool());
      List<UUID> users = new ArrayList<>();
      long before = System.nanoTime();
      for (int i = 0; i < 400; i++) {
        UUID id = UUID.randomUUID();
        users.add(id);
        Principal principal = new Principal(id, Set.of(Role.RESIDENT), Set.of(), "omzien-local");
        assertEquals(principal, directory.ensureLocal(principal).await(10, TimeUnit.SECONDS));
      }
      long after = System.nanoTime();
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      int[] buckets = new int[5]; // 15-18 s, 18-21 s, ... 27-30 s after the check
      for (UUID id : users) {
        long until = directory.believedUntil(id).orElseThrow();
        assertTrue(until >= before + UserDirectory.RECHECK_NANOS / 2, "believed for at least 15 s");
        assertTrue(until <= after + UserDirectory.RECHECK_NANOS, "believed for at most 30 s");
        min = Math.min(min, until);
        max = Math.max(max, until);
        long held = until - before;
        buckets[(int) Math.min(4, Math.max(0, (held - UserDirectory.RECHECK_NANOS / 2) * 10 / UserDirectory.RECHECK_NANOS))]++;
      }
      // 400 users checked within a few seconds: their next checks spread over most of the 15 s window, not one instant.
      assertTrue(max - min > TimeUnit.SECONDS.toNanos(10), "spread " + (max - min) / 1e9 + " s");
      for (int count : buckets) {
        assertTrue(count > 30, "every 3 s of the window holds some of them: " + java.util.Arrays.toString(buckets));
      }
      // Each user got its row (an erased account is refused at its next check: PrivacyTest).
      assertEquals(400L, Long.parseLong(app.app().database().pool()
          .query("select count(*) from app_user where id = any(array[" + String.join(",",
              users.stream().map(u -> "'" + u + "'::uuid").toList()) + "])")
          .execute().await(10, TimeUnit.SECONDS).iterator().next().getValue(0).toString()));
    }
  }
}
