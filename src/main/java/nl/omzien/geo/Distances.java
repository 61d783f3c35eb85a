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
        return 2.0 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1.0, Math.max(0.0, h))));
    }

    /** The haversine term of a central angle given in radians: {@code sin²(angle / 2)}. */
    static double havOfAngle(double angleRadians) {
        double s = Math.sin(Math.min(Math.PI, Math.max(0.0, angleRadians)) * 0.5);
        return s * s;
    }
}
