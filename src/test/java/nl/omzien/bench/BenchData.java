package nl.omzien.bench;

import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.GeoPoint;
import nl.omzien.geo.PointIndex;

import java.util.ArrayList;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import nl.omzien.matching.VolunteerCard;
import nl.omzien.requests.HelpRequest;
import nl.omzien.requests.RequestStatus;
import java.util.SplittableRandom;

/**
 * Synthetic but plausibly placed volunteers for the benchmarks.
 *
 * <h2>Assumptions</h2>
 * <ul>
 *   <li><b>Utrecht</b>: volunteers live where people live: a buurt is drawn with probability proportional
 *       to its CBS 2024 inwoners, then a uniform point inside its polygon ({@link AreaIndex#randomPointIn}).
 *       Help requests come from the elderly: query points are drawn the same way, weighted by 65+.</li>
 *   <li><b>Netherlands</b>: 80 % of volunteers around 34 real city centres, weight proportional to the
 *       municipality's population (CBS, rounded), spread as a 2-D Gaussian with
 *       σ = 1.2 km × sqrt(population / 100,000) (Amsterdam ≈ 3.7 km, a city of 100k ≈ 1.2 km); 20 %
 *       rural noise uniform over the bounding box lat 50.75..53.55, lon 3.35..7.25 (which includes some
 *       sea, Belgium and Germany: harmless for timing). Queries follow the same distribution.</li>
 *   <li>Eligibility: 35 % have a car, 15 % are paused; the benchmark filter (car and not paused) accepts
 *       about 30 %, i.e. rejects about 70 %.</li>
 * </ul>
 */
public final class BenchData {

    /** The benchmark payload. */
    public record Volunteer(boolean hasCar, boolean paused) {
        public boolean eligibleForDriving() {
            return hasCar && !paused;
        }
    }

    /** name, lat, lon, inhabitants (municipality, about 2024). */
    private static final Object[][] CITIES = {
        {"Amsterdam", 52.3676, 4.9041, 931_000}, {"Rotterdam", 51.9244, 4.4777, 670_000},
        {"Den Haag", 52.0705, 4.3007, 566_000}, {"Utrecht", 52.0907, 5.1214, 374_000},
        {"Eindhoven", 51.4416, 5.4697, 246_000}, {"Groningen", 53.2194, 6.5665, 238_000},
        {"Tilburg", 51.5555, 5.0913, 227_000}, {"Almere", 52.3508, 5.2647, 226_000},
        {"Breda", 51.5719, 4.7683, 186_000}, {"Nijmegen", 51.8126, 5.8372, 185_000},
        {"Apeldoorn", 52.2112, 5.9699, 167_000}, {"Arnhem", 51.9851, 5.8987, 167_000},
        {"Haarlem", 52.3874, 4.6462, 165_000}, {"Hoofddorp", 52.3025, 4.6889, 160_000},
        {"Amersfoort", 52.1561, 5.3878, 161_000}, {"Enschede", 52.2215, 6.8937, 161_000},
        {"Zaandam", 52.4559, 4.8286, 159_000}, {"'s-Hertogenbosch", 51.6978, 5.3037, 160_000},
        {"Zwolle", 52.5168, 6.0830, 132_000}, {"Leiden", 52.1601, 4.4970, 127_000},
        {"Zoetermeer", 52.0575, 4.4931, 127_000}, {"Leeuwarden", 53.2012, 5.7999, 126_000},
        {"Maastricht", 50.8514, 5.6910, 122_000}, {"Dordrecht", 51.8133, 4.6901, 121_000},
        {"Ede", 52.0402, 5.6649, 120_000}, {"Alphen aan den Rijn", 52.1292, 4.6554, 114_000},
        {"Naaldwijk", 51.9917, 4.2125, 113_000}, {"Alkmaar", 52.6324, 4.7534, 110_000},
        {"Emmen", 52.7792, 6.9069, 108_000}, {"Delft", 52.0116, 4.3571, 105_000},
        {"Venlo", 51.3704, 6.1724, 102_000}, {"Deventer", 52.2661, 6.1552, 102_000},
        {"Hilversum", 52.2292, 5.1669, 92_000}, {"Heerlen", 50.8882, 5.9795, 87_000},
    };

    private BenchData() {
    }

    static Volunteer randomVolunteer(SplittableRandom random) {
        return new Volunteer(random.nextDouble() < 0.35, random.nextDouble() < 0.15);
    }

