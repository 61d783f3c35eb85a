package nl.omzien.activities;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Function;
import nl.omzien.activities.Activity.Accessibility;
import nl.omzien.activities.Activity.Cost;
import nl.omzien.errors.DomainException;

/** Maps the contract's JSON shapes to records and back. Input has already passed contract validation. */
public final class ActivityJson {
  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  private ActivityJson() {
  }

  // --- in ----------------------------------------------------------------------------------------------------

  static ActivityDraft draft(JsonObject body) {
    JsonObject cost = body.getJsonObject("cost");
    JsonObject accessibility = body.getJsonObject("accessibility");
    return new ActivityDraft(body.getString("title").strip(), body.getString("description", "").strip(),
        Category.parse(body.getString("category")), UUID.fromString(body.getString("venueId")),
        schedule(body.getJsonObject("schedule")),
        new Cost(cost.getInteger("priceCents"), cost.getBoolean("uPasDiscount", false)),
        new Accessibility(accessibility.getBoolean("wheelchair"), accessibility.getBoolean("hearingLoop")),
        body.getInteger("capacity"));
  }

  private static Schedule schedule(JsonObject json) {
    if ("once".equals(json.getString("kind"))) {
      return new Schedule.Once(instant(json, "startsAt", "/schedule/startsAt"),
          instant(json, "endsAt", "/schedule/endsAt"));
    }
    return new Schedule.Weekly(dayOfWeek(json.getString("dayOfWeek")),
        LocalTime.parse(json.getString("startTime")), LocalTime.parse(json.getString("endTime")),
        date(json.getString("firstDate"), "/schedule/firstDate"), date(json.getString("lastDate"), "/schedule/lastDate"));
  }

  static VenueDraft venue(JsonObject body) {
    String address = body.getString("address");
    return new VenueDraft(body.getString("name").strip(), address == null || address.isBlank() ? null : address.strip(),
        body.getDouble("lat"), body.getDouble("lon"));
  }

  static DayOfWeek dayOfWeek(String wire) {
    return DayOfWeek.valueOf(wire.toUpperCase(Locale.ROOT));
  }

  /** A calendar date; the contract checks the shape, this checks that the day exists (no 30 February). */
  static LocalDate date(String text, String field) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeException e) {
      throw new DomainException.Invalid(field, "not a calendar date");
    }
  }

  private static Instant instant(JsonObject json, String key, String field) {
    try {
      return OffsetDateTime.parse(json.getString(key)).toInstant();
    } catch (DateTimeException e) {
      throw new DomainException.Invalid(field, "not an RFC 3339 date-time with offset");
    }
  }

  // --- out ---------------------------------------------------------------------------------------------------

  static JsonObject organisation(Organisation organisation) {
    return new JsonObject()
        .put("organisationId", organisation.id().toString())
        .put("name", organisation.name())
        .put("kind", organisation.kind())
        .put("createdAt", organisation.createdAt().toString());
  }

  static JsonObject venue(Venue venue) {
    return new JsonObject()
        .put("venueId", venue.id().toString())
        .put("organisationId", venue.organisationId().toString())
        .put("name", venue.name())
        .put("address", venue.address())
        .put("lat", venue.lat())
        .put("lon", venue.lon())
        .put("wijkCode", venue.wijkCode())
        .put("wijkName", venue.wijkName())
        .put("buurtCode", venue.buurtCode())
        .put("buurtName", venue.buurtName())
        .put("createdAt", venue.createdAt().toString());
  }

  static JsonObject activity(Activity activity, Instant now) {
    return new JsonObject()
        .put("activityId", activity.id().toString())
        .put("organisationId", activity.organisationId().toString())
        .put("organisationName", activity.organisationName())
        .put("venue", venue(activity.venue()))
        .put("title", activity.title())
        .put("description", activity.description())
        .put("category", activity.category().wire())
        .put("schedule", schedule(activity.schedule()))
        .put("cost", cost(activity.cost()))
        .put("accessibility", accessibility(activity.accessibility()))
        .put("capacity", activity.capacity())
        .put("status", activity.status())
        .put("nextOccurrence", activity.active()
            ? activity.schedule().nextOccurrence(now).map(ActivityJson::occurrence).orElse(null)
            : null)
        .put("createdAt", activity.createdAt().toString())
        .put("updatedAt", activity.updatedAt().toString());
  }

  public static JsonObject nearby(NearbyActivity found) {
    return nearbyFixed(found.activity())
        .put("distanceMeters", Math.round(found.distanceMeters() * 10) / 10.0)
        .put("nextOccurrence", occurrence(found.next()));
  }

  /** The fields of a nearby item that do not depend on the query: all but the distance and the next session. */
  static JsonObject nearbyFixed(ActivitySummary activity) {
    return new JsonObject()
        .put("activityId", activity.id().toString())
        .put("organisationId", activity.organisationId().toString())
        .put("organisationName", activity.organisationName())
        .put("title", activity.title())
        .put("category", activity.category().wire())
        .put("venue", venue(activity.venue()))
        .put("schedule", schedule(activity.schedule()))
        .put("cost", cost(activity.cost()))
        .put("accessibility", accessibility(activity.accessibility()))
        .put("capacity", activity.capacity());
  }

  static JsonObject signup(Signup signup) {
    return new JsonObject()
        .put("signupId", signup.id().toString())
        .put("activityId", signup.activityId().toString())
        .put("activityTitle", signup.activityTitle())
        .put("date", signup.date().toString())
        .put("status", signup.status())
        .put("createdAt", signup.createdAt().toString())
        .put("cancelledAt", signup.cancelledAt() == null ? null : signup.cancelledAt().toString());
  }

  static <T> JsonObject items(List<T> items, Function<T, JsonObject> mapper) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(mapper.apply(item)));
    return new JsonObject().put("items", array);
  }

  private static JsonObject schedule(Schedule schedule) {
    if (schedule instanceof Schedule.Once once) {
      return new JsonObject()
          .put("kind", "once")
          .put("startsAt", timestamp(once.startsAt().atZone(Schedule.ZONE)))
          .put("endsAt", timestamp(once.endsAt().atZone(Schedule.ZONE)));
    }
    Schedule.Weekly weekly = (Schedule.Weekly) schedule;
    return new JsonObject()
        .put("kind", "weekly")
        .put("dayOfWeek", weekly.day().name().toLowerCase(Locale.ROOT))
        .put("startTime", HH_MM.format(weekly.startTime()))
        .put("endTime", HH_MM.format(weekly.endTime()))
        .put("firstDate", weekly.firstDate().toString())
        .put("lastDate", weekly.lastDate().toString());
  }

  /** RFC 3339 with the local offset and always with seconds (OffsetDateTime.toString drops zero seconds). */
  private static String timestamp(java.time.ZonedDateTime time) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
  }

  private static JsonObject cost(Cost cost) {
    return new JsonObject().put("priceCents", cost.priceCents()).put("uPasDiscount", cost.uPasDiscount());
  }

  private static JsonObject accessibility(Accessibility accessibility) {
    return new JsonObject()
        .put("wheelchair", accessibility.wheelchair())
        .put("hearingLoop", accessibility.hearingLoop());
  }

  static JsonObject occurrence(Occurrence occurrence) {
    return new JsonObject()
        .put("date", occurrence.date().toString())
        .put("startsAt", timestamp(occurrence.startsAt()))
        .put("endsAt", timestamp(occurrence.endsAt()));
  }
}
