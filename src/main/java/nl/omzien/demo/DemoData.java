package nl.omzien.demo;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import nl.omzien.activities.ActivitiesDemo;
import nl.omzien.auth.Role;
import nl.omzien.demo.DemoPopulation.Resident;
import nl.omzien.demo.DemoPopulation.Slot;
import nl.omzien.demo.DemoPopulation.Volunteer;
import nl.omzien.demo.DemoUsers.DemoUser;
import nl.omzien.geo.AreaIndex;
import nl.omzien.geo.AreaIndex.Buurt;
import nl.omzien.geo.GeoPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the Utrecht demo data once, in one transaction, recorded in {@code demo_seed} so a restart does not
 * duplicate it: the named demo users (see {@link DemoUsers}) with profiles, and a few hundred synthetic
 * residents and volunteers placed by the real population of each buurt ({@link DemoPopulation}).
 */
public final class DemoData {
  private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
  static final String SEED = "utrecht-demo-v1";
  /** Synthetic people, on top of the named demo users. */
  public static final int RESIDENTS = 300;
  public static final int VOLUNTEERS = 200;
  private static final long RANDOM_SEED = 344L; // Utrecht's CBS municipality code

  private DemoData() {
  }

  /** Loads the demo data unless it is already there; the future tells whether it loaded now. */
  public static Future<Boolean> loadOnce(Pool pool, AreaIndex areas) {
    return pool.withTransaction(connection -> connection
            .preparedQuery("insert into demo_seed (name) values ($1) on conflict do nothing")
            .execute(Tuple.of(SEED))
            .compose(inserted -> inserted.rowCount() == 0
                ? Future.succeededFuture(false)
                : load(connection, areas).map(true)))
        .onSuccess(loaded -> {
          if (!loaded) {
            LOG.info("demo data already present");
          }
        });
  }

  /** Generates the people (only on the first start, when the seed is new) and writes everything. */
  private static Future<Void> load(SqlConnection connection, AreaIndex areas) {
    LocalDate today = LocalDate.now(ZoneId.of("Europe/Amsterdam"));
    List<Resident> residents = new ArrayList<>(namedResidents(areas));
    residents.addAll(DemoPopulation.residents(areas, RESIDENTS, RANDOM_SEED));
    List<Volunteer> volunteers = new ArrayList<>(namedVolunteers(areas, today));
    volunteers.addAll(DemoPopulation.volunteers(areas, VOLUNTEERS, RANDOM_SEED, today));
    return insertNamedUsers(connection)
        .compose(v -> insertResidents(connection, residents))
        .compose(v -> insertVolunteers(connection, volunteers))
        .compose(v -> ActivitiesDemo.load(connection))
        .onSuccess(v -> LOG.info("demo data loaded: {} named users, {} residents, {} volunteers, buurtcentra with "
            + "weekly activities", DemoUsers.all().size(), residents.size(), volunteers.size()));
  }

  private static Future<Void> insertNamedUsers(SqlConnection connection) {
    List<Tuple> rows = DemoUsers.all().stream()
        .map(user -> Tuple.of(user.id(), user.displayName(), user.language(),
            user.roles().stream().map(Role::wire).sorted().toArray(String[]::new),
            user.wijken().stream().sorted().toArray(String[]::new)))
        .toList();
    return connection.preparedQuery("""
            insert into app_user (id, display_name, language, roles, wijken)
            values ($1, $2, $3, $4, $5) on conflict (id) do nothing
            """)
        .executeBatch(rows)
        .mapEmpty();
  }

  private static Future<Void> insertResidents(SqlConnection connection, List<Resident> residents) {
    List<Tuple> users = residents.stream()
        .filter(r -> DemoUsers.all().stream().noneMatch(u -> u.id().equals(r.id())))
        .map(r -> Tuple.of(r.id(), r.name(), new String[] {"resident"}))
        .toList();
    List<Tuple> profiles = residents.stream()
        .map(r -> Tuple.of(r.id(), r.address(), r.home().lat(), r.home().lon(), r.buurt().code(), r.buurt().wijkCode()))
        .toList();
    return connection.preparedQuery("""
            insert into app_user (id, display_name, roles) values ($1, $2, $3) on conflict (id) do nothing
            """).executeBatch(users)
        .compose(done -> connection.preparedQuery("""
            insert into resident_profile (user_id, address, lat, lon, buurt_code, wijk_code)
            values ($1, $2, $3, $4, $5, $6) on conflict (user_id) do nothing
            """).executeBatch(profiles))
        .mapEmpty();
  }

