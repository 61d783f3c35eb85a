package nl.omzien.faults;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import nl.omzien.auth.LocalTokens;
import nl.omzien.auth.Role;

/**
 * A mixed load of residents and volunteers through the public API, for the crash and soak scripts.
 *
 * <p>Setup makes its own people (so offers are predictable): volunteers around the city centre who are free all week
 * with a car, residents with a home nearby, each with one push device (so every push of theirs reaches the
 * transport exactly once when nothing goes wrong). Then resident threads ask for rides and visits on days
 * spread over eight weeks (with an {@code Idempotency-Key}), read their requests, and cancel most of them
 * 20-60 s later; volunteer threads read their pending offers and accept (70 %) or decline (30 %) them. Every
 * write the server acknowledged (2xx) is appended to the journal, flushed, before the next call:
 * {@code create,<requestId>,<residentId>}, {@code accept,<offerId>,<requestId>,<volunteerId>},
 * {@code decline,<offerId>,<volunteerId>}, {@code cancel,<requestId>,<residentId>},
 * {@code device,<deviceId>,<userId>}.
 *
 * <p>With {@code retryWrites} (the crash run) a write that got no answer (refused, reset: the server was
 * killed) is retried with the same idempotency key until the server answers, as the app would; its outcome
 * is recorded only when it is acknowledged.
 */
final class MixedLoad {
  private static final double LAT = 52.0907;
  private static final double LON = 5.1214;
  private static final double KM_LAT = 1 / 111.2;
  private static final double KM_LON = 1 / 68.4;
  private static final ZoneId ZONE = ZoneId.of("Europe/Amsterdam");
  private static final String DECLINE_REASON = "no_time";

  /** A person the client acts as. */
  record Person(UUID id, String token, double lat, double lon) {
  }

  private final Api api;
  private final LoadStats stats;
  private final Writer journal;
  private final boolean retryWrites;
  private final List<Person> residents = new ArrayList<>();
  private final List<Person> volunteers = new ArrayList<>();
  private final DelayQueue<Due> cancels = new DelayQueue<>();
  private final ConcurrentLinkedQueue<String[]> recent = new ConcurrentLinkedQueue<>();
  private volatile long retryDeadlineMillis = 120_000;

  MixedLoad(Api api, LoadStats stats, Path journalFile, boolean retryWrites) {
    this.api = api;
    this.stats = stats;
    this.retryWrites = retryWrites;
    try {
      this.journal = Files.newBufferedWriter(journalFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------------------------------------ setup

  /** Creates the people through the API; every step must succeed (no faults are injected yet). */
  void setUp(LocalTokens tokens, int residentCount, int volunteerCount) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < volunteerCount; i++) {
      UUID id = UUID.randomUUID();
      Person p = new Person(id, tokens.mint(id, Set.of(Role.VOLUNTEER), Set.of(), Duration.ofHours(24)),
          LAT + (random.nextDouble() - 0.5) * 2.4 * KM_LAT, LON + (random.nextDouble() - 0.5) * 2.4 * KM_LON);
      must(api.put("/v1/me", p.token(), new JsonObject().put("displayName", "Vrijwilliger " + i)), "profile");
      JsonArray week = new JsonArray();
      for (int day = 1; day <= 7; day++) {
        week.add(new JsonObject().put("dayOfWeek", day).put("startTime", "00:00").put("endTime", "23:59"));
      }
      must(api.put("/v1/me/volunteer", p.token(), new JsonObject()
          .put("location", point(p.lat(), p.lon())).put("travelKm", 15)
          .put("transport", new JsonArray().add("car").add("bike")).put("skills", new JsonArray().add("first_aid"))
          .put("languages", new JsonArray().add("nl").add("en")).put("weeklyCap", 20).put("availability", week)),
          "volunteer profile");
      device(p);
      volunteers.add(p);
    }
    for (int i = 0; i < residentCount; i++) {
      UUID id = UUID.randomUUID();
      Person p = new Person(id, tokens.mint(id, Set.of(Role.RESIDENT), Set.of(), Duration.ofHours(24)),
          LAT + (random.nextDouble() - 0.5) * 2.4 * KM_LAT, LON + (random.nextDouble() - 0.5) * 2.4 * KM_LON);
      must(api.put("/v1/me", p.token(), new JsonObject().put("displayName", "Bewoner " + i)
          .put("phone", "+3130" + (1000000 + i))), "profile");
      must(api.put("/v1/me/home", p.token(), new JsonObject().put("address", "Proefstraat " + (i + 1) + ", Utrecht")
          .put("location", point(p.lat(), p.lon()))), "home");
      device(p);
      residents.add(p);
    }
  }

  private void device(Person p) {
    Api.Answer a = must(api.post("/v1/devices", p.token(), new JsonObject().put("token", "load-" + p.id())
        .put("platform", "android").put("appVersion", "9.9.9").put("locale", "nl")), "device");
    record("device", a.body().getString("deviceId"), p.id().toString());
  }

  private static Api.Answer must(Api.Answer answer, String what) {
    if (!answer.ok()) {
      throw new IllegalStateException("setup: " + what + " failed: " + answer.status() + " "
          + (answer.body() == null ? answer.error() : answer.body().encode()));
    }
    return answer;
  }

  // ------------------------------------------------------------------------------------------------ running

  /** Runs {@code residentThreads + volunteerThreads} threads until {@code stop} says so, then waits for them. */
  void run(int residentThreads, int volunteerThreads, BooleanSupplier stop) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < residentThreads; i++) {
      threads.add(new Thread(() -> loop(stop, this::residentStep), "resident-" + i));
    }
    for (int i = 0; i < volunteerThreads; i++) {
      threads.add(new Thread(() -> loop(stop, this::volunteerStep), "volunteer-" + i));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    flush();
  }

