package nl.omzien.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nl.omzien.demo.DemoPopulation.Resident;
import nl.omzien.demo.DemoPopulation.Volunteer;
import nl.omzien.geo.AreaIndex;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Synthetic demo population")
class DemoPopulationTest {
  private static final AreaIndex AREAS = AreaIndex.loadUtrecht();

  @Test
  @DisplayName("is the same for the same seed")
  void deterministic() {
    assertEquals(DemoPopulation.residents(AREAS, 50, 7), DemoPopulation.residents(AREAS, 50, 7));
    LocalDate day = LocalDate.of(2026, 11, 23);
    assertEquals(DemoPopulation.volunteers(AREAS, 50, 7, day), DemoPopulation.volunteers(AREAS, 50, 7, day));
  }

  @Test
  @DisplayName("places every person inside the buurt they are said to live in")
  void insideTheirBuurt() {
    for (Resident r : DemoPopulation.residents(AREAS, 500, 1)) {
      assertEquals(r.buurt().code(), AREAS.buurtAt(r.home().lat(), r.home().lon()).orElseThrow().buurtCode());
    }
    for (Volunteer v : DemoPopulation.volunteers(AREAS, 500, 1, LocalDate.of(2026, 1, 1))) {
      assertEquals(v.buurt().code(), AREAS.buurtAt(v.home().lat(), v.home().lon()).orElseThrow().buurtCode());
      assertTrue(v.travelKm() > 0 && v.travelKm() <= 50);
    }
  }

  @Test
  @DisplayName("draws residents per wijk in proportion to its inhabitants aged 65+")
  void proportionalToElderly() {
    int n = 20_000;
    List<Resident> residents = DemoPopulation.residents(AREAS, n, 3);
    Map<String, Integer> perWijk = new HashMap<>();
    residents.forEach(r -> perWijk.merge(r.buurt().wijkCode(), 1, Integer::sum));
    long elderly = AREAS.buurten().stream().mapToLong(AreaIndex.Buurt::population65Plus).sum();
    for (AreaIndex.Wijk wijk : AREAS.wijken()) {
      long wijkElderly = AREAS.buurten().stream().filter(b -> b.wijkCode().equals(wijk.code()))
          .mapToLong(AreaIndex.Buurt::population65Plus).sum();
      double expected = n * (double) wijkElderly / elderly;
      double actual = perWijk.getOrDefault(wijk.code(), 0);
      // Binomial standard deviation is at most ~sqrt(n/4) = 71; allow 5 sigma.
      assertTrue(Math.abs(actual - expected) < 5 * Math.sqrt(expected), wijk.name() + ": " + actual + " vs " + expected);
    }
  }
}
