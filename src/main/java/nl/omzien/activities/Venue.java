package nl.omzien.activities;

import java.time.Instant;
import java.util.UUID;

/**
 * A place where an organisation holds activities. The wijk and buurt are derived from the point.
 *
 * @param lat     latitude in degrees (WGS84)
 * @param lon     longitude in degrees (WGS84)
 * @param address free text, may be null
 */
public record Venue(UUID id, UUID organisationId, String name, String address, double lat, double lon,
                    String wijkCode, String wijkName, String buurtCode, String buurtName, Instant createdAt) {
}
