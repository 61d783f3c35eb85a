package nl.omzien.geo;

/**
 * A point on the earth in WGS84 (EPSG:4326) degrees, latitude first.
 *
 * @param lat latitude in degrees, finite, in [-90, 90]
 * @param lon longitude in degrees, finite, in [-180, 180]
 */
public record GeoPoint(double lat, double lon) {

    /** @throws IllegalArgumentException if a coordinate is not finite or out of range */
    public GeoPoint {
        requireValid(lat, lon);
    }

    /** Great-circle distance to {@code other} in metres (see {@link Distances#haversineMeters}). */
    public double distanceMetersTo(GeoPoint other) {
        return Distances.haversineMeters(lat, lon, other.lat, other.lon);
    }

    /**
     * Checks a latitude/longitude pair in degrees.
     *
     * @throws IllegalArgumentException if a coordinate is not finite or out of range
     */
    public static void requireValid(double lat, double lon) {
        if (!Double.isFinite(lat) || lat < -90.0 || lat > 90.0) {
            throw new IllegalArgumentException("latitude must be a finite number of degrees in [-90, 90]: " + lat);
        }
        if (!Double.isFinite(lon) || lon < -180.0 || lon > 180.0) {
            throw new IllegalArgumentException("longitude must be a finite number of degrees in [-180, 180]: " + lon);
        }
    }
}
