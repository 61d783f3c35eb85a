package nl.omzien.generator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import nl.omzien.demo.DemoPopulation;
import nl.omzien.demo.DemoPopulation.Resident;
import nl.omzien.demo.DemoPopulation.Slot;
import nl.omzien.demo.DemoPopulation.Volunteer;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.AreaIndex.Buurt;
import nl.omzien.geo.Distances;
import nl.omzien.geo.GeoPoint;
import org.postgresql.copy.CopyManager;
import org.postgresql.core.BaseConnection;

/**
 * Synthetic, deterministic history for benchmarks and demos: the same scale, seed and end day always give the
 * same rows. Written with COPY in one transaction (all or nothing). See the README, section "History generator",
 * for the assumptions; the constants below are those assumptions.
 *
 * <ul>
 *   <li>{@link Scale#CITY}: Utrecht. Residents who ask for help placed per buurt by its inhabitants aged 65+,
 *   volunteers by all inhabitants (CBS 2024, via {@link DemoPopulation}); buurtcentra (one per ~15,000
 *   inhabitants of a wijk) with weekly activities; a year of requests up to {@code until} with offers, declines
 *   with reasons, matches, completions with hours, escalations, referrals to the buurtteam, re-matched
 *   occurrences, feedback and activity sign-ups. How fast and how often help is found depends on the wijk's
 *   volunteers per resident aged 65+, so wijken differ the way the figures are meant to show.</li>
 *   <li>{@link Scale#NATIONAL}: 1,000,000 volunteers over the Netherlands (80 % around the 34 largest
 *   places, weighted by population; 20 % anywhere in the country's extent), for the matching engine's start-up
 *   and heap targets. No history.</li>
 * </ul>
 */
public final class HistoryGenerator {
  /** How much to generate. */
  public enum Scale { CITY, REGION, NATIONAL }

  /**
   * @param scale what to generate
   * @param seed  the random seed
   * @param until the last day of history (Europe/Amsterdam); the year before it is filled
   */
  public record Options(Scale scale, long seed, LocalDate until) {
  }

  /** Days are Dutch calendar days. */
  public static final ZoneId ZONE = ZoneId.of("Europe/Amsterdam");
  /** City scale: residents who ask for help in a year (about 15 % of Utrecht's 39,600 inhabitants aged 65+). */
  static final int CITY_RESIDENTS = 6_000;
  /** City scale: volunteers with a profile (about 1.1 % of 374,000 inhabitants). */
  static final int CITY_VOLUNTEERS = 4_000;
  static final int NATIONAL_VOLUNTEERS = 1_000_000;
  /** Inhabitants per buurtcentrum (at least one per wijk). */
  static final int INHABITANTS_PER_CENTRE = 15_000;
  /**
   * City scale: the share of residents with the app on a phone and pushes on. The others ask by phone, through
   * their wijk's ambassador or a carer, and get no pushes (their outbox rows end {@code dead}, {@code no-device}).
   */
  static final double RESIDENTS_WITH_APP = 0.6;
  /** City scale: the share of volunteers (all use the app) with a second device, say a tablet. */
  static final double VOLUNTEERS_WITH_TWO_DEVICES = 0.1;
  private static final String[] DECLINE_CODES = {"no_time", "too_far", "already_busy", "not_my_skill", "health"};
  private static final double[] DECLINE_WEIGHTS = {0.38, 0.18, 0.12, 0.10, 0.07};
  private static final String[][] ACTIVITIES = {
      {"Koffieochtend", "open_inloop"}, {"Samen eten", "maaltijd"}, {"Stoelyoga", "bewegen"},
      {"Digicafe", "digitaal"}, {"Schilderen", "creatief"}, {"Wandelgroep", "bewegen"}, {"Filmmiddag", "cultuur"}};
  private static final String[] DESTINATIONS = {"UMC Utrecht", "Diakonessenhuis", "St. Antonius Ziekenhuis",
      "Huisartsenpraktijk", "Fysiotherapie", "Tandarts", "Gemeente Utrecht, Stadskantoor"};

  private final AreaIndex areas;
  private final Options options;
  private final SplittableRandom random;
  private final String namespace;

  private HistoryGenerator(AreaIndex areas, Options options) {
    this.areas = areas;
    this.options = options;
    this.random = new SplittableRandom(options.seed());
    this.namespace = "omzien-generated:" + options.seed();
  }

