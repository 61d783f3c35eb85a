package nl.omzien.activities;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Comparator;
import nl.omzien.geo.AreaIndex;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The demo buurtcentra")
class ActivitiesDemoTest {

  @Test
  @DisplayName("sit one per wijk at the centroid of the wijk's most populous buurt, inside that buurt")
  void sitesMatchTheAreaIndex() {
    AreaIndex areas = AreaIndex.loadUtrecht();
    assertEquals(areas.wijken().size(), ActivitiesDemo.SITES.size());
    for (ActivitiesDemo.Site site : ActivitiesDemo.SITES) {
      AreaIndex.Buurt most = areas.buurten().stream()
          .filter(b -> b.wijkCode().equals(site.wijkCode()))
          .max(Comparator.comparingInt(AreaIndex.Buurt::population))
          .orElseThrow();
      assertEquals(most.code(), site.buurtCode());
      assertEquals(most.name(), site.buurtName());
      assertEquals(most.wijkName(), site.wijkName());
      assertEquals(most.centroid().lat(), site.lat(), 1e-9);
      assertEquals(most.centroid().lon(), site.lon(), 1e-9);
      assertEquals(site.buurtCode(), areas.buurtAt(site.lat(), site.lon()).orElseThrow().buurtCode());
    }
  }
}
