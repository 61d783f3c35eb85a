package nl.omzien.activities;

/**
 * An activity found near a point.
 *
 * @param distanceMeters great-circle distance from the query point to the venue, in metres
 * @param next           the next session that fits the query
 */
public record NearbyActivity(ActivitySummary activity, double distanceMeters, Occurrence next) {
}
