package nl.omzien.matching;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared instance per distinct value for what a million volunteer cards mostly repeat: skill and language sets
 * (a few hundred distinct combinations of contract enums) and VOG dates. Decoded from rows one by one, each card
 * held its own sets and strings: with 1M volunteers that was 2M sets and 2.3M strings, about 180 MB of a 490 MB heap
 * (heap histogram after {@code src/scripts/load-startup.sh}). Bounded, so unexpected variety only stops the sharing.
 * Thread-safe.
 */
final class SharedValues {
  static final int LIMIT = 20_000;

  private final Map<List<String>, Set<String>> sets = new ConcurrentHashMap<>();
  private final Map<LocalDate, LocalDate> dates = new ConcurrentHashMap<>();

  /** An immutable set of {@code values}, the same instance for the same values in any order. */
  Set<String> set(String[] values) {
    String[] sorted = values.clone();
    Arrays.sort(sorted);
    List<String> key = List.of(sorted);
    Set<String> shared = sets.get(key);
    if (shared != null) {
      return shared;
    }
    Set<String> fresh = Set.copyOf(key);
    if (sets.size() >= LIMIT) {
      return fresh;
    }
    Set<String> raced = sets.putIfAbsent(key, fresh);
    return raced != null ? raced : fresh;
  }

  /** The shared instance of {@code date} (null stays null). */
  LocalDate date(LocalDate date) {
    if (date == null) {
      return null;
    }
    LocalDate shared = dates.get(date);
    if (shared != null) {
      return shared;
    }
    if (dates.size() >= LIMIT) {
      return date;
    }
    LocalDate raced = dates.putIfAbsent(date, date);
    return raced != null ? raced : date;
  }
}
