package nl.omzien.geo;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AreaIndexTest {

    private static AreaIndex areas;

    @BeforeAll
    static void load() {
        areas = AreaIndex.loadUtrecht();
    }

    @Test
    @DisplayName("Utrecht has exactly 10 wijken and 111 buurten, each buurt in an existing wijk")
    void loadsAllAreas() {
        assertEquals(10, areas.wijken().size());
        assertEquals(111, areas.buurten().size());
        Map<String, AreaIndex.Wijk> wijken = areas.wijken().stream()
                .collect(Collectors.toMap(AreaIndex.Wijk::code, w -> w));
        for (AreaIndex.Buurt b : areas.buurten()) {
            assertTrue(wijken.containsKey(b.wijkCode()), b.code());
            assertEquals(wijken.get(b.wijkCode()).name(), b.wijkName(), b.code());
        }
        assertEquals(374_200, areas.buurten().stream().mapToInt(AreaIndex.Buurt::population).sum());
    }

    @Test
    @DisplayName("the wijk Binnenstad has CBS's 20,190 inwoners of whom 2,310 are 65+, and a closed outer ring in lat/lon order")
    void wijkAttributes() {
        AreaIndex.Wijk binnenstad = areas.wijken().stream()
                .filter(w -> w.code().equals("WK034406")).findFirst().orElseThrow();
        assertEquals("Binnenstad", binnenstad.name());
        assertEquals(20_190, binnenstad.population());
        assertEquals(2_310, binnenstad.population65Plus());
        List<double[]> outer = binnenstad.rings().get(0);
        assertTrue(outer.size() >= 4);
        assertEquals(outer.get(0)[0], outer.get(outer.size() - 1)[0]);
        for (double[] latLon : outer) {
            assertTrue(latLon[0] > 52.0 && latLon[0] < 52.2, "latitude first");
            assertTrue(latLon[1] > 5.0 && latLon[1] < 5.2, "longitude second");
        }
        outer.get(0)[0] = 0; // callers cannot change the index
        assertEquals(outer.get(outer.size() - 1)[0], binnenstad.rings().get(0).get(0)[0]);
    }

    @Test
    @DisplayName("the Domtoren (52.0908, 5.1217) lies in a buurt of wijk Binnenstad WK034406")
    void domtoren() {
        AreaIndex.Area area = areas.buurtAt(52.0908, 5.1217).orElseThrow();
        assertEquals("WK034406", area.wijkCode());
        assertEquals("Binnenstad", area.wijkName());
        assertTrue(area.buurtCode().startsWith("BU034406"));
        assertEquals(0.0, area.distanceMeters());
        assertEquals("WK034406", areas.wijkAt(52.0908, 5.1217).orElseThrow().code());
    }

    @Test
    @DisplayName("each buurt centroid from buurt_centroids_2024.csv lies in that buurt, and its wijk comes from the code")
    void centroidsLieInTheirBuurt() {
        List<Map<String, String>> rows = GeoResources.readCsv("/geo/buurt_centroids_2024.csv");
        assertEquals(111, rows.size());
        for (Map<String, String> row : rows) {
            double lat = Double.parseDouble(row.get("lat"));
            double lon = Double.parseDouble(row.get("lon"));
            String code = row.get("buurtcode");
            AreaIndex.Area area = areas.buurtAt(lat, lon).orElseThrow(() -> new AssertionError(code));
            assertAll(code,
                    () -> assertEquals(code, area.buurtCode()),
                    () -> assertEquals(row.get("buurtnaam"), area.buurtName()),
                    () -> assertEquals(row.get("wijkcode"), area.wijkCode()),
                    () -> assertEquals(row.get("wijk"), area.wijkName()),
                    () -> assertEquals(0.0, area.distanceMeters()),
                    () -> assertEquals(row.get("wijkcode"), areas.wijkAt(lat, lon).orElseThrow().code()));
        }
    }

    @Test
    @DisplayName("a buurt's wijk follows its code even where the wijk polygons disagree (Lauwerecht lies in the Noordwest polygon)")
    void wijkFromCodeNotGeometry() {
        AreaIndex.Buurt lauwerecht = areas.buurt("BU03440412").orElseThrow();
        GeoPoint c = lauwerecht.centroid();
        assertEquals("WK034404", areas.buurtAt(c.lat(), c.lon()).orElseThrow().wijkCode());
        assertEquals("Noordoost", areas.wijkAt(c.lat(), c.lon()).orElseThrow().name());
        assertEquals("WK034404", AreaIndex.wijkCodeOf("BU03440412"));
        assertThrows(IllegalArgumentException.class, () -> AreaIndex.wijkCodeOf("WK034404"));
    }

    @Test
    @DisplayName("points outside Utrecht (Amsterdam, Amersfoort) are in no buurt and no wijk")
    void outsideUtrecht() {
        assertEquals(Optional.empty(), areas.buurtAt(52.37, 4.90));
        assertEquals(Optional.empty(), areas.wijkAt(52.37, 4.90));
        assertEquals(Optional.empty(), areas.buurtAt(52.1561, 5.3878));
        assertEquals(Optional.empty(), areas.wijkAt(52.1561, 5.3878));
    }

    @Test
    @DisplayName("a point a little outside the municipal border falls back to the nearest buurt within 250 m, farther is nothing")
    void nearestBuurtFallback() {
        // Walk east from the Binnenstad until we leave every buurt, then probe just beyond and far beyond.
        AreaIndex.Buurt anyBuurt = areas.buurten().get(0);
        double lat = anyBuurt.centroid().lat();
        double lon = anyBuurt.centroid().lon();
        double step = 0.00001; // about 0.7 m of longitude
        while (areas.buurtAt(lat, lon).map(a -> a.distanceMeters() == 0).orElse(false)) {
            lon -= step; // west, towards the municipal border near Vleuten/De Meern
        }
        AreaIndex.Area nearby = areas.buurtAt(lat, lon).orElseThrow();
        assertTrue(nearby.distanceMeters() > 0 && nearby.distanceMeters() < 5, "just outside: " + nearby);
        double farLon = lon - Math.toDegrees(1000 / Distances.EARTH_RADIUS_METERS) / Math.cos(Math.toRadians(lat));
        if (areas.buurtAt(lat, farLon).isPresent()) {
            return; // the walk crossed a sliver between buurten inside Utrecht; the far probe is not outside
        }
        assertEquals(Optional.empty(), areas.wijkAt(lat, farLon));
    }

    @Test
    @DisplayName("random points drawn in a buurt land in that buurt and are reproducible with the same seed")
    void randomPointsLandInTheirBuurt() {
        SplittableRandom random = new SplittableRandom(42);
        for (AreaIndex.Buurt b : areas.buurten()) {
            for (int i = 0; i < 20; i++) {
                GeoPoint p = areas.randomPointIn(b, random);
                AreaIndex.Area area = areas.buurtAt(p.lat(), p.lon()).orElseThrow();
                assertEquals(b.code(), area.buurtCode());
                assertEquals(b.wijkCode(), areas.wijkAt(p.lat(), p.lon()).orElseThrow().code());
            }
        }
        AreaIndex.Buurt first = areas.buurten().get(0);
        assertEquals(areas.randomPointIn(first, new SplittableRandom(7)), areas.randomPointIn(first, new SplittableRandom(7)));
    }

    @Test
    @DisplayName("every point of a 150 m grid over Utrecht gets a wijk that agrees with its buurt's code")
    void gridConsistency() {
        int inBuurt = 0;
        for (double lat = 52.02; lat <= 52.15; lat += 0.00135) {
            for (double lon = 4.96; lon <= 5.20; lon += 0.0022) {
                Optional<AreaIndex.Area> buurt = areas.buurtAt(lat, lon);
                Optional<AreaIndex.Wijk> wijk = areas.wijkAt(lat, lon);
                if (buurt.isPresent() && buurt.get().distanceMeters() == 0) {
                    inBuurt++;
                    assertEquals(buurt.get().wijkCode(), wijk.orElseThrow().code());
                }
                if (buurt.isPresent()) {
                    assertTrue(wijk.isPresent(), "a point with a buurt has a wijk");
                }
            }
        }
        // about 98.6 km² of buurten / (0.15 km x 0.15 km) cells
        assertTrue(inBuurt > 3_500 && inBuurt < 5_500, "grid points inside buurten: " + inBuurt);
    }

    @Test
    @DisplayName("invalid coordinates are rejected rather than silently swapped")
    void rejectsInvalidCoordinates() {
        assertThrows(IllegalArgumentException.class, () -> areas.buurtAt(95.0, 5.12));
        assertThrows(IllegalArgumentException.class, () -> areas.wijkAt(Double.NaN, 5.12));
        assertFalse(areas.buurtAt(5.1217, 52.0908).isPresent(), "lon/lat swapped is somewhere in Africa, not Utrecht");
    }
}
