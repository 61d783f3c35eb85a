package nl.omzien.activities;

import java.util.UUID;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;

/**
 * What the in-memory index holds about an active activity: enough to filter and to list it without SQL.
 * Immutable; read concurrently by many threads.
 *
 * @param seq     the index id
 * @param version the stored version this summary reflects
 */
public record ActivitySummary(UUID id, long seq, long version, UUID organisationId, String organisationName,
                              Venue venue, String title, Category category, Schedule schedule, Cost cost,
                              Accessibility accessibility, int capacity) {
}
