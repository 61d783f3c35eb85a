/**
 * Buurtcentra and activities: organisations (a buurtcentrum or a partner), their organisers
 * ({@code organisation_member}), venues, one-off and weekly activities, the "near me" listing and sign-ups.
 *
 * <h2>Units and time</h2>
 * Coordinates are WGS84 degrees, latitude first; distances and radii are metres (haversine, see
 * {@link nl.omzien.geo.Distances}); prices are euro cents; capacity is seats per session. Local dates and times
 * of activities are in Europe/Amsterdam ({@link nl.omzien.activities.Schedule#ZONE}); a weekly session keeps its
 * wall-clock time across daylight-saving changes. A session is identified by activity id and local date.
 *
 * <h2>Who may do what</h2>
 * Admins create organisations and add or remove organisers. Organisers manage the venues and activities of the
 * organisations they are a member of; another organisation's id answers 404, never 403, so its existence does
 * not leak. Any signed-in person may list and read activities; residents sign up. A venue's wijk and buurt are
 * derived from its point with {@link nl.omzien.geo.AreaIndex}; a point in no buurt (nor within its 250 m
 * fallback) is 422 naming {@code /lat} and {@code /lon}.
 *
 * <h2>Capacity</h2>
 * One counter row per session ({@code activity_occurrence(activity_id, occurs_on, capacity, taken)}), created
 * on the first sign-up. A sign-up transaction share-locks the activity (a concurrent cancel or capacity change
 * waits), locks the counter row, returns the person's existing active sign-up if there is one (idempotent, 200),
 * and otherwise takes a seat with {@code update ... set taken = taken + 1 where taken < capacity}; no row means
 * {@code 409 activity-full}. A check constraint ({@code taken between 0 and capacity}) backs this up, and a
 * capacity change below a coming session's sign-ups is {@code 409 capacity-below-signups}. Cancelling a
 * sign-up locks the same counter row first, so the two never deadlock.
 *
 * <h2>Nearby index</h2>
 * {@link nl.omzien.activities.ActivityIndex} keeps the active activities in a {@link nl.omzien.geo.PointIndex}
 * keyed by {@code activity.seq}, each with an immutable {@link nl.omzien.activities.ActivitySummary}. It is built
 * from PostgreSQL at start and updated after every committed create, update and cancel, ordered by the row's
 * {@code version}. {@link nl.omzien.activities.ActivityIndex#near} is also the in-process entry point for
 * matching. With several instances, each would need the others' writes (LISTEN/NOTIFY): not wired yet.
 *
 * <h2>Pagination</h2>
 * The nearby listing is ordered by distance, next session start, id. Its cursor is opaque (base64url JSON of the
 * last item's sort key plus a fingerprint of the query): keyset pagination, so items added or removed between
 * pages neither repeat nor shift the rest; a cursor used with another query is 422.
 */
package nl.omzien.activities;
