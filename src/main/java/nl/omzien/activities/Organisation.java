package nl.omzien.activities;

import java.time.Instant;
import java.util.UUID;

/**
 * A buurtcentrum or a partner (e.g. a volunteer centre) that runs activities.
 *
 * @param kind {@code buurtcentrum} or {@code partner}
 */
public record Organisation(UUID id, String name, String kind, Instant createdAt) {
}
