package nl.omzien.reports;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Small-number suppression: no figure may single out a few people. A count below {@value #THRESHOLD} is reported
 * as {@value #MARKER}; so is anything derived from fewer than {@value #THRESHOLD} (a share whose numerator or
 * denominator is below it, a median or mean over fewer observations). A suppressed count also hides the share
 * built on it, or the share would give the count away.
 */
public final class Suppression {
  /** Counts below this are not shown. */
  public static final int THRESHOLD = 5;
  /** What is shown instead. */
  public static final String MARKER = "<5";

  private Suppression() {
  }

  /** The count, or the marker when it is below the threshold. */
  public static Object count(long n) {
    return n < THRESHOLD ? MARKER : n;
  }

  /** {@code part / whole} as a fraction with 3 decimals, or the marker when either is below the threshold. */
  public static Object share(long part, long whole) {
    if (part < THRESHOLD || whole < THRESHOLD) {
      return MARKER;
    }
    return round((double) part / whole, 3);
  }

  /** A value computed from {@code observations} observations (median, mean, sum), or the marker. */
  public static Object derived(Double value, long observations, int decimals) {
    if (observations < THRESHOLD || value == null) {
      return MARKER;
    }
    return round(value, decimals);
  }

  static double round(double value, int decimals) {
    return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
  }
}
