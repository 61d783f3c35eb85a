package nl.omzien.matching;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Weekly local time (Europe/Amsterdam) as minutes since Monday 00:00, so "is this volunteer free then?" is a
 * few integer comparisons inside the index filter. A volunteer's slots and a request's windows both become
 * sorted {@code [start, end)} pairs in {@code [0, 10080)}; a window that crosses Sunday midnight is split.
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
   * The weekly intervals a time window covers, as a flat {@code [start0, end0, start1, end1, ...]} array in
   * local time. A window of a week or more covers the whole week.
   */
  static int[] ofWindow(Instant start, Instant end) {
    if (Duration.between(start, end).toMinutes() >= WEEK) {
      return new int[] {0, WEEK};
    }
    ZonedDateTime localStart = start.atZone(ZONE);
    int from = of(localStart.getDayOfWeek().getValue(), localStart.getHour() * 60 + localStart.getMinute());
    int length = (int) Duration.between(start, end).toMinutes();
    int to = from + length;
    return to <= WEEK ? new int[] {from, to} : new int[] {from, WEEK, 0, to - WEEK};
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
