package nl.omzien.matching;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Period;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import nl.omzien.geo.Distances;
import nl.omzien.requests.HelpRequest;

/**
 * The static eligibility rules of one request, evaluated against {@link VolunteerCard}s inside the index
 * search: not paused; the request's point within both the round's radius and the volunteer's own travel
 * distance; free for long enough in one of the request's time windows; and the kind's needs (transport: a
 * car, a wheelchair-accessible one for a wheelchair; respite: a VOG valid on the task date and the needed
 * experience; companionship: a shared language). Load (weekly cap, fairness) and history (declined,
 * already offered, continuity) are checked afterwards in SQL for the few nearest survivors.
 */
public final class CandidateQuery {
  private final double lat;
  private final double lon;
  private final double radiusMeters;
  private final int transport;
  private final Set<String> requiredSkills;
  private final Set<String> bonusSkills;
  private final Set<String> languages;
  private final LocalDate vogIssuedOnOrAfter;
  private final LocalDate taskDate;
  private final int[] windows;
  private final int neededMinutes;

  private CandidateQuery(double lat, double lon, double radiusMeters, int transport, Set<String> requiredSkills,
                         Set<String> bonusSkills, Set<String> languages, LocalDate vogIssuedOnOrAfter,
                         LocalDate taskDate, int[] windows, int neededMinutes) {
    this.lat = lat;
    this.lon = lon;
    this.radiusMeters = radiusMeters;
    this.transport = transport;
    this.requiredSkills = Set.copyOf(requiredSkills);
    this.bonusSkills = Set.copyOf(bonusSkills);
    this.languages = Set.copyOf(languages);
    this.vogIssuedOnOrAfter = vogIssuedOnOrAfter;
    this.taskDate = taskDate;
    this.windows = windows;
    this.neededMinutes = neededMinutes;
  }

  /** The rules for {@code request}, searching within {@code radiusMeters}; a VOG is valid for {@code vogValidity}. */
  public static CandidateQuery of(HelpRequest request, double radiusMeters, Period vogValidity) {
    JsonObject details = request.details();
    List<Instant[]> windowList = new ArrayList<>();
    request.windows().forEach(w -> windowList.add(new Instant[] {w.start().toInstant(), w.end().toInstant()}));
    int longestWindow = request.windows().stream()
        .mapToInt(w -> (int) Duration.between(w.start(), w.end()).toMinutes()).max().orElse(60);
    int transport = 0;
    Set<String> required = new HashSet<>();
    Set<String> bonus = new HashSet<>();
    Set<String> languages = Set.of();
    LocalDate vog = null;
    int needed;
    List<int[]> parts = WeekMinutes.windows(windowList);
    LocalDate taskDate = request.windows().get(0).start().atZoneSameInstant(WeekMinutes.ZONE).toLocalDate();
    switch (request.kind()) {
      case "transport" -> {
        List<String> mobility = strings(details.getJsonArray("mobility"));
        transport = mobility.contains("wheelchair") ? VolunteerCard.WHEELCHAIR_CAR : VolunteerCard.CAR;
        if (mobility.contains("needs_arm") || mobility.contains("walker")) {
          bonus.add("mobility_support");
        }
        needed = Math.min(longestWindow, 120);
      }
      case "respite" -> {
        required.addAll(strings(details.getJsonArray("requiredExperience")));
        List<String> needs = strings(details.getJsonArray("needs"));
        if (needs.contains("dementia")) {
          bonus.add("dementia_experience");
        }
        if (needs.contains("mobility")) {
          bonus.add("mobility_support");
        }
        bonus.add("first_aid");
        vog = taskDate.minus(vogValidity);
        needed = Math.min(longestWindow, details.getInteger("durationMinutes", 120));
      }
      default -> {
        languages = new HashSet<>(strings(details.getJsonArray("languages")));
        if ("walk".equals(details.getString("activity"))) {
          bonus.add("walking_companion");
        }
        JsonObject recurrence = details.getJsonObject("recurrence");
        if (recurrence != null) {
          // A weekly visit needs the volunteer free at that weekly time, not only on the first date.
          int day = recurrence.getInteger("dayOfWeek");
          int start = minuteOfDay(recurrence.getString("startTime"));
          int end = minuteOfDay(recurrence.getString("endTime"));
          parts = List.of(new int[] {WeekMinutes.of(day, start), WeekMinutes.of(day, end)});
          longestWindow = end - start;
        }
        needed = Math.min(longestWindow, 60);
      }
    }
    return new CandidateQuery(request.lat(), request.lon(), radiusMeters, transport, required, bonus, languages, vog,
        taskDate, WeekMinutes.concat(parts), Math.max(1, needed));
  }

  private static int minuteOfDay(String hhmm) {
    LocalTime time = LocalTime.parse(hhmm);
    return time.getHour() * 60 + time.getMinute();
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> out.add(String.valueOf(v)));
    }
    return out;
  }

  public double lat() {
    return lat;
  }

  public double lon() {
    return lon;
  }

  public double radiusMeters() {
    return radiusMeters;
  }

  /** Every static rule; runs on index reader threads, so it only reads immutable state. */
  public boolean eligible(VolunteerCard card) {
    return !card.paused()
        && card.has(transport)
        && card.skills().containsAll(requiredSkills)
        && vogValid(card)
        && sharesLanguage(card)
        && WeekMinutes.longestOverlap(windows, card.slots()) >= neededMinutes
        && Distances.haversineMeters(lat, lon, card.lat(), card.lon()) <= card.travelMeters();
  }

  /** Which rule rules this volunteer out, or null when none does (for explanations to ambassadors). */
  public String whyNot(VolunteerCard card, double distanceMeters) {
    if (card.paused()) {
      return "paused";
    }
    if (!card.has(transport)) {
      return "transport";
    }
    if (!card.skills().containsAll(requiredSkills)) {
      return "experience";
    }
    if (!vogValid(card)) {
      return "vog";
    }
    if (!sharesLanguage(card)) {
      return "language";
    }
    if (WeekMinutes.longestOverlap(windows, card.slots()) < neededMinutes) {
      return "availability";
    }
    if (distanceMeters > card.travelMeters()) {
      return "travel_distance";
    }
    if (distanceMeters > radiusMeters) {
      return "search_radius";
    }
    return null;
  }

  private boolean vogValid(VolunteerCard card) {
    return vogIssuedOnOrAfter == null
        || (card.vogIssuedOn() != null && !card.vogIssuedOn().isBefore(vogIssuedOnOrAfter)
            && !card.vogIssuedOn().isAfter(taskDate));
  }

  private boolean sharesLanguage(VolunteerCard card) {
    if (languages.isEmpty()) {
      return true;
    }
    for (String language : languages) {
      if (card.languages().contains(language)) {
        return true;
      }
    }
    return false;
  }

  /**
   * How well the volunteer's week covers what is needed, 0..1: free for exactly the needed time is 0.5, for
   * twice that (room to arrive early or stay longer) or more is 1.
   */
  public double availabilityFit(VolunteerCard card) {
    return Math.min(1.0, WeekMinutes.longestOverlap(windows, card.slots()) / (2.0 * neededMinutes));
  }

  /** The share of helpful extra skills the volunteer has, 0..1 (1 when none are asked for). */
  public double skillsFit(VolunteerCard card) {
    if (bonusSkills.isEmpty()) {
      return 1.0;
    }
    long have = bonusSkills.stream().filter(card.skills()::contains).count();
    return have / (double) bonusSkills.size();
  }
}