  /** Rows written per table, in the order written. */
  public record Summary(Map<String, Long> rows) {
    public long total() {
      return rows.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * Generates and writes everything on {@code connection} (a PostgreSQL JDBC connection to a migrated database
   * whose wijk and buurt rows are present), committing once at the end. Blocking: call it off any event loop.
   */
  public static Summary generate(Connection connection, AreaIndex areas, Options options)
      throws SQLException, IOException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      CopyManager copy = new CopyManager(connection.unwrap(BaseConnection.class));
      HistoryGenerator generator = new HistoryGenerator(areas, options);
      try (Statement figures = connection.createStatement()) {
        // The figures' fact tables (migration V10) are built once at the end, in this transaction, instead of by
        // their triggers after every COPY.
        figures.execute("select figures_defer()");
        Summary summary = switch (options.scale()) {
          case CITY -> generator.city(copy);
          case REGION -> generator.region(copy);
          case NATIONAL -> generator.national(copy);
        };
        figures.execute("select figures_rebuild()");
        connection.commit();
        try (Statement analyze = connection.createStatement()) {
          connection.setAutoCommit(true);
          // Statistics, and the visibility map for index-only scans (the matcher's candidate facts, V13). After the
          // bulk COPY, one vacuum (plain or freeze) left every page "not all-visible" on the embedded PostgreSQL 18.6,
          // so index-only scans read the heap for every row, as in no long-lived database; a second pass sets the
          // map (HistoryGeneratorTest checks it). Frozen, the history is as an old table is.
          analyze.execute("vacuum (freeze, analyze)");
          analyze.execute("vacuum");
        }
        return summary;
      }
    } catch (SQLException | IOException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private UUID id(String kind, long i) {
    return UUID.nameUUIDFromBytes((namespace + ":" + kind + ":" + i).getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------------------------------------- national

  private static final Object[][] PLACES = {
      {52.3676, 4.9041, 931_000}, {51.9244, 4.4777, 670_000}, {52.0705, 4.3007, 566_000},
      {52.0907, 5.1214, 374_000}, {51.4416, 5.4697, 246_000}, {53.2194, 6.5665, 238_000},
      {51.5555, 5.0913, 227_000}, {52.3508, 5.2647, 226_000}, {51.5719, 4.7683, 186_000},
      {51.8126, 5.8372, 185_000}, {52.2112, 5.9699, 167_000}, {51.9851, 5.8987, 167_000},
      {52.3874, 4.6462, 165_000}, {52.3025, 4.6889, 160_000}, {52.1561, 5.3878, 161_000},
      {52.2215, 6.8937, 161_000}, {52.4559, 4.8286, 159_000}, {51.6978, 5.3037, 160_000},
      {52.5168, 6.0830, 132_000}, {52.1601, 4.4970, 127_000}, {52.0575, 4.4931, 127_000},
      {53.2012, 5.7999, 126_000}, {50.8514, 5.6910, 122_000}, {51.8133, 4.6901, 121_000},
      {52.0402, 5.6649, 120_000}, {52.1292, 4.6554, 114_000}, {51.9917, 4.2125, 113_000},
      {52.6324, 4.7534, 110_000}, {52.7792, 6.9069, 108_000}, {52.0116, 4.3571, 105_000},
      {51.3704, 6.1724, 102_000}, {52.2661, 6.1552, 102_000}, {52.2292, 5.1669, 92_000},
      {50.8882, 5.9795, 87_000}};

  /** The sum of {@code places}' inhabitants in column {@code weightColumn}. */
  private static long total(Object[][] places, int weightColumn) {
    long total = 0;
    for (Object[] place : places) {
      total += (Integer) place[weightColumn];
    }
    return total;
  }

  /** One of {@code places}, drawn by the inhabitants in column {@code weightColumn} (they sum to {@code total}). */
  private static Object[] pick(Object[][] places, int weightColumn, long total, SplittableRandom random) {
    long ticket = random.nextLong(total);
    for (Object[] place : places) {
      ticket -= (Integer) place[weightColumn];
      if (ticket < 0) {
        return place;
      }
    }
    return places[0];
  }

  /** A point around a town: normal spread of 1.2 km at 100,000 inhabitants, growing with the square root of size. */
  private static double[] around(double lat, double lon, int inhabitants, SplittableRandom random) {
    double sigma = 1_200 * Math.sqrt(inhabitants / 100_000.0);
    double pointLat = lat + random.nextGaussian() * sigma / 111_195.0;
    double pointLon = lon + random.nextGaussian() * sigma / (111_195.0 * Math.cos(Math.toRadians(pointLat)));
    return new double[] {pointLat, pointLon};
  }

  private Summary national(CopyManager copy) throws SQLException, IOException {
    CopyTable users = new CopyTable("app_user", "id", "display_name", "roles");
    CopyTable profiles = volunteerProfilesTable();
    long totalWeight = total(PLACES, 2);
    LocalDate today = options.until();
    for (int i = 0; i < NATIONAL_VOLUNTEERS; i++) {
      double lat;
      double lon;
      if (random.nextDouble() < 0.2) {
        lat = random.nextDouble(50.75, 53.55);
        lon = random.nextDouble(3.35, 7.25);
      } else {
        Object[] place = pick(PLACES, 2, totalWeight, random);
        double[] point = around((Double) place[0], (Double) place[1], (Integer) place[2], random);
        lat = point[0];
        lon = point[1];
      }
      Buurt buurt = areas.buurtAt(lat, lon).flatMap(a -> areas.buurt(a.buurtCode())).orElse(null);
      boolean car = random.nextInt(100) < 45;
      UUID id = id("national-volunteer", i);
      users.row(id, "Vrijwilliger " + (i + 1), List.of("volunteer"));
      profiles.row(id, lat, lon, buurt == null ? null : buurt.code(), buurt == null ? null : buurt.wijkCode(),
          car ? 10 + random.nextInt(11) : 2 + random.nextInt(4),
          car ? List.of("car", "bike") : List.of(random.nextBoolean() ? "bike" : "on_foot"),
          List.of("walking_companion"), random.nextInt(100) < 25 ? List.of("en", "nl") : List.of("nl"),
          random.nextInt(100) < 60 ? today.minusDays(random.nextInt(1_000)) : null, 2 + random.nextInt(3));
      if ((i + 1) % 100_000 == 0) {
        users.flush(copy);
        profiles.flush(copy);
      }
    }
    Map<String, Long> rows = new LinkedHashMap<>();
    rows.put("app_user", users.flush(copy));
    rows.put("volunteer_profile", profiles.flush(copy));
    return new Summary(rows);
  }

  // ---------------------------------------------------------------------------------------------- region

  /**
   * The U16's other fifteen municipalities (Vijfheerenlanden as the three it was formed from): town centre and
   * inhabitants, CBS 31-12-2018 (as published by the province, staatvanutrecht.nl "Stand en prognose"; the shared data
   * has no polygons outside Utrecht). Name, lat, lon, inhabitants.
   */
  static final Object[][] REGION_PLACES = {
      {"Bunnik", 52.0667, 5.1983, 15_188}, {"De Bilt", 52.1150, 5.1850, 42_809},
      {"De Ronde Venen", 52.2070, 4.8630, 44_064}, {"Houten", 52.0280, 5.1680, 49_902},
      {"IJsselstein", 52.0200, 5.0430, 34_162}, {"Lopik", 51.9720, 4.9470, 14_477},
      {"Montfoort", 52.0460, 4.9520, 13_996}, {"Nieuwegein", 52.0290, 5.0810, 63_055},
      {"Oudewater", 52.0250, 4.8680, 10_199}, {"Stichtse Vecht", 52.1380, 5.0400, 64_372},
      {"Utrechtse Heuvelrug", 52.0530, 5.2810, 49_526}, {"Vijfheerenlanden (Vianen)", 51.9920, 5.0920, 20_457},
      {"Vijfheerenlanden (Leerdam)", 51.8930, 5.0920, 21_223}, {"Vijfheerenlanden (Meerkerk)", 51.9180, 4.9930, 14_023},
      {"Wijk bij Duurstede", 51.9750, 5.3420, 23_763}, {"Woerden", 52.0860, 4.8830, 52_204},
      {"Zeist", 52.0890, 5.2330, 63_960}};

  /** Salts of the region's random streams (homes and attributes; devices), apart from the city's. */
  private static final long REGION_SALT = 0x7E61_0A5EL;
  private static final long REGION_DEVICE_SALT = REGION_SALT ^ 0x2545_F491_4F6C_DD1DL;

  /** The region's volunteers outside Utrecht: as many per inhabitant as the city's ({@link #CITY_VOLUNTEERS}). */
  static int regionVolunteers(AreaIndex areas) {
    long cityInhabitants = areas.buurten().stream().mapToLong(Buurt::population).sum();
    return (int) Math.round((double) CITY_VOLUNTEERS * total(REGION_PLACES, 3) / cityInhabitants);
  }

  /**
   * The city, then the region's volunteers from a random stream of their own (so the city's rows are those of
   * {@code --scale city} with the same seed): each placed around a town by its inhabitants, spread growing with the
   * town's size as at national scale, and drawn again if the point falls in one of Utrecht's buurten; profiles,
   * availability and app installations as the city's volunteers have, without a buurt or wijk.
   */
  private Summary region(CopyManager copy) throws SQLException, IOException {
    Map<String, Long> rows = new LinkedHashMap<>(city(copy).rows());
    Instant joined = joined();
    // Three streams of their own: homes, the other attributes (as the city's volunteers get them; DemoPopulation
    // salts its seed again) and devices.
    SplittableRandom homes = new SplittableRandom(options.seed() ^ REGION_SALT);
    List<Volunteer> volunteers = DemoPopulation.volunteers(areas, regionVolunteers(areas), options.seed() ^ REGION_SALT,
        options.until(), namespace + ":region");
    SplittableRandom draw = new SplittableRandom(options.seed() ^ REGION_DEVICE_SALT);
    CopyTable users = usersTable();
    CopyTable profiles = volunteerProfilesTable();
    CopyTable availability = availabilityTable();
    CopyTable devices = devicesTable();
    long totalWeight = total(REGION_PLACES, 3);
    long deviceNo = 0;
    for (Volunteer v : volunteers) {
      Object[] town = pick(REGION_PLACES, 3, totalWeight, homes);
      double[] home;
      do {
        home = around((Double) town[1], (Double) town[2], (Integer) town[3], homes);
      } while (areas.buurtAt(home[0], home[1]).isPresent());
      volunteer(users, profiles, availability, v, home[0], home[1], null, joined);
      deviceNo = volunteerDevices(devices, draw, "region-device", deviceNo, v.id(), joined);
    }
    for (CopyTable table : List.of(users, profiles, availability, devices)) {
      rows.merge(table.table(), table.flush(copy), Long::sum);
    }
    return new Summary(rows);
  }

  // -------------------------------------------------------------------------------------------------- city

  /** A buurtcentrum's activity: weekly on {@code day}, from {@code start} local time for two hours. */
  private record Act(UUID id, DayOfWeek day, LocalTime start, int capacity, LocalDate first, LocalDate last) {
    /** The first session on or after {@code date}, or null after the last date. */
    LocalDate sessionOnOrAfter(LocalDate date) {
      LocalDate from = date.isBefore(first) ? first : date;
      LocalDate session = from.with(TemporalAdjusters.nextOrSame(day));
      return session.isAfter(last) ? null : session;
    }
  }

  private record Centre(GeoPoint at, List<Act> activities) {
  }

  /** What differs per wijk: how many volunteers there are for its elderly, relative to the city. */
  private record WijkClimate(double density, double declineChance, double matchMedianMinutes,
                             double escalateChance, double matchChance) {
  }

  private Summary city(CopyManager copy) throws SQLException, IOException {
    LocalDate until = options.until();
    Instant end = until.plusDays(1).atStartOfDay(ZONE).toInstant();
    Instant start = historyStart();
    List<Resident> residents = DemoPopulation.residents(areas, CITY_RESIDENTS, options.seed(), namespace);
    List<Volunteer> volunteers = DemoPopulation.volunteers(areas, CITY_VOLUNTEERS, options.seed(), until, namespace);

    CopyTable users = usersTable();
    CopyTable residentProfiles = new CopyTable("resident_profile", "user_id", "address", "lat", "lon", "buurt_code",
        "wijk_code");
    CopyTable volunteerProfiles = volunteerProfilesTable();
    CopyTable availability = availabilityTable();
    Instant joined = joined();
    for (Resident r : residents) {
      users.row(r.id(), r.name(), List.of("resident"), List.of(), joined);
      residentProfiles.row(r.id(), r.address(), r.home().lat(), r.home().lon(), r.buurt().code(),
          r.buurt().wijkCode());
    }
    for (Volunteer v : volunteers) {
      volunteer(users, volunteerProfiles, availability, v, v.home().lat(), v.home().lon(), v.buurt(), joined);
    }
    Map<String, UUID> ambassadors = new HashMap<>();
    for (AreaIndex.Wijk wijk : areas.wijken()) {
      UUID ambassador = id("ambassador", ambassadors.size());
      ambassadors.put(wijk.code(), ambassador);
      users.row(ambassador, "Ambassadeur " + wijk.name(), List.of("ambassador"), List.of(wijk.code()), joined);
    }
    CopyTable devices = devices(residents, volunteers, ambassadors.values(), joined);

    CopyTable organisations = new CopyTable("organisation", "id", "name", "kind");
    CopyTable venues = new CopyTable("venue", "id", "organisation_id", "name", "address", "lat", "lon", "wijk_code",
        "wijk_name", "buurt_code", "buurt_name");
    CopyTable activities = new CopyTable("activity", "id", "organisation_id", "venue_id", "title", "description",
        "category", "schedule_kind", "day_of_week", "start_time", "end_time", "first_date", "last_date",
        "price_cents", "capacity", "created_by");
    List<Centre> centres = centres(organisations, venues, activities, until, ambassadors);

    Map<String, List<Volunteer>> volunteersByWijk = new HashMap<>();
    volunteers.forEach(v -> volunteersByWijk.computeIfAbsent(v.buurt().wijkCode(), k -> new ArrayList<>()).add(v));
    Map<String, WijkClimate> climate = climate(residents, volunteers);

    Tables t = new Tables();
    Map<UUID, UUID> regular = new HashMap<>();
    Map<String, Integer> seats = new HashMap<>();
    Set<String> signedUp = new HashSet<>();
    long requestNo = 0;
    for (Resident resident : residents) {
      Centre centre = nearest(centres, resident.home());
      String preferred = pickKind();
      int count = poisson(switch (preferred) {
        case "companionship" -> 9.0;
        case "respite" -> 5.0;
        default -> 7.0;
      });
      for (int k = 0; k < count; k++) {
        String kind = random.nextDouble() < 0.8 ? preferred : pickKind();
        Instant created = daytime(start, end);
        RequestOutcome outcome = request(t, requestNo++, resident, kind, created, end,
            climate.get(resident.buurt().wijkCode()), volunteersByWijk.get(resident.buurt().wijkCode()), volunteers,
            regular, ambassadors.get(resident.buurt().wijkCode()), null);
        if (kind.equals("companionship")) {
          double chance = outcome.matched() ? 0.34 : 0.22;
          if (random.nextDouble() < chance) {
            signup(t, resident, centre, created.plus(Duration.ofMinutes(60 + random.nextLong(59 * 24 * 60))), end,
                seats, signedUp);
          }
          if (outcome.matched() && random.nextDouble() < 0.05) {
            rematch(t, requestNo++, resident, outcome, end, climate.get(resident.buurt().wijkCode()),
                volunteersByWijk.get(resident.buurt().wijkCode()), volunteers,
                ambassadors.get(resident.buurt().wijkCode()));
          }
        }
      }
      int general = poisson(2.5);
      for (int k = 0; k < general; k++) {
        signup(t, resident, centre, daytime(start, end), end, seats, signedUp);
      }
    }
    CopyTable occurrences = new CopyTable("activity_occurrence", "activity_id", "occurs_on", "capacity", "taken");
    Map<UUID, Integer> capacity = new HashMap<>();
    centres.forEach(c -> c.activities().forEach(a -> capacity.put(a.id(), a.capacity())));
    t.occurrenceKeys.forEach(key -> {
      String[] parts = key.split("\\|");
      UUID activity = UUID.fromString(parts[0]);
      occurrences.row(activity, parts[1], capacity.get(activity), seats.getOrDefault(key, 0));
    });

    Map<String, Long> rows = new LinkedHashMap<>();
    for (CopyTable table : List.of(users, residentProfiles, volunteerProfiles, availability, devices, organisations,
        venues, activities, occurrences, t.signups, t.requests, t.windows, t.history, t.offers, t.manual,
        t.feedback)) {
      rows.put(table.table(), table.flush(copy));
    }
    return new Summary(rows);
  }

  /**
   * The app installations that receive pushes: every volunteer's phone (a tenth also a tablet), every ambassador's,
   * and {@link #RESIDENTS_WITH_APP} of the residents'. Drawn from their own random stream, so the history is the same
   * with or without them. Tokens look like FCM registration tokens (163 characters) and are unique.
   */
  private CopyTable devices(List<Resident> residents, List<Volunteer> volunteers, Collection<UUID> ambassadors,
                            Instant joined) {
    SplittableRandom draw = new SplittableRandom(options.seed() ^ 0x5DEECE66DL);
    CopyTable devices = devicesTable();
    long no = 0;
    for (Resident r : residents) {
      if (draw.nextDouble() < RESIDENTS_WITH_APP) {
        device(devices, draw, "device", no++, r.id(), "nl", joined);
      }
    }
    for (Volunteer v : volunteers) {
      no = volunteerDevices(devices, draw, "device", no, v.id(), joined);
    }
    for (UUID ambassador : ambassadors.stream().sorted().toList()) {
      device(devices, draw, "device", no++, ambassador, "nl", joined);
    }
    return devices;
  }

  /**
   * A volunteer's installations (a phone, and for {@link #VOLUNTEERS_WITH_TWO_DEVICES} a tablet too, in one locale),
   * numbered from {@code no} on; returns the next number.
   */
  private long volunteerDevices(CopyTable devices, SplittableRandom draw, String kind, long no, UUID volunteer,
                                Instant joined) {
    String locale = draw.nextDouble() < 0.05 ? "en" : "nl";
    device(devices, draw, kind, no++, volunteer, locale, joined);
    if (draw.nextDouble() < VOLUNTEERS_WITH_TWO_DEVICES) {
      device(devices, draw, kind, no++, volunteer, locale, joined);
    }
    return no;
  }

  /** A volunteer's user row, profile ({@code buurt} null outside Utrecht) and availability. */
  private static void volunteer(CopyTable users, CopyTable profiles, CopyTable availability, Volunteer v, double lat,
                                double lon, Buurt buurt, Instant joined) {
    users.row(v.id(), v.name(), List.of("volunteer"), List.of(), joined);
    profiles.row(v.id(), lat, lon, buurt == null ? null : buurt.code(), buurt == null ? null : buurt.wijkCode(),
        BigDecimal.valueOf(v.travelKm()), sorted(v.transport()), sorted(v.skills()), sorted(v.languages()),
        v.vogIssuedOn(), v.weeklyCap());
    for (Slot slot : v.availability()) {
      availability.row(v.id(), slot.dayOfWeek(), slot.start(), slot.end());
    }
  }

  /** The first instant of the year of history. */
  private Instant historyStart() {
    return options.until().minusDays(364).atStartOfDay(ZONE).toInstant();
  }

  /** When the generated users joined: 30 days before the year of history. */
  private Instant joined() {
    return historyStart().minus(Duration.ofDays(30));
  }

  private static CopyTable usersTable() {
    return new CopyTable("app_user", "id", "display_name", "roles", "wijken", "created_at");
  }

  private static CopyTable volunteerProfilesTable() {
    return new CopyTable("volunteer_profile", "user_id", "lat", "lon", "buurt_code", "wijk_code", "travel_km",
        "transport", "skills", "languages", "vog_issued_on", "weekly_cap");
  }

  private static CopyTable availabilityTable() {
    return new CopyTable("volunteer_availability", "volunteer_id", "day_of_week", "start_time", "end_time");
  }

  private static CopyTable devicesTable() {
    return new CopyTable("push_device", "id", "user_id", "token", "platform", "app_version", "locale", "created_at",
        "updated_at");
  }

  /** One installation; {@code kind} names the id series ("device" for the city's, "region-device"). */
  private void device(CopyTable devices, SplittableRandom draw, String kind, long no, UUID user, String locale,
                      Instant joined) {
    byte[] secret = new byte[100];
    draw.nextBytes(secret);
    String token = id(kind + "-token", no).toString().substring(0, 22) + ":APA91b"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    String platform = draw.nextDouble() < 0.55 ? "android" : "ios";
    devices.row(id(kind, no), user, token, platform, "1." + draw.nextInt(3) + ".0", locale, joined, joined);
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }

  /** Everything written per request. */
  private static final class Tables {
    final CopyTable requests = new CopyTable("help_request", "id", "resident_id", "created_by", "kind", "status",
        "urgency", "details", "lat", "lon", "buurt_code", "wijk_code", "first_starts_at", "created_at",
        "updated_at", "round", "first_offer_at", "matched_at", "completed_at", "hours_spent", "volunteer_id",
        "parent_id");
    final CopyTable windows = new CopyTable("help_request_window", "request_id", "starts_at", "ends_at");
    final CopyTable history = new CopyTable("help_request_history", "request_id", "at", "actor_id", "from_status",
        "to_status", "reason");
    final CopyTable offers = new CopyTable("offer", "id", "request_id", "volunteer_id", "round", "status", "score",
        "breakdown", "distance_m", "created_at", "responded_at", "decline_reason");
    final CopyTable manual = new CopyTable("manual_action", "request_id", "actor_id", "action", "volunteer_id",
        "reason", "at");
    final CopyTable feedback = new CopyTable("feedback", "request_id", "role", "author_id", "rating", "at");
    final CopyTable signups = new CopyTable("activity_signup", "id", "activity_id", "occurs_on", "user_id", "status",
        "created_at", "cancelled_at");
    final Set<String> occurrenceKeys = new java.util.TreeSet<>();
    long offerNo;
    long signupNo;
  }

  private record RequestOutcome(UUID id, boolean matched, UUID volunteer, Instant startsAt) {
  }

  /**
   * One request's life up to {@code end}: first offer, declines, escalation, match (or cancellation, referral,
   * expiry), completion with hours, feedback. Events after {@code end} have not happened yet.
   */
  private RequestOutcome request(Tables t, long no, Resident resident, String kind, Instant created, Instant end,
                                 WijkClimate w, List<Volunteer> local, List<Volunteer> all, Map<UUID, UUID> regular,
                                 UUID ambassador, UUID parent) {
    UUID id = id("request", no);
    Instant startsAt = created.plus(Duration.ofHours(switch (kind) {
      case "transport" -> 48 + random.nextInt(5 * 24);
      case "companionship" -> 72 + random.nextInt(7 * 24);
      default -> 48 + random.nextInt(12 * 24);
    }));
    int durationMinutes = switch (kind) {
      case "transport" -> 90 + 30 * random.nextInt(6);
      case "companionship" -> 60 + 30 * random.nextInt(5);
      default -> 120 + 30 * random.nextInt(9);
    };
    double u = random.nextDouble();
    boolean cancelled = parent == null && u < 0.05;
    boolean referred = parent == null && !cancelled && u < 0.05 + (kind.equals("respite") ? 0.07 : 0.025);
    boolean escalated = referred || (!cancelled && random.nextDouble() < w.escalateChance());
    boolean offered = random.nextDouble() < 0.97;
    Instant firstOffer = offered ? min(created.plus(minutes(lognormal(12, 0.9))), startsAt.minusSeconds(3600)) : null;
    Instant escalatedAt = escalated
        ? min(created.plus(Duration.ofMinutes(12 * 60 + random.nextInt(36 * 60))), startsAt.minusSeconds(7200))
        : null;
    Instant matchedAt = null;
    boolean matchable = !cancelled && !referred && random.nextDouble() < w.matchChance();
    if (matchable) {
      matchedAt = escalated
          ? escalatedAt.plus(minutes(lognormal(8 * 60, 0.8)))
          : offered ? firstOffer.plus(minutes(lognormal(w.matchMedianMinutes(), 1.0))) : null;
      if (matchedAt != null && matchedAt.isAfter(startsAt.minusSeconds(1800))) {
        matchedAt = null;
      }
    }
    Instant cancelledAt = cancelled
        ? created.plus(Duration.ofMinutes(random.nextLong(Math.max(1, Duration.between(created, startsAt).toMinutes()))))
        : null;
    Instant referredAt = referred ? escalatedAt.plus(Duration.ofMinutes(60 + random.nextInt(23 * 60))) : null;
    Instant completedAt = matchedAt == null ? null : startsAt.plus(Duration.ofMinutes(durationMinutes));

    // The volunteer: a regular companion when there is one (continuity), else one of the candidates.
    List<Volunteer> candidates = candidates(local, all, 3 + random.nextInt(4));
    Volunteer chosen = null;
    if (matchedAt != null) {
      UUID usual = kind.equals("companionship") ? regular.get(resident.id()) : null;
      chosen = usual != null && random.nextDouble() < 0.65
          ? all.stream().filter(v -> v.id().equals(usual)).findFirst().orElse(candidates.get(0))
          : candidates.get(random.nextInt(candidates.size()));
      if (kind.equals("companionship") && parent == null) {
        regular.put(resident.id(), chosen.id());
      }
    }

    // Status transitions in time order, cut at the end of the history.
    List<Object[]> changes = new ArrayList<>();
    changes.add(new Object[] {created, "open", "created"});
    if (firstOffer != null && (cancelledAt == null || firstOffer.isBefore(cancelledAt))) {
      changes.add(new Object[] {firstOffer, "offered", "offer round 1"});
    }
    if (escalatedAt != null) {
      changes.add(new Object[] {escalatedAt, "escalated", "no volunteer in time"});
    }
    if (matchedAt != null) {
      changes.add(new Object[] {matchedAt, "matched", escalated ? "assigned by an ambassador" : "offer accepted"});
      changes.add(new Object[] {completedAt, "completed", "done"});
    } else if (cancelledAt != null) {
      changes.add(new Object[] {cancelledAt, "cancelled", "no longer needed"});
    } else if (referredAt != null) {
      changes.add(new Object[] {referredAt, "referred", "needs professional care"});
    } else {
      changes.add(new Object[] {startsAt, "expired", "no volunteer found"});
    }
    changes.sort(Comparator.comparing(c -> (Instant) c[0]));
    String status = null;
    Instant last = created;
    for (Object[] change : changes) {
      Instant at = (Instant) change[0];
      if (at.isAfter(end) || at.isBefore(last)) {
        break;
      }
      t.history.row(id, at, change[1].equals("matched") && escalated ? ambassador : null, status, change[1],
          change[2]);
      status = (String) change[1];
      last = at;
      if (change[1].equals("matched") && escalated) {
        t.manual.row(id, ambassador, "assign", chosen.id(), "matched by hand after escalation", at);
      }
      if (change[1].equals("referred")) {
        t.manual.row(id, ambassador, "refer_buurtteam", null, "referred to the buurtteam", at);
      }
    }
    boolean isMatched = matchedAt != null && !matchedAt.isAfter(end);
    boolean isCompleted = isMatched && !completedAt.isAfter(end);
    Instant shownOffer = firstOffer != null && !firstOffer.isAfter(end) ? firstOffer : null;
    double hours = Math.round(durationMinutes / 30.0) / 2.0;
    t.requests.row(id, resident.id(), resident.id(), kind, status, urgency(), details(kind, resident, startsAt),
        resident.home().lat(), resident.home().lon(), resident.buurt().code(), resident.buurt().wijkCode(), startsAt,
        created, last, shownOffer == null ? 0 : 1, shownOffer, isMatched ? matchedAt : null,
        isCompleted ? completedAt : null, isCompleted ? BigDecimal.valueOf(hours) : null,
        isMatched ? chosen.id() : null, parent);
    t.windows.row(id, startsAt, startsAt.plus(Duration.ofMinutes(durationMinutes + 60)));
    offers(t, id, candidates, chosen, w, shownOffer, isMatched ? matchedAt : null, escalated ? escalatedAt : null,
        end, status);
    if (isCompleted) {
      feedback(t, id, resident.id(), chosen.id(), completedAt, end);
    }
    return new RequestOutcome(id, isMatched, isMatched ? chosen.id() : null, startsAt);
  }

  private void offers(Tables t, UUID request, List<Volunteer> candidates, Volunteer chosen, WijkClimate w,
                      Instant firstOffer, Instant matchedAt, Instant escalatedAt, Instant end, String status) {
    if (firstOffer == null) {
      return;
    }
    boolean manual = matchedAt != null && escalatedAt != null;
    boolean chosenOffered = false;
    for (Volunteer v : candidates) {
      UUID offer = id("offer", t.offerNo++);
      double score = Math.round(random.nextDouble(0.4, 0.95) * 1000) / 1000.0;
      JsonObject breakdown = new JsonObject().put("distance", score).put("availability", 1.0);
      int metres = 200 + random.nextInt(4_800);
      if (matchedAt != null && v == chosen) {
        chosenOffered = true;
        t.offers.row(offer, request, v.id(), manual ? 2 : 1, "accepted", score, breakdown.encode(), metres,
            manual ? matchedAt.minusSeconds(60) : firstOffer, matchedAt, null);
        continue;
      }
      Instant replyBy = matchedAt != null ? matchedAt : escalatedAt != null ? escalatedAt : end;
      Instant reply = firstOffer.plus(Duration.ofMinutes(5 + random.nextInt(6 * 60)));
      if (random.nextDouble() < w.declineChance() && reply.isBefore(replyBy) && !reply.isAfter(end)) {
        t.offers.row(offer, request, v.id(), 1, "declined", score, breakdown.encode(), metres, firstOffer, reply,
            declineReason());
      } else if (!manual && matchedAt != null && !matchedAt.isAfter(end)) {
        t.offers.row(offer, request, v.id(), 1, "filled", score, breakdown.encode(), metres, firstOffer, matchedAt,
            null);
      } else if (status.equals("open") || status.equals("offered") || status.equals("escalated")) {
        t.offers.row(offer, request, v.id(), 1, "pending", score, breakdown.encode(), metres, firstOffer, null, null);
      } else {
        t.offers.row(offer, request, v.id(), 1, "withdrawn", score, breakdown.encode(), metres, firstOffer,
            escalatedAt != null && !escalatedAt.isAfter(end) ? escalatedAt : replyBy, null);
      }
    }
    if (matchedAt != null && !chosenOffered) {
      t.offers.row(id("offer", t.offerNo++), request, chosen.id(), 2, "accepted", 0.5,
          new JsonObject().put("manual", manual).encode(), 1_000, matchedAt.minusSeconds(60), matchedAt, null);
    }
  }

  private String declineReason() {
    double u = random.nextDouble();
    if (u < 0.12) {
      return null;
    }
    if (u < 0.15) {
      return "Past deze week niet, sorry";
    }
    double pick = random.nextDouble() * 0.85;
    for (int i = 0; i < DECLINE_CODES.length; i++) {
      pick -= DECLINE_WEIGHTS[i];
      if (pick < 0) {
        return DECLINE_CODES[i];
      }
    }
    return DECLINE_CODES[0];
  }

  private void feedback(Tables t, UUID request, UUID resident, UUID volunteer, Instant completedAt, Instant end) {
    if (random.nextDouble() < 0.55) {
      Instant at = completedAt.plus(Duration.ofMinutes(60 + random.nextInt(3 * 24 * 60)));
      if (!at.isAfter(end)) {
        double u = random.nextDouble();
        int rating = u < 0.55 ? 5 : u < 0.85 ? 4 : u < 0.95 ? 3 : u < 0.98 ? 2 : 1;
        t.feedback.row(request, "resident", resident, rating, at);
      }
    }
    if (random.nextDouble() < 0.35) {
      Instant at = completedAt.plus(Duration.ofMinutes(30 + random.nextInt(24 * 60)));
      if (!at.isAfter(end)) {
        t.feedback.row(request, "volunteer", volunteer, random.nextDouble() < 0.8 ? 5 : 4, at);
      }
    }
  }

  /** A volunteer cancelled one occurrence of a matched companionship; it is matched again as a child request. */
  private void rematch(Tables t, long no, Resident resident, RequestOutcome parent, Instant end, WijkClimate w,
                       List<Volunteer> local, List<Volunteer> all, UUID ambassador) {
    Instant created = parent.startsAt().plus(Duration.ofDays(5));
    if (created.isAfter(end)) {
      return;
    }
    request(t, no, resident, "companionship", created, end, w, local, all, new HashMap<>(), ambassador, parent.id());
  }

  private List<Volunteer> candidates(List<Volunteer> local, List<Volunteer> all, int n) {
    Set<Volunteer> picked = new java.util.LinkedHashSet<>();
    while (picked.size() < n) {
      List<Volunteer> pool = local != null && !local.isEmpty() && random.nextDouble() < 0.75 ? local : all;
      picked.add(pool.get(random.nextInt(pool.size())));
    }
    return new ArrayList<>(picked);
  }

  private void signup(Tables t, Resident resident, Centre centre, Instant createdAt, Instant end,
                      Map<String, Integer> seats, Set<String> signedUp) {
    if (createdAt.isAfter(end)) {
      return;
    }
    Act act = centre.activities().get(random.nextInt(centre.activities().size()));
    LocalDate session = act.sessionOnOrAfter(createdAt.atZone(ZONE).toLocalDate().plusDays(1));
    if (session == null) {
      return;
    }
    String key = act.id() + "|" + session;
    if (!signedUp.add(key + "|" + resident.id())) {
      return;
    }
    boolean cancelled = random.nextDouble() < 0.08;
    int taken = seats.getOrDefault(key, 0);
    if (!cancelled && taken >= act.capacity()) {
      return;
    }
    t.occurrenceKeys.add(key);
    if (!cancelled) {
      seats.put(key, taken + 1);
    }
    Instant cancelledAt = cancelled ? min(createdAt.plus(Duration.ofHours(1 + random.nextInt(72))), end) : null;
    t.signups.row(id("signup", t.signupNo++), act.id(), session, resident.id(), cancelled ? "cancelled" : "active",
        createdAt, cancelledAt);
  }

  /** Buurtcentra at the centroids of the most populous buurten of each wijk, one per 15,000 inhabitants. */
  private List<Centre> centres(CopyTable organisations, CopyTable venues, CopyTable activities, LocalDate until,
                               Map<String, UUID> ambassadors) {
    List<Centre> centres = new ArrayList<>();
    int n = 0;
    for (AreaIndex.Wijk wijk : areas.wijken()) {
      int count = Math.max(1, Math.round(wijk.population() / (float) INHABITANTS_PER_CENTRE));
      List<Buurt> biggest = areas.buurten().stream().filter(b -> b.wijkCode().equals(wijk.code()))
          .sorted(Comparator.comparingInt(Buurt::population).reversed()).limit(count).toList();
      for (Buurt buurt : biggest) {
        UUID organisation = id("organisation", n);
        UUID venue = id("venue", n);
        String name = "Buurtcentrum " + buurt.name();
        organisations.row(organisation, name, "buurtcentrum");
        venues.row(venue, organisation, name, "Demo-adres, " + buurt.name() + ", Utrecht", buurt.centroid().lat(),
            buurt.centroid().lon(), wijk.code(), wijk.name(), buurt.code(), buurt.name());
        List<Act> acts = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
          String[] template = ACTIVITIES[(n + a * 2) % ACTIVITIES.length];
          DayOfWeek day = DayOfWeek.of(1 + (n + a * 3) % 5);
          LocalTime at = LocalTime.of(a % 2 == 0 ? 10 : 14, 0);
          Act act = new Act(id("activity", n * 10L + a), day, at, 15 + 5 * random.nextInt(6), until.minusDays(400),
              until.plusDays(120));
          acts.add(act);
          activities.row(act.id(), organisation, venue, template[0], "Wekelijks in " + name + ".", template[1],
              "weekly", day.getValue(), at, at.plusHours(2), act.first(), act.last(), random.nextInt(3) * 150,
              act.capacity(), ambassadors.get(wijk.code()));
        }
        centres.add(new Centre(buurt.centroid(), acts));
        n++;
      }
    }
    return centres;
  }

  private Map<String, WijkClimate> climate(List<Resident> residents, List<Volunteer> volunteers) {
    Map<String, Integer> elderly = new HashMap<>();
    areas.wijken().forEach(w -> elderly.put(w.code(), Math.max(1, w.population65Plus())));
    Map<String, Integer> helpers = new HashMap<>();
    volunteers.forEach(v -> helpers.merge(v.buurt().wijkCode(), 1, Integer::sum));
    double city = volunteers.size() / (double) elderly.values().stream().mapToInt(Integer::intValue).sum();
    Map<String, WijkClimate> result = new HashMap<>();
    for (AreaIndex.Wijk wijk : areas.wijken()) {
      double d = Math.max(0.5, Math.min(1.6, helpers.getOrDefault(wijk.code(), 0) / (double) elderly.get(wijk.code())
          / city));
      result.put(wijk.code(), new WijkClimate(d,
          clamp(0.35 + 0.18 * (1 - d), 0.2, 0.6),
          150 / Math.pow(d, 1.5),
          clamp(0.09 / d, 0.03, 0.25),
          clamp(0.93 * Math.pow(Math.min(1, d), 0.4), 0.6, 0.97)));
    }
    return result;
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private Centre nearest(List<Centre> centres, GeoPoint home) {
    return centres.stream().min(Comparator.comparingDouble(c -> Distances.haversineMeters(home.lat(), home.lon(),
        c.at().lat(), c.at().lon()))).orElseThrow();
  }

  private String pickKind() {
    double u = random.nextDouble();
    return u < 0.5 ? "transport" : u < 0.82 ? "companionship" : "respite";
  }

  private String urgency() {
    double u = random.nextDouble();
    return u < 0.3 ? "low" : u < 0.85 ? "normal" : "high";
  }

  private String details(String kind, Resident resident, Instant startsAt) {
    JsonObject home = new JsonObject().put("address", resident.address())
        .put("location", new JsonObject().put("lat", resident.home().lat()).put("lon", resident.home().lon()));
    return switch (kind) {
      case "transport" -> new JsonObject()
          .put("pickup", home)
          .put("destination", new JsonObject().put("name", DESTINATIONS[random.nextInt(DESTINATIONS.length)])
              .put("address", "Utrecht").put("location", new JsonObject().put("lat", 52.0873).put("lon", 5.1797)))
          .put("appointmentAt", startsAt.plus(Duration.ofMinutes(45)).toString())
          .put("returnTrip", random.nextBoolean())
          .put("mobility", new JsonArray().add(random.nextInt(3) == 0 ? "walker" : "none"))
          .encode();
      case "companionship" -> new JsonObject()
          .put("activity", List.of("visit", "walk", "phone_call", "activity_together").get(random.nextInt(4)))
          .put("languages", new JsonArray().add("nl"))
          .encode();
      default -> new JsonObject()
          .put("durationMinutes", 120 + 30 * random.nextInt(9))
          .put("needs", new JsonArray().add(random.nextBoolean() ? "dementia" : "cannot_be_left_alone"))
          .encode();
    };
  }

  /** A weekday-weighted daytime instant (08:00-20:00 local) in [start, end). */
  private Instant daytime(Instant start, Instant end) {
    long days = Duration.between(start, end).toDays();
    LocalDate first = start.atZone(ZONE).toLocalDate();
    LocalDate day = first.plusDays(random.nextLong(days));
    if (day.getDayOfWeek().getValue() >= 6 && random.nextDouble() < 0.6) {
      LocalDate friday = day.minusDays(day.getDayOfWeek().getValue() - 5L);
      day = friday.isBefore(first) ? day : friday;
    }
    return day.atTime(8, 0).plusMinutes(random.nextInt(12 * 60)).atZone(ZONE).toInstant();
  }

  private double lognormal(double median, double sigma) {
    return median * Math.exp(sigma * random.nextGaussian());
  }

  private static Duration minutes(double minutes) {
    return Duration.ofSeconds(Math.max(60, Math.round(minutes * 60)));
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private int poisson(double mean) {
    double l = Math.exp(-mean);
    int k = 0;
    double p = 1;
    do {
      k++;
      p *= random.nextDouble();
    } while (p > l);
    return k - 1;
  }
}
