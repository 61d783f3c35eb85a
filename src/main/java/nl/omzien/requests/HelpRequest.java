package nl.omzien.requests;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import nl.omzien.http.Json;

/**
 * A hulpvraag as stored. {@code details} holds the kind-specific object (transport / companionship / respite) as
 * the contract shaped it. {@code volunteerId} is the matched volunteer (kept after completion); {@code round} the last
 * offer round run.
 */
public record HelpRequest(UUID id, UUID residentId, UUID createdBy, String kind, RequestStatus status, String urgency,
                          JsonObject details, String note, double lat, double lon, String wijkCode, String buurtCode,
                          List<Window> windows, OffsetDateTime createdAt, OffsetDateTime updatedAt, UUID volunteerId,
                          int round, OffsetDateTime matchedAt, OffsetDateTime completedAt) {

  /** A time window (absolute instants). */
  public record Window(OffsetDateTime start, OffsetDateTime end) {
  }

  public boolean enteredByProxy() {
    return !residentId.equals(createdBy);
  }

  public JsonObject toJson() {
    JsonArray windowsJson = new JsonArray();
    windows.forEach(w -> windowsJson.add(new JsonObject().put("start", Json.dateTime(w.start())).put("end", Json.dateTime(w.end()))));
    return new JsonObject()
        .put("id", id.toString())
        .put("kind", kind)
        .put("status", status.wire())
        .put("urgency", urgency)
        .put("residentId", residentId.toString())
        .put("enteredByProxy", enteredByProxy())
        .put("timeWindows", windowsJson)
        .put("note", note)
        .put("location", new JsonObject().put("lat", lat).put("lon", lon))
        .put("wijk", wijkCode)
        .put("buurt", buurtCode)
        .put(kind, details)
        .put("createdAt", Json.dateTime(createdAt))
        .put("updatedAt", Json.dateTime(updatedAt));
  }
}
