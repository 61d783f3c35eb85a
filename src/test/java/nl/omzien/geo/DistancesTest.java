package nl.omzien.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Distances")
class DistancesTest {

  /** How far {@code got} is from {@code Math.asin(x)}, in ulps of the latter. */
  private static double ulpsFromMathAsin(double x, double got) {
    double exact = Math.asin(x);
    return Math.abs(got - exact) / Math.ulp(exact);
  }

  @Test
  @DisplayName("asin's series is within two ulps of Math.asin below its limit, and is Math.asin above it")
  void asinSeries() {
    Random random = new Random(3);
    double worst = 0;
    for (int i = 0; i < 1_000_000; i++) {
      // uniform over the exponent as well as the mantissa: metres to a hundred kilometres
      double x = Distances.SERIES_LIMIT * Math.pow(10, -8 * random.nextDouble());
      worst = Math.max(worst, ulpsFromMathAsin(x, Distances.asin(x)));
    }
    for (double x : new double[] {Double.MIN_VALUE, 1e-300, 1e-12, Math.nextDown(Distances.SERIES_LIMIT)}) {
      worst = Math.max(worst, ulpsFromMathAsin(x, Distances.asin(x)));
    }
    assertTrue(worst <= 2, "worst " + worst + " ulps");
    assertEquals(0.0, Distances.asin(0.0));
    for (double x : new double[] {Distances.SERIES_LIMIT, 0.2, 0.5, 0.999, 1.0}) {
      assertEquals(Math.asin(x), Distances.asin(x), "x " + x);
    }
  }

  @Test
  @DisplayName("distances in metres stay those of Math.asin to within a nanometre, and grow with the haversine term")
  void metres() {
    Random random = new Random(5);
    double previous = 0;
    for (int i = 0; i < 200_000; i++) {
      double lat = 50.5 + random.nextDouble() * 3;
      double lon = 3.3 + random.nextDouble() * 4;
      double lat2 = lat + (random.nextDouble() - 0.5) * 0.2;
      double lon2 = lon + (random.nextDouble() - 0.5) * 0.3;
      double h = Distances.hav(lat, lon, Distances.cosLat(lat), lat2, lon2, Distances.cosLat(lat2));
      double withMathAsin = 2.0 * Distances.EARTH_RADIUS_METERS * Math.asin(Math.sqrt(h));
      assertEquals(withMathAsin, Distances.haversineMeters(lat, lon, lat2, lon2), 1e-9);
    }
    // across the switch to Math.asin, a sweep of haversine terms gives non-decreasing metres
    double limitH = Distances.SERIES_LIMIT * Distances.SERIES_LIMIT;
    for (double h = limitH * 0.999; h < limitH * 1.001; h += limitH * 1e-7) {
      double metres = Distances.metersFromHav(h);
      assertTrue(metres >= previous, "h " + h);
      previous = metres;
    }
    // Utrecht Centraal to the Dom tower, about 810 m
    assertEquals(808, Distances.haversineMeters(52.0894, 5.1101, 52.0908, 5.1217), 15);
  }
}