  private static Future<Void> insertVolunteers(SqlConnection connection, List<Volunteer> volunteers) {
    List<Tuple> users = volunteers.stream()
        .filter(v -> DemoUsers.all().stream().noneMatch(u -> u.id().equals(v.id())))
        .map(v -> Tuple.of(v.id(), v.name(), new String[] {"volunteer"}))
        .toList();
    List<Tuple> profiles = volunteers.stream()
        .map(v -> Tuple.tuple().addUUID(v.id()).addDouble(v.home().lat()).addDouble(v.home().lon())
            .addString(v.buurt().code()).addString(v.buurt().wijkCode()).addValue(java.math.BigDecimal.valueOf(v.travelKm()))
            .addArrayOfString(v.transport().stream().sorted().toArray(String[]::new))
            .addArrayOfString(v.skills().stream().sorted().toArray(String[]::new))
            .addArrayOfString(v.languages().stream().sorted().toArray(String[]::new))
            .addLocalDate(v.vogIssuedOn()).addInteger(v.weeklyCap()))
        .toList();
    List<Tuple> slots = new ArrayList<>();
    for (Volunteer v : volunteers) {
      for (Slot slot : v.availability()) {
        slots.add(Tuple.of(v.id(), (short) slot.dayOfWeek(), slot.start(), slot.end()));
      }
    }
    return connection.preparedQuery("""
            insert into app_user (id, display_name, roles) values ($1, $2, $3) on conflict (id) do nothing
            """).executeBatch(users)
        .compose(done -> connection.preparedQuery("""
            insert into volunteer_profile (user_id, lat, lon, buurt_code, wijk_code, travel_km, transport, skills,
                                           languages, vog_issued_on, weekly_cap)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (user_id) do nothing
            """).executeBatch(profiles))
        .compose(done -> connection.preparedQuery("""
            insert into volunteer_availability (volunteer_id, day_of_week, start_time, end_time)
            values ($1, $2, $3, $4) on conflict do nothing
            """).executeBatch(slots))
        .mapEmpty();
  }

  /** Ria in Overvecht, Karin in Zuid, Henk in Noordoost: homes in the most elderly buurt of their wijk. */
  private static List<Resident> namedResidents(AreaIndex areas) {
    SplittableRandom random = new SplittableRandom(RANDOM_SEED);
    return List.of(
        named(areas, "ria", "WK034403", random),
        named(areas, "karin", "WK034407", random),
        named(areas, "henk", "WK034404", random));
  }

  private static Resident named(AreaIndex areas, String handle, String wijk, SplittableRandom random) {
    DemoUser user = DemoUsers.byHandle(handle).orElseThrow();
    Buurt buurt = elderlyBuurtOf(areas, wijk);
    GeoPoint home = areas.randomPointIn(buurt, random);
    return new Resident(user.id(), user.displayName(), "Demo-adres 1, " + buurt.name() + ", Utrecht", home, buurt);
  }

  private static List<Volunteer> namedVolunteers(AreaIndex areas, LocalDate today) {
    SplittableRandom random = new SplittableRandom(RANDOM_SEED + 1);
    Buurt noordoost = elderlyBuurtOf(areas, "WK034404");
    Buurt overvecht = elderlyBuurtOf(areas, "WK034403");
    Buurt oost = elderlyBuurtOf(areas, "WK034405");
    List<Slot> weekdays = List.of(new Slot(1, java.time.LocalTime.of(9, 0), java.time.LocalTime.of(17, 0)),
        new Slot(2, java.time.LocalTime.of(9, 0), java.time.LocalTime.of(17, 0)),
        new Slot(4, java.time.LocalTime.of(9, 0), java.time.LocalTime.of(17, 0)));
    return List.of(
        new Volunteer(DemoUsers.idFor("henk"), "Henk", areas.randomPointIn(noordoost, random), noordoost, 15,
            Set.of("car"), Set.of("mobility_support"), Set.of("nl"), null, 3, weekdays),
        new Volunteer(DemoUsers.idFor("sanne"), "Sanne", areas.randomPointIn(overvecht, random), overvecht, 8,
            Set.of("car", "bike"), Set.of("dementia_experience", "first_aid"), Set.of("nl", "en"),
            today.minusMonths(8), 3, weekdays),
        new Volunteer(DemoUsers.idFor("youssef"), "Youssef", areas.randomPointIn(oost, random), oost, 4,
            Set.of("bike"), Set.of("walking_companion"), Set.of("nl", "en", "ar"), today.minusYears(1), 4, weekdays));
  }

  private static Buurt elderlyBuurtOf(AreaIndex areas, String wijkCode) {
    return areas.buurten().stream()
        .filter(b -> b.wijkCode().equals(wijkCode))
        .max(Comparator.comparingInt(Buurt::population65Plus))
        .orElseThrow();
  }
}