  private void loop(BooleanSupplier stop, Runnable step) {
    while (!stop.getAsBoolean()) {
      try {
        step.run();
      } catch (RuntimeException e) {
        stats.unexpected("client", e.toString());
      }
    }
  }

  private void residentStep() {
    Due due = cancels.poll();
    if (due != null) {
      cancel(due);
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Person r = residents.get(random.nextInt(residents.size()));
    int dice = random.nextInt(100);
    if (dice < 35) {
      create(r);
    } else if (dice < 60) {
      String[] mine = recent.peek();
      if (mine != null) {
        Person owner = residents.stream().filter(p -> p.id().toString().equals(mine[1])).findFirst().orElse(r);
        api.get("/v1/requests/" + mine[0], owner.token());
        recent.poll();
      } else {
        api.get("/v1/requests?limit=20", r.token());
      }
    } else if (dice < 75) {
      api.get("/v1/requests?limit=20", r.token());
    } else if (dice < 90) {
      api.get("/v1/activities/nearby?lat=" + r.lat() + "&lon=" + r.lon() + "&radius=3000", r.token());
    } else {
      api.get("/v1/me", r.token());
    }
  }

  private void create(Person r) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String key = "load-" + UUID.randomUUID();
    JsonObject body = random.nextInt(100) < 60 ? ride(r, random) : visit(random);
    Api.Answer a = write(() -> api.call(HttpMethod.POST, "/v1/requests", r.token(), body, key));
    if (a.ok()) {
      String id = a.body().getString("id");
      record("create", id, r.id().toString());
      if (recent.size() < 1000) {
        recent.add(new String[] {id, r.id().toString()});
      }
      if (random.nextInt(100) < 85) {
        cancels.add(new Due(id, r, System.currentTimeMillis() + 20_000 + random.nextInt(40_000)));
      }
    }
  }

  private void cancel(Due due) {
    Api.Answer a = write(() -> api.post("/v1/requests/" + due.requestId() + "/cancel", due.resident().token(),
        new JsonObject().put("reason", "load test: no longer needed")));
    if (a.ok()) {
      record("cancel", due.requestId(), due.resident().id().toString());
    }
  }

