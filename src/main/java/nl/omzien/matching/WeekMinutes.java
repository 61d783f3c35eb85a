package nl.omzien.matching;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Weekly local time (Europe/Amsterdam) as minutes since Monday 00:00, so "is this volunteer free then?" is a
 * few integer comparisons inside the index filter. A request's windows become {@code [start, end)} pairs starting
 * in the first week (a window that runs past Sunday midnight simply ends after {@link #WEEK}); a volunteer's slots
 * are {@linkplain #normalise normalised} over two weeks, so free time that runs across midnight or across Sunday
 * night counts as one stretch.
 */
final class WeekMinutes {
  static final ZoneId ZONE = ZoneId.of("Europe/Amsterdam");
  static final int WEEK = 7 * 24 * 60;

  private WeekMinutes() {
  }

  static int of(int isoDay, int minuteOfDay) {
    return (isoDay - 1) * 1440 + minuteOfDay;
  }

  /**
   * The weekly interval a time window covers, {@code [start, end]} in local time; it may end after {@link #WEEK}
   * when it runs into the next week. A window of a week or more covers the whole week.
   */
  static int[] ofWindow(Instant start, Instant end) {
    if (Duration.between(start, end).toMinutes() >= WEEK) {
      return new int[] {0, WEEK};
    }
    ZonedDateTime localStart = start.atZone(ZONE);
    int from = of(localStart.getDayOfWeek().getValue(), localStart.getHour() * 60 + localStart.getMinute());
    return new int[] {from, from + (int) Duration.between(start, end).toMinutes()};
  }

  /**
   * A volunteer's weekly slots as sorted, merged {@code [start, end]} pairs over two weeks (each slot also a week
   * later), so a window starting in week one finds the whole stretch of free time it falls in. A slot ending at
   * 23:59 (the latest time the contract allows) runs to midnight: free Monday until 23:59 and Tuesday from
   * 00:00 is free through the night.
   */
  static int[] normalise(int[] slots) {
    List<int[]> parts = new ArrayList<>();
    for (int i = 0; i + 1 < slots.length; i += 2) {
      int end = slots[i + 1] % 1440 == 1439 ? slots[i + 1] + 1 : slots[i + 1];
      parts.add(new int[] {slots[i], end});
      parts.add(new int[] {slots[i] + WEEK, end + WEEK});
    }
    parts.sort((a, b) -> Integer.compare(a[0], b[0]));
    List<int[]> merged = new ArrayList<>();
    for (int[] part : parts) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && part[0] <= last[1]) {
        last[1] = Math.max(last[1], part[1]);
      } else {
        merged.add(part.clone());
      }
    }
    return concat(merged);
  }

  /** Concatenates interval arrays. */
  static int[] concat(List<int[]> parts) {
    int size = parts.stream().mapToInt(p -> p.length).sum();
    int[] all = new int[size];
    int at = 0;
    for (int[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  /** The longest overlap, in minutes, between any interval of {@code a} and any of {@code b}. */
  static int longestOverlap(int[] a, int[] b) {
    int best = 0;
    for (int i = 0; i < a.length; i += 2) {
      for (int j = 0; j < b.length; j += 2) {
        int overlap = Math.min(a[i + 1], b[j + 1]) - Math.max(a[i], b[j]);
        if (overlap > best) {
          best = overlap;
        }
      }
    }
    return best;
  }

  static List<int[]> windows(List<Instant[]> windows) {
    List<int[]> parts = new ArrayList<>();
    windows.forEach(w -> parts.add(ofWindow(w[0], w[1])));
    return parts;
  }
}
