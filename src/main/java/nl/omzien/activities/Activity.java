package nl.omzien.activities;

import java.time.Instant;
import java.util.UUID;

/**
 * An activity as stored, with its venue.
 *
 * @param seq      numeric id used by the in-memory index
 * @param version  increases with every change; orders updates of the in-memory index
 * @param capacity seats per session (1..500)
 * @param status   {@code active} or {@code cancelled}
 */
public record Activity(UUID id, long seq, long version, UUID organisationId, String organisationName, Venue venue,
                       String title, String description, Category category, Schedule schedule, Cost cost,
                       Accessibility accessibility, int capacity, String status, Instant createdAt,
                       Instant updatedAt) {

  public static final String ACTIVE = "active";
  public static final String CANCELLED = "cancelled";

  /**
   * What it costs.
   *
   * @param priceCents   price per session in euro cents; 0 means free
   * @param uPasDiscount U-Pas holders get a discount
   */
  public record Cost(int priceCents, boolean uPasDiscount) {
  }

  /**
   * How accessible the venue is for this activity.
   *
   * @param wheelchair  step-free access and an accessible toilet
   * @param hearingLoop a hearing loop (ringleiding) is available
   */
  public record Accessibility(boolean wheelchair, boolean hearingLoop) {
  }

  public boolean active() {
    return ACTIVE.equals(status);
  }

  /** The immutable part the nearby index keeps (everything but the description). */
  public ActivitySummary summary() {
    return new ActivitySummary(id, seq, version, organisationId, organisationName, venue, title, category, schedule,
        cost, accessibility, capacity);
  }
}
