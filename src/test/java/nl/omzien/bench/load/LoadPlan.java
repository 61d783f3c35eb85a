package nl.omzien.bench.load;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import nl.omzien.auth.LocalTokens;
import nl.omzien.auth.Role;
import nl.omzien.auth.SigningKey;
import nl.omzien.config.OmzienConfig;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Prepares and checks a load run ({@code src/scripts/load.sh}) against the database of a running Omzien (demo
 * mode): writes plan files of requests with locally signed tokens for the generated users (signed with the same
 * key as the server: {@code OMZIEN_JWT_SECRET} or the data directory's), and checks what the run wrote.
 * <pre>
 * java -cp target/omzien.jar:target/test-classes nl.omzien.bench.load.LoadPlan --jdbc URL --out DIR COMMAND
 *   mark              the database's now() into DIR/mark.txt (requests created after it belong to the run)
 *   reads             DIR/nearby.txt, offers.txt, queue.txt: reads over many users and points
 *   create [N]        DIR/create.txt: N valid hulpvraag bodies over many residents, points and kinds
 *   accept            DIR/accept.txt: every pending offer of the run's requests, offers of one request adjacent,
 *                     so their volunteers race; DIR/accept-requests.txt: those requests
 *   check             compares DIR/results.tsv with the database (ResultCheck); exit 1 when anything fails
 *   table             prints DIR/results.tsv as the run's table
 * </pre>
 */
public final class LoadPlan {
  static final ZoneId ZONE = ZoneId.of("Europe/Amsterdam");
  private static final long SEED = 6L;
  /** Hospitals and a GP post, the usual ride destinations. */
  private static final List<double[]> DESTINATIONS = List.of(
      new double[] {52.0873, 5.1797}, new double[] {52.0767, 5.1190}, new double[] {52.0382, 5.0787},
      new double[] {52.1000, 5.1100});
  private static final List<String> DESTINATION_NAMES = List.of("UMC Utrecht", "Diakonessenhuis",
      "St. Antonius Ziekenhuis", "Huisartsenpost");

  private final Connection db;
  private final Path out;
  private final LocalTokens tokens;
  private final Map<UUID, String> minted = new HashMap<>();

  LoadPlan(Connection db, Path out, LocalTokens tokens) {
    this.db = db;
    this.out = out;
    this.tokens = tokens;
  }

  public static void main(String[] args) throws Exception {
    List<String> a = new ArrayList<>(Arrays.asList(args));
    String jdbc = option(a, "--jdbc");
    Path out = Path.of(option(a, "--out"));
    if (a.isEmpty()) {
      throw new IllegalArgumentException("usage: LoadPlan --jdbc URL --out DIR mark|reads|create [N]|accept|check|table");
    }
    String command = a.remove(0);
    Files.createDirectories(out);
    if (command.equals("table")) {
      System.out.print(LoadTable.render(RunResult.readAll(out.resolve("results.tsv"))));
      return;
    }
    OmzienConfig config = OmzienConfig.fromEnvironment();
    Vertx vertx = Vertx.vertx();
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setUrl(jdbc);
    source.setUser("postgres");
    int exit = 0;
    try (Connection db = source.getConnection()) {
      LoadPlan plan = new LoadPlan(db, out,
          new LocalTokens(vertx, SigningKey.load(config.jwtSecret(), config.dataDir())));
      switch (command) {
        case "mark" -> plan.mark();
        case "reads" -> plan.reads();
        case "create" -> plan.create(a.isEmpty() ? 4000 : Integer.parseInt(a.get(0)));
        case "accept" -> plan.accept();
        case "check" -> exit = plan.check() ? 0 : 1;
        default -> throw new IllegalArgumentException("unknown command " + command);
      }
    } finally {
      vertx.close();
    }
    System.exit(exit);
  }

  private static String option(List<String> args, String name) {
    int at = args.indexOf(name);
    if (at < 0 || at + 1 >= args.size()) {
      throw new IllegalArgumentException(name + " is required");
    }
    String value = args.get(at + 1);
    args.remove(at + 1);
    args.remove(at);
    return value;
  }

  // -----------------------------------------------------------------------------------------------------------

  void mark() throws SQLException, IOException {
    try (PreparedStatement s = db.prepareStatement("select now()"); ResultSet rows = s.executeQuery()) {
      rows.next();
      Files.writeString(out.resolve("mark.txt"), rows.getTimestamp(1).toInstant().toString() + "\n");
    }
  }

  Instant readMark() throws IOException {
    return Instant.parse(Files.readString(out.resolve("mark.txt")).trim());
  }

  /** A user to sign for. */
  public record User(UUID id, Set<Role> roles, Set<String> wijken, double lat, double lon) {
  }

  private String token(User user) {
    return minted.computeIfAbsent(user.id(),
        id -> tokens.mint(id, user.roles(), user.wijken(), Duration.ofHours(12)));
  }

  private List<User> users(String sql) throws SQLException {
    List<User> users = new ArrayList<>();
    try (PreparedStatement s = db.prepareStatement(sql); ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        Set<Role> roles = new HashSet<>();
        for (String r : (String[]) rows.getArray("roles").getArray()) {
          Role.fromWire(r).ifPresent(roles::add);
        }
        Set<String> wijken = new HashSet<>(Arrays.asList((String[]) rows.getArray("wijken").getArray()));
        users.add(new User(rows.getObject("id", UUID.class), roles, wijken, rows.getDouble("lat"),
            rows.getDouble("lon")));
      }
    }
    return users;
  }

  /** Residents with a home in a buurt of Utrecht, in a fixed order. */
  private List<User> residents() throws SQLException {
    return users("select u.id, u.roles, u.wijken, p.lat, p.lon from app_user u join resident_profile p on p.user_id = u.id "
        + "where u.roles = array['resident'] and u.deleted_at is null and p.buurt_code is not null order by u.id");
  }

  void reads() throws SQLException, IOException {
    Random random = new Random(SEED);
    List<User> residents = residents();
    List<LoadRequest> nearby = new ArrayList<>();
    int[] radii = {1000, 1500, 1500, 2500};
    for (int i = 0; i < 2000; i++) {
      User r = residents.get(random.nextInt(residents.size()));
      // Near a resident's home (so spread as Utrecht's 65+ live), a few hundred metres off.
      double lat = r.lat() + (random.nextDouble() - 0.5) * 0.006;
      double lon = r.lon() + (random.nextDouble() - 0.5) * 0.009;
      String extra = random.nextInt(4) == 0
          ? "&dayOfWeek=" + java.time.DayOfWeek.of(1 + random.nextInt(7)).name().toLowerCase(Locale.ROOT) : "";
      nearby.add(LoadRequest.get(String.format(Locale.ROOT, "/v1/activities/nearby?lat=%.5f&lon=%.5f&radius=%d%s",
          lat, lon, radii[random.nextInt(radii.length)], extra), token(r)));
    }
    LoadRequest.write(out.resolve("nearby.txt"), nearby);
    // The ceiling replays the same lines (same request sizes) against the bare server, which ignores them.
    LoadRequest.write(out.resolve("ceiling.txt"), nearby);

    // Volunteers with something pending first (what the app shows on opening), then others.
    List<User> volunteers = users("select u.id, u.roles, u.wijken, v.lat, v.lon from app_user u "
        + "join volunteer_profile v on v.user_id = u.id where u.deleted_at is null "
        + "order by exists (select 1 from offer o where o.volunteer_id = u.id and o.status = 'pending') desc, u.id "
        + "limit 2000");
    List<LoadRequest> offers = new ArrayList<>();
    for (User v : volunteers) {
      offers.add(LoadRequest.get("/v1/me/offers", token(v)));
    }
    Collections.shuffle(offers, random);
    LoadRequest.write(out.resolve("offers.txt"), offers);

    List<User> ambassadors = users("select id, roles, wijken, 0.0 as lat, 0.0 as lon from app_user "
        + "where 'ambassador' = any (roles) and deleted_at is null order by id");
    List<LoadRequest> queue = new ArrayList<>();
    for (User a : ambassadors) {
      queue.add(LoadRequest.get("/v1/ambassador/queue", token(a)));
    }
    LoadRequest.write(out.resolve("queue.txt"), queue);
    System.out.printf("reads: %d nearby, %d volunteers' offers, %d ambassadors' queues%n", nearby.size(),
        offers.size(), queue.size());
  }

  void create(int count) throws SQLException, IOException {
    Random random = new Random(SEED + 1);
    List<User> residents = residents();
    Collections.shuffle(residents, random);
    LocalDate today = LocalDate.now(ZONE);
    List<LoadRequest> lines = new ArrayList<>();
    Map<String, Integer> kinds = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      User r = residents.get(i % residents.size());
      String body = body(random, r, today);
      kinds.merge(body.substring(9, body.indexOf('"', 9)), 1, Integer::sum);
      lines.add(new LoadRequest("POST", "/v1/requests", token(r), body));
    }
    LoadRequest.write(out.resolve("create.txt"), lines);
    System.out.printf("create: %d bodies over %d residents, kinds %s%n", lines.size(),
        Math.min(count, residents.size()), kinds);
  }

  /**
   * A valid HelpRequestCreate body (openapi/omzien.yaml): kinds as in the generator (rides 50 %, visits 32 %,
   * respite 18 %), an afternoon window on a day 2 to 26 weeks ahead (when most generated volunteers are free).
   */
  public static String body(Random random, User resident, LocalDate today) {
    double k = random.nextDouble();
    String kind = k < 0.5 ? "transport" : k < 0.82 ? "companionship" : "respite";
    double u = random.nextDouble();
    String urgency = u < 0.15 ? "low" : u < 0.85 ? "normal" : "high";
    LocalDate day = today.plusDays(14 + random.nextInt(168));
    ZonedDateTime start = ZonedDateTime.of(day, LocalTime.of(14, 0), ZONE);
    ZonedDateTime end = start.plusHours(2);
    DateTimeFormatter iso = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    StringBuilder b = new StringBuilder();
    b.append("{\"kind\":\"").append(kind).append("\",\"urgency\":\"").append(urgency)
        .append("\",\"timeWindows\":[{\"start\":\"").append(iso.format(start)).append("\",\"end\":\"")
        .append(iso.format(end)).append("\"}]");
    if (random.nextInt(3) == 0) {
      b.append(",\"note\":\"Graag even aanbellen, de bel is zacht.\"");
    }
    switch (kind) {
      case "transport" -> {
        int d = random.nextInt(DESTINATIONS.size());
        b.append(String.format(Locale.ROOT, ",\"transport\":{\"pickup\":{\"address\":\"Thuisadres 1, Utrecht\","
                + "\"location\":{\"lat\":%.6f,\"lon\":%.6f}},\"destination\":{\"name\":\"%s\",\"address\":"
                + "\"Bestemming 1, Utrecht\",\"location\":{\"lat\":%.4f,\"lon\":%.4f}},\"appointmentAt\":\"%s\","
                + "\"returnTrip\":%b,\"mobility\":%s}",
            resident.lat(), resident.lon(), DESTINATION_NAMES.get(d), DESTINATIONS.get(d)[0], DESTINATIONS.get(d)[1],
            iso.format(start.plusMinutes(45)), random.nextBoolean(), random.nextInt(4) == 0 ? "[\"walker\"]" : "[]"));
      }
      case "companionship" -> b.append(",\"companionship\":{\"activity\":\"")
          .append(random.nextBoolean() ? "visit" : "walk").append("\",\"languages\":[\"nl\"]}");
      default -> b.append(",\"respite\":{\"durationMinutes\":120,\"needs\":[\"cannot_be_left_alone\"]}");
    }
    return b.append('}').toString();
  }

  void accept() throws SQLException, IOException {
    Instant mark = readMark();
    Map<UUID, List<String[]>> byRequest = new LinkedHashMap<>();
    try (PreparedStatement s = db.prepareStatement("select o.request_id, o.id, u.id as volunteer, u.roles, u.wijken "
        + "from offer o join help_request r on r.id = o.request_id join app_user u on u.id = o.volunteer_id "
        + "where r.created_at >= ? and r.status = 'offered' and o.status = 'pending' order by r.id, o.id")) {
      s.setTimestamp(1, Timestamp.from(mark));
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          Set<Role> roles = new HashSet<>();
          for (String r : (String[]) rows.getArray("roles").getArray()) {
            Role.fromWire(r).ifPresent(roles::add);
          }
          User v = new User(rows.getObject("volunteer", UUID.class), roles,
              new HashSet<>(Arrays.asList((String[]) rows.getArray("wijken").getArray())), 0, 0);
          byRequest.computeIfAbsent(rows.getObject("request_id", UUID.class), x -> new ArrayList<>())
              .add(new String[] {rows.getObject("id", UUID.class).toString(), token(v)});
        }
      }
    }
    List<UUID> requests = new ArrayList<>(byRequest.keySet());
    Collections.shuffle(requests, new Random(SEED + 2));
    List<LoadRequest> lines = new ArrayList<>();
    for (UUID request : requests) {
      for (String[] offer : byRequest.get(request)) {
        lines.add(new LoadRequest("POST", "/v1/offers/" + offer[0] + "/accept", offer[1], "-"));
      }
    }
    LoadRequest.write(out.resolve("accept.txt"), lines);
    Files.write(out.resolve("accept-requests.txt"), requests.stream().map(UUID::toString).toList(),
        StandardCharsets.UTF_8);
    System.out.printf(Locale.ROOT, "accept: %d offers on %d requests (%.2f volunteers racing per request)%n",
        lines.size(), requests.size(), requests.isEmpty() ? 0.0 : lines.size() / (double) requests.size());
  }

  boolean check() throws SQLException, IOException {
    List<RunResult> results = RunResult.readAll(out.resolve("results.tsv"));
    ResultCheck check = new ResultCheck();
    long created = 0;
    long inFlight = 0;
    RunResult accept = null;
    for (RunResult r : results) {
      if (r.scenario().equals("create")) { // warm-up, max and constant-rate runs all create
        created += r.status(201);
        inFlight += Math.max(0, r.sent() - r.answered());
      } else if (r.scenario().equals("accept")) {
        accept = accept == null ? r : RunResult.sum(accept, r);
      }
    }
    check.created(db, readMark(), created, inFlight);
    if (accept != null) {
      List<UUID> requests = Files.readAllLines(out.resolve("accept-requests.txt")).stream()
          .filter(l -> !l.isBlank()).map(UUID::fromString).toList();
      check.accepted(db, requests, accept);
    }
    for (RunResult r : results) {
      check.lines().add(ResultCheck.answers(r));
    }
    System.out.println("result check:");
    check.lines().forEach(System.out::println);
    System.out.println(check.ok() ? "result check: PASS" : "result check: FAIL");
    return check.ok();
  }
}
