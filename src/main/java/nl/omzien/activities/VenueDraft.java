package nl.omzien.activities;

/**
 * A venue as an organiser submits it; the wijk and buurt are derived from the point.
 *
 * @param lat     latitude in degrees (WGS84)
 * @param lon     longitude in degrees (WGS84)
 * @param address free text, may be null
 */
public record VenueDraft(String name, String address, double lat, double lon) {
}
