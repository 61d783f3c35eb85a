package nl.omzien.geo;

/**
 * Distances on a spherical earth. All angles in WGS84 degrees (latitude first), all results in metres.
 */
public final class Distances {

    /** Mean earth radius (IUGG) in metres. */
    public static final double EARTH_RADIUS_METERS = 6_371_008.8;

    private Distances() {
    }

    /**
     * Great-circle (haversine) distance in metres between two points given in degrees.
     * Accurate to about 0.5 % against the WGS84 ellipsoid, which is plenty for "who is nearby".
     */
    public static double haversineMeters(double lat1, double lon1, double lat2, double lon2) {
        return metersFromHav(hav(lat1, lon1, cosLat(lat1), lat2, lon2, cosLat(lat2)));
    }

    /** {@code cos(lat)} for a latitude in degrees; indexes cache it per point. */
    static double cosLat(double latDegrees) {
        return Math.cos(Math.toRadians(latDegrees));
    }

    /**
     * The haversine term {@code h = hav(Δφ) + cos φ1 cos φ2 hav(Δλ)} for two points in degrees, with their
     * cosines of latitude given. Distances are monotonic in {@code h}, so indexes compare {@code h} and only
     * convert the winners. {@link #haversineMeters} is exactly {@code metersFromHav(hav(...))}, so an index
     * that calls these two gets bit-identical distances.
     */
    static double hav(double lat1, double lon1, double cosLat1, double lat2, double lon2, double cosLat2) {
        double sinHalfDLat = Math.sin(Math.toRadians(lat2 - lat1) * 0.5);
        double sinHalfDLon = Math.sin(Math.toRadians(lon2 - lon1) * 0.5);
        return sinHalfDLat * sinHalfDLat + cosLat1 * cosLat2 * sinHalfDLon * sinHalfDLon;
    }

    /** Converts a haversine term to metres. */
    static double metersFromHav(double h) {
        return 2.0 * EARTH_RADIUS_METERS * asin(Math.sqrt(Math.min(1.0, Math.max(0.0, h))));
    }

    /** Below this sine of half the central angle (about 127 km apart), {@link #asin} uses its series. */
    static final double SERIES_LIMIT = 0.01;

    /**
     * {@code asin(x)} for {@code x} in [0, 1]. {@code Math.asin} is not a JIT intrinsic (it runs StrictMath's
     * fdlibm code) and was about 4 % of a nearby-activities listing, converting every hit's haversine term to
     * metres. Below {@link #SERIES_LIMIT} the Taylor series to x^7 is used instead: the first term left out,
     * {@code 35/1152 x^9}, is below 4e-18 of the value, under a double's precision, so the result is within an
     * ulp or two of {@code Math.asin} (DistancesTest checks it).
     */
    static double asin(double x) {
        if (x < SERIES_LIMIT) {
            double x2 = x * x;
            return x + x * x2 * (1.0 / 6 + x2 * (3.0 / 40 + x2 * (5.0 / 112)));
        }
        return Math.asin(x);
    }

    /** The haversine term of a central angle given in radians: {@code sin²(angle / 2)}. */
    static double havOfAngle(double angleRadians) {
        double s = Math.sin(Math.min(Math.PI, Math.max(0.0, angleRadians)) * 0.5);
        return s * s;
    }
}