  private void volunteerStep() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Person v = volunteers.get(random.nextInt(volunteers.size()));
    if (random.nextInt(100) < 15) {
      api.get("/v1/me/tasks?limit=20", v.token());
      return;
    }
    Api.Answer offers = api.get("/v1/me/offers?status=pending&limit=20", v.token());
    if (!offers.ok()) {
      return;
    }
    int handled = 0;
    for (Object item : offers.body().getJsonArray("items")) {
      if (handled++ == 3) {
        break;
      }
      JsonObject offer = (JsonObject) item;
      String offerId = offer.getString("id");
      String requestId = offer.getJsonObject("request").getString("id");
      if (random.nextInt(100) < 70) {
        Api.Answer a = write(() -> api.post("/v1/offers/" + offerId + "/accept", v.token(), null));
        if (a.ok()) {
          record("accept", offerId, requestId, v.id().toString());
        }
      } else {
        Api.Answer a = write(() -> api.post("/v1/offers/" + offerId + "/decline", v.token(),
            new JsonObject().put("reason", DECLINE_REASON)));
        if (a.ok()) {
          record("decline", offerId, v.id().toString());
        }
      }
    }
  }

  /** A write; with retryWrites, repeated while the server gives no answer (it is down), as the app would. */
  private Api.Answer write(java.util.function.Supplier<Api.Answer> call) {
    Api.Answer a = call.get();
    long deadline = System.currentTimeMillis() + retryDeadlineMillis;
    while (retryWrites && a.transportFailed() && System.currentTimeMillis() < deadline) {
      sleep(250);
      stats.retries.incrementAndGet();
      a = call.get();
    }
    return a;
  }

  /** One acknowledged write: its kind and three fields (empty when the kind has fewer), as CSV. */
  private synchronized void record(String kind, String... fields) {
    String[] three = java.util.Arrays.copyOf(fields, 3);
    for (int i = 0; i < 3; i++) {
      three[i] = three[i] == null ? "" : three[i];
    }
    try {
      journal.write(kind + "," + String.join(",", three) + "\n");
      journal.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    stats.ack(kind);
  }

  private synchronized void flush() {
    try {
      journal.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------------------------------------ bodies

  /** A window on a weekday-ish daytime, 2-56 days ahead (spread over weeks, so weekly caps do not fill up). */
  private static JsonArray window(ThreadLocalRandom random, int hours) {
    LocalDate day = LocalDate.now(ZONE).plusDays(2 + random.nextInt(55));
    ZonedDateTime start = ZonedDateTime.of(day, LocalTime.of(9 + random.nextInt(7), 0), ZONE);
    return new JsonArray().add(new JsonObject().put("start", iso(start)).put("end", iso(start.plusHours(hours))));
  }

  private static JsonObject ride(Person r, ThreadLocalRandom random) {
    JsonArray windows = window(random, 3);
    ZonedDateTime start = ZonedDateTime.parse(windows.getJsonObject(0).getString("start"));
    return new JsonObject()
        .put("kind", "transport")
        .put("urgency", random.nextInt(100) < 20 ? "high" : "normal")
        .put("timeWindows", windows)
        .put("note", "Load test ride")
        .put("transport", new JsonObject()
            .put("pickup", new JsonObject().put("address", "Proefstraat 1, Utrecht").put("location", point(r.lat(), r.lon())))
            .put("destination", new JsonObject().put("name", "UMC Utrecht").put("address", "Heidelberglaan 100")
                .put("location", point(52.0873, 5.1797)))
            .put("appointmentAt", iso(start.plusMinutes(45)))
            .put("returnTrip", random.nextBoolean())
            .put("mobility", new JsonArray()));
  }

  private static JsonObject visit(ThreadLocalRandom random) {
    return new JsonObject()
        .put("kind", "companionship")
        .put("urgency", "low")
        .put("timeWindows", window(random, 3))
        .put("companionship", new JsonObject().put("activity", "visit").put("languages", new JsonArray().add("nl")));
  }

  private static JsonObject point(double lat, double lon) {
    return new JsonObject().put("lat", Math.round(lat * 1e6) / 1e6).put("lon", Math.round(lon * 1e6) / 1e6);
  }

  private static String iso(ZonedDateTime t) {
    return t.toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A cancellation planned for later. */
  private record Due(String requestId, Person resident, long atMillis) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(atMillis - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(atMillis, ((Due) other).atMillis);
    }
  }
}