    /**
     * A full matching card for a benchmark volunteer, consistent with its car and pause: travels 2-15 km, two to
     * four weekly daytime slots of 2-6 hours, Dutch (a third also English), half with a VOG.
     */
    public static VolunteerCard card(PointIndex.Entry<Volunteer> volunteer, SplittableRandom random) {
        int slots = 2 + random.nextInt(3);
        int[] week = new int[slots * 2];
        for (int i = 0; i < slots; i++) {
            int start = (i * 7 / slots + random.nextInt(2)) * 1440 + (8 + random.nextInt(9)) * 60;
            week[2 * i] = Math.min(start, 7 * 1440 - 360);
            week[2 * i + 1] = week[2 * i] + (2 + random.nextInt(5)) * 60;
        }
        java.util.Arrays.sort(week);
        return new VolunteerCard(new UUID(0, volunteer.id()), volunteer.id(), volunteer.lat(), volunteer.lon(),
            2_000 + random.nextInt(13_000), volunteer.payload().hasCar() ? VolunteerCard.CAR : VolunteerCard.BIKE,
            Set.of(), random.nextInt(3) == 0 ? Set.of("nl", "en") : Set.of("nl"),
            random.nextBoolean() ? LocalDate.of(2025, 1, 1).plusDays(random.nextInt(600)) : null, 3,
            volunteer.payload().paused(), week, 1);
    }

    /** The same volunteers as matching cards. */
    public static List<PointIndex.Entry<VolunteerCard>> cards(List<PointIndex.Entry<Volunteer>> volunteers, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PointIndex.Entry<VolunteerCard>> out = new ArrayList<>(volunteers.size());
        for (PointIndex.Entry<Volunteer> v : volunteers) {
            out.add(new PointIndex.Entry<>(v.id(), v.lat(), v.lon(), card(v, random)));
        }
        return out;
    }

    /** A ride request at a point: Tuesday 10:00-12:00 Amsterdam time, to the UMC. */
    public static HelpRequest ride(double lat, double lon) {
        OffsetDateTime start = OffsetDateTime.of(2026, 12, 1, 10, 0, 0, 0, ZoneOffset.ofHours(1));
        return new HelpRequest(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), "transport",
            RequestStatus.OPEN, "normal", new JsonObject().put("mobility", new JsonArray()), null, lat, lon, null, null,
            List.of(new HelpRequest.Window(start, start.plusHours(2))), start, start, null, 0, null, null);
    }

    /** {@code n} volunteers in Utrecht weighted by buurt inwoners, ids 0..n-1. */
    public static List<PointIndex.Entry<Volunteer>> utrechtVolunteers(AreaIndex areas, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PointIndex.Entry<Volunteer>> out = new ArrayList<>(n);
        for (int id = 0; id < n; id++) {
            GeoPoint p = utrechtPoint(areas, random, false);
            out.add(new PointIndex.Entry<>(id, p.lat(), p.lon(), randomVolunteer(random)));
        }
        return out;
    }

    /** A point in Utrecht, buurt weighted by inwoners or by inwoners aged 65+. */
    public static GeoPoint utrechtPoint(AreaIndex areas, SplittableRandom random, boolean elderly) {
        List<AreaIndex.Buurt> buurten = areas.buurten();
        long total = 0;
        for (AreaIndex.Buurt b : buurten) {
            total += elderly ? b.population65Plus() : b.population();
        }
        long pick = random.nextLong(total);
        for (AreaIndex.Buurt b : buurten) {
            pick -= elderly ? b.population65Plus() : b.population();
            if (pick < 0) {
                return areas.randomPointIn(b, random);
            }
        }
        throw new IllegalStateException();
    }

    /** {@code n} volunteers across the Netherlands, ids 0..n-1. */
    public static List<PointIndex.Entry<Volunteer>> netherlandsVolunteers(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PointIndex.Entry<Volunteer>> out = new ArrayList<>(n);
        for (int id = 0; id < n; id++) {
            double[] p = netherlandsPoint(random);
            out.add(new PointIndex.Entry<>(id, p[0], p[1], randomVolunteer(random)));
        }
        return out;
    }

    /** A point from the Netherlands distribution, {@code {lat, lon}}. */
    public static double[] netherlandsPoint(SplittableRandom random) {
        if (random.nextDouble() < 0.2) {
            return new double[] {random.nextDouble(50.75, 53.55), random.nextDouble(3.35, 7.25)};
        }
        long total = 0;
        for (Object[] c : CITIES) {
            total += (Integer) c[3];
        }
        long pick = random.nextLong(total);
        Object[] city = CITIES[0];
        for (Object[] c : CITIES) {
            pick -= (Integer) c[3];
            if (pick < 0) {
                city = c;
                break;
            }
        }
        double sigmaMeters = 1_200 * Math.sqrt((Integer) city[3] / 100_000.0);
        double lat = (Double) city[1];
        double lon = (Double) city[2];
        double dLat = gaussian(random) * sigmaMeters / 111_195.0;
        double dLon = gaussian(random) * sigmaMeters / (111_195.0 * Math.cos(Math.toRadians(lat)));
        return new double[] {lat + dLat, lon + dLon};
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
