package nl.omzien.geo;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * The wijken and buurten of Utrecht (CBS 2024 division; "Bron: CBS, Kadaster/PDOK", CC BY 4.0), for
 * point-in-area look-ups. All coordinates are WGS84 degrees, latitude first; distances are metres.
 * Immutable and thread-safe.
 *
 * <h2>Which area a point is in</h2>
 * The polygons are generalised (3-23 vertices each), so borders can be off by tens of metres, and the
 * wijk and buurt layers were simplified independently: they do not nest exactly and leave slivers.
 * <ul>
 *   <li>{@link #buurtAt}: the buurt whose polygon covers the point (a point on a shared border goes to
 *       the lowest code); otherwise the buurt whose polygon is nearest, if it is within
 *       {@value #NEAREST_BUURT_FALLBACK_METERS} m (tiny gaps, and addresses just across the generalised
 *       municipal border); otherwise empty.</li>
 *   <li>{@link #wijkAt}: the wijk of the covering buurt, taken from the buurt <em>code</em>
 *       ({@code BU0344WWxx -> WK0344WW}) so it always agrees with {@code buurtAt}; if no buurt polygon
 *       covers the point, the wijk polygon that covers it; otherwise the wijk of the nearest buurt within
 *       {@value #NEAREST_BUURT_FALLBACK_METERS} m; otherwise empty.</li>
 * </ul>
 * Candidates come from an STRtree over the polygons' envelopes (the areas never change at run time) and
 * are refined with JTS prepared geometries; JTS x/y (= lon/lat) never leaves this class.
 */
public final class AreaIndex {

    /** Points outside every buurt polygon but at most this many metres from one belong to it. */
    public static final double NEAREST_BUURT_FALLBACK_METERS = 250;

    private static final Pattern BUURT_CODE = Pattern.compile("BU\\d{8}");
    private static final Pattern WIJK_CODE = Pattern.compile("WK\\d{6}");
    private static final GeometryFactory GEOMETRY = new GeometryFactory();

    /**
     * The buurt (and its wijk) a point lies in.
     *
     * @param buurtCode      CBS code, e.g. {@code BU03440610}
     * @param buurtName      CBS name
     * @param wijkCode       derived from the buurt code, e.g. {@code WK034406}
     * @param wijkName       short wijk name, e.g. {@code Binnenstad}
     * @param distanceMeters 0 if the buurt polygon covers the point, else the distance in metres to it
     *                       (at most {@value #NEAREST_BUURT_FALLBACK_METERS})
     */
    public record Area(String buurtCode, String buurtName, String wijkCode, String wijkName, double distanceMeters) {
    }

    /**
     * A wijk.
     *
     * @param code              CBS code, e.g. {@code WK034406}
     * @param name              short name, e.g. {@code Binnenstad}
     * @param population        inwoners (CBS KWB 2024, rounded to 5)
     * @param population65Plus  inwoners aged 65 or over
     * @param rings             polygon rings, outer ring first then holes; each vertex {@code {lat, lon}} in
     *                          degrees, closed (first vertex repeated last). The accessor returns a copy.
     */
    public record Wijk(String code, String name, int population, int population65Plus, List<List<double[]>> rings) {
        public Wijk {
            rings = copy(rings);
        }

        @Override
        public List<List<double[]>> rings() {
            return copy(rings);
        }

        private static List<List<double[]>> copy(List<List<double[]>> rings) {
            return rings.stream().map(ring -> ring.stream().map(double[]::clone).toList()).toList();
        }
    }

    /**
     * A buurt.
     *
     * @param code             CBS code, e.g. {@code BU03440610}
     * @param name             CBS name
     * @param wijkCode         derived from the code
     * @param wijkName         short name of that wijk
     * @param population       inwoners (CBS KWB 2024, rounded to 5)
     * @param population65Plus inwoners aged 65 or over
     * @param centroid         area centroid (computed by CBS data preparation in RD; inside the polygon)
     */
    public record Buurt(String code, String name, String wijkCode, String wijkName, int population,
                        int population65Plus, GeoPoint centroid) {
    }

    private static final class Region<A> {
        final A area;
        final String code;
        final Geometry geometry;
        final PreparedGeometry prepared;

        Region(A area, String code, Geometry geometry) {
            this.area = area;
            this.code = code;
            this.geometry = geometry;
            this.prepared = PreparedGeometryFactory.prepare(geometry);
        }
    }

    private final List<Wijk> wijken;
    private final List<Buurt> buurten;
    private final Map<String, Region<Buurt>> buurtByCode;
    private final STRtree buurtTree;
    private final STRtree wijkTree;
    private final Map<String, Wijk> wijkByCode;

    private AreaIndex(List<Region<Wijk>> wijkRegions, List<Region<Buurt>> buurtRegions) {
        this.wijken = wijkRegions.stream().map(r -> r.area).toList();
        this.buurten = buurtRegions.stream().map(r -> r.area).toList();
        this.wijkByCode = new LinkedHashMap<>();
        wijkRegions.forEach(r -> wijkByCode.put(r.code, r.area));
        this.buurtByCode = new LinkedHashMap<>();
        buurtRegions.forEach(r -> buurtByCode.put(r.code, r));
        this.wijkTree = tree(wijkRegions);
        this.buurtTree = tree(buurtRegions);
    }

    private static STRtree tree(List<? extends Region<?>> regions) {
        STRtree tree = new STRtree();
        regions.forEach(r -> tree.insert(r.geometry.getEnvelopeInternal(), r));
        tree.build(); // freezes it; queries from many threads are then safe
        return tree;
    }

    /**
     * Loads the 10 wijken and 111 buurten of Utrecht from the classpath ({@code /geo/*}).
     *
     * @throws IllegalStateException if the resources are missing or inconsistent
     */
    public static AreaIndex loadUtrecht() {
        List<Region<Wijk>> wijkRegions = new ArrayList<>();
        for (Map<String, Object> feature : GeoResources.readFeatures("/geo/wijken_2024_wgs84.geojson")) {
            Map<String, Object> props = properties(feature);
            String code = requireCode(WIJK_CODE, (String) props.get("statcode"));
            Geometry geometry = geometry(feature);
            Wijk wijk = new Wijk(code, (String) props.get("wijk"), intOrZero(props.get("a_inw")),
                    intOrZero(props.get("a_65_oo")), rings(geometry));
            wijkRegions.add(new Region<>(wijk, code, geometry));
        }
        wijkRegions.sort(Comparator.comparing(r -> r.code));
        Map<String, String> wijkNames = new LinkedHashMap<>();
        wijkRegions.forEach(r -> wijkNames.put(r.code, r.area.name()));

        Map<String, Map<String, String>> centroidRows = new LinkedHashMap<>();
        for (Map<String, String> row : GeoResources.readCsv("/geo/buurt_centroids_2024.csv")) {
            centroidRows.put(row.get("buurtcode"), row);
        }
        List<Region<Buurt>> buurtRegions = new ArrayList<>();
        for (Map<String, Object> feature : GeoResources.readFeatures("/geo/buurten_2024_wgs84.geojson")) {
            String code = requireCode(BUURT_CODE, (String) properties(feature).get("statcode"));
            Map<String, String> row = centroidRows.get(code);
            if (row == null) {
                throw new IllegalStateException("no centroid row for " + code);
            }
            String wijkCode = wijkCodeOf(code);
            String wijkName = wijkNames.get(wijkCode);
            if (wijkName == null) {
                throw new IllegalStateException("buurt " + code + " refers to unknown wijk " + wijkCode);
            }
            Buurt buurt = new Buurt(code, row.get("buurtnaam"), wijkCode, wijkName,
                    Integer.parseInt(row.get("inwoners")), Integer.parseInt(row.get("inwoners_65plus")),
                    new GeoPoint(Double.parseDouble(row.get("lat")), Double.parseDouble(row.get("lon"))));
            buurtRegions.add(new Region<>(buurt, code, geometry(feature)));
        }
        buurtRegions.sort(Comparator.comparing(r -> r.code));
        return new AreaIndex(wijkRegions, buurtRegions);
    }

    /** {@code BU0344WWxx -> WK0344WW}. */
    static String wijkCodeOf(String buurtCode) {
        requireCode(BUURT_CODE, buurtCode);
        return "WK" + buurtCode.substring(2, 8);
    }

    /** The 10 wijken, by code. */
    public List<Wijk> wijken() {
        return wijken;
    }

    /** The 111 buurten, by code. */
    public List<Buurt> buurten() {
        return buurten;
    }

    /** The buurt with this CBS code. */
    /** The wijk with this CBS code (e.g. {@code WK034403}). */
    public Optional<Wijk> wijk(String code) {
        return Optional.ofNullable(wijkByCode.get(code));
    }

    public Optional<Buurt> buurt(String code) {
        Region<Buurt> region = buurtByCode.get(code);
        return region == null ? Optional.empty() : Optional.of(region.area);
    }

    /**
     * The buurt a point lies in, see the class comment for slivers and the {@value #NEAREST_BUURT_FALLBACK_METERS} m
     * fallback.
     *
     * @param lat latitude in degrees
     * @param lon longitude in degrees
     */
    public Optional<Area> buurtAt(double lat, double lon) {
        GeoPoint.requireValid(lat, lon);
        Optional<Region<Buurt>> covering = covering(buurtTree, lat, lon);
        if (covering.isPresent()) {
            return covering.map(r -> area(r.area, 0));
        }
        return nearestBuurt(lat, lon);
    }

    /**
     * The wijk a point lies in, see the class comment for the order of rules.
     *
     * @param lat latitude in degrees
     * @param lon longitude in degrees
     */
    public Optional<Wijk> wijkAt(double lat, double lon) {
        GeoPoint.requireValid(lat, lon);
        Optional<Region<Buurt>> buurt = covering(buurtTree, lat, lon);
        if (buurt.isPresent()) {
            return Optional.of(wijkByCode.get(buurt.get().area.wijkCode()));
        }
        Optional<Region<Wijk>> wijk = covering(wijkTree, lat, lon);
        if (wijk.isPresent()) {
            return Optional.of(wijk.get().area);
        }
        return nearestBuurt(lat, lon).map(a -> wijkByCode.get(a.wijkCode()));
    }

    /**
     * A random point in a buurt, uniform in degrees (over a buurt's extent of a few hundred metres that is
     * uniform in area to within 0.01 %), by rejection sampling in the polygon's envelope. The point is
     * one whose {@link #buurtAt} is this buurt with distance 0, so samples never land on a neighbour's
     * border.
     *
     * @param random supplies the randomness; pass a seeded generator for reproducible data
     * @throws IllegalArgumentException if the buurt is not one of {@link #buurten()}
     */
    public GeoPoint randomPointIn(Buurt buurt, RandomGenerator random) {
        Region<Buurt> region = buurtByCode.get(buurt.code());
        if (region == null) {
            throw new IllegalArgumentException("unknown buurt " + buurt.code());
        }
        Envelope env = region.geometry.getEnvelopeInternal();
        for (int attempt = 0; attempt < 100_000; attempt++) {
            double lat = env.getMinY() + random.nextDouble() * env.getHeight();
            double lon = env.getMinX() + random.nextDouble() * env.getWidth();
            Optional<Region<Buurt>> covering = covering(buurtTree, lat, lon);
            if (covering.isPresent() && covering.get() == region) {
                return new GeoPoint(lat, lon);
            }
        }
        throw new IllegalStateException("could not sample a point in " + buurt.code());
    }

    private Area area(Buurt b, double distanceMeters) {
        return new Area(b.code(), b.name(), b.wijkCode(), b.wijkName(), distanceMeters);
    }

    @SuppressWarnings("unchecked")
    private static <A> Optional<Region<A>> covering(STRtree tree, double lat, double lon) {
        Point point = GEOMETRY.createPoint(new Coordinate(lon, lat));
        List<Region<A>> candidates = tree.query(new Envelope(lon, lon, lat, lat));
        return candidates.stream()
                .filter(r -> r.prepared.covers(point))
                .min(Comparator.comparing(r -> r.code));
    }

    @SuppressWarnings("unchecked")
    private Optional<Area> nearestBuurt(double lat, double lon) {
        double halfLat = Math.toDegrees(NEAREST_BUURT_FALLBACK_METERS / Distances.EARTH_RADIUS_METERS) * 1.01;
        double halfLon = halfLat / Math.cos(Math.toRadians(Math.min(89, Math.abs(lat) + halfLat)));
        List<Region<Buurt>> candidates = buurtTree.query(
                new Envelope(lon - halfLon, lon + halfLon, lat - halfLat, lat + halfLat));
        Region<Buurt> best = null;
        double bestMeters = Double.POSITIVE_INFINITY;
        for (Region<Buurt> r : candidates) {
            double meters = LocalMeters.distanceToBoundary(r.geometry, lat, lon);
            if (meters < bestMeters || (meters == bestMeters && best != null && r.code.compareTo(best.code) < 0)) {
                best = r;
                bestMeters = meters;
            }
        }
        if (best == null || bestMeters > NEAREST_BUURT_FALLBACK_METERS) {
            return Optional.empty();
        }
        return Optional.of(area(best.area, bestMeters));
    }

    /** Distances over a few hundred metres in a local equirectangular projection around the query point. */
    private static final class LocalMeters {
        static double distanceToBoundary(Geometry geometry, double lat, double lon) {
            double metersPerDegLat = Math.toRadians(Distances.EARTH_RADIUS_METERS);
            double metersPerDegLon = metersPerDegLat * Math.cos(Math.toRadians(lat));
            double best = Double.POSITIVE_INFINITY;
            for (int g = 0; g < geometry.getNumGeometries(); g++) {
                Polygon polygon = (Polygon) geometry.getGeometryN(g);
                for (int ring = -1; ring < polygon.getNumInteriorRing(); ring++) {
                    Coordinate[] cs = (ring < 0 ? polygon.getExteriorRing() : polygon.getInteriorRingN(ring)).getCoordinates();
                    for (int i = 0; i + 1 < cs.length; i++) {
                        double ax = (cs[i].x - lon) * metersPerDegLon;
                        double ay = (cs[i].y - lat) * metersPerDegLat;
                        double bx = (cs[i + 1].x - lon) * metersPerDegLon;
                        double by = (cs[i + 1].y - lat) * metersPerDegLat;
                        best = Math.min(best, originToSegment(ax, ay, bx, by));
                    }
                }
            }
            return best;
        }

        private static double originToSegment(double ax, double ay, double bx, double by) {
            double dx = bx - ax;
            double dy = by - ay;
            double lengthSquared = dx * dx + dy * dy;
            double t = lengthSquared == 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / lengthSquared));
            return Math.hypot(ax + t * dx, ay + t * dy);
        }
    }

    // ---- GeoJSON to JTS (x = lon, y = lat) --------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> feature) {
        return (Map<String, Object>) feature.get("properties");
    }

    @SuppressWarnings("unchecked")
    private static Geometry geometry(Map<String, Object> feature) {
        Map<String, Object> geometry = (Map<String, Object>) feature.get("geometry");
        String type = (String) geometry.get("type");
        List<Object> coordinates = (List<Object>) geometry.get("coordinates");
        if ("Polygon".equals(type)) {
            return polygon(coordinates);
        }
        if ("MultiPolygon".equals(type)) {
            return GEOMETRY.createMultiPolygon(coordinates.stream()
                    .map(p -> polygon((List<Object>) p)).toArray(Polygon[]::new));
        }
        throw new IllegalStateException("unsupported geometry type " + type);
    }

    @SuppressWarnings("unchecked")
    private static Polygon polygon(List<Object> rings) {
        LinearRing[] linearRings = rings.stream().map(ring -> GEOMETRY.createLinearRing(((List<Object>) ring).stream()
                .map(p -> {
                    List<Number> xy = (List<Number>) p;
                    double lon = xy.get(0).doubleValue();
                    double lat = xy.get(1).doubleValue();
                    GeoPoint.requireValid(lat, lon);
                    return new Coordinate(lon, lat);
                })
                .toArray(Coordinate[]::new))).toArray(LinearRing[]::new);
        Polygon polygon = GEOMETRY.createPolygon(linearRings[0],
                java.util.Arrays.copyOfRange(linearRings, 1, linearRings.length));
        if (!polygon.isValid()) {
            throw new IllegalStateException("invalid polygon");
        }
        return polygon;
    }

    private static List<List<double[]>> rings(Geometry geometry) {
        List<List<double[]>> rings = new ArrayList<>();
        for (int g = 0; g < geometry.getNumGeometries(); g++) {
            Polygon polygon = (Polygon) geometry.getGeometryN(g);
            for (int ring = -1; ring < polygon.getNumInteriorRing(); ring++) {
                Coordinate[] cs = (ring < 0 ? polygon.getExteriorRing() : polygon.getInteriorRingN(ring)).getCoordinates();
                List<double[]> latLon = new ArrayList<>(cs.length);
                for (Coordinate c : cs) {
                    latLon.add(new double[] {c.y, c.x});
                }
                rings.add(latLon);
            }
        }
        return rings;
    }

    private static int intOrZero(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }

    private static String requireCode(Pattern pattern, String code) {
        if (code == null || !pattern.matcher(code).matches()) {
            throw new IllegalArgumentException("not a CBS code of the form " + pattern + ": " + code);
        }
        return code;
    }
}
